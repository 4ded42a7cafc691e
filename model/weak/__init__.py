"""Weak supervision: rules and gazetteers that label raw text for training (see README)."""
from __future__ import annotations

from functools import lru_cache

from ..spans import as_batch
from .aggregate import WeakLabeller, lf_statistics, resolve


@lru_cache(maxsize=1)
def default_labeller() -> WeakLabeller:
    return WeakLabeller()


def weak_label(texts: str | list[str], values: bool = True) -> list[dict] | list[list[dict]]:
    """Spans ``{"label", "text", "start", "end"}`` on the original string, sorted by start.

    One str gives one list; a list of str gives one list per text (the shape of ``predict()``).
    ``values``: add each span's normalised value keys (``model.enrich``); False for spans only.
    """
    batch, single = as_batch(texts)
    labeller = default_labeller()
    out = [[s.to_dict(t) for s in labeller.label(t)] for t in batch]
    if values:
        from ..enrich import enrich

        out = [enrich(t, spans) for t, spans in zip(batch, out, strict=True)]
    return out[0] if single else out


__all__ = ["WeakLabeller", "default_labeller", "lf_statistics", "resolve", "weak_label"]
