"""AMOUNT labelling functions: a number with a currency unit (ANNOTATION.md, AMOUNT).

Three voters, so that their votes can be counted apart: Arabic numerals, Chinese numerals, and
ranges. A span starts at the first digit and ends with the unit, so words around it
(约, 近, 超过, 人均 / 以上, 左右) stay out by construction.
"""
from __future__ import annotations

import re

from ..text import HAN
from .base import TIER_NUMBER, LabellingFunction
from .numbers import APPROX, ARABIC, CHINESE, NUMBER, RANGE_SEP

# 块 is colloquial for 元 (8万块, 3000多块钱), but also a measure word (一块土地, 120万块光伏板,
# 聚到一块): it counts before 钱, or before a non-word (punctuation, end, a verb of change).
_KUAI = rf"块(?=钱|[^{HAN}]|\Z|的|左右|以上|以下|涨|增|降|提|到)"
# 二元结构 and 一元化 are not money.
UNIT = rf"(?:美元|欧元|港元|港币|日元|英镑|元(?!化|结构)|{_KUAI})"

_ARABIC_RE = re.compile(rf"{ARABIC}{APPROX}{UNIT}")
_CHINESE_RE = re.compile(rf"{CHINESE}{APPROX}{UNIT}")
_RANGE_RE = re.compile(rf"{NUMBER}{UNIT}?{RANGE_SEP}{NUMBER}{UNIT}")
_MAGNITUDE = re.compile("[十百千万亿]")


def _arabic(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _ARABIC_RE.finditer(text)]


def _chinese(text: str) -> list[tuple[int, int]]:
    """一块 is rarely money: a Chinese 块 amount needs 钱 after it or a magnitude (两千多块)."""
    out = []
    for m in _CHINESE_RE.finditer(text):
        s, e = m.span()
        if text[e - 1] == "块" and not text.startswith("钱", e) and not _MAGNITUDE.search(text, s, e):
            continue
        out.append((s, e))
    return out


def _range(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _RANGE_RE.finditer(text)]


LABELLING_FUNCTIONS: list[LabellingFunction] = [
    LabellingFunction("amount_range", "AMOUNT", _range, tier=TIER_NUMBER),
    LabellingFunction("amount_arabic", "AMOUNT", _arabic, tier=TIER_NUMBER),
    LabellingFunction("amount_chinese", "AMOUNT", _chinese, tier=TIER_NUMBER),
]
