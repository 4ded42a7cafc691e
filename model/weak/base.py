"""The labelling-function contract shared by every module of ``model.weak``.

A labelling function reads NORMALISED text (see ``model.normalize``: simplified script,
full-width ASCII folded to half-width, inline pinyin groups and spaces inside numbers removed;
Chinese quotes “” 「」 『』 ‘’ and 《》 and 、。 are kept) and returns the spans it votes for.
Offsets are into that normalised text; ``model.weak.aggregate`` maps them back to the original.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..spans import Span

# Precedence tiers (``LabellingFunction.tier``): a higher tier wins an overlap whatever the
# lengths; inside a tier the longer span wins (see ``model.weak.aggregate.resolve``).
TIER_PLACE = 1  # places, and unquoted closed-list programs that compete with them on length
TIER_NUMBER = 2  # amounts and populations: 785万元 beats a place name inside it
TIER_MARKED = 3  # quoted and 《》 programs swallow whatever they contain


@dataclass(frozen=True)
class LabellingFunction:
    """``name`` is unique across the package, so that its votes can be counted.

    ``tier`` is the function's precedence in aggregation, declared with the function so that
    its place in the ordering is read where the function is defined.
    """

    name: str
    label: str
    find: Callable[[str], list[tuple[int, int]]]
    tier: int

    def __call__(self, text: str) -> list[Span]:
        return [Span(s, e, self.label, self.name) for s, e in self.find(text)]
