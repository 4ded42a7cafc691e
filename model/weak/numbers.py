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
    """
    m = _NUMBER_RE.search(surface)
    if m is None or _RANGE_RE.match(surface, m.start()):
        return None
    core = m.group()
    if _VAGUE.search(core):
        return None
    core = core.replace(",", "").translate({ord(c): None for c in _APPROX_CHARS})
    try:
        return float(cn2an.cn2an(core, "smart"))
    except (ValueError, KeyError, IndexError):
        return None
