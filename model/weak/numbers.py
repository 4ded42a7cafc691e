"""The number grammar shared by the AMOUNT and POPULATION labelling functions.

Patterns are regex SOURCE strings, composed by ``money`` and ``population`` into a few compiled
regexes; text is normalised (digits 0-9, simplified script), see ``model.weak.base``.

A number is Arabic (``1,234``, ``1.8``, ``5万7千8百``, ``1亿2000万``) or Chinese (``一百二十``,
``三千五百``, ``两``, ``十``, vague ``一两万``/``三四千``, ``十几万``), optionally with 余/多/餘
inside (``240余万``, ``62万余``, ``4000多``). A number must start with a digit: ``上亿``, ``数千``,
``几十万``, ``百万`` and ``千家万户`` are words, not numbers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import cn2an

_MAG = "十百千万亿"
_C_DIGIT = "一二两三四五六七八九"
_C_ZERO = "零〇"
_APPROX_CHARS = "余多餘"

# Every pattern starts with one character class and checks what precedes it by a lookbehind
# AFTER that character: the regex engine then skips non-starting positions fast (~3x).
# Arabic: thousands groups only after 1-3 leading digits, so 2019,157户 reads as 2019 + 157户.
_A_REST = rf"(?:\d{{0,2}}(?:,\d{{3}})+|\d*)(?:\.\d+)?(?:[{_MAG}]+(?:\d+(?:\.\d+)?[{_MAG}]+)*)?"
# Chinese: starts with a digit or 十 and is not the tail of a longer numeral, of a vague word
# (数十, 几十, 百分之三十, 三分之一) or of a word (唯一, 统一, 逐一, 单一, 同一).
_C_START = f"{_C_DIGIT}十"
_C_NOT_AFTER = f"{_C_DIGIT}{_C_ZERO}{_MAG}几数之唯统逐单同\\d"
_C_REST = rf"[{_C_DIGIT}{_C_ZERO}{_MAG}]*(?:(?<=[十百千])几[{_MAG}]*)?"
# Approximation marks, before and/or after a final 万/亿: 240余万, 62万余, 1.3万余, 20多万.
APPROX = rf"[{_APPROX_CHARS}]?(?:[万亿]+[{_APPROX_CHARS}]?)?"


def _not_after(chars: str) -> str:
    """Lookbehind, placed after a number's first character: it does not follow ``chars``."""
    return rf"(?<![{chars}].)" if chars else ""


def number(not_after: str = "") -> str:
    """Arabic or Chinese, approximation marks included; ``not_after``: characters that may not
    precede it (第, 每 for counts)."""
    return (
        rf"[\d{_C_START}](?<![\d.]\d)(?<![{_C_NOT_AFTER}][{_C_START}]){_not_after(not_after)}"
        rf"(?:(?<=\d){_A_REST}|(?<=[{_C_START}]){_C_REST}){APPROX}"
    )


ARABIC = rf"\d(?<![\d.]\d){_A_REST}"
CHINESE = rf"[{_C_START}](?<![{_C_NOT_AFTER}].){_C_REST}"
NUMBER = number()
# Range connectors: 3000-5000元, 3000至5000元, 3万至4万元, 600元到300元, 3000~5000元.
RANGE_SEP = r"(?:[-~—–]|至|到)"

_NUMBER_RE = re.compile(NUMBER)
_RANGE_RE = re.compile(rf"{NUMBER}\D{{0,4}}?{RANGE_SEP}(?={NUMBER})")
_VAGUE = re.compile(rf"几|[{_C_DIGIT}]{{2}}")  # 十几万, 一两万, 三四千: no single value


def parse_value(surface: str) -> float | None:
    """The value of an AMOUNT or POPULATION surface: ``"1.8万余人"`` -> 18000.0.

    Approximate marks give the stated figure (a lower bound: 4000多 -> 4000). A range or a vague
    numeral (3000-5000元, 一两万元, 十几万元) has no single value: None, as for no number at all.
    Exact values (int or Decimal-backed float) and the bounds of ranges: ``read_number``.
    """
    reading = read_number(surface)
    return None if reading is None or reading.value is None else float(reading.value)


Number = int | float


@dataclass(frozen=True)
class NumberReading:
    """What the numeral of a surface says: one ``value``, or ``low``/``high`` for a range or a vague
    numeral (3000至5000, 一两万, 十几万), never both. ``approx``: 余/多/餘 written inside.
    ``unit_start``: where the text after the number (the unit or noun) begins in the surface."""

    value: Number | None
    low: Number | None
    high: Number | None
    approx: bool
    unit_start: int


_MAGNITUDES = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
_PLAIN = re.compile(r"\d+(?:\.\d+)?")
_ARABIC_TIMES = re.compile(r"(\d+(?:\.\d+)?)([十百千万亿]+)")
_TRAILING_MAG = re.compile(r"[十百千万亿]+$")
_HAS_MAG = re.compile(r"[十百千万亿]")
# 13万2 (spoken: 13.2万): one digit after a final 万/千/亿 that no magnitude or digit follows.
_SPOKEN_TAIL = re.compile(r"\d(?![\d.十百千万亿])")
_PAIR = re.compile(rf"[{_C_DIGIT}]{{2}}")


def _exact(core: str) -> Decimal | None:
    """The exact value of one numeral without approximation marks or separators.

    Arabic numbers, alone or times magnitudes (87.85万, 3.5百万, 12.3456789万), are computed in
    Decimal here: cn2an truncates 12.3456789万 to an int and rejects 3.5百万. Everything else
    (Chinese numerals, 1亿2000万, 5万7千8百, 13万2) goes to cn2an, whose result is exact for them.
    """
    if _PLAIN.fullmatch(core):
        return Decimal(core)
    m = _ARABIC_TIMES.fullmatch(core)
    if m:
        out = Decimal(m.group(1))
        for ch in m.group(2):
            out *= _MAGNITUDES[ch]
        return out
    try:
        return Decimal(str(cn2an.cn2an(core, "smart")))
    except (ValueError, KeyError, IndexError, InvalidOperation):
        return None


def _number(value: Decimal) -> Number:
    """int when integral (7850000, not 7850000.0), else the shortest float of the Decimal."""
    return int(value) if value == value.to_integral_value() else float(value)


def _bounds(core: str) -> tuple[Decimal, Decimal] | None:
    """(low, high) of one numeral; equal for an exact one. Vague numerals: 一两万 -> 1万..2万,
    三四十 -> 30..40 (two adjacent digits: the first and the second); 十几万 -> 11万..19万
    (几 read as 1 and as 9)."""
    core = core.replace(",", "").translate(_STRIP_APPROX)
    if "几" in core:
        low, high = _exact(core.replace("几", "一")), _exact(core.replace("几", "九"))
    elif (pair := _PAIR.search(core)) is not None:
        i = pair.start()
        low = _exact(core[:i] + core[i] + core[i + 2:])
        high = _exact(core[:i] + core[i + 1] + core[i + 2:])
    else:
        low = high = _exact(core)
    if low is None or high is None:
        return None
    return (low, high) if low <= high else (high, low)


_STRIP_APPROX = {ord(c): None for c in _APPROX_CHARS}


@lru_cache(maxsize=65536)
def read_number(surface: str) -> NumberReading | None:
    """Read the numeral of a NORMALISED AMOUNT or POPULATION surface (``model.normalize``).

    ``"87.85万元"`` -> value 878500; ``"1.8万余人"`` -> 18000, approx; ``"3万至4万元"`` -> low 30000,
    high 40000; ``"3至4万元"`` -> 30000..40000 (a bare first number takes the second's magnitude
    when it is smaller than the second's figure, so ``5000至1万`` stays 5000..10000);
    ``"600元到300元"`` -> low 300, high 600 (low/high are the smaller and the larger);
    ``"一两万元"`` -> 10000..20000; ``"十几万元"`` -> 110000..190000; ``"13万2元"`` -> 132000.
    None when the surface holds no number the grammar accepts (上亿元, 数千元, 几十万).
    """
    m = _NUMBER_RE.search(surface)
    if m is None:
        return None
    approx = any(c in surface for c in _APPROX_CHARS)
    r = _RANGE_RE.match(surface, m.start())
    second = _NUMBER_RE.match(surface, r.end()) if r else None
    if second is not None:
        first, last = _bounds(m.group()), _bounds(second.group())
        if first is None or last is None:
            return None
        mag = _TRAILING_MAG.search(second.group().translate(_STRIP_APPROX))
        if mag and not _HAS_MAG.search(m.group()):
            coefficient = _bounds(second.group()[:second.group().rindex(mag.group()[0])] or "0")
            scale = Decimal(1)
            for ch in mag.group():
                scale *= _MAGNITUDES[ch]
            if coefficient is not None and first[1] < coefficient[0]:
                first = (first[0] * scale, first[1] * scale)
        low, high = min(first[0], last[0]), max(first[1], last[1])
        return NumberReading(None, _number(low), _number(high), approx, second.end())
    core, end = m.group(), m.end()
    if core[-1] in "千万亿" and (tail := _SPOKEN_TAIL.match(surface, end)):
        core, end = core + tail.group(), tail.end()
    bounds = _bounds(core)
    if bounds is None:
        return None
    low, high = bounds
    if low == high:
        return NumberReading(_number(low), None, None, approx, end)
    return NumberReading(None, _number(low), _number(high), approx, end)
