"""model.whole_numbers: an AMOUNT or POPULATION span whose edge splits a written number is dropped,
and nothing else moves."""
from __future__ import annotations

import json

import pytest

from model.whole_numbers import cuts, drop_split_numbers


def _span(text: str, surface: str, label: str, at: int = 0) -> tuple[int, int, str, float]:
    start = text.index(surface, at)
    return (start, start + len(surface), label, 0.9)


@pytest.mark.parametrize("text, surface, label", [
    ("胡柚从10公斤8块钱谈到了4块", "1", "AMOUNT"),          # ends inside 10
    ("第一艘3.6万吨军民通用客货滚装船", "3", "POPULATION"),   # ends before the decimal point
    ("投入1,200万元", "200万元", "AMOUNT"),                # starts after the thousands separator
    ("帮助18万余人脱贫", "8万余人", "POPULATION"),          # starts inside 18
])
def test_a_span_that_splits_a_number_is_dropped(text, surface, label):
    assert drop_split_numbers(text, [_span(text, surface, label)]) == []


def test_what_it_leaves_alone():
    text = "湖南投入3.6万元，帮助1,200户、10人脱贫，2016年10月"
    spans = [_span(text, "湖南", "REGION"), _span(text, "3.6万元", "AMOUNT"), _span(text, "1,200户", "POPULATION"),
             _span(text, "10人", "POPULATION"),
             _span(text, "6年1", "REGION")]  # a wrong REGION stays: not a number label
    assert drop_split_numbers(text, spans) == spans
    assert drop_split_numbers(text, []) == []
    # a comma after a number is punctuation, not a separator
    assert cuts("10,以及5") == {1} and cuts("3.6") == {1, 2} and cuts("无数字") == set()
    assert cuts("第1,2名") == set() and cuts("1,200.5") == {1, 2, 3, 4, 5, 6}  # a list; a number


def test_the_recognizer_reads_the_setting_from_the_inference_block(tiny_model_dir, tmp_path):
    import shutil

    from model.inference_settings import main as settings_main
    from model.recognizer import Recognizer

    model = tmp_path / "m"
    shutil.copytree(tiny_model_dir, model)
    assert Recognizer(model, device="cpu").whole_numbers is False              # no key: off
    settings_main([str(model), "--whole-numbers", "on"])
    config = json.loads((model / "config.json").read_text())
    assert config["inference"]["whole_numbers"] is True
    meta = json.loads((model / "training_meta.json").read_text())
    assert meta["inference_changes"][-1]["set"] == {"whole_numbers": True}
    rec = Recognizer(model, device="cpu")
    assert rec.whole_numbers is True and Recognizer(model, device="cpu", whole_numbers=False).whole_numbers is False
    text = "胡柚从10公斤8块钱谈到了4块，湖南投入785万元"
    out = rec.predict(text)
    assert all(text[s["start"]:s["end"]] == s["text"] for s in out)
    inside = cuts(text)
    assert not any(s["label"] in ("AMOUNT", "POPULATION") and (s["start"] in inside or s["end"] in inside)
                   for s in out)
