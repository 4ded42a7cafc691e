"""Noisy copies of training windows: traditional script, inline pinyin, full-width digits and
entities swapped for others of the same label.

Every copy goes through ``normalize`` like a user's text would at inference, so a copy teaches
the model exactly what normalisation leaves of that noise (for script and width: very little).
"""
from __future__ import annotations

import random
from dataclasses import replace

from .gold import GoldDocument
from .normalize import normalize
from .spans import Span
from .variants import to_traditional, with_pinyin

_FULLWIDTH_DIGITS = {ord(c): ord(c) + 0xFEE0 for c in "0123456789.%"}


def fullwidth(doc: GoldDocument) -> GoldDocument:
    return replace(doc, text=doc.text.translate(_FULLWIDTH_DIGITS), script="fullwidth")


def swap_entities(doc: GoldDocument, pool: dict[str, list[str]], rng: random.Random) -> GoldDocument:
    """Replace each span's text by a random surface of the same label from ``pool``."""
    parts, spans, cursor, shift = [], [], 0, 0
    for s in sorted(doc.spans):
        choices = pool.get(s.label)
        new = rng.choice(choices) if choices else doc.text[s.start:s.end]
        parts.append(doc.text[cursor:s.start])
        start = s.start + shift
        parts.append(new)
        spans.append(Span(start, start + len(new), s.label))
        shift += len(new) - (s.end - s.start)
        cursor = s.end
    parts.append(doc.text[cursor:])
    return replace(doc, text="".join(parts), spans=spans, script="swap")


def renormalize(doc: GoldDocument) -> tuple[str, list[Span]]:
    """The normalised text of a noisy copy and its spans in normalised coordinates."""
    norm = normalize(doc.text)
    spans = []
    for s in doc.spans:
        mapped = norm.to_normalized(s.start, s.end)
        if mapped:
            spans.append(Span(mapped[0], mapped[1], s.label))
    return norm.text, spans


def augment_window(text: str, spans: list[Span], kind: str, pool: dict[str, list[str]],
                   rng: random.Random) -> tuple[str, list[Span]]:
    doc = GoldDocument("aug", text, list(spans))
    if kind == "traditional":
        doc = to_traditional(doc)
    elif kind == "pinyin":
        doc = with_pinyin(to_traditional(doc), seed=rng.randrange(1 << 30))
    elif kind == "fullwidth":
        doc = fullwidth(doc)
    elif kind == "entity_swap":
        doc = swap_entities(doc, pool, rng)
    else:
        raise ValueError(f"unknown augmentation {kind!r}")
    return renormalize(doc)
