"""Quoted PROGRAM names taken whole (an optional step after decoding, ``snap_quotes``).

The guideline's PROGRAM span for a quoted name is the text inside the marks. The model sometimes
stops one or two characters short of a mark (“黔货出山” read as 黔货出, 《…国别方案》 read as its first
words): the span touches one mark but not the other. Where a PROGRAM span lies inside one pair of
marks, touches one of them, and the quoted text is a plain name (no list or clause punctuation, at
most ``MAX_NAME`` characters), the span is widened to the whole quoted text; spans it now covers
give way, as the guideline's PROGRAM swallows what it contains. Nothing else changes.
"""
from __future__ import annotations

import re

SpanT = tuple[int, int, str, float]

#: the longest quoted text taken whole (characters)
MAX_NAME = 40
# one pair of marks, no mark of the same kind inside, no line break; the name is group 1..6
_MARKS = ("“”", "「」", "‘’", "『』", "《》", '""')
_QUOTED = re.compile("|".join(f"{o}([^{o}{c}\\n]{{1,{MAX_NAME}}}){c}" for o, c in _MARKS))
# list and clause punctuation: a quoted text holding one is not a single name
_NOT_A_NAME = re.compile(r"[、，,；;。！？!?：:]")


def quoted_names(text: str) -> list[tuple[int, int]]:
    """(start, end) of each quoted text that reads as one name."""
    out = []
    for m in _QUOTED.finditer(text):
        group = next(g for g in range(1, 7) if m.group(g) is not None)
        if not _NOT_A_NAME.search(m.group(group)):
            out.append((m.start(group), m.end(group)))
    return out


def snap_to_quotes(text: str, spans: list[SpanT]) -> list[SpanT]:
    """``spans`` (start, end, label, score; sorted, not overlapping) with PROGRAM spans that touch
    one mark of a quoted name widened to the whole name."""
    names = quoted_names(text) if any(s[2] == "PROGRAM" for s in spans) else []
    if not names:
        return spans
    grown: set[tuple[int, int]] = set()
    widened: list[SpanT] = []
    for start, end, label, score in spans:
        if label == "PROGRAM":
            for q_start, q_end in names:
                inside = q_start <= start and end <= q_end and (start, end) != (q_start, q_end)
                if inside and (start == q_start or end == q_end):
                    start, end = q_start, q_end
                    grown.add((start, end))
                    break
        widened.append((start, end, label, score))
    # a grown name once (two pieces of it may have grown into it), and nothing else that overlaps it
    out: list[SpanT] = []
    for span in widened:
        if span[2] == "PROGRAM" and span[:2] in grown:
            if not any(o[:2] == span[:2] for o in out):
                out.append(span)
        elif not any(a < span[1] and span[0] < b for a, b in grown):
            out.append(span)
    return sorted(out)
