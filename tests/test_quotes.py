"""model.quotes: a PROGRAM span cut short inside a quoted name is widened to the whole name, and
nothing else moves."""
from __future__ import annotations

import json

import pytest

from model.quotes import quoted_names, snap_to_quotes


def _spans(text: str, *items: tuple[str, str]) -> list[tuple[int, int, str, float]]:
    out, pos = [], 0
    for label, surface in items:
        start = text.index(surface, pos)
        out.append((start, start + len(surface), label, 0.9))
        pos = start + len(surface)
    return out


@pytest.mark.parametrize("text, cut, whole", [
    ("带动“黔货出山”近10亿元", "黔货出", "黔货出山"),                      # touches the opening mark
    ("已经启动“2012年高校新生入学资助项目”，资助", "新生入学资助项目", "2012年高校新生入学资助项目"),  # the closing one
    ("发布《中国落实2030年可持续发展议程国别方案》", "中国落实2", "中国落实2030年可持续发展议程国别方案"),
    ("开展「百企帮百村」行动", "百企帮", "百企帮百村"),
])
def test_a_cut_quoted_program_takes_the_whole_name(text, cut, whole):
    spans = _spans(text, ("PROGRAM", cut))
    (start, end, label, score), = snap_to_quotes(text, spans)
    assert text[start:end] == whole and label == "PROGRAM" and score == 0.9


def test_what_it_leaves_alone():
    text = "面向“张榜求才”“带编引才”，在“湖南、湖北”开展“精准扶贫”，“雨露计划”培训"
    spans = _spans(text, ("PROGRAM", "带编"), ("REGION", "湖南"), ("PROGRAM", "精准扶贫"), ("PROGRAM", "露计"))
    out = snap_to_quotes(text, spans)
    # widened; in a list; whole already; inside, touching neither mark
    assert [text[s:e] for s, e, *_ in out] == ["带编引才", "湖南", "精准扶贫", "露计"]
    assert snap_to_quotes(text, []) == []
    only_region = _spans(text, ("REGION", "湖南"))
    assert snap_to_quotes(text, only_region) == only_region


def test_spans_the_widened_name_covers_give_way():
    text = "实施“中国扶贫开发计划”"
    spans = _spans(text, ("PROGRAM", "中国扶贫"), ("REGION", "开发"))  # a wrong span the name will cover
    out = snap_to_quotes(text, spans)
    assert [(text[s:e], label) for s, e, label, _ in out] == [("中国扶贫开发计划", "PROGRAM")]


def test_quoted_names_skip_clauses_and_long_quotes():
    text = "“扶贫日”、“他说，要干”" + "“" + "长" * 41 + "”"
    assert [text[a:b] for a, b in quoted_names(text)] == ["扶贫日"]


def test_the_recognizer_reads_the_setting_from_the_inference_block(tiny_model_dir, tmp_path):
    import shutil

    from model.inference_settings import main as settings_main
    from model.recognizer import Recognizer

    model = tmp_path / "m"
    shutil.copytree(tiny_model_dir, model)
    assert Recognizer(model, device="cpu").snap_quotes is False              # no key: off
    settings_main([str(model), "--snap-quotes", "on"])
    assert json.loads((model / "config.json").read_text())["inference"]["snap_quotes"] is True
    rec = Recognizer(model, device="cpu")
    assert rec.snap_quotes is True and Recognizer(model, device="cpu", snap_quotes=False).snap_quotes is False
    text = "实施“百企帮百村”行动，湖南投入785万元"
    assert all(text[s["start"]:s["end"]] == s["text"] for s in rec.predict(text))


def test_two_pieces_of_one_name_become_one_span():
    text = "面向“张榜求才”招聘"
    a, b = text.index("张榜"), text.index("求才")
    out = snap_to_quotes(text, [(a, a + 2, "PROGRAM", 0.8), (b, b + 2, "PROGRAM", 0.6)])
    assert [(text[s:e], score) for s, e, _, score in out] == [("张榜求才", 0.8)]
