"""Number spans that cut a written number are dropped (an optional step after decoding, ``whole_numbers``).

By the guideline an AMOUNT or POPULATION span holds its number whole (``3.6万吨``, ``1,200户``). The
model now and then returns a span whose edge falls inside a run of digits: ``1`` out of
``从10公斤8块钱``, ``3`` out of ``3.6万吨``. Such a span is never a guideline span, and in a table it
reads as a wrong value (1 yuan, 3 people), so it is dropped rather than widened: widening would turn
a misread price or tonnage into a confident one. Only those two labels are touched; a span that
starts and ends on the number's edges, or that holds a number inside it, stays.
"""
from __future__ import annotations

import re

SpanT = tuple[int, int, str, float]

#: the labels whose span holds a number whole
NUMBER_LABELS = frozenset({"AMOUNT", "POPULATION"})
# a written number after normalisation (full-width digits and commas are ASCII by then): digits,
# thousands separators before groups of three, a decimal part (``1，2名`` is a list, not 1,2)
_NUMBER = re.compile(r"[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?")


def cuts(text: str) -> set[int]:
    """Every character offset that falls strictly inside a written number (a boundary there splits it)."""
    return {i for m in _NUMBER.finditer(text) for i in range(m.start() + 1, m.end())}


def drop_split_numbers(text: str, spans: list[SpanT]) -> list[SpanT]:
    """``spans`` without the AMOUNT and POPULATION spans whose start or end splits a written number."""
    if not any(s[2] in NUMBER_LABELS for s in spans):
        return spans
    inside = cuts(text)
    return [s for s in spans if s[2] not in NUMBER_LABELS or not (s[0] in inside or s[1] in inside)]
