"""scripts.merge_gold_values: a valid spec is merged; any misfit is refused and the gold left untouched.

All passages and surfaces here are invented (甲县, 乙村 ...); no corpus text. The gold line is the
stand-off form the holdout uses (spans with offsets and surface, no passage text).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.merge_gold_values import SpecError, main, merge

# An invented passage "甲县乙村发放3万多元，帮助20户脱贫。" and its spans (offsets into that string).
TEXT = "甲县乙村发放3万多元，帮助20户脱贫。"
SPANS = [
    {"start": 0, "end": 2, "label": "REGION", "text": "甲县"},
    {"start": 2, "end": 4, "label": "REGION", "text": "乙村"},
    {"start": 6, "end": 10, "label": "AMOUNT", "text": "3万多元"},
    {"start": 13, "end": 16, "label": "POPULATION", "text": "20户"},
    {"start": 16, "end": 18, "label": "PROGRAM", "text": "脱贫"},
]


def _valid_spec() -> dict:
    return {"doc1": [
        {"start": 0, "end": 2, "adcode": "999901", "level": "county"},
        {"start": 2, "end": 4, "adcode": None, "level": "village", "undecided": True},
        {"start": 6, "end": 10, "value": 30000, "low": None, "high": None, "approx": True, "currency": "CNY"},
        {"start": 13, "end": 16, "value": 20, "low": None, "high": None, "approx": False,
         "unit": "户", "counts": "households"},
        {"start": 16, "end": 18},
    ]}


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    for s in SPANS:
        assert TEXT[s["start"]:s["end"]] == s["text"]
    gold = tmp_path / "gold.jsonl"
    line = {"id": "doc1", "source": "invented", "spans": [dict(s) for s in SPANS]}
    gold.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(_valid_spec(), ensure_ascii=False), encoding="utf-8")
    return spec, gold


def _write(spec_path: Path, spec: dict) -> None:
    spec_path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")


def test_valid_spec_is_merged_after_the_existing_keys(files):
    spec, gold = files
    assert main([str(spec), str(gold)]) == 0
    obj = json.loads(gold.read_text(encoding="utf-8"))
    by_start = {s["start"]: s for s in obj["spans"]}
    assert list(by_start[0]) == ["start", "end", "label", "text", "adcode", "level"]
    assert by_start[2]["undecided"] is True and by_start[2]["adcode"] is None
    assert by_start[6]["value"] == 30000 and by_start[6]["approx"] is True
    assert list(by_start[13])[4:] == ["value", "low", "high", "approx", "unit", "counts"]
    assert by_start[13]["counts"] == "households"
    assert list(by_start[16]) == ["start", "end", "label", "text"]  # PROGRAM takes no values
    assert obj["source"] == "invented"
    assert main([str(spec), str(gold), "--check"]) == 0


def test_rerun_replaces_earlier_values(files):
    spec, gold = files
    assert main([str(spec), str(gold)]) == 0
    changed = _valid_spec()
    changed["doc1"][2]["value"] = 31000
    _write(spec, changed)
    assert main([str(spec), str(gold), "--check"]) == 1  # stale gold is reported, not rewritten
    assert main([str(spec), str(gold)]) == 0
    amount = [s for s in json.loads(gold.read_text(encoding="utf-8"))["spans"] if s["label"] == "AMOUNT"]
    assert amount[0]["value"] == 31000


def _mutations():
    def missing_span(spec):
        del spec["doc1"][3]

    def extra_entry(spec):
        spec["doc1"].append({"start": 10, "end": 11})

    def duplicate_entry(spec):
        spec["doc1"].append(dict(spec["doc1"][0]))

    def wrong_key(spec):
        spec["doc1"][0]["currency"] = "CNY"

    def missing_key(spec):
        del spec["doc1"][2]["currency"]

    def value_as_string(spec):
        spec["doc1"][2]["value"] = "30000"

    def integral_float(spec):
        spec["doc1"][2]["value"] = 30000.0

    def count_as_float(spec):
        spec["doc1"][3]["value"] = 20.5

    def approx_not_bool(spec):
        spec["doc1"][3]["approx"] = "no"

    def adcode_as_int(spec):
        spec["doc1"][0]["adcode"] = 999901

    def unknown_level(spec):
        spec["doc1"][0]["level"] = "district"

    def null_code_without_reason(spec):
        spec["doc1"][0]["adcode"] = None

    def undecided_false(spec):
        spec["doc1"][1]["undecided"] = False

    def value_and_range(spec):
        spec["doc1"][2]["low"] = 1

    def inverted_range(spec):
        spec["doc1"][2].update(value=None, low=40, high=30)

    def unknown_counts(spec):
        spec["doc1"][3]["counts"] = "families"

    def program_with_value(spec):
        spec["doc1"][4]["value"] = 1

    def unknown_passage(spec):
        spec["doc2"] = []

    def missing_passage(spec):
        del spec["doc1"]
        spec["doc2"] = []

    return [missing_span, extra_entry, duplicate_entry, wrong_key, missing_key, value_as_string,
            integral_float, count_as_float, approx_not_bool, adcode_as_int, unknown_level,
            null_code_without_reason, undecided_false, value_and_range, inverted_range,
            unknown_counts, program_with_value, unknown_passage, missing_passage]


@pytest.mark.parametrize("mutate", _mutations(), ids=lambda f: f.__name__)
def test_bad_spec_is_refused_and_gold_untouched(files, mutate, capsys):
    spec, gold = files
    before = gold.read_bytes()
    bad = _valid_spec()
    mutate(bad)
    _write(spec, bad)
    assert main([str(spec), str(gold)]) == 2
    assert gold.read_bytes() == before
    assert "not merged" in capsys.readouterr().err
    assert main([str(spec), str(gold), "--check"]) == 2
    assert gold.read_bytes() == before


def test_non_canonical_gold_line_is_refused(files):
    spec, gold = files
    line = json.loads(gold.read_text(encoding="utf-8"))
    gold.write_text(json.dumps(line, ensure_ascii=True) + "\n", encoding="utf-8")  # \u escapes
    before = gold.read_bytes()
    with pytest.raises(SpecError, match="canonical"):
        merge(_valid_spec(), gold.read_text(encoding="utf-8").splitlines(keepends=True))
    assert gold.read_bytes() == before


def test_every_problem_is_listed_at_once():
    bad = _valid_spec()
    bad["doc1"][0]["adcode"] = 1
    bad["doc1"][3]["counts"] = "families"
    line = json.dumps({"id": "doc1", "spans": [dict(s) for s in SPANS]}, ensure_ascii=False) + "\n"
    with pytest.raises(SpecError) as err:
        merge(bad, [line])
    assert "adcode" in str(err.value) and "counts" in str(err.value)
