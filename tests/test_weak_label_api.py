"""weak_label(): the public shape, the guideline's headline examples, and bad input at every stage."""
from __future__ import annotations

import pytest

from model import weak_label
from model.dataset import window_examples
from model.enrich import VALUE_KEYS
from model.normalize import normalize
from model.weak import default_labeller

BAD_BUT_STR = ["", "   \n\t", "no chinese here at all", "\x00\x01\x1b[31m控制\x7f", "\ud800孤立\udfff代理",
               "😀👍🏽 emoji 湖南省😀", "１２３４５人，ＡＢＣ　全角", "萍鄉(xiāng)經開區(qū)(", "((((", ")" * 50]


def _valid(text, spans):
    assert spans == sorted(spans, key=lambda s: (s["start"], s["end"]))
    for a, b in zip(spans, spans[1:], strict=False):
        assert a["end"] <= b["start"]
    for s in spans:
        # the core keys first, then the value keys of model.enrich for the label
        assert list(s)[:4] == ["label", "text", "start", "end"]
        assert set(s) - {"label", "text", "start", "end"} == set(VALUE_KEYS[s["label"]])
        assert 0 <= s["start"] < s["end"] <= len(text) and text[s["start"]:s["end"]] == s["text"]


def test_shape_single_and_batch():
    text = "谷城县五山镇堰河村投入785万元，帮助1.8万余人脱贫，实施“雨露计划”"
    spans = weak_label(text)
    _valid(text, spans)
    assert [(s["label"], s["text"]) for s in spans] == [
        ("REGION", "谷城县"), ("REGION", "五山镇"), ("REGION", "堰河村"), ("AMOUNT", "785万元"),
        ("POPULATION", "1.8万余人"), ("PROGRAM", "雨露计划")]
    assert weak_label([text, ""]) == [spans, []]
    assert [{k: s[k] for k in ("label", "text", "start", "end")} for s in spans] == weak_label(text, values=False)
    values = {s["text"]: s for s in spans}
    assert values["785万元"]["value"] == 7850000 and values["1.8万余人"]["approx"] is True
    assert values["堰河村"]["adcode"] == "420625" and values["雨露计划"]["canonical"] == "雨露计划"


def test_traditional_with_pinyin_maps_to_the_original():
    text = "萍鄉(xiāng)經開區(qū)投入62萬(wàn)元"
    spans = weak_label(text)
    _valid(text, spans)
    assert [(s["label"], s["text"]) for s in spans] == [
        ("REGION", "萍鄉(xiāng)經開區(qū)"), ("AMOUNT", "62萬(wàn)元")]


@pytest.mark.parametrize("text", BAD_BUT_STR)
def test_bad_strings_pass_every_stage(text):
    spans = weak_label(text)
    _valid(text, spans)
    norm = normalize(text)
    labelled = default_labeller().label_normalized(norm)
    for ex, _ in window_examples("x", norm.text, labelled, 16):
        assert len(ex["tags"]) == len(ex["text"]) <= 16


def test_long_document():
    text = ("湖南省零陵区投入785万元，帮助1.8万余人脱贫。" * 8000)[:200_000]
    spans = weak_label(text)
    _valid(text, spans)
    assert len(spans) > 20_000


@pytest.mark.parametrize("bad", [None, 42, b"\xe6\xb9\x96", ["ok", 3], {"a": 1}])
def test_non_str_is_a_type_error(bad):
    with pytest.raises(TypeError, match="str"):
        weak_label(bad)
