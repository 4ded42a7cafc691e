"""AMOUNT and POPULATION labelling functions against every example of ANNOTATION.md (v1.1).

Texts are NORMALISED text (what the functions read). Each case asserts the exact spans left
after resolving the votes of both modules, so a span one character off fails.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.weak import money, population
from model.weak.numbers import parse_value

from . import weak_helpers

FUNCTIONS = money.LABELLING_FUNCTIONS + population.LABELLING_FUNCTIONS
AMT, POP = "AMOUNT", "POPULATION"


def labelled(text: str) -> list[tuple[str, str]]:
    return weak_helpers.labelled(FUNCTIONS, text)


def votes(text: str, name: str) -> list[str]:
    return weak_helpers.votes(FUNCTIONS, text, name)


AMOUNT_CASES = [
    # Span: first digit to the end of the unit, 余/多/餘 inside.
    ("共投入785万元用于", ["785万元"]),
    ("到位资金87.85万元。", ["87.85万元"]),
    ("报销6641.9元,", ["6641.9元"]),
    ("发放62万餘元", ["62万餘元"]),
    ("发放62万余元", ["62万余元"]),
    ("筹集240余万元", ["240余万元"]),
    ("投资2.1亿元", ["2.1亿元"]),
    ("获得十万元贴息贷款", ["十万元"]),
    # Words before the number and after the unit stay out.
    ("户均增收3000元", ["3000元"]),
    ("人均增收15000元以上", ["15000元"]),
    ("约500万元", ["500万元"]),
    ("近2000元", ["2000元"]),
    ("超过5亿元", ["5亿元"]),
    ("共计16.3万元", ["16.3万元"]),
    ("累计1.2亿元", ["1.2亿元"]),
    ("每人1000元以内", ["1000元"]),
    ("增收1100元左右。", ["1100元"]),
    # Ranges are one span, with -, 至 or 到 (settled), and vague ranges too.
    ("收入3000-5000元", ["3000-5000元"]),
    ("收入3000至5000元", ["3000至5000元"]),
    ("补助3万至4万元", ["3万至4万元"]),
    ("从600元到300元", ["600元到300元"]),
    ("能挣一两万元", ["一两万元"]),
    # Other currency units and magnitudes.
    ("获得了10万美元的订单", ["10万美元"]),
    ("出口额1.7亿美元,", ["1.7亿美元"]),
    ("奖励500欧元", ["500欧元"]),
    ("每户5千元", ["5千元"]),
    ("共3.5百万元", ["3.5百万元"]),
    ("一千零五十元", ["一千零五十元"]),
    ("三千五百元", ["三千五百元"]),
    ("1,234元", ["1,234元"]),
    ("20多万元", ["20多万元"]),
    ("1万多元", ["1万多元"]),
    ("十几万元", ["十几万元"]),
    # 块 is colloquial for 元 (team decision), the unit ends before 钱.
    ("脐橙能卖到8万块,", ["8万块"]),
    ("花了3000多块钱", ["3000多块"]),
    ("能赚一万五千多块钱", ["一万五千多块"]),
    ("还能卖三块钱", ["三块"]),
    # No number, no AMOUNT.
    ("投入上亿元", []),
    ("花费数千元", []),
    ("产值数十亿元", []),
    ("花了几十万元", []),
    ("聚到了一块。", []),
    ("有一块土地", []),
    ("120万块太阳能光伏板", []),
    ("城乡二元结构", []),
]

POPULATION_CASES = [
    # Number + unit, 余/多/万/餘 inside.
    ("贫困户157户", ["157户"]),
    ("共41354人", ["41354人"]),
    ("选派28名", ["28名"]),
    ("救助37人次", ["37人次"]),
    ("培训1.8万余人", ["1.8万余人"]),
    ("资助20.27万人次", ["20.27万人次"]),
    ("带动4000多户", ["4000多户"]),
    ("派驻了10位驻村第一书记", ["10位"]),
    ("带动6600余户", ["6600余户"]),
    ("近1万餘人", ["1万餘人"]),
    ("救助38户次", ["38户次"]),
    ("有三万多人需要", ["三万多人"]),
    ("一万六千多名基层党员", ["一万六千多名"]),
    ("雇了五六十位贫困村民", ["五六十位"]),
    ("减少到5万7千8百人。", ["5万7千8百人"]),
    # A people noun right after the number runs the span through it; a unit word ends it first.
    ("全市57万贫困人口", ["57万贫困人口"]),
    ("全省18.7万贫困户", ["18.7万贫困户"]),
    ("帮助3000名贫困群众", ["3000名"]),
    ("还有7000多万贫困人口,", ["7000多万贫困人口"]),
    ("带动2000多贫困户脱贫", ["2000多贫困户"]),
    ("实现62.8万建档立卡贫困人口脱贫", ["62.8万建档立卡贫困人口"]),
    ("派出十几万干部驻扎", ["十几万干部"]),
    # Whoever is counted.
    ("4439名村级监测员", ["4439名"]),
    ("41名区级领导", ["41名"]),
    ("162名骨干教师", ["162名"]),
    # Two counts written together are two spans.
    ("脱贫11298户41354人,", ["11298户", "41354人"]),
    ("新识别贫困户39户92人", ["39户", "92人"]),
    # 口 counts people in a family (settled).
    ("一家4口", ["4口"]),
    ("家里有六口人", ["六口"]),
    ("艾买提的八口之家", ["八口"]),
    # A bare number after its people noun in the same clause (settled).
    ("全县总人口30万,", ["30万"]),
    ("受益群众超过84万。", ["84万"]),
    ("贫困人口由2012年的157万减少到98万", ["157万", "98万"]),
    ("贫困人口还有近53万,", ["53万"]),
    # 一名/一位 before a person is a count (number + unit).
    ("成为一名干部", ["一名"]),
    ("他要去找一位村民", ["一位"]),
    # Ranges of counts are one span, like AMOUNT ranges.
    ("每户3-5人", ["3-5人"]),
    # Not POPULATION: counts of things, percentages, dates, ranks, slogans and set phrases.
    ("41个贫困村", []),
    ("24个扶贫车间", []),
    ("455家市场主体", []),
    ("1.3万余个问题", []),
    ("3000余起", []),
    ("贫困发生率30%", []),
    ("百分之三十", []),
    ("2019年12月", []),
    ("获得第3名", []),
    ("排在前100名", []),
    ("得了第一名", []),
    ("排在前三名的", []),
    ("围绕“就业一人、脱贫一户”的目标", []),
    ("确保搬迁一户,脱贫一户。", []),
    ("“一户一策”", []),
    ("一人一策", []),
    ("一人一档", []),
    ("一家一户", []),
    ("无一人辍学", []),
    ("不落一人", []),
    ("每一户都有", []),
    ("三位一体", []),
    ("实现两位数增长", []),
    ("老两口", []),
    ("两口子", []),
    ("一口井", []),
    ("一口气", []),
    ("十户长", []),
    ("唯一一名", []),
    ("五人制足球场", []),
    ("“五户联保”", []),
    ("三留守人员", []),
    ("几十名村民", []),
    ("数十名干部", []),
    ("成千上万人", []),
    ("千家万户", []),
    ("将123万生活在山区的群众", []),
    ("全县2019,", []),
]


@pytest.mark.parametrize("text,expected", AMOUNT_CASES)
def test_amount(text, expected):
    assert labelled(text) == [(AMT, s) for s in expected]


@pytest.mark.parametrize("text,expected", POPULATION_CASES)
def test_population(text, expected):
    assert labelled(text) == [(POP, s) for s in expected]


def test_count_and_amount_written_together():
    assert labelled("补贴医疗保险17.4万人次1048.75万元。") == [(POP, "17.4万人次"), (AMT, "1048.75万元")]


@pytest.mark.parametrize("text,name,expected", [
    ("收入3000-5000元", "amount_range", ["3000-5000元"]),
    ("收入3000-5000元", "amount_arabic", ["5000元"]),
    ("十万元和3万元", "amount_chinese", ["十万元"]),
    ("十万元和3万元", "amount_arabic", ["3万元"]),
    ("57万贫困人口和3000名贫困群众", "population_noun", ["57万贫困人口"]),
    ("57万贫困人口和3000名贫困群众", "population_unit", ["3000名"]),
    ("30万人口", "population_unit", []),
    ("总人口30万", "population_bare", ["30万"]),
    ("总人口30万人", "population_bare", []),
    ("贫困户3万亩", "population_bare", []),
    ("贫困群众增收资金30万,", "population_bare", []),
])
def test_which_function_votes(text, name, expected):
    assert votes(text, name) == expected


def test_function_names_are_unique_and_labels_right():
    names = [lf.name for lf in FUNCTIONS]
    assert len(names) == len(set(names)) == 6
    assert {lf.label for lf in money.LABELLING_FUNCTIONS} == {AMT}
    assert {lf.label for lf in population.LABELLING_FUNCTIONS} == {POP}


@pytest.mark.parametrize("surface,value", [
    ("1.8万余人", 18000.0),
    ("785万元", 7850000.0),
    ("87.85万元", 878500.0),
    ("6641.9元", 6641.9),
    ("62万餘元", 620000.0),
    ("240余万元", 2400000.0),
    ("2.1亿元", 210000000.0),
    ("十万元", 100000.0),
    ("一百二十人", 120.0),
    ("两万元", 20000.0),
    ("三千五百元", 3500.0),
    ("一千零五十元", 1050.0),
    ("1,234元", 1234.0),
    ("20.27万人次", 202700.0),
    ("4000多户", 4000.0),
    ("57万贫困人口", 570000.0),
    ("30万", 300000.0),
    ("5万7千8百人", 57800.0),
    ("1亿2000万元", 120000000.0),
    ("一万六千多名", 16000.0),
    ("8万块", 80000.0),
])
def test_parse_value(surface, value):
    assert parse_value(surface) == pytest.approx(value)


@pytest.mark.parametrize("surface", ["3000-5000元", "3万至4万元", "600元到300元", "一两万元", "十几万元",
                                     "五六十位", "上亿元", "数千元", "", "人口"])
def test_parse_value_has_no_single_value(surface):
    assert parse_value(surface) is None


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789.,-至到一二两三十百千万亿余多几元块人户名位口次"
                                             "贫困人口群众第每前家个%年 ,。、")), max_size=40))
def test_functions_never_fail_and_stay_in_bounds(text):
    for lf in FUNCTIONS:
        for s, e in lf.find(text):
            assert 0 <= s < e <= len(text)
    for s in labelled(text):
        parse_value(s[1])
