"""How far each labelling function can be trusted: its precision on the gold dev set.

Used to weight the loss (``lf_reliability`` in the config): a span voted by a function that is
right 60% of the time teaches the model less than one from a function that is right 99% of the
time. Measured on the dev gold only, never on the holdout.
"""
from __future__ import annotations

import logging
from collections import Counter

from .config import TrainConfig
from .gold import GoldDocument, load_gold
from .normalize import normalize

log = logging.getLogger(__name__)
FLOOR = 0.1  # a function never right still leaves its spans a little weight


def lf_precision(docs: list[GoldDocument]) -> dict[str, dict]:
    """Per labelling function: votes, exact hits (same boundaries and label as a gold span) and
    precision, votes mapped to the original text before matching."""
    from .weak import default_labeller

    labeller = default_labeller()
    votes, hits = Counter(), Counter()
    for doc in docs:
        gold = {(s.start, s.end, s.label) for s in doc.spans}
        norm = normalize(doc.text)
        for v in labeller.votes(norm):
            a, b = norm.to_original(v.start, v.end)
            votes[v.source] += 1
            hits[v.source] += (a, b, v.label) in gold
    return {name: {"votes": votes[name], "hits": hits[name],
                   "precision": hits[name] / votes[name] if votes[name] else None}
            for name in (lf.name for lf in labeller.functions)}


def load_reliability(config: TrainConfig) -> dict[str, float] | None:
    """{function name: loss weight} from the dev gold, or None (with a warning) without it."""
    path = config.resolve(config.dev_gold)
    try:
        docs = load_gold(path, config.corpus_dir)
    except (FileNotFoundError, ValueError) as err:
        log.warning("lf_reliability: no dev gold (%s); spans keep weight 1", err)
        return None
    table = lf_precision(docs)
    weights = {name: max(FLOOR, row["precision"]) for name, row in table.items() if row["precision"] is not None}
    log.info("labelling-function reliability on the dev gold: %s", weights)
    return weights
