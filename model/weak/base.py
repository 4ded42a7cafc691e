"""The labelling-function contract shared by every module of ``model.weak``.

A labelling function reads NORMALISED text (see ``model.normalize``: simplified script,
full-width ASCII folded to half-width, inline pinyin groups and spaces inside numbers removed;
Chinese quotes “” 「」 『』 ‘’ and 《》 and 、。 are kept) and returns the spans it votes for.
Offsets are into that normalised text; ``model.weak.aggregate`` maps them back to the original.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..spans import Span


@dataclass(frozen=True)
class LabellingFunction:
    """``name`` is unique across the package, so that its votes can be counted."""

    name: str
    label: str
    find: Callable[[str], list[tuple[int, int]]]
    priority: int = 0  # higher wins a tie between two spans of the same length

    def __call__(self, text: str) -> list[Span]:
        return [Span(s, e, self.label, self.name) for s, e in self.find(text)]
