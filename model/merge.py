"""Rules and model together: one flat span set from the weak labeller's spans and the model's.

Two policies, chosen on the gold dev set (``benchmarks/experiments.py``), never on the holdout:
- ``rules-first``: every rule span, plus the model's spans (score >= threshold) where no rule span
  overlaps; the model fills the rules' gaps (names outside the gazetteer, bare names in lists).
- ``model-first``: every model span with score >= threshold, plus the rule spans where the model
  has none; the rules fill the model's gaps (rare gazetteer names it has not learnt).
- ``model-first-longer``: ``model-first``, except that a rule span which contains confident model
  spans of its own label, and only such, replaces them: the model cut a name the rules read whole
  (萍乡 + 经开区 for 萍乡经开区, 百企帮百 for 百企帮百村), and the guideline prefers the longer reading.
``none`` is the model alone. All spans are ``(start, end, label, score)`` on one text.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import NamedTuple

POLICIES = ("none", "rules-first", "model-first", "model-first-longer")
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


def check_settings(policy: str | None = None, threshold: float | None = None,
                   min_score: float | None = None) -> None:
    """The one check of a merge setting, wherever it comes from (a model's inference block, the
    ``Recognizer`` arguments, ``model.inference_settings``, ``make eval --merged``); each part is
    checked when given."""
    if policy is not None and policy not in POLICIES:
        raise ValueError(f"merge must be one of {POLICIES}, got {policy!r}: no such merge policy")
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise ValueError(f"merge_threshold must lie in [0, 1], got {threshold}")
    if min_score is not None and not 0.0 <= min_score <= 1.0:
        raise ValueError(f"min_score must lie in [0, 1], got {min_score}")


class Served(NamedTuple):
    """What ``predict()`` serves by default: the merge, its threshold, whether quoted PROGRAM
    names are taken whole (``model.quotes``) and whether number spans that split a number are
    dropped (``model.whole_numbers``), and the score under which the model's own spans are dropped
    (``min_score``; 0 keeps them all)."""

    merge: str
    threshold: float
    snap_quotes: bool
    whole_numbers: bool = False
    min_score: float = 0.0


def served_settings(inference: dict | None) -> Served:
    """The serving settings from a model's ``config.json`` inference block: the model alone at 0.5,
    quotes and numbers as decoded, where the block says nothing (models trained before the keys
    existed). The one reading for the ``Recognizer`` and for the evaluation report's header, so that
    the two cannot disagree."""
    inference = inference or {}
    threshold = inference.get("merge_threshold")
    return Served(inference.get("merge") or "none", float(0.5 if threshold is None else threshold),
                  bool(inference.get("snap_quotes", False)), bool(inference.get("whole_numbers", False)),
                  float(inference.get("min_score") or 0.0))


def merge(rules: list[SpanT], model: list[SpanT], policy: str, threshold: float) -> list[SpanT]:
    check_settings(policy)
    confident = [s for s in model if s[3] >= threshold]
    if policy == "none":
        return sorted(model)
    if policy == "rules-first":
        return _fill(list(rules), confident)
    if policy == "model-first-longer":
        confident = _longer_rules(rules, confident)
    return _fill(confident, list(rules))


def _longer_rules(rules: list[SpanT], confident: list[SpanT]) -> list[SpanT]:
    """``confident`` with every group of model spans that lies inside one longer rule span of the
    same label (and that no other model span overlaps) replaced by that rule span. Both span sets
    are flat (no overlaps within either), so each rule span finds its model spans by bisection:
    O((R + M) log M) on long documents."""
    model = sorted(confident)
    starts = [m[0] for m in model]
    ends = [m[1] for m in model]
    dropped: set[int] = set()
    added: list[SpanT] = []
    for r in rules:
        lo, hi = bisect_right(ends, r[0]), bisect_left(starts, r[1])
        inside = model[lo:hi]
        if (inside and all(r[0] <= m[0] and m[1] <= r[1] and m[2] == r[2] for m in inside)
                and any(m[1] - m[0] < r[1] - r[0] for m in inside)):
            dropped.update(range(lo, hi))
            added.append(r)
    return sorted([m for i, m in enumerate(model) if i not in dropped] + added)
