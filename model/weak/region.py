"""REGION labelling functions (guideline section REGION and its settled cases).

All functions read normalised text (simplified script, half-width ASCII) and return offsets into
it. Each keeps its own precision guards, so that their votes can be counted independently.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Container
from functools import lru_cache

from ..text import HAN_CHAR
from .base import TIER_PLACE, LabellingFunction
from .gazetteer import NONE, WEAK, automaton, common_words, decode, frequent_words, region_names

# References without a name and fixed words that are not places (guideline, "NOT a REGION").
# 山区 is not listed: no function proposes it bare, and 武陵山区 must keep it.
_EXCLUDED = re.compile(
    r"[全我该本各每此][国省市州盟县区旗镇乡村组疆]|辖区|本地|外地|内地|[国省]贫县|农村|城乡"
    r"|中华|援疆|中央苏区|楚天|荆楚|祖国[东西南北]疆|[四五]省藏区"
)


def _drop_excluded(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Drop spans that overlap an excluded word, unless they only extend it to the right
    (中华人民共和国, 全州县 are places; 全州 and 兴农村 in 振兴农村 are not)."""
    if not spans:
        return spans
    bad = [m.span() for m in _EXCLUDED.finditer(text)]
    if not bad:
        return spans
    starts = [b for b, _ in bad]
    kept = []
    for s, e in spans:
        # Excluded words are at most 4 characters long, so only those starting near s can touch it.
        near = bad[bisect_left(starts, s - 4):bisect_left(starts, e)]
        if not any(s < be and not (s == bs and be < e) for bs, be in near):
            kept.append((s, e))
    return kept


# Words that often stand right before a place name: a WEAK name may follow them.
_BEFORE_PLACE = set("在到于从赴至往去来自经与及为是对向把将让由的进")
# After these a name's last character starts another word (乡村, 村落, 村级, 旗帜), so it is no name.
_BAD_NEXT = {"乡": set("村镇亲土贤愁情音邻间县市区"), "村": set("落庄寨级容貌务规"), "镇": set("江县市区"),
             "旗": set("帜手杆舰"), "组": set("织成建团合长员委")}
# 村 starting a word (村民, 村里, 村集体, 村两委, 村党支部, 村干部, 村路): a name needs a place before it.
_VILLAGE_WORD_NEXT = set("民里集两党委干支路")
# ... and for a village named by an ordinary word, also these (组织村民, 和平村里).
_BAD_NEXT_GUARDED = set("民干里委两")


def _accepted(text: str, start: int, end: int, guard: int, prev_end: int) -> bool:
    """Whether the context lets a gazetteer name at [start, end) be a place (see gazetteer.py)."""
    nxt = text[end] if end < len(text) else ""
    if nxt and (nxt in _BAD_NEXT.get(text[end - 1], ()) or (guard and nxt in _BAD_NEXT_GUARDED
                                                             and text[end - 1] == "村")):
        return False
    if text[end - 1] == "村" and nxt in _VILLAGE_WORD_NEXT and text[start:end - 1] in frequent_words():
        return False  # 加强村集体经济, 发展村党支部: a verb before a 村 word, not the village 加强村
    if nxt == "民" and text[end - 1] == "村":  # 结合村民, 60多位村民: a 村民 split in two
        guard = max(guard, WEAK)
    if guard == NONE:
        return True
    open_left = start == prev_end or start == 0 or not (HAN_CHAR.match(text, start - 1)
                                                        or text[start - 1].isalnum())
    if guard == WEAK:
        return open_left or text[start - 1] in _BEFORE_PLACE
    return open_left and (not nxt or not HAN_CHAR.match(nxt))


@lru_cache(maxsize=4)  # three functions read the same text's places in a row
def gazetteer_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Leftmost-longest gazetteer names that their context accepts, each its own span.

    Every level is a separate name, so 谷城县五山镇堰河村 gives three spans. A name the context
    rejects (提高县级 has no 高县) leaves room for an overlapping one (美丽新宁夏: 宁夏, not 新宁).
    """
    # (start, -length, value): leftmost, then longest; the value breaks ties as it always has.
    found = sorted((last + 1 - (length := decode(value)[0]), -length, value)
                   for last, value in automaton().iter(text))
    out: list[tuple[int, int]] = []
    prev_end = -1
    for start, neg_len, value in found:
        end = start - neg_len
        guard = decode(value)[2]
        if start < prev_end or not _accepted(text, start, end, guard, prev_end):
            continue
        if text.startswith(("市场", "市民"), end - 1):  # 东莞市场 is 东莞 + 市场
            end -= 1
        out.append((start, end))
        prev_end = end
    return tuple(out)


def region_gazetteer(text: str) -> list[tuple[int, int]]:
    """Names of the gazetteer (see ``gazetteer_spans``), less the guideline's exclusions."""
    return _drop_excluded(list(gazetteer_spans(text)), text)


# --- suffix patterns -------------------------------------------------------------------------

# Suffixes of towns, villages, groups, communities, banners and zones; the longest first.
_ZONE = "经济技术开发区|经济开发区|高新区|经开区|开发区|新区|新城"
_SUFFIX = re.compile(rf"家园小区|{_ZONE}|社区|小区|嘎查|苏木|[镇乡村组旗]")
_IS_ZONE = re.compile(_ZONE)
# Characters that cannot be inside the name before a suffix: they end the name on its left.
_STOP = set("的了在是个等被其该这那每各全本我此从于对向把将由为到与及和或并也都就又还给让使们之像而去至"
            "帮驻名位第以省市县区州盟旗镇乡村组里")
# Words in a name part that make it a kind of place rather than a name (易地扶贫搬迁安置小区).
_GENERIC = re.compile(
    r"贫困|扶贫|脱贫|示范|重点|安置|搬迁|移民|试点|美丽|文明|先进|特色|生态|中心|行政|自然|新农|深度|出列"
    r"|产业|城市|乡村|农村|城乡|社会|老旧|居民|住宅|养殖|所在|个别|新建|新型|集中|经济|高新|工业|综合"
    r"|国家|省级|市级|县级|小康|样板|旅游|民族|边境|革命|周边|附近|当地|偏远|现代|农业|科技|管理|小山"
    r"|空白|后进|挂牌|建制|特困|临时|^.族$|族山$|^穷|^[修建拆][建好新旧]"
)
# A name's last character plus a one-character suffix that make an ordinary word (推进乡村, 城镇).
_GENERIC_TAIL = frozenset(
    "乡镇 城镇 村镇 集镇 小镇 重镇 市镇 城乡 老乡 家乡 故乡 返乡 下乡 回乡 同乡 异乡 水乡 还乡 他乡 外乡 留乡"
    " 农村 乡村 渔村 整村 邻村 穷村 下村 进村 到村 包村 联村 出村 通村 回村 整乡"
    " 红旗 国旗 党旗 团旗 战旗 锦旗 彩旗 军旗".split()
)
# Words of working groups and teams (工作组, 调研组, 互助小组), never the name of a group of houses.
_TEAM = re.compile(r"工作|领导|调研|督导|督查|督察|评估|专家|互助|学习|产业|帮扶|巡视|考核|观摩|攻坚|经营|表演"
                   r"|商务|手工|党|小|部门|干部|医生|专责|强化|调查|级|通|机")
_MAX_NAME = 4
_DATE_UNIT = set("年月日号")


def _name_start(text: str, suffix_start: int, place_ends: Container[int]) -> int | None:
    """Where the 2-4 character name before a suffix begins, or None when it is unclear.

    The name runs left until a stop character, a non-CJK character or the end of a gazetteer
    place (石柱县|中益乡, 西宁|新海桥社区); a run longer than four characters has no clear start.
    A four-character run that opens with a word (包括舍烹村, 借鉴南美乡) starts after that word;
    a longer run whose first character ends a word begun before it (帮助石板村: 帮 stops the run,
    助 is the end of 帮助) or a date (2016年石板村) starts one character later.
    """
    i = suffix_start
    while (suffix_start - i <= _MAX_NAME and i > 0 and i not in place_ends
           and text[i - 1] not in _STOP and HAN_CHAR.match(text, i - 1)):
        i -= 1
    if suffix_start - i == _MAX_NAME and text[i:i + 2] in frequent_words():
        i += 2
    elif 3 <= suffix_start - i <= _MAX_NAME and i > 0 and (text[i - 1:i + 1] in frequent_words()
                                              or (text[i] in _DATE_UNIT and text[i - 1].isdigit())):
        i += 1  # a word or a date across the left edge: 帮|助石板村, 2016|年石板村
    return i if 2 <= suffix_start - i <= _MAX_NAME else None


class _Ends:
    """Ends of places a name can follow: the gazetteer's, and the last name + suffix found."""

    def __init__(self, places: dict[int, int], last: int) -> None:
        self.places, self.last = places, last

    def __contains__(self, position: object) -> bool:
        return position == self.last or position in self.places


def _suffix_spans(text: str) -> list[tuple[int, int, int]]:
    """(start, suffix start, end) of every name + suffix that passes the guards."""
    places = {e: s for s, e in gazetteer_spans(text)}
    words = common_words()
    # the suffix shared by a list (龙门、石桥两乡) is region_list's, not the last item's
    list_ends = {end for _, _, end in _name_lists(text)}
    out: list[tuple[int, int, int]] = []
    for m in _SUFFIX.finditer(text):
        suffix, s, e = m.group(), m.start(), m.end()
        if (e < len(text) and text[e] in _BAD_NEXT.get(suffix, ())) or e in list_ends:
            continue
        if _IS_ZONE.fullmatch(suffix) and s in places:  # a zone named by its place: 萍乡经开区
            out.append((places[s], s, e))
            continue
        chain = _Ends(places, out[-1][2] if out else -1)
        start = _name_start(text, s, chain)
        if start is None:
            continue
        if suffix == "组" and (_TEAM.search(text, start, s) or start not in chain and s - start < 3):
            continue
        if suffix == "村" and start not in chain and text[e:e + 1] in _VILLAGE_WORD_NEXT:
            continue
        if (_GENERIC.search(text[start:s]) or text[s - 1:e] in _GENERIC_TAIL
                or text[start:e] in words or text[s - 2:e] in words):
            continue
        out.append((start, s, e))
    return out


def region_suffix(text: str) -> list[tuple[int, int]]:
    """A 2-4 character name plus an administrative suffix: 五山镇, 堰河村, 太平社区, 西咸新区.

    A group (组) needs a place before it (堰河村下中川组) or a three-character name that is no
    working group (下中川组, not 工作组 or 评估小组). A zone's name found with its suffix is a place
    elsewhere in the same text too (沣东新城 ... 西安沣东).
    """
    if not _SUFFIX.search(text):
        return []
    found = _suffix_spans(text)
    out = [(start, end) for start, _, end in found]
    names = {text[start:s] for start, s, end in found
             if _IS_ZONE.fullmatch(text, s, end) and text[start:s] not in region_names()}
    for name in names:
        out.extend(m.span() for m in re.finditer(re.escape(name), text)
                   if not any(s <= m.start() < e for s, e in out))
    return _drop_excluded(sorted(out), text)


# --- one-character provincial abbreviations ---------------------------------------------------

_ABBR = "川甘沪滇黔桂陇豫鲁晋冀赣湘鄂粤闽浙苏皖蜀渝藏疆宁青蒙京津陕"
# Two or more abbreviations in a row, followed by a word that says they are places (川甘交界,
# 沪滇合作); three or more need no such word (京津冀, 陕甘宁).
_ABBR_RUN = re.compile(
    rf"[{_ABBR}]{{3,5}}|[{_ABBR}]{{2}}(?=交界|边|接壤|毗邻|合作|协作|对口|扶贫|帮扶|结对|携手|协同|两省|三省"
    rf"|革命|老区|边区|苏区|公路|铁路|高速|线)"
)
# An abbreviation plus a direction (赣南, 陕北, 黔东南), or a direction plus 疆 (南疆).
_ABBR_DIRECTION = re.compile(
    rf"[{_ABBR.replace('疆', '')}](?:东南|东北|西南|西北|[东西南北])|(?<!祖国)[东西南北]疆"
)
_NOT_ABBR_DIRECTION = {"京东", "京西", "宁南", "津南", "青东"}


def _touches_gazetteer(text: str, s: int, e: int) -> bool:
    """True when a gazetteer name overlaps [s, e): 四川甘孜 has no 川甘, and 陕西, 湘西 are the
    gazetteer's to find."""
    lo, hi = max(0, s - 4), min(len(text), e + 4)
    for last, value in automaton().iter(text[lo:hi]):
        if lo + last - decode(value)[0] + 1 < e and s < lo + last + 1:
            return True
    return False


def region_abbrev(text: str) -> list[tuple[int, int]]:
    """One-character abbreviations in pairs (沪滇合作 → 沪 + 滇) and abbreviation+direction (赣南)."""
    out: list[tuple[int, int]] = []
    for m in _ABBR_RUN.finditer(text):
        if not _touches_gazetteer(text, m.start(), m.end()):
            out.extend((i, i + 1) for i in range(m.start(), m.end()))
    for m in _ABBR_DIRECTION.finditer(text):
        if m.group() not in _NOT_ABBR_DIRECTION and not _touches_gazetteer(text, m.start(), m.end()):
            out.append(m.span())
    return _drop_excluded(sorted(set(out)), text)


# --- named natural places ----------------------------------------------------------------------

# Well-known mountain ranges, rivers, plateaus and areas of poverty-alleviation writing (the
# contiguous poverty areas among them); a closed list, like the guideline's examples.
_NATURAL_NAMES = (
    "武陵山|六盘山|秦巴山|乌蒙山|大别山|罗霄山|吕梁山|太行山|燕山|大兴安岭|小兴安岭|秦岭|大巴山|大凉山|小凉山"
    "|沂蒙山|井冈山|祁连山|天山|昆仑山|横断山|喜马拉雅山|西海固|滇桂黔|滇黔桂|三江源"
    "|长江|黄河|珠江|淮河|汉江|乌江|金沙江|澜沧江|雅鲁藏布江|嫩江|松花江|湘江|赣江|岷江|嘉陵江|渭河|汾河"
    "|洞庭湖|鄱阳湖|青海湖|松嫩平原|华北平原|东北平原|成都平原|河套平原|江汉平原|关中平原"
    "|青藏高原|黄土高原|云贵高原|内蒙古高原|塔里木盆地|四川盆地"
)
NATURAL = re.compile(rf"(?:{_NATURAL_NAMES})(?:脉|片区|地区|区(?!域))?")
# A gazetteer name followed by an area word is one place (西海固地区, 成都平原, 湘西地区).
_AREA_AFTER = re.compile(r"山区|片区|地区(?!生产)|平原|高原|盆地")


def region_natural(text: str) -> list[tuple[int, int]]:
    """Named mountains, rivers, plains and areas: 武陵山区, 六盘山, 嫩江, 松嫩平原, 西海固地区."""
    out = [m.span() for m in NATURAL.finditer(text)]
    if _AREA_AFTER.search(text):
        for s, e in gazetteer_spans(text):
            m = _AREA_AFTER.match(text, e)
            if m and not any(ns <= s < ne for ns, ne in out):
                out.append((s, m.end()))
    return _drop_excluded(sorted(out), text)


# --- bare names in a list closed by a shared suffix -------------------------------------------

_LIST_NUM = r"(?:\d+|[一二两三四五六七八九十]+)"
# 龙门、石桥、白沙等3镇 / 龙门、石桥两乡 / 龙门、石桥等乡镇: the list, then what they all are.
_NAME_LIST = re.compile(
    rf"((?:[\u4e00-\u9fff]{{2,4}}、)+[\u4e00-\u9fff]{{2,4}}?)(?:等{_LIST_NUM}?|{_LIST_NUM})个?"
    r"(?:乡镇|街道|社区|[省市县区州旗镇乡村])"
)


@lru_cache(maxsize=4)  # region_suffix and region_list read the same text's lists in a row
def _name_lists(text: str) -> tuple[tuple[int, str, int], ...]:
    """(start of the items, the items joined by 、, end of the suffix) of every list in ``text``."""
    if "、" not in text:
        return ()
    return tuple((m.start(1), m.group(1), m.end()) for m in _NAME_LIST.finditer(text))


def region_list(text: str) -> list[tuple[int, int]]:
    """Bare names in a list whose shared suffix comes once, at the end: 龙门、石桥、白沙等3镇 →
    龙门 + 石桥 + 白沙 (the guideline: a bare name is a REGION too).

    The first item's left edge is unclear (走访龙门、...): it is cut to the length of the second
    item. Items that are ordinary words or contain a stop character (发展、改革等3村), or a suffix
    that starts a word (等市政设施), make the whole list doubtful: it is skipped. Items holding a
    gazetteer name are left to the gazetteer.
    """
    lists = _name_lists(text)
    if not lists:
        return []
    words = frequent_words()
    places = gazetteer_spans(text)
    out: list[tuple[int, int]] = []
    for start, joined, end in lists:
        last, nxt = text[end - 1], text[end:end + 1]
        if nxt and (text[end - 1:end + 1] in words or nxt in _BAD_NEXT.get(last, ()) or nxt in "级部委长"
                    or (last == "村" and nxt in _VILLAGE_WORD_NEXT)):
            continue  # 等乡村特色, 等市政设施, 等村民: the suffix starts a word
        items, pos = [], start
        for piece in joined.split("、"):
            items.append((pos, pos + len(piece)))
            pos += len(piece) + 1
        first_s, first_e = items[0]
        width = items[1][1] - items[1][0]
        if first_e - first_s > width:
            items[0] = (first_e - width, first_e)
        names = [text[a:b] for a, b in items]
        if any(n in words or any(c in _STOP for c in n) for n in names):
            continue
        # items with a gazetteer name in them are the gazetteer's (浙江安吉 = 浙江 + 安吉)
        out.extend((a, b) for a, b in items if not any(gs < b and a < ge for gs, ge in places))
    return _drop_excluded(out, text)


LABELLING_FUNCTIONS: list[LabellingFunction] = [
    LabellingFunction("region_gazetteer", "REGION", region_gazetteer, tier=TIER_PLACE),
    LabellingFunction("region_suffix", "REGION", region_suffix, tier=TIER_PLACE),
    LabellingFunction("region_abbrev", "REGION", region_abbrev, tier=TIER_PLACE),
    LabellingFunction("region_natural", "REGION", region_natural, tier=TIER_PLACE),
    LabellingFunction("region_list", "REGION", region_list, tier=TIER_PLACE),
]
