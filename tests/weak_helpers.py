"""Shared by the labelling-function tests: resolve a set of functions' votes on one text."""
from __future__ import annotations

from model.weak.aggregate import resolve
from model.weak.base import LabellingFunction


def labelled(functions: list[LabellingFunction], text: str) -> list[tuple[str, str]]:
    """(label, surface) of the resolved spans, in reading order."""
    spans = resolve(span for lf in functions for span in lf(text))
    return [(s.label, text[s.start:s.end]) for s in spans]


def votes(functions: list[LabellingFunction], text: str, name: str) -> list[str]:
    """The surfaces one named function votes for."""
    lf = next(f for f in functions if f.name == name)
    return [text[s:e] for s, e in lf.find(text)]
