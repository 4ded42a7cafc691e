"""The rules as model input: one feature id per character, fed as ``token_type_ids``.

Why: the model learns from 355k characters of text, the rules consult 336k gazetteer names. On a
CPU budget the student cannot learn every rare name (右玉, 两当) from the text alone, so it is told,
per character, what the rules and the gazetteer see there; during training the features are
dropped at random (whole windows and single spans) so that the model also learns to judge the
context instead of copying the feature, and to overrule it where the context disagrees.

Feature ids (``FEATURE_NAMES``): 0 nothing; then B/I of each label's aggregated weak span; then
B/I of a gazetteer name that no weak span covers (a name the context guards rejected: the model
decides). Using ``token_type_ids`` keeps the model a plain ``BertForTokenClassification``: it saves
with ``save_pretrained``, and ``pipeline()`` still loads it (without features it reads type 0).
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from .spans import LABELS, Span

FEATURE_SET = "weak-spans+gazetteer-v1"
FEATURE_NAMES: list[str] = (["none"] + [f"{p}-{label}" for label in LABELS for p in ("B", "I")]
                            + ["B-GAZETTEER", "I-GAZETTEER"])
NUM_FEATURES = len(FEATURE_NAMES)
_GAZ = len(FEATURE_NAMES) - 2
GAZETTEER_B = _GAZ  # the B id of a gazetteer name that no weak span covers (CharFeatures.spans)


@dataclass(frozen=True)
class CharFeatures:
    """Per-character feature ids plus the spans they came from (for dropout)."""

    ids: list[int]
    spans: list[tuple[int, int, int]]  # (start, end, B feature id)


def lexicon_spans(text: str) -> list[tuple[int, int]]:
    """Every gazetteer name in ``text`` (guards ignored), leftmost-longest, non-overlapping."""
    from .weak.gazetteer import automaton, decode

    found = sorted((last + 1 - decode(value)[0], -decode(value)[0]) for last, value in automaton().iter(text))
    out, prev_end = [], 0
    for start, neg_len in found:
        if start >= prev_end:
            out.append((start, start - neg_len))
            prev_end = start - neg_len
    return out


def char_features(text: str, weak_spans: list[Span] | None = None) -> CharFeatures:
    """Feature ids for normalised ``text``; ``weak_spans`` are the weak labeller's resolved spans
    on that text (computed here when not given)."""
    if weak_spans is None:
        from .normalize import normalize
        from .weak import default_labeller

        weak_spans = default_labeller().label_normalized(normalize(text))
    ids = [0] * len(text)
    spans: list[tuple[int, int, int]] = []
    for s in weak_spans:
        b = 1 + 2 * LABELS.index(s.label)
        spans.append((s.start, s.end, b))
    covered = [False] * len(text)
    for a, e, _ in spans:
        covered[a:e] = [True] * (e - a)
    for a, e in lexicon_spans(text):
        if not any(covered[a:e]):
            spans.append((a, e, _GAZ))
    for a, e, b in spans:
        ids[a] = b
        ids[a + 1:e] = [b + 1] * (e - a - 1)
    return CharFeatures(ids, sorted(spans))


def drop_features(feats: CharFeatures, rng: random.Random, p_window: float, p_span: float) -> list[int]:
    """Training-time dropout: all features of the window with ``p_window``, else each span with
    ``p_span``, so the model must also read the context."""
    if p_window and rng.random() < p_window:
        return [0] * len(feats.ids)
    if not p_span:
        return list(feats.ids)
    ids = list(feats.ids)
    for a, e, _ in feats.spans:
        if rng.random() < p_span:
            ids[a:e] = [0] * (e - a)
    return ids
