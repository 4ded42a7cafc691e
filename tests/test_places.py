"""REGION resolution (model.places): codes, levels, full names, parents, and names the document decides.

Place data: jionlp's shipped administrative tree (read once per process). The documents are short
invented sentences' REGION names.
"""
from __future__ import annotations

import pytest

from model.enrich import enrich
from model.places import ABBREVIATIONS, gazetteer, readings, resolve_place, resolve_places


def one(name, *context):
    return resolve_place(name, context)


@pytest.mark.parametrize("name, adcode, level, full", [
    ("湖南", "430000", "province", "湖南省"),
    ("湖南省", "430000", "province", "湖南省"),
    ("廣西", "450000", "province", "广西壮族自治区"),  # traditional
    ("零陵区", "431102", "county", "零陵区"),
    ("萍鄉(xiāng)", "360300", "city", "萍乡市"),  # traditional + pinyin
    ("阿坝州", "513200", "city", "阿坝藏族羌族自治州"),  # autonomous prefecture, short + 州
    ("澜沧县", "530828", "county", "澜沧拉祜族自治县"),
    ("北京", "110000", "province", "北京市"),  # a municipality: one place, not province + city
    ("马尔康县", "513201", "county", "马尔康市"),  # renamed county, old suffix
    ("田阳县", "451003", "county", "田阳区"),  # renamed (jionlp's change list)
    ("襄樊", "420600", "city", "襄阳市"),
    ("天府新区", "510156", "county", "天府新区"),
])
def test_administrative_names(name, adcode, level, full):
    got = one(name)
    assert (got["adcode"], got["level"], got["name"], got["candidates"]) == (adcode, level, full, 1)


def test_parents_are_the_levels_above():
    assert one("零陵区")["parents"] == {"province": "湖南省", "city": "永州市"}
    assert one("湖南")["parents"] == {}
    assert one("嘉定区")["parents"] == {"province": "上海市"}  # the municipality's city row is skipped


def test_towns_and_villages_take_their_county_code():
    doc = ["谷城县", "五山镇", "堰河村"]
    county, town, village = resolve_places(doc)
    assert county["adcode"] == town["adcode"] == village["adcode"] == "420625"
    assert (town["level"], village["level"]) == ("town", "village")
    assert village["parents"] == {"province": "湖北省", "city": "襄阳市", "county": "谷城县"}


@pytest.mark.parametrize("abbr", ["川", "甘", "沪", "滇", "黔", "桂", "陇", "豫", "鲁", "晋", "冀", "赣", "湘", "鄂",
                                  "粤", "闽", "浙", "苏", "皖", "蜀", "渝", "藏", "疆", "宁", "青", "蒙", "京", "津",
                                  "陕", "云", "贵"])
def test_provincial_abbreviations(abbr):
    got = one(abbr)
    assert got["level"] == "province" and got["name"] == ABBREVIATIONS[abbr]
    assert got["adcode"].endswith("0000") and got["candidates"] == 1


def test_abbreviation_examples():
    assert [r["name"] for r in resolve_places(["川", "甘"])] == ["四川省", "甘肃省"]
    assert [r["adcode"] for r in resolve_places(["沪", "滇"])] == ["310000", "530000"]
    assert [r["name"] for r in resolve_places(["闽", "宁"])] == ["福建省", "宁夏回族自治区"]


@pytest.mark.parametrize("name, adcode, province", [
    ("赣南", "360000", "江西省"), ("南疆", "650000", "新疆维吾尔自治区"), ("陕北", "610000", "陕西省"),
    ("藏北", "540000", "西藏自治区")])
def test_direction_plus_abbreviation_is_a_zone_with_the_province_code(name, adcode, province):
    assert one(name) == {"adcode": adcode, "level": "zone", "name": name, "parents": {"province": province},
                         "candidates": 0}


@pytest.mark.parametrize("name", ["武陵山区", "乌蒙山片区", "秦岭", "六盘山", "西海固", "松嫩平原", "左右江", "北部湾",
                                  "大小凉山", "井冈山"])
def test_natural_areas(name):
    assert one(name) == {"adcode": None, "level": "natural area", "name": name, "parents": {}, "candidates": 0}


def test_natural_name_needs_the_suffix_to_be_the_county():
    assert one("井冈山", "江西")["level"] == "natural area"
    assert one("井冈山市")["adcode"] == "360881"


@pytest.mark.parametrize("name, full", [("中国", "中国"), ("中华人民共和国", "中国"), ("中", "中国"), ("美国", "美国"),
                                        ("欧", "欧洲")])
def test_countries(name, full):
    assert one(name) == {"adcode": None, "level": "country", "name": full, "parents": {}, "candidates": 0}


# --- names shared by several places ------------------------------------------------------------

def test_county_shared_by_two_provinces_is_decided_by_another_place():
    assert len(readings("通州区")[0]) == 2  # 北京 and 江苏南通
    assert one("通州区", "北京")["adcode"] == "110112"
    assert one("通州区", "江苏")["adcode"] == "320612"
    assert one("通州区", "南通市")["parents"] == {"province": "江苏省", "city": "南通市"}


def test_shared_name_left_unresolved_when_nothing_decides():
    got = one("通州区")
    assert got == {"adcode": None, "level": "county", "name": "通州区", "parents": {}, "candidates": 2}
    got = one("鼓楼区", "江苏")  # 江苏 has two (南京, 徐州): still no guess, but the province is known
    assert got["adcode"] is None and got["candidates"] == 2 and got["parents"] == {"province": "江苏省"}
    assert one("鼓楼区", "南京")["adcode"] == "320106"


def test_common_village_needs_its_county():
    alone = one("大湾村")
    assert alone["adcode"] is None and alone["candidates"] > 100 and alone["level"] == "village"
    assert one("大湾村", "金寨县")["adcode"] == "341524"


def test_short_name_of_province_or_city_and_county():
    # Nothing in the document: the higher level. Something in the document: what it says.
    assert one("朝阳")["name"] == "朝阳市"
    assert one("朝阳", "北京")["name"] == "朝阳区"
    assert one("通化")["name"] == "通化市"
    assert one("承德", "承德市", "隆化县")["name"] == "承德市"  # the same place named in full


def test_written_inside_a_place():
    names, spans = ["谷城县", "五山镇", "甲乙丙丁村"], [(0, 3), (3, 6), (6, 11)]
    county, town, new_village = resolve_places(names, spans)
    assert town["adcode"] == "420625"
    # a village the data lacks, written right after its town: the town's county code
    assert new_village == {"adcode": "420625", "level": "village", "name": "甲乙丙丁村",
                           "parents": {"province": "湖北省", "city": "襄阳市", "county": "谷城县"}, "candidates": 0}
    # without offsets nothing places it
    assert resolve_places(names)[2]["adcode"] is None


def test_bare_name_after_its_full_name():
    full, bare = resolve_places(["谷城县", "五山镇", "五山"])[1:]
    assert bare == full


def test_unknown_names_keep_the_level_their_suffix_says():
    assert one("甲乙丙丁村") == {"adcode": None, "level": "village", "name": None, "parents": {}, "candidates": 0}
    assert one("甲乙丙丁新区")["level"] == "zone"
    assert one("")["adcode"] is None


def test_same_name_same_answer_and_one_index():
    got = resolve_places(["大湾村", "金寨县", "大湾村"])
    assert got[0] == got[2] and got[0]["adcode"] == "341524"
    assert gazetteer() is gazetteer()


def test_enrich_resolves_with_the_whole_document():
    text = "北京通州区和江苏的通州区"
    ents = [{"label": "REGION", "text": t, "start": text.index(t, p), "end": text.index(t, p) + len(t)}
            for t, p in (("北京", 0), ("通州区", 2), ("江苏", 5), ("通州区", 8))]
    out = enrich(text, ents)
    # the same name in one document gets one answer: here both provinces are named, so the
    # adjacent 北京 decides (rule 0) for the name as a whole
    assert out[1]["adcode"] == out[3]["adcode"] == "110112"
