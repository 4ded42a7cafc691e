"""Turn the votes of all labelling functions into one flat span set per document.

Aggregation is by tier, then length (the guideline: a quoted/titled PROGRAM swallows what it
contains; otherwise prefer the longer reading). A generative label model (Snorkel, skweak) needs
many overlapping, independent voters per span to estimate accuracies; ours mostly have one voter
per label, so a transparent ordering is both simpler and easier to debug.
"""
from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

from ..normalize import Normalized, normalize
from ..spans import Span
from .base import LabellingFunction


@lru_cache(maxsize=1)
def default_tiers() -> Mapping[str, int]:
    """Labelling function name -> its declared ``tier``, for the package's own functions."""
    return MappingProxyType({lf.name: lf.tier for lf in all_labelling_functions()})


def resolve(votes: Iterable[Span], rank: Mapping[str, int] | None = None,
            tiers: Mapping[str, int] | None = None) -> list[Span]:
    """Greedy: highest tier, then longest, then the labelling function listed first.

    A span's tier is the one its labelling function (``span.source``) declares: ``tiers`` maps
    names to tiers, by default those of the package's functions; ``rank`` maps names to their
    position in the list (unknown names go last). Chosen spans are kept sorted by start, so each
    candidate is checked against its two neighbours only: O(n log n), which matters on long,
    entity-dense documents.
    """
    rank = rank or {}
    tiers = default_tiers() if tiers is None else tiers
    votes = set(votes)
    if unknown := {s.source for s in votes} - tiers.keys():
        raise ValueError(f"no tier for labelling function(s) {sorted(unknown)}: pass tiers={{name: tier}}")
    ordered = sorted(votes, key=lambda s: (-tiers[s.source], -len(s), rank.get(s.source, 99), s.start))
    starts: list[int] = []
    chosen: list[Span] = []
    for cand in ordered:
        i = bisect_left(starts, cand.start)
        if i < len(chosen) and chosen[i].start < cand.end:
            continue
        if i > 0 and chosen[i - 1].end > cand.start:
            continue
        starts.insert(i, cand.start)
        chosen.insert(i, cand)
    return chosen


def all_labelling_functions() -> list[LabellingFunction]:
    from . import money, population, program, region

    return [*program.LABELLING_FUNCTIONS, *money.LABELLING_FUNCTIONS,
            *population.LABELLING_FUNCTIONS, *region.LABELLING_FUNCTIONS]


@dataclass
class WeakLabeller:
    """Runs every labelling function on the normalised text and maps the result back."""

    functions: list[LabellingFunction] = field(default_factory=all_labelling_functions)

    def __post_init__(self) -> None:
        self.rank = {lf.name: i for i, lf in enumerate(self.functions)}
        self.tiers = {lf.name: lf.tier for lf in self.functions}

    def votes(self, norm: Normalized) -> list[Span]:
        """All votes on the normalised text (no filtering), for LF statistics."""
        return [span for lf in self.functions for span in lf(norm.text) if span.end > span.start]

    def label_normalized(self, norm: Normalized) -> list[Span]:
        """Resolved spans on the normalised text."""
        return resolve(self.votes(norm), self.rank, self.tiers)

    def label(self, text: str) -> list[Span]:
        """Resolved spans on the ORIGINAL text."""
        norm = normalize(text)
        out = []
        for s in self.label_normalized(norm):
            start, end = norm.to_original(s.start, s.end)
            out.append(Span(start, end, s.label, s.source))
        return out


def lf_statistics(labeller: WeakLabeller, texts: Iterable[str]) -> list[dict]:
    """Per labelling function: spans, coverage of documents, overlaps and conflicts with other LFs.

    overlap: a span that overlaps a span of another function; conflict: it overlaps one with a
    different label or different boundaries (the two disagree); kept: it survives aggregation.
    """
    stats = {lf.name: Counter() for lf in labeller.functions}
    docs = 0
    for text in texts:
        docs += 1
        norm = normalize(text)
        votes = sorted(labeller.votes(norm))
        kept = set(resolve(votes, labeller.rank, labeller.tiers))
        seen = set()
        for i, v in enumerate(votes):
            st = stats[v.source]
            st["spans"] += 1
            if v.source not in seen:
                st["docs"] += 1
                seen.add(v.source)
            if v in kept:
                st["kept"] += 1
            others = [w for w in votes[max(0, i - 20): i + 20] if w.source != v.source and w.overlaps(v)]
            if others:
                st["overlaps"] += 1
            if any(w.label != v.label or (w.start, w.end) != (v.start, v.end) for w in others):
                st["conflicts"] += 1
    rows = []
    for lf in labeller.functions:
        st = stats[lf.name]
        rows.append({"function": lf.name, "label": lf.label, "spans": st["spans"],
                     "coverage": st["docs"] / docs if docs else 0.0, "overlaps": st["overlaps"],
                     "conflicts": st["conflicts"], "kept": st["kept"]})
    return rows
