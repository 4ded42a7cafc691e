"""Rules and model together: one flat span set from the weak labeller's spans and the model's.

Two policies, chosen on the gold dev set (``benchmarks/experiments.py``), never on the holdout:
- ``rules-first``: every rule span, plus the model's spans (score >= threshold) where no rule span
  overlaps; the model fills the rules' gaps (names outside the gazetteer, bare names in lists).
- ``model-first``: every model span with score >= threshold, plus the rule spans where the model
  has none; the rules fill the model's gaps (rare gazetteer names it has not learnt).
``none`` is the model alone. All spans are ``(start, end, label, score)`` on one text.
"""
from __future__ import annotations

from bisect import bisect_left

POLICIES = ("none", "rules-first", "model-first")
RULE_SCORE = 1.0  # a rule span's score in merged output: the rules do not grade themselves

SpanT = tuple[int, int, str, float]


def _fill(base: list[SpanT], extra: list[SpanT]) -> list[SpanT]:
    """``base`` plus the spans of ``extra`` that overlap nothing already taken."""
    taken = sorted(base)
    starts = [s[0] for s in taken]
    for span in sorted(extra, key=lambda s: (-(s[1] - s[0]), s[0])):
        i = bisect_left(starts, span[0])
        if i < len(taken) and taken[i][0] < span[1]:
            continue
        if i > 0 and taken[i - 1][1] > span[0]:
            continue
        taken.insert(i, span)
        starts.insert(i, span[0])
    return taken


def merge(rules: list[SpanT], model: list[SpanT], policy: str, threshold: float) -> list[SpanT]:
    if policy not in POLICIES:
        raise ValueError(f"merge policy must be one of {POLICIES}, got {policy!r}")
    confident = [s for s in model if s[3] >= threshold]
    if policy == "none":
        return sorted(model)
    if policy == "rules-first":
        return _fill(list(rules), confident)
    return _fill(confident, list(rules))
