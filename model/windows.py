"""Cut long normalised text into model-sized windows without cutting through an entity."""
from __future__ import annotations

import re
from collections.abc import Sequence

from .spans import Span

_SENTENCE_END = re.compile(r"[。！？!?；;\n]+")


def sentence_bounds(text: str) -> list[int]:
    """Offsets where a sentence ends (exclusive), always including len(text)."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    if not ends or ends[-1] != len(text):
        ends.append(len(text))
    return ends


def windows(text: str, max_chars: int, spans: Sequence[Span] = ()) -> list[tuple[int, int]]:
    """Pack whole sentences into windows of at most ``max_chars``; an over-long sentence is cut,
    but never inside one of ``spans`` (unless the span itself is longer than a window)."""
    if not text:
        return []
    out, start, last_end = [], 0, 0
    for end in sentence_bounds(text):
        if end - start <= max_chars:
            last_end = end
            continue
        if last_end > start:
            out.append((start, last_end))
            start = last_end
        while end - start > max_chars:
            cut = start + max_chars
            for s in spans:
                if s.start < cut < s.end and s.start > start:
                    cut = s.start
                    break
            out.append((start, cut))
            start = cut
        last_end = end
    if start < len(text):
        out.append((start, len(text)))
    return out
