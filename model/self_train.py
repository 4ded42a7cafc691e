"""Self-training: a second stage in which the first model teaches a student on unlabelled text.

Why: a student of the rules alone learns the rules, mistakes included. After the first stage the
model already reads context the rules cannot (villages outside the gazetteer, names in lists); a
second stage on more distinct text (``../shared/corpus-extra``, 1.65M characters of the corpus's
source, read in place) lets those confident readings spread (BOND: Liang et al., KDD 2020, stage 2).

The teacher's labels are what the default ``predict()`` of the first model returns: its merged
output (``merge``/``merge_threshold`` of the config), so every rule span that the model does not
confidently overrule stays, and the model's confident spans are added where the rules are silent.
The student starts from the teacher's weights (one round), keeps the rules as input features, and
reads each unlabelled window once. Windows without any span are sampled (``self_train_empty_share``):
a third of the extra passages are national news without a single entity.

Passages of the extra directory that share a sentence with a dev or holdout passage are left out
(``model.corpus.extra_documents``), so that no gold text reaches training through a reprint.
"""
from __future__ import annotations

import logging
import random
import time
from collections.abc import Sequence
from pathlib import Path

from tqdm.auto import tqdm

from .config import TrainConfig
from .corpus import Document, extra_documents
from .paths import extra_dir
from .spans import Span

log = logging.getLogger(__name__)
def pseudo_label(teacher: str | Path, texts: list[str], merge: str, threshold: float,
                 chunk: int = 64) -> list[list[Span]]:
    """The teacher's merged spans on each (normalised) text, on that text's offsets."""
    from .fast_cpu import load_recognizer

    rec = load_recognizer(teacher, merge=merge, merge_threshold=threshold)
    out: list[list[Span]] = []
    started, chars = time.time(), sum(map(len, texts))
    for i in tqdm(range(0, len(texts), chunk), desc="teacher labelling", unit="chunk"):
        for spans in rec.predict(texts[i:i + chunk], values=False):
            out.append([Span(s["start"], s["end"], s["label"], "teacher") for s in spans])
    seconds = time.time() - started
    log.info("teacher (%s) labelled %d characters in %.0f s (%.0f chars/s)", rec.backend, chars, seconds,
             chars / max(seconds, 1e-9))
    return out


def self_train_rows(config: TrainConfig, teacher: str | Path, train_docs: list[Document],
                    skip: frozenset[str] = frozenset(),
                    hand: Sequence[tuple[str, str, list[Span]]] = ()) -> tuple[list[dict], dict]:
    """Training rows of the second stage (the training passages and the extra ones, teacher-labelled)
    and a manifest of what went in. ``skip``: extra passages left out of the pool (the hand-labelled
    ones: the first stage read them with their hand labels). ``hand``: hand-labelled passages
    ``(id, normalised text, spans)`` that keep their hand labels (``self_train_hand``): the teacher
    does not label them, and each of their windows joins the stage once, empty ones included, so
    that the student does not trade the annotators' reading for the teacher's."""
    from .dataset import labelled_examples
    from .normalize import normalize

    extra = [d for d in extra_documents(config.self_train_dir, config.corpus_dir, config.self_train_max_docs)
             if d.id not in skip]
    if config.self_train_share < 1.0:
        rng = random.Random(config.seed)
        extra = [d for d in extra if rng.random() < config.self_train_share]
    hand_ids = {doc_id for doc_id, _, _ in hand}
    docs = [d for d in train_docs if d.id not in hand_ids] + extra
    texts = [normalize(d.text).text for d in docs]
    started = time.time()
    spans = pseudo_label(teacher, texts, config.merge, config.merge_threshold)
    label_seconds = time.time() - started
    rows = labelled_examples([(d.id, t, s) for d, t, s in zip(docs, texts, spans)], config.window_chars,
                             {}, config.seed, empty_share=config.self_train_empty_share)
    hand_rows = labelled_examples(list(hand), config.window_chars, {}, config.seed)
    manifest = {
        "teacher": str(teacher),
        "training_passages": len(train_docs),
        "extra_passages": len(extra),
        "extra_share": config.self_train_share,
        "extra_dev_gold_excluded": True,  # the dev gold's extra passages were left out (corpus.extra_documents)
        "extra_dir": str(extra_dir(config.self_train_dir)),
        "characters": sum(map(len, texts)),
        "teacher_spans": sum(map(len, spans)),
        "hand_passages_kept": len(hand),
        "hand_windows": len(hand_rows),
        "windows": len(rows) + len(hand_rows),
        "label_seconds": round(label_seconds, 1),
    }
    return rows + hand_rows, manifest
