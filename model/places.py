"""REGION resolution: which place a REGION span names, with its administrative code.

Data: the administrative tree shipped in the ``jionlp`` wheel (``china_location.zip``, read as in
``model.weak.gazetteer``: province > city > county rows carry a 6-digit adcode and a short name;
town and village rows carry a name only), its list of renamed divisions
(``china_location_change.txt``: 田阳县 -> 田阳区, 襄樊 -> 襄阳) and its world list (countries).

Output of ``resolve_places`` (one dict per REGION name of a document):

- ``adcode``: 6-digit string. A province, city or county has its own code. A town or a village has
  NO code in the data, so it gets the code of its county, the finest code that contains it (a
  town of 东莞, which has no counties, gets 东莞's). None for countries, natural areas, zones
  the data does not have (西咸新区), unknown names, and names the document leaves ambiguous.
- ``level``: province, city, county, town, village, country (also used for a continent or group
  of countries written as one, 欧 in 中欧), zone, natural area, or None (unknown, or ambiguous
  readings at different levels). "zone": a development or new zone (the data's county-level
  zones, codes xxxx7x, keep their code; town-level zones such as 嘉定工业区 get their county's
  code like any town) and the abbreviation + direction names (赣南, 陕北, 藏北, 南疆): parts of a
  province with no code of their own, so, like a town, they take the finest code that contains
  them, the province's, and the province is their parent.
- ``name``: the standard full name (湖南 -> 湖南省, 零陵区 -> 零陵区, 闽 -> 福建省, 中 -> 中国);
  for natural areas and zones without a code, the name as written (normalised); None when unknown
  or when ambiguous readings differ in name.
- ``parents``: ``{"province": ..., "city": ..., "county": ...}``, full names of the levels above
  the place that the data has (a municipality's duplicate city row is skipped: 嘉定区 ->
  {"province": "上海市"}). For an ambiguous name, the parents all its remaining readings share.
- ``candidates``: how many readings remain: 1 when resolved, 2+ when the document does not
  decide (then adcode is None: never a guess), 0 when the data has no reading of the name
  (natural areas, countries, abbreviation + direction zones, unknown names, and the towns and
  villages placed by rule 0 below).

Rules, in order, for a name shared by several places (``_score``, ``_resolve``); the evidence is
the document's OTHER region names, once they are resolved, and is re-read until nothing changes:
0. Written right after a place that holds the reading (谷城县五山镇: the 五山镇 of 谷城县), when
   ``spans`` are given. A town or village written right after a place that the data does not
   have there (a village newer than the data) is placed inside it: the code of that place,
   ``candidates`` 0.
1. The same place named otherwise in the document (承德 next to 承德市 is the city).
2. A reading whose parent chain contains a place named in the document (堰河村 under the named
   谷城县), or that contains a named place itself (朝阳 the city when its 双塔区 is named); the
   deeper the named place, the stronger (a named county beats a named province).
3. A reading that shares an ancestor with the document's resolved places (a town in the same
   city as a named county); the deeper the shared ancestor, the stronger.
4. If nothing in the document decides, a short name that is both a province or city and lower
   places (吉林, 海南, 抚顺, 朝阳) is the single highest-level reading, when there is one; then
   rules 0-3 run again for the rest.
5. Otherwise unresolved: adcode None, ``candidates`` = the readings left (those with the best
   evidence), ``level``/``name`` when they agree, ``parents`` what they share.
A bare name just after the same name with a suffix (大战场镇 ... 大战场) is that place.
A name in the guideline's closed list of natural places (``model.weak.region``: 秦岭, 井冈山,
嫩江, 天山) is the natural place; the county of the same name needs its suffix (井冈山市).
Everything is normalised first (traditional script, inline pinyin, full-width characters).
"""
from __future__ import annotations

import logging
import re
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .normalize import normalize
from .weak.gazetteer import AUTONOMOUS, jionlp_dir, read_zip, usable_short_name
from .weak.region import NATURAL

log = logging.getLogger(__name__)

PARENT_LEVELS = ("province", "city", "county")
_DEPTH = {"province": 1, "city": 2, "county": 3, "zone": 3, "town": 4, "village": 5}

# One-character provincial abbreviations (川甘, 沪滇, 闽宁, 云贵川) -> full province name.
ABBREVIATIONS = {
    "京": "北京市", "津": "天津市", "冀": "河北省", "晋": "山西省", "蒙": "内蒙古自治区", "辽": "辽宁省",
    "吉": "吉林省", "黑": "黑龙江省", "沪": "上海市", "苏": "江苏省", "浙": "浙江省", "皖": "安徽省",
    "闽": "福建省", "赣": "江西省", "鲁": "山东省", "豫": "河南省", "鄂": "湖北省", "湘": "湖南省",
    "粤": "广东省", "桂": "广西壮族自治区", "琼": "海南省", "渝": "重庆市", "川": "四川省", "蜀": "四川省",
    "黔": "贵州省", "贵": "贵州省", "滇": "云南省", "云": "云南省", "藏": "西藏自治区", "陕": "陕西省",
    "秦": "陕西省", "甘": "甘肃省", "陇": "甘肃省", "青": "青海省", "宁": "宁夏回族自治区",
    "新": "新疆维吾尔自治区", "疆": "新疆维吾尔自治区", "港": "香港特别行政区", "澳": "澳门特别行政区",
    "台": "台湾省",
}
# One-character country abbreviations (中欧班列, 中美): -> the country's common name.
COUNTRY_ABBREVIATIONS = {"中": "中国", "美": "美国", "俄": "俄罗斯", "日": "日本", "韩": "韩国",
                         "英": "英国", "法": "法国", "德": "德国", "欧": "欧洲", "非": "非洲"}

_ABBR_CHARS = "".join(ABBREVIATIONS)
_DIRECTION = "(?:东南|东北|西南|西北|[东西南北中])"
# 赣南, 陕北, 藏北, 黔东南 (when not a prefecture's short name), 南疆, 北疆.
_ZONE_NAME = re.compile(rf"([{_ABBR_CHARS}]){_DIRECTION}(?:地区)?|{_DIRECTION}(疆)")
# Names shaped like natural places, beyond the closed list: 左右江, 北部湾, 大小凉山, 天山大峡谷.
_NATURAL_SHAPE = re.compile(r".+(?:山区|片区|山脉|山|岭|江|河|湖|海|湾|运河|峡谷|平原|高原|盆地|草原"
                            r"|沙漠|流域|水库|林区|牧区)")
_ZONE_SUFFIX = re.compile(r"(?:经济技术开发区|经济开发区|高新技术产业开发区|高新技术开发区|开发区|高新区"
                          r"|经开区|新区|新城|工业园区|工业园|工业区|产业园区|产业园|园区|示范区|管委会|管理区)$")
# Level words at the end of a name: the stem may be a short name (马尔康县 -> 马尔康市, renamed).
_ADMIN_SUFFIX = re.compile(r"(?:自治县|自治州|自治旗|特区|林区|地区|[省市县区旗州盟])$")
_LEVEL_BY_SUFFIX = (
    (re.compile(r"(?:省|自治区)$"), "province"),
    (re.compile(r"(?:州|盟|地区)$"), "city"),
    (re.compile(r"[县旗区]$"), "county"),
    (re.compile(r"(?:镇|乡|街道|苏木)$"), "town"),
    (re.compile(r"(?:村|社区|嘎查|组|屯|寨|小区|家园)$"), "village"),
)
_ZONE_ALIASES = (("经济技术开发区", "经开区"), ("经济开发区", "经开区"), ("高新技术产业开发区", "高新区"),
                 ("高新技术开发区", "高新区"))
_VILLAGE_COMMITTEE = re.compile(r"(?:村民委员会|村委会)$")


@dataclass(frozen=True)
class Reading:
    """One way to read a name. ``chains``: node paths (province first) to the place itself, or to
    its town for a village (villages are not nodes); ``node``: the place's own node, if any."""

    level: str | None
    name: str | None
    adcode: str | None
    parents: tuple[tuple[str, str], ...]
    chains: tuple[tuple[int, ...], ...] = ()
    node: int | None = None

    def as_dict(self, candidates: int) -> dict:
        return {"adcode": self.adcode, "level": self.level, "name": self.name,
                "parents": dict(self.parents), "candidates": candidates}


class Gazetteer:
    """The administrative tree, indexed by every name a place goes by. Build with ``gazetteer()``
    (once per process, about a second; the village index, 650k rows, on first need)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.levels: list[str] = []
        self.codes: list[str | None] = []  # the place's own code (province, city, county)
        self.parent: list[int] = []
        self.pseudo: list[bool] = []  # 省直辖行政区划, a municipality's duplicate city row
        self.index: dict[str, list[tuple[int, int]]] = defaultdict(list)  # name -> [(node, tier)]
        self._villages: dict[str, tuple[int, ...]] | None = None
        self._villages_lock = threading.Lock()
        self._towns: list[int] = []  # town nodes in file order, for the village index
        self._tree = read_zip("china_location")
        self._parse(self._tree)
        self._add_history()
        self.countries = _countries()

    # --- building ---------------------------------------------------------------------------

    def _add(self, name: str, level: str, code: str | None, parent: int, pseudo: bool) -> int:
        self.names.append(name)
        self.levels.append(level)
        self.codes.append(code)
        self.parent.append(parent)
        self.pseudo.append(pseudo)
        return len(self.names) - 1

    def _alias(self, name: str, node: int, tier: int) -> None:
        if name and (node, tier) not in self.index[name] and (node, 0) not in self.index[name]:
            self.index[name].append((node, tier))

    def _parse(self, tree: str) -> None:
        stack: list[int] = []  # node of the last row at each depth
        for line in tree.splitlines():
            depth = len(line) - len(line.lstrip("\t"))
            if depth > 3 or not line.strip():
                continue  # villages: see _village_index
            cols = line.strip().split("\t")
            full = cols[0]
            code = cols[1] if len(cols) > 1 else None
            short = cols[2] if len(cols) > 2 else ""
            del stack[depth:]
            parent = stack[-1] if stack else -1
            level = ("province", "city", "county", "town")[depth]
            pseudo = "直辖" in full or full.endswith("行政区划") or (
                parent >= 0 and code is not None and code == self.codes[parent])
            if depth == 2 and code and code[4] == "7":
                level = "zone"  # functional zones have codes xxxx7x (包头稀土高新技术产业开发区)
            elif depth == 3 and _ZONE_SUFFIX.search(full):
                level = "zone"
            node = self._add(full, level, code, parent, pseudo)
            stack.append(node)
            if depth == 3:
                self._towns.append(node)
            if pseudo:
                continue
            self._alias(full, node, 0)
            for long, abbrev in _ZONE_ALIASES:
                if full.endswith(long) and len(full) > len(long) + 1:
                    self._alias(full[: -len(long)] + abbrev, node, 1)
            if depth > 2:
                continue
            if len(short) >= 2 and usable_short_name(short):
                self._alias(short, node, 1)
            autonomous = AUTONOMOUS.search(full)
            if autonomous and len(short) >= 2:  # 石柱土家族自治县 is written 石柱县
                self._alias(short + autonomous.group(1), node, 1)
                if len(short) >= 3 and short.endswith(autonomous.group(1)):  # short 海南州: also 海南
                    self._alias(short[:-1], node, 1)

    def _child(self, parent: int, name: str) -> int | None:
        for node, tier in self.index.get(name, ()):
            if tier == 0 and self._real_parent(node) == parent:
                return node
        return None

    def _real_parent(self, node: int) -> int:
        p = self.parent[node]
        while p >= 0 and self.pseudo[p]:
            p = self.parent[p]
        return p

    def _add_history(self) -> None:
        """Old names of renamed divisions (china_location_change.txt) as aliases of the new place."""
        path = jionlp_dir() / "china_location_change.txt"
        if not path.is_file():
            return
        for line in path.read_text(encoding="utf-8").splitlines():
            if "=>" not in line:
                continue
            old, new = line.split("=>", 1)
            old_cols, new_cols = old.split("\t")[2:], [c for c in new.split("\t") if c]
            node: int | None = -1
            for name in new_cols:
                node = self._child(node, name) if node is not None else None
            if node is None or node < 0 or len(old_cols) < 2:
                continue
            old_full, old_short = old_cols[-2], old_cols[-1]
            if old_full != self.names[node]:
                self._alias(old_full, node, 1)
            if len(old_short) >= 2 and old_short != old_full:
                self._alias(old_short, node, 1)

    def village_index(self) -> dict[str, tuple[int, ...]]:
        """Village name -> the town nodes that hold a village of that name (built on first use,
        once, about two seconds and ~100 MB: 650k rows, 300k distinct names)."""
        with self._villages_lock:
            if self._villages is None:
                self._villages = self._build_villages()
        return self._villages

    def _build_villages(self) -> dict[str, tuple[int, ...]]:
        t0 = time.perf_counter()
        towns: dict[str, list[int]] = defaultdict(list)
        town, seen = -1, 0
        for line in self._tree.splitlines():
            if line.startswith("\t\t\t\t"):
                name = line.strip().split("\t")[0]
                for variant in {name, _VILLAGE_COMMITTEE.sub("村", name)}:
                    held = towns[variant]
                    if not held or held[-1] != town:
                        held.append(town)
            elif line.startswith("\t\t\t") and line.strip():
                town, seen = self._towns[seen], seen + 1
        villages = {k: tuple(v) for k, v in towns.items()}
        self._tree = ""  # the village index was the last use of the raw text
        log.debug("village index: %d names in %.1f s", len(villages), time.perf_counter() - t0)
        return villages

    # --- reading a node ---------------------------------------------------------------------

    def chain(self, node: int) -> tuple[int, ...]:
        out = []
        while node >= 0:
            out.append(node)
            node = self.parent[node]
        return tuple(reversed(out))

    def code_of(self, node: int) -> str | None:
        """The node's own code, or the finest code above it (towns, villages)."""
        while node >= 0:
            if self.codes[node] and not self.pseudo[node]:
                return self.codes[node]
            node = self.parent[node]
        return None

    def parents_of(self, node: int, include_self: bool = False) -> tuple[tuple[str, str], ...]:
        """(level, full name) of the province/city/county rows above ``node`` (pseudo rows skipped)."""
        nodes = self.chain(node) if include_self else self.chain(node)[:-1]
        out = []
        for n in nodes:
            level = self.levels[n]
            if level == "zone" and self.codes[n]:
                level = "county"
            if level in PARENT_LEVELS and not self.pseudo[n]:
                out.append((level, self.names[n]))
        return tuple(out)

    def reading(self, node: int) -> Reading:
        return Reading(self.levels[node], self.names[node], self.code_of(node), self.parents_of(node),
                       (self.chain(node),), node)

    def village_readings(self, name: str) -> list[Reading]:
        out = []
        for town in self.village_index().get(name, ()):
            out.append(Reading("village", name, self.code_of(town), self.parents_of(town, include_self=True),
                               (self.chain(town),), None))
        return out

    def lookup(self, name: str, tier: int) -> list[Reading]:
        return [self.reading(node) for node, t in self.index.get(name, ()) if t == tier]

    def province(self, full: str) -> Reading:
        return self.lookup(full, 0)[0]


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The process-wide gazetteer (built once)."""
    return Gazetteer()


def _countries() -> dict[str, str]:
    """Country (and continent) name -> its common name, from jionlp's world_location.txt."""
    out: dict[str, str] = {}
    path = jionlp_dir() / "world_location.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.endswith(":"):
            out[line[:-1]] = line[:-1]
        elif line:
            cols = line.split("\t")
            for name in cols[:2]:
                if len(name) >= 2:
                    out.setdefault(name, cols[0])
    return out


# --- readings of one name ---------------------------------------------------------------------


def _collapse(readings: Iterable[Reading]) -> list[Reading]:
    """Readings that would print the same (two 大湾村 in one county) are one reading."""
    merged: dict[tuple, Reading] = {}
    for r in readings:
        key = (r.adcode, r.level, r.name, r.parents)
        if key in merged:
            old = merged[key]
            merged[key] = Reading(r.level, r.name, r.adcode, r.parents, old.chains + r.chains, old.node)
        else:
            merged[key] = r
    return list(merged.values())


def _level_by_suffix(name: str) -> str | None:
    if _ZONE_SUFFIX.search(name):
        return "zone"
    for pattern, level in _LEVEL_BY_SUFFIX:
        if pattern.search(name):
            return level
    return None


@lru_cache(maxsize=65536)
def readings(name: str) -> tuple[tuple[Reading, ...], Reading | None]:
    """(gazetteer readings, fallback) of a NORMALISED name: the places it may be, and what it is
    when none of them is chosen (a natural area, a country, a zone, or an unknown place with the
    level its suffix says)."""
    g = gazetteer()
    if len(name) == 1:
        if name in ABBREVIATIONS:
            return (g.province(ABBREVIATIONS[name]),), None
        if name in COUNTRY_ABBREVIATIONS:
            return (), Reading("country", COUNTRY_ABBREVIATIONS[name], None, ())
        return (), Reading(None, None, None, ())
    if NATURAL.fullmatch(name):
        return (), Reading("natural area", name, None, ())
    found = g.lookup(name, 0)
    if _level_by_suffix(name) == "village" or not found:
        found += g.village_readings(name)
    if found:
        return tuple(_collapse(found)), None
    if name in g.countries:
        return (), Reading("country", g.countries[name], None, ())
    found = g.lookup(name, 1)
    if not found and (m := _ADMIN_SUFFIX.search(name)) and m.start() >= 2:
        stem = name[: m.start()]
        found = [r for r in g.lookup(stem, 0) + g.lookup(stem, 1) if r.level in ("city", "county", "zone")]
        if m.group() in ("地区", "州", "盟"):
            found = [r for r in found if r.level == "city"] or found
    if found:
        return tuple(_collapse(found)), None
    zone = _ZONE_NAME.fullmatch(name)
    if zone:
        province = g.province(ABBREVIATIONS[zone.group(1) or zone.group(2)])
        return (), Reading("zone", name, province.adcode, ((province.level, province.name),))
    if _NATURAL_SHAPE.fullmatch(name):
        return (), Reading("natural area", name, None, ())
    return (), Reading(_level_by_suffix(name), None, None, ())


# --- a document's names -----------------------------------------------------------------------


def _name_depth(name: str, level: str | None) -> int:
    """How deep a name sits (组 below its village), for the "written inside" rule."""
    return 6 if name.endswith("组") else _DEPTH.get(level or "", 0)


def _inside(r: Reading, container: Reading) -> bool:
    """Whether a reading lies inside the container's place (its chain passes through it)."""
    return container.node is not None and any(container.node in chain for chain in r.chains)


def _within(name: str, container: Reading) -> Reading:
    """A place written right after its container but missing there in the data (a new village):
    it takes the container's code, the finest the data has, and the container joins its parents."""
    parents = container.parents
    level = "county" if container.level == "zone" and container.adcode else container.level
    if level in PARENT_LEVELS:
        parents = parents + ((level, container.name),)
    return Reading(_level_by_suffix(name), name, container.adcode, parents, container.chains, None)


@dataclass
class _Evidence:
    named: set[int]  # nodes of the resolved places
    above: dict[int, int]  # nodes that hold a resolved place


def _evidence(resolved: dict[str, Reading]) -> _Evidence:
    ev = _Evidence(set(), {})
    for r in resolved.values():
        if r.node is not None:
            ev.named.add(r.node)
        for chain in r.chains:
            for depth, n in enumerate(chain if r.node is None else chain[:-1], 1):
                ev.above[n] = depth
    return ev


def _score(r: Reading, ev: _Evidence, containers: Sequence[Reading]) -> tuple[int, int, int, int]:
    """Evidence for one reading, compared as a tuple (see the module docstring):
    (written right after a place that holds it, the same place named otherwise in the document,
    a named place above it or below it (rule 1), a shared ancestor (rule 2)); depths, deeper is
    stronger."""
    contained = same = explicit = implied = 0
    for chain in r.chains:
        ancestors = chain if r.node is None else chain[:-1]
        for depth, n in enumerate(ancestors, 1):
            if n in ev.named:
                explicit = max(explicit, depth)
            if n in ev.above:
                implied = max(implied, depth)
            if any(c.node == n for c in containers):
                contained = max(contained, depth)
    if r.node is not None:
        same = int(r.node in ev.named)
        if r.node in ev.above:
            explicit = max(explicit, len(r.chains[0]))
    return contained, same, explicit, implied


def _by_level(options: Sequence[Reading]) -> Reading | None:
    """Rule 3: the single highest reading when it is a province or a city."""
    top = min(_DEPTH.get(r.level or "", 9) for r in options)
    tops = [r for r in options if _DEPTH.get(r.level or "", 9) == top]
    return tops[0] if len(tops) == 1 and tops[0].level in ("province", "city") else None


def _settle(resolved: dict[str, Reading], left: dict[str, list[Reading]],
            containers: dict[str, set[str]]) -> None:
    """Rules 1 and 2 until nothing changes; ``left`` keeps only the best-supported readings."""
    while left:
        ev = _evidence(resolved)
        decided = {}
        for n, opts in left.items():
            held_by = [resolved[m] for m in containers.get(n, ()) if m in resolved]
            scores = [_score(r, ev, held_by) for r in opts]
            best = max(scores)
            if any(best) and scores.count(best) == 1:
                decided[n] = opts[scores.index(best)]
            else:
                left[n] = [r for r, sc in zip(opts, scores) if sc == best]
        if not decided:
            return
        for n, r in decided.items():
            resolved[n] = r
            del left[n]


def _resolve(options: dict[str, tuple[tuple[Reading, ...], Reading | None]],
             containers: dict[str, set[str]]) -> tuple[dict[str, Reading], dict[str, list[Reading]]]:
    resolved = {n: opts[0] for n, (opts, _) in options.items() if len(opts) == 1}
    left = {n: list(opts) for n, (opts, _) in options.items() if len(opts) > 1}
    _settle(resolved, left, containers)
    defaults = {n: r for n, opts in left.items() if (r := _by_level(opts)) is not None}
    if defaults:
        for n, r in defaults.items():
            resolved[n] = r
            del left[n]
        _settle(resolved, left, containers)
    return resolved, left


def _common_parents(options: Sequence[Reading]) -> tuple[tuple[str, str], ...]:
    common = list(options[0].parents)
    for r in options[1:]:
        n = 0
        while n < min(len(common), len(r.parents)) and common[n] == r.parents[n]:
            n += 1
        common = common[:n]
    return tuple(common)


def _same(values: list) -> object:
    return values[0] if all(v == values[0] for v in values) else None


@lru_cache(maxsize=65536)
def _normal_name(name: str) -> str:
    return re.sub(r"\s+", "", normalize(name).text)


def _containers(norm: Sequence[str], spans: Sequence[tuple[int, int]] | None) -> dict[str, set[str]]:
    """Name -> the names written RIGHT before it (谷城县|五山镇|堰河村): its likely containers."""
    out: dict[str, set[str]] = defaultdict(set)
    if spans is None:
        return out
    if len(spans) != len(norm):
        raise ValueError(f"{len(norm)} names but {len(spans)} spans")
    by_end = {end: norm[i] for i, (_, end) in enumerate(spans)}
    for i, (start, _) in enumerate(spans):
        before = by_end.get(start)
        if before is not None and before != norm[i]:
            out[norm[i]].add(before)
    return out


def resolve_places(names: Sequence[str], spans: Sequence[tuple[int, int]] | None = None) -> list[dict]:
    """Resolve the REGION names of ONE document (original text, any script), each with the help of
    the others. ``spans``: their (start, end) offsets, when known: a name written right after
    another (谷城县五山镇) is looked for inside it, and a town or village that the data lacks there
    (a new village) gets the code of the place written before it. Returns one dict per name, in
    order: adcode, level, name, parents, candidates (see the module docstring). The same name gets
    the same answer throughout the document."""
    norm = [_normal_name(n) for n in names]
    containers = _containers(norm, spans)
    distinct = list(dict.fromkeys(norm))
    options = {n: readings(n) for n in distinct}
    resolved, left = _resolve(options, containers)
    # A town or village written right after a place it is not in, according to the data: the data
    # lacks it there, so it is placed inside what the text says (one more round with those fixed).
    forced: dict[str, Reading] = {}
    for n in distinct:
        for m in sorted(containers.get(n, ())):
            held_by = resolved.get(m)
            current = [resolved[n]] if n in resolved else left.get(n, [])
            if held_by is None or held_by.adcode is None or any(_inside(r, held_by) for r in current):
                continue
            level = _level_by_suffix(n)
            if level in ("town", "village") and _name_depth(n, level) > _DEPTH.get(held_by.level or "", 9):
                forced[n] = _within(n, held_by)
                break
    if forced:
        options.update({n: ((r,), None) for n, r in forced.items()})
        resolved, left = _resolve(options, containers)

    out_by_name: dict[str, dict] = {}
    for n in distinct:
        fallback = options[n][1]
        if n in forced:
            out_by_name[n] = forced[n].as_dict(0)
        elif n in resolved:
            out_by_name[n] = resolved[n].as_dict(1)
        elif n in left:
            rest = left[n]
            out_by_name[n] = {"adcode": None, "level": _same([r.level for r in rest]),
                              "name": _same([r.name for r in rest]), "parents": dict(_common_parents(rest)),
                              "candidates": len(rest)}
        else:
            out_by_name[n] = (fallback or Reading(None, None, None, ())).as_dict(0)
    # A bare name after the same place with its suffix (大战场镇 ... 大战场) is that place.
    for n in distinct:
        guessed = options[n][1]  # no reading; only a guess from the name's shape
        if (not options[n][0] and guessed is not None and guessed.level in (None, "natural area")
                and not NATURAL.fullmatch(n)):
            for other in distinct:
                if (other != n and other.startswith(n) and _level_by_suffix(other[len(n):])
                        and out_by_name[other]["adcode"] is not None):
                    out_by_name[n] = out_by_name[other]
                    break
    return [dict(out_by_name[n], parents=dict(out_by_name[n]["parents"])) for n in norm]


def resolve_place(name: str, context: Sequence[str] = ()) -> dict:
    """One name, with the document's other region names as ``context``."""
    return resolve_places([name, *context])[0]


__all__ = ["ABBREVIATIONS", "COUNTRY_ABBREVIATIONS", "Gazetteer", "Reading", "gazetteer", "readings",
           "resolve_place", "resolve_places"]
