"""The BIO tag inventory, in the order saved as ``id2label`` in every model directory."""
from __future__ import annotations

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
