"""Span scores: strict (seqeval, IOB2) and lenient overlap, per label, micro and macro."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .labels import TAGS, spans_to_tag_ids
from .spans import LABELS, Span


def bio_tags(spans: Iterable[Span], length: int) -> list[str]:
    """Character-level IOB2 tags, as strings for seqeval; spans must not overlap.

    The tagging itself is ``model.labels.spans_to_tag_ids``, the one the training data uses."""
    return [TAGS[i] for i in spans_to_tag_ids(list(spans), 0, length)]


@dataclass
class PRF:
    tp: float = 0.0
    n_pred: int = 0
    n_gold: int = 0
    tp_gold: float = 0.0  # gold spans matched (differs from tp in overlap mode)

    @property
    def precision(self) -> float:
        return self.tp / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp_gold / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1,
                "support": self.n_gold, "predicted": self.n_pred}


def span_counts(gold: Sequence[Sequence[Span]], pred: Sequence[Sequence[Span]],
                mode: str = "strict") -> dict[str, PRF]:
    """Counts per label over documents. strict: same start, end and label (what seqeval counts
    in IOB2 strict mode); overlap: a predicted span counts if it overlaps a gold span of its label."""
    counts = {label: PRF() for label in LABELS}
    for g_doc, p_doc in zip(gold, pred, strict=True):
        for label in LABELS:
            g = [s for s in g_doc if s.label == label]
            p = [s for s in p_doc if s.label == label]
            c = counts[label]
            c.n_gold += len(g)
            c.n_pred += len(p)
            if mode == "strict":
                gk = {(s.start, s.end) for s in g}
                hit = sum((s.start, s.end) in gk for s in p)
                c.tp += hit
                c.tp_gold += hit
            else:
                c.tp += sum(any(s.overlaps(x) for x in g) for s in p)
                c.tp_gold += sum(any(s.overlaps(x) for x in p) for s in g)
    return counts


def summarise(counts: dict[str, PRF]) -> dict[str, dict]:
    """Per-label scores plus micro and macro averages."""
    out = {label: c.as_dict() for label, c in counts.items()}
    micro = PRF(sum(c.tp for c in counts.values()), sum(c.n_pred for c in counts.values()),
                sum(c.n_gold for c in counts.values()), sum(c.tp_gold for c in counts.values()))
    out["micro"] = micro.as_dict()
    present = [c for c in counts.values() if c.n_gold]
    out["macro"] = {k: sum(c.as_dict()[k] for c in present) / len(present) if present else 0.0
                    for k in ("precision", "recall", "f1")}
    out["macro"].update(support=micro.n_gold, predicted=micro.n_pred)
    return out


def seqeval_scores(gold: Sequence[Sequence[Span]], pred: Sequence[Sequence[Span]],
                   lengths: Sequence[int]) -> dict[str, dict]:
    """The same strict scores computed by seqeval (IOB2, strict mode), as the reference figure."""
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    y_true = [bio_tags(g, n) for g, n in zip(gold, lengths, strict=True)]
    y_pred = [bio_tags(p, n) for p, n in zip(pred, lengths, strict=True)]
    rep = classification_report(y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    return {k.replace(" avg", ""): {"precision": v["precision"], "recall": v["recall"], "f1": v["f1-score"],
                                     "support": int(v["support"])} for k, v in rep.items()}
