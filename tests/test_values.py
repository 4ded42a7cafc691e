"""Normalised values of AMOUNT, POPULATION and PROGRAM spans (model.values) and enrich() (model.enrich).

Every value form of the guideline's examples, the numerals cn2an gets wrong or refuses, scripts
and pinyin inside a span, and enrich()'s contract: new dicts, keys kept in order, offsets intact.
"""
from __future__ import annotations

import json

import pytest

from model.enrich import VALUE_KEYS, enrich
from model.values import amount_value, canonical_program, counted_before, population_value, program_value
from model.weak.numbers import parse_value, read_number

# (span text, value, low, high, approx, currency)
AMOUNTS = [
    ("785万元", 7850000, None, None, False, "CNY"),
    ("87.85万元", 878500, None, None, False, "CNY"),
    ("6641.9元", 6641.9, None, None, False, "CNY"),
    ("62万餘元", 620000, None, None, True, "CNY"),
    ("62萬(wàn)餘元", 620000, None, None, True, "CNY"),  # traditional, pinyin inside the span
    ("240余万元", 2400000, None, None, True, "CNY"),
    ("2.1亿元", 210000000, None, None, False, "CNY"),
    ("十万元", 100000, None, None, False, "CNY"),
    ("3000元", 3000, None, None, False, "CNY"),
    ("１５０００元", 15000, None, None, False, "CNY"),  # full-width digits
    ("1,234元", 1234, None, None, False, "CNY"),
    ("20多万元", 200000, None, None, True, "CNY"),
    ("1万多元", 10000, None, None, True, "CNY"),
    ("5千元", 5000, None, None, False, "CNY"),
    ("三千五百元", 3500, None, None, False, "CNY"),
    ("一千零五十元", 1050, None, None, False, "CNY"),
    ("1048.75万元", 10487500, None, None, False, "CNY"),
    ("8万块", 80000, None, None, False, "CNY"),
    ("3000多块", 3000, None, None, True, "CNY"),
    ("一万五千多块", 15000, None, None, True, "CNY"),
    ("10万美元", 100000, None, None, False, "USD"),
    ("1.7亿美元", 170000000, None, None, False, "USD"),
    ("500欧元", 500, None, None, False, "EUR"),
    ("20亿港元", 2000000000, None, None, False, "HKD"),
    ("300港币", 300, None, None, False, "HKD"),
    # Ranges: value None, low/high the smaller and the larger.
    ("3000至5000元", None, 3000, 5000, False, "CNY"),
    ("3000-5000元", None, 3000, 5000, False, "CNY"),
    ("3万至4万元", None, 30000, 40000, False, "CNY"),
    ("3至4万元", None, 30000, 40000, False, "CNY"),  # the bare first number takes 万
    ("5000至1万元", None, 5000, 10000, False, "CNY"),  # ... but not when it is already larger
    ("600元到300元", None, 300, 600, False, "CNY"),
    ("一两万元", None, 10000, 20000, False, "CNY"),
    ("三四十元", None, 30, 40, False, "CNY"),
    ("十几万元", None, 110000, 190000, False, "CNY"),
    # No unit in the span (a model span cut short): the value, no currency.
    ("785万", 7850000, None, None, False, None),
]


@pytest.mark.parametrize("text, value, low, high, approx, currency", AMOUNTS)
def test_amount_values(text, value, low, high, approx, currency):
    got = amount_value(text)
    assert got == {"value": value, "low": low, "high": high, "approx": approx, "currency": currency}
    for key, want in (("value", value), ("low", low), ("high", high)):
        assert type(got[key]) is type(want)  # exact: an int when integral, never 878499.99...


# cn2an 0.5 refuses 一两万, 十几万, 1.2万余 and 3.5百万, reads 一两 as 12 and truncates
# 12.3456789万 to an int; these are the documented readings.
CN2AN_CASES = [
    ("两百", 200, None, None),
    ("13万2", 132000, None, None),  # spoken 13.2万
    ("一两万", None, 10000, 20000),  # vague: a range
    ("一千二百万", 12000000, None, None),
    ("1.2万余", 12000, None, None),  # approx: a lower bound, value as stated
    ("十几万", None, 110000, 190000),  # 几 read as 1 and as 9
    ("二十几万", None, 210000, 290000),
    ("十五六万", None, 150000, 160000),
    ("五六百", None, 500, 600),
    ("3.5百万", 3500000, None, None),
    ("12.3456789万", 123456.789, None, None),
    ("0.07万", 700, None, None),
    ("1亿2000万", 120000000, None, None),
    ("5万7千8百", 57800, None, None),
    ("两", 2, None, None),
]


@pytest.mark.parametrize("numeral, value, low, high", CN2AN_CASES)
def test_numerals_cn2an_gets_wrong(numeral, value, low, high):
    reading = read_number(numeral + "元")
    assert (reading.value, reading.low, reading.high) == (value, low, high)
    assert reading.unit_start == len(numeral)


@pytest.mark.parametrize("surface", ["上亿元", "数千元", "几十万元", "元", ""])
def test_no_number_no_value(surface):
    assert read_number(surface) is None
    assert amount_value(surface)["value"] is None and amount_value(surface)["low"] is None


def test_parse_value_keeps_its_float_contract():
    assert parse_value("87.85万元") == 878500.0 and isinstance(parse_value("87.85万元"), float)
    assert parse_value("3000-5000元") is None and parse_value("十几万元") is None


# (span text, value, low, high, approx, unit, counts)
POPULATIONS = [
    ("157户", 157, None, None, False, "户", "households"),
    ("41354人", 41354, None, None, False, "人", "persons"),
    ("28名", 28, None, None, False, "名", "persons"),
    ("37人次", 37, None, None, False, "人次", "person-times"),
    ("12户次", 12, None, None, False, "户次", "household-times"),
    ("1.8万余人", 18000, None, None, True, "人", "persons"),
    ("20.27万人次", 202700, None, None, False, "人次", "person-times"),
    ("4000多户", 4000, None, None, True, "户", "households"),
    ("10位", 10, None, None, False, "位", "persons"),
    ("4口", 4, None, None, False, "口", "persons"),
    ("两人", 2, None, None, False, "人", "persons"),
    ("57万贫困人口", 570000, None, None, False, "贫困人口", "persons"),
    ("18.7万贫困户", 187000, None, None, False, "贫困户", "households"),
    ("3万农户", 30000, None, None, False, "农户", "households"),
    ("1.3萬(wàn)餘戶", 13000, None, None, True, "户", "households"),
    ("五六百名", None, 500, 600, False, "名", "persons"),
    ("3000至5000人", None, 3000, 5000, False, "人", "persons"),
    ("一万六千多名", 16000, None, None, True, "名", "persons"),
    ("109万", 1090000, None, None, False, "", "persons"),
]


@pytest.mark.parametrize("text, value, low, high, approx, unit, counts", POPULATIONS)
def test_population_values(text, value, low, high, approx, unit, counts):
    assert population_value(text) == {"value": value, "low": low, "high": high, "approx": approx,
                                      "unit": unit, "counts": counts}


@pytest.mark.parametrize("context, counts", [
    ("贫困户由2012年的", "households"), ("建档立卡户数", "households"), ("贫困人口由", "persons"),
    ("受益群众超过", "persons"), ("", "persons"), ("贫困户脱贫,总人口", "persons"),
])
def test_bare_count_counts_the_noun_before(context, counts):
    assert counted_before(context) == counts
    assert population_value("30万", context)["counts"] == counts


@pytest.mark.parametrize("text", ["雨露计划", "雨露計劃", "“雨露计划”", "雨(yǔ)露计划",
                                  "《雨露 计划》", "「雨露計劃」"])
def test_program_canonical(text):
    assert canonical_program(text) == "雨露计划"
    assert program_value(text) == {"canonical": "雨露计划"}


# --- enrich ----------------------------------------------------------------------------------

DOC = "湖北省谷城县五山镇堰河村投入785万元,帮助1.8万余人脱贫。贫困户由原来的300户减少到12户,实施“雨露計劃”"


def _spans(text, *surfaces):
    out, pos = [], 0
    for label, surface in surfaces:
        start = text.index(surface, pos)
        out.append({"label": label, "text": surface, "start": start, "end": start + len(surface), "score": 0.9})
        pos = start + len(surface)
    return out


def test_enrich_adds_values_and_keeps_everything_else():
    entities = _spans(DOC, ("REGION", "湖北省"), ("REGION", "谷城县"), ("REGION", "五山镇"), ("REGION", "堰河村"),
                      ("AMOUNT", "785万元"), ("POPULATION", "1.8万余人"), ("POPULATION", "12户"),
                      ("PROGRAM", "雨露計劃"))
    before = json.dumps(entities, ensure_ascii=False)
    out = enrich(DOC, entities)
    assert json.dumps(entities, ensure_ascii=False) == before  # inputs untouched
    assert len(out) == len(entities)
    for old, new in zip(entities, out):
        assert new is not old
        assert list(new)[:len(old)] == list(old) and all(new[k] == old[k] for k in old)
        assert list(new)[len(old):] == list(VALUE_KEYS[old["label"]])
        assert DOC[new["start"]:new["end"]] == new["text"]
    by_text = {e["text"]: e for e in out}
    assert by_text["785万元"]["value"] == 7850000 and by_text["785万元"]["currency"] == "CNY"
    assert by_text["1.8万余人"]["approx"] is True and by_text["1.8万余人"]["counts"] == "persons"
    assert by_text["12户"]["counts"] == "households"
    assert by_text["雨露計劃"]["canonical"] == "雨露计划"
    assert by_text["堰河村"]["adcode"] == "420625" and by_text["堰河村"]["level"] == "village"
    assert by_text["五山镇"]["parents"] == {"province": "湖北省", "city": "襄阳市", "county": "谷城县"}
    assert json.dumps(out, ensure_ascii=False)  # table-ready: plain JSON types only


def test_enrich_bare_count_reads_the_clause_before():
    text = "贫困户由2012年的157万减少到98万,贫困人口30万"
    out = enrich(text, _spans(text, ("POPULATION", "157万"), ("POPULATION", "98万"), ("POPULATION", "30万")))
    assert [(e["value"], e["unit"], e["counts"]) for e in out] == [
        (1570000, "", "households"), (980000, "", "households"), (300000, "", "persons")]


def test_enrich_traditional_with_pinyin_offsets():
    text = "萍鄉(xiāng)投入62萬(wàn)餘元"
    out = enrich(text, _spans(text, ("REGION", "萍鄉(xiāng)"), ("AMOUNT", "62萬(wàn)餘元")))
    assert out[0]["name"] == "萍乡市" and out[0]["adcode"] == "360300"
    assert (out[1]["value"], out[1]["approx"]) == (620000, True)
    assert [text[e["start"]:e["end"]] for e in out] == [e["text"] for e in out]


def test_enrich_other_labels_and_empty():
    assert enrich("", []) == []
    assert enrich("abc", [{"label": "OTHER", "start": 0, "end": 1}]) == [{"label": "OTHER", "start": 0, "end": 1}]


@pytest.mark.parametrize("entity, error", [
    ({"label": "AMOUNT", "text": "785万元", "start": 1, "end": 6}, ValueError),  # text does not match
    ({"label": "AMOUNT", "start": 0, "end": 99}, ValueError),
    ({"label": "AMOUNT", "text": "785万元"}, ValueError),  # no offsets
    ("785万元", TypeError),
])
def test_enrich_bad_entities(entity, error):
    with pytest.raises(error):
        enrich("785万元。", [entity])
    with pytest.raises(TypeError):
        enrich(None, [])
