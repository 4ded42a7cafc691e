"""Normalised values of AMOUNT, POPULATION and PROGRAM spans, for users who turn reports into tables.

Each function takes a span's ORIGINAL text (any script, inline pinyin, full-width digits) and
normalises it first (``model.normalize``); numerals are read by ``model.weak.numbers.read_number``
(the grammar the labelling functions use, cn2an for Chinese numerals, Decimal for exactness).

AMOUNT -> ``value`` in yuan (or in the written currency's unit), int when integral and exact
(87.85万元 -> 878500, never 878499.99...); a range or a vague numeral (3000至5000元, 一两万元,
十几万元 -> 110000..190000) has ``value`` None and ``low``/``high`` (the smaller and the larger, so
600元到300元 -> 300..600); ``approx`` is True when 余/多/餘 is inside the span (the figure is a
lower bound); ``currency`` is an ISO 4217 code (元/块 -> CNY) or None when the span has no unit.

POPULATION -> ``value``/``low``/``high``/``approx`` as above; ``unit``: the unit word as written,
in simplified script (人, 户, 人次, 户次, 名, 位, 口), the people noun when the span runs through one
(57万贫困人口 -> 贫困人口), "" for a bare count (109万); ``counts``: persons, households,
person-times or household-times. A bare count counts what the noun before it in the same clause
counts (贫困户由...减少到30万 -> households), persons when there is none.

PROGRAM -> ``canonical``: simplified script, no pinyin groups, no quote marks or 《》, no spaces.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .normalize import normalize
from .weak.numbers import read_number
from .weak.population import NOUN

# Longest names first: 港元 and 美元 before 元.
CURRENCIES: tuple[tuple[str, str], ...] = (
    ("新台币", "TWD"), ("澳门币", "MOP"), ("澳门元", "MOP"), ("人民币", "CNY"), ("美元", "USD"), ("美金", "USD"),
    ("欧元", "EUR"), ("港元", "HKD"), ("港币", "HKD"), ("日元", "JPY"), ("英镑", "GBP"), ("韩元", "KRW"),
    ("澳元", "AUD"), ("加元", "CAD"), ("卢布", "RUB"), ("瑞郎", "CHF"), ("台币", "TWD"), ("元", "CNY"),
    ("块", "CNY"),
)
COUNTS = ("persons", "households", "person-times", "household-times")

_UNIT = re.compile(r"人次|户次|人(?![口民])|户(?!主)|名|位|口")
_UNIT_COUNTS = {"人次": "person-times", "户次": "household-times", "户": "households"}
_HOUSEHOLD_NOUN = re.compile(r"(?:户|户数|家庭)$")
_COUNTED_NOUN = re.compile(rf"{NOUN}|人数|户数")
# Where a clause ends, looking back from a bare count (as population_bare reads it).
_CLAUSE_END = re.compile(r"[,.;:!?。、\s“”，；：！？]")
_CLAUSE_WINDOW = 20
_QUOTES = re.compile(r"[\"'“”‘’「」『』《》〈〉\s]")


@lru_cache(maxsize=65536)
def _norm(text: str) -> str:
    """A span's normalised text (spans repeat within and across documents: cached)."""
    return normalize(text).text


@lru_cache(maxsize=65536)
def _amount(norm: str) -> tuple:
    reading = read_number(norm)
    tail = norm[reading.unit_start:] if reading else norm
    currency = next((code for word, code in CURRENCIES if word in tail), None)
    if reading is None:
        return None, None, None, any(c in norm for c in "余多餘"), currency
    return reading.value, reading.low, reading.high, reading.approx, currency


def amount_value(text: str) -> dict:
    """``{"value", "low", "high", "approx", "currency"}`` of an AMOUNT span's original text:
    ``amount_value("62萬(wàn)餘元")`` -> value 620000, approx True, currency "CNY"."""
    value, low, high, approx, currency = _amount(_norm(text))
    return {"value": value, "low": low, "high": high, "approx": approx, "currency": currency}


def counted_before(context: str) -> str:
    """What the last people or household noun of the clause before a bare count counts:
    "households" after 贫困户/农户/户数/家庭, else "persons" (also when there is no noun)."""
    tail = context[-_CLAUSE_WINDOW:]
    ends = list(_CLAUSE_END.finditer(tail))
    if ends:
        tail = tail[ends[-1].end():]
    nouns = list(_COUNTED_NOUN.finditer(tail))
    if nouns and _HOUSEHOLD_NOUN.search(nouns[-1].group()):
        return "households"
    return "persons"


@lru_cache(maxsize=65536)
def _population(norm: str) -> tuple:
    reading = read_number(norm)
    tail = norm[reading.unit_start:].strip() if reading else ""
    unit = m.group() if (m := _UNIT.match(tail)) else tail
    if unit in _UNIT_COUNTS:
        counts: str | None = _UNIT_COUNTS[unit]
    elif unit == "":
        counts = None  # decided by the context
    else:
        counts = "households" if _HOUSEHOLD_NOUN.search(unit) else "persons"
    if reading is None:
        return None, None, None, any(c in norm for c in "余多餘"), unit, counts
    return reading.value, reading.low, reading.high, reading.approx, unit, counts


def population_value(text: str, context: str = "") -> dict:
    """``{"value", "low", "high", "approx", "unit", "counts"}`` of a POPULATION span's original
    text; ``context``: the NORMALISED text before the span (for a bare count's noun)."""
    value, low, high, approx, unit, counts = _population(_norm(text))
    if counts is None:
        counts = counted_before(context)
    return {"value": value, "low": low, "high": high, "approx": approx, "unit": unit, "counts": counts}


def canonical_program(text: str) -> str:
    """雨露計劃, “雨露计划” and 雨露(yǔ)计划 -> 雨露计划."""
    return _QUOTES.sub("", _norm(text))


def program_value(text: str) -> dict:
    return {"canonical": canonical_program(text)}


__all__ = ["COUNTS", "CURRENCIES", "amount_value", "canonical_program", "counted_before",
           "population_value", "program_value"]
