"""The BIO tag inventory, in the order saved as ``id2label`` in every model directory."""
from __future__ import annotations

import numpy as np

from .spans import LABELS, Span

TAGS: list[str] = ["O"] + [f"{p}-{label}" for label in LABELS for p in ("B", "I")]
TAG2ID: dict[str, int] = {t: i for i, t in enumerate(TAGS)}
ID2TAG: dict[int, str] = dict(enumerate(TAGS))


def spans_to_tag_ids(spans: list[Span], start: int, end: int) -> list[int]:
    """Tag ids for characters ``[start, end)`` of a text; spans are in the same coordinates."""
    ids = [0] * (end - start)
    for s in spans:
        if s.end <= start or s.start >= end:
            continue
        a, b = max(s.start, start), min(s.end, end)
        ids[a - start] = TAG2ID[f"B-{s.label}"] if a == s.start else TAG2ID[f"I-{s.label}"]
        for i in range(a + 1, b):
            ids[i - start] = TAG2ID[f"I-{s.label}"]
    return ids


def tag_ids_to_spans(tags: list[str], scores: list[float] | None = None) -> list[tuple[int, int, str, float]]:
    """Decode IOB2 tags (lenient: an I- after O or another label starts a span) into
    (start, end, label, mean score)."""
    out, cur = [], None
    for i, tag in enumerate(tags + ["O"]):
        kind, _, label = tag.partition("-")
        if cur and (kind != "I" or label != cur[2]):
            s = scores[cur[0]:i] if scores else [1.0]
            out.append((cur[0], i, cur[2], sum(s) / len(s)))
            cur = None
        if kind in ("B", "I") and cur is None:
            cur = [i, i + 1, label]
    return out


def allowed_transitions() -> np.ndarray:
    """``allowed[i, j]``: tag j may follow tag i in IOB2 (I-X only after B-X or I-X)."""
    n = len(TAGS)
    allowed = np.ones((n, n), dtype=bool)
    for j, tag in enumerate(TAGS):
        if tag.startswith("I-"):
            label = tag[2:]
            allowed[:, j] = False
            allowed[TAG2ID[f"B-{label}"], j] = allowed[j, j] = True
    return allowed


def viterbi_tags(log_probs: np.ndarray) -> list[int]:
    """The most probable tag sequence that is valid IOB2, from per-character log-probabilities.

    Argmax decoding lets a model emit ``O I-X I-X`` or ``B-X I-Y``, which decode to fragments; the
    constrained path turns such hesitations into whole spans (or none).
    """
    length, n = log_probs.shape
    if length == 0:
        return []
    penalty = np.where(allowed_transitions(), 0.0, -np.inf)
    start_ok = np.array([0.0 if not t.startswith("I-") else -np.inf for t in TAGS])
    score = log_probs[0] + start_ok
    back = np.zeros((length, n), dtype=np.int64)
    for i in range(1, length):
        cand = score[:, None] + penalty  # [prev, next]
        back[i] = cand.argmax(0)
        score = cand.max(0) + log_probs[i]
    path = [int(score.argmax())]
    for i in range(length - 1, 0, -1):
        path.append(int(back[i, path[-1]]))
    return path[::-1]
