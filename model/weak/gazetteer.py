"""The REGION gazetteer: China's administrative divisions at five levels, plus world countries.

Source: data files shipped inside the ``jionlp`` wheel (``dictionary/china_location.zip``, a
tab-indented tree province > city > county > town > village with columns name / adcode / short
name, and ``dictionary/world_location.txt``), read directly: importing ``jionlp`` itself would pull
in its whole toolkit for nothing. jionlp's word and idiom lists tell names from ordinary words.

What goes in, and why:
- province, city, county: full names (湖南省, 定州市) and short names (湖南, 定州), since text names
  them bare. Many short names are also ordinary words (和平, 合作, 乐业), so each name carries a
  GUARD that ``region.py`` checks against the context:
  ``NONE``: always a place (provinces, most cities, full names);
  ``WEAK``: a county short name, a city short name that is also a word (来宾), a one-character
  county (和县, 高县: 提高县级): a place only after another place, a clause boundary or a
  preposition;
  ``STRICT``: a county short name that is an ordinary word: in jionlp's dictionary with no place
  sense, a piece of an idiom (朝天 in 热火朝天) or very frequent in jionlp's word counts (合作,
  新建): a place only right after another place or standing alone between punctuation.
- town, village: full names only, with a suffix and at least two name characters (堰河村, 五山镇);
  bare or one-character names (新村, 上村) and kinds of village (行政村, 中心村) are not names. A
  village named by an ordinary word is guarded (组织村: 组织村民 has no village in it).
"""
from __future__ import annotations

import importlib.util
import re
import zipfile
from functools import lru_cache
from pathlib import Path

import ahocorasick

LEVELS: tuple[str, ...] = ("country", "province", "city", "county", "town", "village")
NONE, WEAK, STRICT = 0, 1, 2

# Town- and village-level rows: a name of two or more characters, then a suffix (villages named
# after their committee, 诺勒嘎查委会, are the place 诺勒嘎查). Lazy town names take the longest
# suffix; the 650,000 village rows are deduplicated first, then split.
_TOWN_ROW = re.compile(r"^\t{3}([^\t\r\n]{2,}?)(街道|镇|乡|苏木|农场|林场|牧场|经济技术开发区|经济开发区"
                       r"|高新技术产业开发区|开发区|高新区|经开区|新区|新城|工业园区|工业园)\r?$", re.M)
_VILLAGE_ROW = re.compile(r"^\t{4}([^\t\r\n]+)", re.M)
_VILLAGE_NAME = re.compile(r"^(.{2,})(社区|嘎查|小区|村)(?:村委会|居委会|委会)?$", re.M)
# County-level zones are named like towns: a zone word after a specific name (天府新区, not 示范区).
_ZONE_SUFFIX = re.compile(r"(示范区|产业园区|产业园|工业园区|工业园|高新区|经开区|开发区|新区|新城|管委会|管理区)$")
# Name parts that describe a kind of village or zone instead of naming one (行政村, 经济开发区).
_GENERIC_PART = frozenset(
    "行政 自然 中心 示范 文明 重点 贫困 先进 试点 美丽 新农 深度贫困 非贫困 脱贫 小康 样板 特色 民族 生态 旅游 移民"
    " 搬迁 经济 高新 工业 综合 国家 省级 市级 县级 空港 农业 科技 产业 医药 火炬 城关 城区 城郊 郊区 矿区 街道 社区"
    " 生活 管理 居民 农场 林场 牧场 渔场 小山 嘎查".split()
)
_GENERIC_START = re.compile(r"经济|高新|工业|综合|国家|省级|市级|县级|空港|农业|科技|产业")
# Autonomous prefectures, counties and banners go by short name + level word (凉山州, 石柱县).
AUTONOMOUS = re.compile(r"自治([州县旗])$")
# Short names made only of direction and town words (城关, 市中, 东区, 南部) are not names.
_DIRECTIONAL = re.compile(r"^[东西南北中城市区郊矿新关厢内外上下前后部方]+$")
# County short names used this often as words are mostly words (新建 199k, 互助 86k, 兰考 5k).
_FREQUENT = 40_000
# A dictionary gloss that mentions a place sense means the word is mainly a name (合肥, 敦煌).
_PLACE_GLOSS = re.compile(r"县名|市名|地名|州名|郡名|城名|山名|水名|湖名|江名|河名|古国|在今|故城|省")


def jionlp_dir() -> Path:
    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the jionlp package (its location data) is required: pip install jionlp")
    return Path(next(iter(spec.submodule_search_locations))) / "dictionary"


def read_zip(name: str) -> str:
    with zipfile.ZipFile(jionlp_dir() / f"{name}.zip") as z:
        return z.read(f"{name}.txt").decode("utf-8")


@lru_cache(maxsize=1)
def common_words() -> dict[str, str]:
    """jionlp's word dictionary (新华词典 entries still in use): word -> gloss."""
    out = {}
    for line in read_zip("chinese_word_dictionary").splitlines():
        word, _, gloss = line.partition("\t")
        out[word] = gloss
    return out


@lru_cache(maxsize=1)
def idioms() -> frozenset[str]:
    """jionlp's idiom list (成语), punctuation-free."""
    return frozenset(line.partition("\t")[0] for line in read_zip("chinese_idiom").splitlines()
                     if line and "，" not in line)


def _idiom_parts() -> set[str]:
    """Every two- and three-character piece of an idiom (朝天, 乐业, 青山)."""
    return {idiom[i:i + n] for idiom in idioms() for n in (2, 3) for i in range(len(idiom) - n + 1)}


@lru_cache(maxsize=1)
def frequent_words() -> frozenset[str]:
    """Two- and three-character words counted more than ``_FREQUENT`` times in jionlp's word
    distribution (新建, 互助, 富裕, 根据)."""
    with zipfile.ZipFile(jionlp_dir() / "word_distribution.zip") as z:
        text = z.read("word_distribution.json").decode("utf-8")
    return frozenset(w for w, n in re.findall(r'^\["([^"]{2,3})", (\d{5,})\]\r?$', text, re.M)
                     if int(n) > _FREQUENT)


def _is_word(name: str, words: dict[str, str], pieces: set[str]) -> bool:
    """An ordinary word: in the dictionary without a place sense, or a piece of an idiom."""
    gloss = words.get(name)
    return (gloss is not None and not _PLACE_GLOSS.search(gloss)) or name in pieces


def usable_short_name(name: str) -> bool:
    """Not a bare kind of zone (示范区, 高新区): its zone word must follow a specific name."""
    m = _ZONE_SUFFIX.search(name)
    return m is None or (m.start() >= 2 and name[: m.start()] not in _GENERIC_PART)


def _towns(tree: str) -> dict[str, int]:
    return {name + suffix: NONE for name, suffix in set(_TOWN_ROW.findall(tree))
            if name not in _GENERIC_PART and not _GENERIC_START.match(name)}


def _villages(tree: str, words: dict[str, str]) -> dict[str, int]:
    unique = "\n".join(set(_VILLAGE_ROW.findall(tree)))
    out = {}
    for name, suffix in _VILLAGE_NAME.findall(unique):
        if name in _GENERIC_PART or name.endswith("乡"):  # 同乡村, 发展乡村: phrases, not villages
            continue
        full = name + suffix
        out[full] = STRICT if full in words else WEAK if name in words else NONE
    return out


def _parse_levels() -> dict[str, dict[str, int]]:
    """Level -> {name: guard}. Regexes over the whole file keep parsing near one second."""
    tree = read_zip("china_location")
    words, pieces, frequent = common_words(), _idiom_parts(), frequent_words()
    levels: dict[str, dict[str, int]] = {}
    for depth, level in enumerate(("province", "city", "county")):
        names: dict[str, int] = {}
        rows = re.findall(rf"^\t{{{depth}}}([^\t\r\n]+)\t\d+\t([^\t\r\n]+)", tree, re.M)
        for full, short in rows:
            if full.endswith("行政区划") or "直辖" in full or not usable_short_name(full):
                continue
            names[full] = WEAK if level == "county" and len(full) <= 2 else NONE
            autonomous = AUTONOMOUS.search(full)
            if autonomous and len(short) >= 2:  # 石柱土家族自治县 is written 石柱县
                names.setdefault(short + autonomous.group(1), NONE)
            if short in names or len(short) < 2 or _DIRECTIONAL.match(short) or not usable_short_name(short):
                continue
            word = level != "province" and (_is_word(short, words, pieces)
                                            or (level == "county" and short in frequent))
            names[short] = {"province": NONE, "city": WEAK if word else NONE}.get(
                level, STRICT if word else WEAK)
            if len(short) >= 3 and short.endswith("山"):  # 井冈山 is also written 井冈 (井冈蜜柚)
                stem = short[:-1]
                names.setdefault(stem, STRICT if _is_word(stem, words, pieces) else WEAK)
        levels[level] = names
    levels["town"] = _towns(tree)
    levels["village"] = _villages(tree, words)
    return levels


def _parse_countries() -> dict[str, int]:
    """Country short and full names and continent names from world_location.txt."""
    names: dict[str, int] = {}
    text = (jionlp_dir() / "world_location.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        line = line.strip()
        if line.endswith(":"):
            names[line[:-1]] = NONE
        elif line:
            for name in line.split("\t")[:2]:
                if len(name) >= 2:
                    names[name] = NONE
    return names


@lru_cache(maxsize=1)
def gazetteer_levels() -> dict[str, dict[str, int]]:
    """Level name -> {place name: guard}, for every level in ``LEVELS``."""
    return {"country": _parse_countries(), **_parse_levels()}


@lru_cache(maxsize=1)
def region_names() -> frozenset[str]:
    """Every place name of the gazetteer (all levels), e.g. to extend a tokenizer's vocabulary."""
    return frozenset(n for names in gazetteer_levels().values() for n in names)


def encode(length: int, level: int, guard: int) -> int:
    """Automaton values are plain ints (STORE_INTS keeps the automaton compact and fast)."""
    return length << 5 | level << 2 | guard


def decode(value: int) -> tuple[int, int, int]:
    """(length, level index into ``LEVELS``, guard) of an automaton value."""
    return value >> 5, value >> 2 & 7, value & 3


@lru_cache(maxsize=1)
def automaton() -> ahocorasick.Automaton:
    """Aho-Corasick over ``region_names()``; built once per process (about two seconds)."""
    auto = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    # Lower levels first, so that a name that is also a higher-level name ends up with the higher
    # level and its guard (吉林 the province, not a county-level short name).
    levels = gazetteer_levels()
    for index in reversed(range(len(LEVELS))):
        for name, guard in levels[LEVELS[index]].items():
            auto.add_word(name, encode(len(name), index, guard))
    auto.make_automaton()
    return auto
