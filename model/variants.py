"""Script variants of a gold document, with the gold offsets carried over exactly.

Users' text is often traditional, sometimes with inline pinyin (see seeds 001 and 004); the
corpus is simplified. These copies let every score be reported per script.
"""
from __future__ import annotations

import random
from dataclasses import replace

from .gold import GoldDocument
from .spans import Span
from .text import convert_same_length, is_han

# The three scripts every gold set is scored in (see ``script_variants`` in model.evaluate).
SCRIPTS: tuple[str, ...] = ("simplified", "traditional", "traditional+pinyin")


def to_traditional_text(text: str) -> str:
    """opencc s2t, forced length-preserving (``model.text.convert_same_length``)."""
    return convert_same_length(text, "s2t")


def to_traditional(doc: GoldDocument) -> GoldDocument:
    return replace(doc, text=to_traditional_text(doc.text), script="traditional")


def _pinyin(char: str) -> str | None:
    from pypinyin import Style, pinyin

    reading = pinyin(char, style=Style.TONE, heteronym=False, errors="ignore")
    return reading[0][0] if reading and reading[0] else None


def with_pinyin(doc: GoldDocument, rate: float = 0.2, seed: int = 0) -> GoldDocument:
    """Insert ``(xiāng)`` after a random share of Chinese characters, as mirrored pages do.

    A group inserted after a span's last character belongs to the span (guideline), so it moves
    the span's end; one inserted inside a span widens it.
    """
    rng = random.Random(f"{seed}:{doc.id}")
    text = doc.text
    pieces, shift = [], [0] * (len(text) + 1)
    added = 0
    for i, ch in enumerate(text):
        pieces.append(ch)
        shift[i] = added
        if is_han(ch) and rng.random() < rate and (py := _pinyin(ch)) and py.isalpha():
            group = f"({py})"
            pieces.append(group)
            added += len(group)
    shift[len(text)] = added
    new_text = "".join(pieces)
    spans, values = [], {}
    for s in doc.spans:
        start = s.start + shift[s.start]
        # end: after the last character and any group inserted right after it
        end = s.end + shift[s.end] if s.end < len(text) else len(new_text)
        spans.append(Span(start, end, s.label))
        if (s.start, s.end) in doc.values:  # gold values travel with their span
            values[(start, end)] = doc.values[(s.start, s.end)]
    return replace(doc, text=new_text, spans=spans, values=values, script=doc.script + "+pinyin")
