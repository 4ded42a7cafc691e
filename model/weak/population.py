"""POPULATION labelling functions: a count of people or households (ANNOTATION.md, POPULATION).

- ``population_unit``: number + 人/户/名/人次/户次/位/口 (``11298户41354人`` is two spans).
- ``population_noun``: number + a people noun, no unit between (``57万贫困人口``, ``18.7万贫困户``).
- ``population_bare``: a bare number after a people noun in the same clause (``总人口30万``,
  ``受益群众超过84万``), never one before its noun (将123万生活在山区的群众).
Counts of things (个, 家, 起), percentages, dates, ranks (第3名, 前100名) and numbers in fixed
slogans (一户一策, 就业一人、脱贫一户) are not counts of people.
"""
from __future__ import annotations

import re
from bisect import bisect_right

from .base import TIER_NUMBER, LabellingFunction
from .numbers import NUMBER, RANGE_SEP, number

# Each unit with the words it must not start: 人口/人民 are nouns (see population_noun), 户主
# too; 五人制, 五户联保, 十户长, 户籍, 4580户企业, 名额, 名单, 三位一体, 两位数, 位于 are not counts.
_UNIT = (
    r"(?:人次|户次|人(?![口民制]|联保)|户(?![主长籍口]|企业|联保)|名(?![额单次])"
    r"|位(?!一体|数|于|置|列)|口(?![子气]))"
)
_COUNT = rf"{number('第每')}(?:{RANGE_SEP}{NUMBER})?"
_UNIT_RE = re.compile(rf"{_COUNT}{_UNIT}")

# 口 counts people only in a family: 一家4口, 家里六口人, 四口之家 (not 一口井, 老两口, 一口气).
_FAMILY_KOU = re.compile(r"人|之家")
_FAMILY_BEFORE = re.compile(r"家有?$")
_RANK_BEFORE = re.compile("[前后]$")  # 前100名, 排位后三名: a rank, with 名/位
# 一 + unit is a count (一名干部) except in slogans and set phrases: 一户一策, 一家一户,
# 无一人辍学, 不落一人, 就业一人、脱贫一户, 病倒一人,拖垮全家.
_ONE_BEFORE = re.compile(r"(?:一.|无|不落|不漏|不让|没有)$")
_SLOGAN = re.compile(r"一[人户][^\s,.;:!?。、]{0,3}[,;、]?[^\s,.;:!?。、]{0,3}?(?:一[人户]|全家)")

_MODIFIER = (
    r"(?:建档立卡|革命老区|老区|农村|城镇|城乡|贫困|困难|特困|低收入|易地搬迁|搬迁|移民|脱贫|"
    r"边缘|监测|残疾|留守|在校|适龄|农民|党员|机关|基层|低保|五保|受益|务工|外出务工)"
)
_PEOPLE = (
    r"(?:人口|群众|农户|农民工|农民|村民|居民|移民|干部|党员|大学生|学生|儿童|老人|妇女|青年|"
    r"劳动力|残疾人|老乡|百姓|人民|职工|工人|户主|家庭|患者|人员)"
)
NOUN = rf"(?:{_MODIFIER}*{_PEOPLE}|{_MODIFIER}+户)"
_NOUN_RE = re.compile(rf"({number('第每')})({NOUN})")
_CN_MAGNITUDE = re.compile("[十百千万亿]")

# Bare numbers: followed by a clause end or a word of change, never by a unit or measure word.
_BARE_RE = re.compile(
    rf"(?>{NUMBER})(?=[,;:!?)\]。、”’\s]|\Z|减少|下降|降|增加|增长|增|上升|提高|以上|以下|左右|上下"
    r"|到|至|和|与|及|脱贫|实现|的|是|中|都|全部|已|将|需要)"
)
_CLAUSE_TAIL = re.compile(r"[^,.;:!?。、\s“”]{0,20}\Z")
_COUNTED_NOUN = re.compile(rf"(?:{NOUN}|人数|户数)(?P<gap>.*?)\Z")
# What may stand between the noun and its number: 由2012年的, 超过, 减少到, 共有, 约, 已有 ...
_GAP_RE = re.compile(
    r"(?:由|从|在|有|共有|还有|仍有|尚有|已有|仅有|只有|共|约|近|接近|达|达到|为|超过|超|多达|仅|"
    r"已|已经|将|就|还|了|累计|"
    r"共计|合计|总计|分别为|减少|减少了|下降|下降了|降|降至|减少到|下降到|增加|增加到|增至|到|至|"
    r"\d{4}年(?:\d{1,2}月)?(?:底|末|初)?的?|年底的?|目前的?|原来的?|现在的?|的|"
    rf"{NUMBER})*\Z"
)
# A bare count is large: 30万, 1.2亿, 3200 (not 一, 前五, 10到15个百分点, a year).
_BIG = re.compile(r"[万亿]|\d{3}")
_YEAR = re.compile(r"(?:19|20)\d\d\Z")


def _in_any(starts: list[int], ends: list[int], pos: int) -> bool:
    """Sorted disjoint ranges (from finditer): bisect, not a scan per count."""
    i = bisect_right(starts, pos) - 1
    return i >= 0 and pos < ends[i]


def _unit(text: str) -> list[tuple[int, int]]:
    slogans = [m.span() for m in _SLOGAN.finditer(text)]
    starts, ends = [a for a, _ in slogans], [b for _, b in slogans]
    out = []
    for m in _UNIT_RE.finditer(text):
        s, e = m.span()
        unit, before = text[e - 1], text[max(0, s - 2):s]
        if unit == "口" and not (_FAMILY_KOU.match(text, e) or _FAMILY_BEFORE.search(before)):
            continue
        if unit in "名位" and _RANK_BEFORE.search(before):
            continue
        if e - s == 2 and text[s] == "一" and (
            text.startswith("一", e) or _ONE_BEFORE.search(text, max(0, s - 2), s)
            or _in_any(starts, ends, s)
        ):
            continue
        out.append((s, e))
    return out


def _noun(text: str) -> list[tuple[int, int]]:
    """A Chinese numeral needs a magnitude here: 三留守人员 names a group, 十万群众 counts one."""
    return [
        m.span() for m in _NOUN_RE.finditer(text)
        if m.group(1)[0].isdigit() or _CN_MAGNITUDE.search(m.group(1))
    ]


def _bare(text: str) -> list[tuple[int, int]]:
    """Only the clause BEFORE the number is searched for its noun, through a whitelisted gap."""
    out = []
    for m in _BARE_RE.finditer(text):
        s, e = m.span()
        if _YEAR.match(m.group()) or not _BIG.search(m.group()):
            continue
        tail = _CLAUSE_TAIL.search(text, max(0, s - 20), s)
        noun = tail and _COUNTED_NOUN.search(tail.group())
        if noun and _GAP_RE.match(noun.group("gap")):
            out.append((s, e))
    return out


LABELLING_FUNCTIONS: list[LabellingFunction] = [
    LabellingFunction("population_unit", "POPULATION", _unit, tier=TIER_NUMBER),
    LabellingFunction("population_noun", "POPULATION", _noun, tier=TIER_NUMBER),
    LabellingFunction("population_bare", "POPULATION", _bare, tier=TIER_NUMBER),
]
