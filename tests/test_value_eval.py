"""Value accuracy (model.value_eval) and the gold loader keeping span values (model.gold)."""
from __future__ import annotations

import json

import pytest

from model.gold import GoldDocument, load_gold, to_json_line
from model.spans import Span
from model.value_eval import render_value_table, same_value, value_accuracy, value_report

TEXT = "湖南省零陵区投入785万元,帮助1.8万余人,武陵山区3000至5000元"
#       0  3  6 8    13   16     22 23   27      ...


def _span(label, surface, start=0):
    s = TEXT.index(surface, start)
    return Span(s, s + len(surface), label)


SPANS = [_span("REGION", "湖南省"), _span("REGION", "零陵区"), _span("AMOUNT", "785万元"),
         _span("POPULATION", "1.8万余人"), _span("REGION", "武陵山区"), _span("AMOUNT", "3000至5000元")]
GOLD_VALUES = {
    "湖南省": {"adcode": "430000", "level": "province"},
    "零陵区": {"adcode": "431102", "level": "county"},
    "785万元": {"value": 7850000, "low": None, "high": None, "approx": False, "currency": "CNY"},
    "1.8万余人": {"value": 18000, "low": None, "high": None, "approx": True, "unit": "人", "counts": "persons"},
    "武陵山区": {"adcode": None, "level": "natural area"},
    "3000至5000元": {"value": None, "low": 3000, "high": 5000, "approx": False, "currency": "CNY"},
}


def gold_doc():
    return GoldDocument("d1", TEXT, list(SPANS), values={(s.start, s.end): GOLD_VALUES[TEXT[s.start:s.end]]
                                                         for s in SPANS})


def entity(span, **values):
    return {"label": span.label, "text": TEXT[span.start:span.end], "start": span.start, "end": span.end, **values}


def test_perfect_system_scores_one():
    doc = gold_doc()
    preds = [[entity(s, **GOLD_VALUES[TEXT[s.start:s.end]]) for s in SPANS]]
    acc = value_accuracy([doc], preds)
    assert acc["AMOUNT"]["value"] == {"gold": 2, "found": 2, "correct": 2, "given_span": 1.0, "end_to_end": 1.0}
    assert acc["REGION"]["adcode"]["end_to_end"] == 1.0 and acc["REGION"]["adcode"]["gold"] == 3
    assert acc["POPULATION"]["all"]["correct"] == 1


def test_given_span_and_end_to_end_differ():
    doc = gold_doc()
    hunan, lingling, amount, pop, wuling, rng = SPANS
    preds = [[
        entity(hunan, adcode="430000"),
        entity(lingling, adcode=None),  # unresolved where gold has a code: wrong
        entity(amount, value=7850000.0, low=None, high=None, approx=False, currency="CNY"),  # float equal
        # the POPULATION span is missed; a wrong boundary does not count as found
        {"label": "POPULATION", "text": TEXT[pop.start:pop.end - 1], "start": pop.start, "end": pop.end - 1,
         "value": 18000, "low": None, "high": None, "approx": True, "unit": "", "counts": "persons"},
        entity(wuling, adcode=None),  # gold null matched by None
        entity(rng, value=None, low=3000, high=6000, approx=False, currency="CNY"),  # wrong high
    ]]
    acc = value_accuracy([doc], preds)
    region = acc["REGION"]["adcode"]
    assert (region["found"], region["correct"]) == (3, 2)
    assert region["given_span"] == pytest.approx(2 / 3) and region["end_to_end"] == pytest.approx(2 / 3)
    high = acc["AMOUNT"]["high"]
    assert (high["found"], high["correct"], high["given_span"]) == (2, 1, 0.5)
    assert acc["AMOUNT"]["value"]["given_span"] == 1.0
    assert acc["AMOUNT"]["all"]["correct"] == 1
    pop_value = acc["POPULATION"]["value"]
    got = (pop_value["gold"], pop_value["found"], pop_value["given_span"], pop_value["end_to_end"])
    assert got == (1, 0, None, 0.0)


def test_spans_and_bare_dicts_are_enriched_first():
    doc = gold_doc()
    acc_spans = value_accuracy([doc], [list(SPANS)])  # Span objects: values computed by enrich()
    acc_dicts = value_accuracy([doc], [[entity(s) for s in SPANS]])
    assert acc_spans == acc_dicts
    assert acc_spans["AMOUNT"]["all"]["end_to_end"] == 1.0
    assert acc_spans["REGION"]["adcode"]["end_to_end"] == 1.0
    assert acc_spans["POPULATION"]["all"]["end_to_end"] == 1.0


def test_gold_without_values_counts_nothing():
    doc = GoldDocument("d", TEXT, list(SPANS))
    report = value_report([doc], {"weak": [list(SPANS)]})
    assert report["gold_spans_with_values"] == {"AMOUNT": 0, "POPULATION": 0, "REGION": 0}
    assert "not measured" in render_value_table(report)


def test_report_table():
    doc = gold_doc()
    report = value_report([doc], {"model": [list(SPANS[:3])], "weak": [list(SPANS)]})
    table = render_value_table(report)
    lines = table.splitlines()
    assert lines[0].startswith("| label | field | gold | model given span (found) | model end to end | weak")
    row = next(line for line in lines if line.startswith("| POPULATION | value"))
    assert row == "| POPULATION | value | 1 | — (0) | 0.0 | 100.0 (1) | 100.0 |"
    assert "| REGION | adcode | 3 | 100.0 (2) | 66.7 | 100.0 (3) | 100.0 |" in lines


def test_mismatched_lengths_are_an_error():
    with pytest.raises(ValueError, match="gold documents"):
        value_accuracy([gold_doc()], [])


@pytest.mark.parametrize("gold, predicted, same", [
    (878500, 878500.0, True), (6641.9, 6641.9, True), (6641.9, 6641.90001, False), (None, None, True),
    ("430000", None, False), (None, "430000", False), (True, True, True), (False, 0, False), ("CNY", "CNY", True),
])
def test_same_value(gold, predicted, same):
    assert same_value(gold, predicted) is same


def test_gold_loader_keeps_span_values(tmp_path):
    doc = gold_doc()
    line = {"id": "d1", "text": TEXT, "spans": [
        {"start": s.start, "end": s.end, "label": s.label, "text": TEXT[s.start:s.end],
         **GOLD_VALUES[TEXT[s.start:s.end]]} for s in SPANS]}
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    (loaded,) = load_gold(path)
    assert loaded.spans == sorted(SPANS)
    assert loaded.values == doc.values
    assert json.loads(to_json_line(loaded, standoff=False)) == line  # written back unchanged
