"""The one span shape shared by the weak labeller, the gold sets and predict()."""
from __future__ import annotations

from dataclasses import dataclass, field

LABELS: tuple[str, ...] = ("REGION", "PROGRAM", "AMOUNT", "POPULATION")


@dataclass(frozen=True, order=True)
class Span:
    """A labelled half-open character range ``[start, end)``.

    Order is (start, end, label, source) so that ``sorted()`` gives reading order.
    ``source`` names the labelling function that proposed it (empty for gold or model spans);
    ``score`` is a model's confidence (1.0 for rules and gold); it takes no part in comparisons.
    """

    start: int
    end: int
    label: str
    source: str = ""
    score: float = field(default=1.0, compare=False)

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def __len__(self) -> int:
        return self.end - self.start

    def to_dict(self, text: str) -> dict:
        """The public dict form: ``{"label", "text", "start", "end"}``."""
        return {"label": self.label, "text": text[self.start:self.end], "start": self.start, "end": self.end}


def check_text(text: object, what: str = "text") -> str:
    """Raise a TypeError that says what was expected, for anything that is not a str."""
    if not isinstance(text, str):
        raise TypeError(f"{what} must be a str or a list of str, got {type(text).__name__}")
    return text


def as_batch(texts: object) -> tuple[list[str], bool]:
    """Accept one str or a list/tuple of str; return (list, was_single)."""
    if isinstance(texts, str):
        return [texts], True
    if isinstance(texts, (list, tuple)):
        return [check_text(t, "each item") for t in texts], False
    raise TypeError(f"expected a str or a list of str, got {type(texts).__name__}")


__all__ = ["LABELS", "Span", "as_batch", "check_text"]
