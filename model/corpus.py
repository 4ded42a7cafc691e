"""Reading the raw documents: the seeds in data/seeds and the third-party corpus, read in place."""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from .paths import SEEDS_DIR, SPLIT_FILE, corpus_dir, extra_dir

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    source: str  # "seed", "corpus" or "extra"


def read_text(path: Path) -> str:
    """Exactly as stored: UTF-8, no newline translation (gold offsets count every character)."""
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def load_seeds(seeds_dir: Path = SEEDS_DIR) -> list[Document]:
    return [Document(p.name, read_text(p), "seed") for p in sorted(Path(seeds_dir).glob("*.txt"))]


def load_corpus(directory: str | Path | None = None, ids: list[str] | None = None) -> list[Document]:
    """Passages of the shared corpus; ``[]`` with a warning when the directory is absent."""
    root = corpus_dir(directory)
    if not root.is_dir():
        log.warning("corpus directory %s not found: continuing with the seeds only "
                    "(set NER_CORPUS_DIR or corpus_dir in the config; see README)", root)
        return []
    paths = [root / i for i in ids] if ids is not None else sorted(root.glob("[0-9]*.txt"))
    return [Document(p.name, read_text(p), "corpus") for p in paths if p.is_file()]


def load_split(path: Path = SPLIT_FILE) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def held_out_ids(split_file: Path = SPLIT_FILE) -> set[str]:
    """Corpus passages that never enter weak-label training: the gold holdout and the gold dev set."""
    split = load_split(split_file)
    return set(split["holdout"]) | set(split.get("dev", []))


def held_out_extra_ids(split_file: Path = SPLIT_FILE) -> set[str]:
    """Extra passages that never enter training: the second half of the gold dev set."""
    return set(load_split(split_file).get("dev_extra", []))


def training_documents(directory: str | Path | None = None, split_file: Path = SPLIT_FILE) -> list[Document]:
    """Seeds plus every corpus passage outside the holdout and the dev set (the one selection of
    training text: the dataset, the encoder's vocabulary extension and the benchmarks use it)."""
    held = held_out_ids(split_file)
    return load_seeds() + [d for d in load_corpus(directory) if d.id not in held]


_SENTENCE_END = re.compile(r"[。！？!?\n]")
MIN_SHARED_SENTENCE = 20  # characters: shorter sentences ("记者：", datelines) repeat innocently


def long_sentences(text: str) -> set[str]:
    return {s.strip() for s in _SENTENCE_END.split(text) if len(s.strip()) >= MIN_SHARED_SENTENCE}


def extra_documents(directory: str | Path | None = None, corpus: str | Path | None = None,
                    max_docs: int | None = None) -> list[Document]:
    """The extra passages (``../shared/corpus-extra``: self-training, ``extra_text``), read in place;
    ``[]`` with a warning when the directory is absent. The dev gold's extra passages
    (``held_out_extra_ids``) are left out, and so are passages that share a sentence of at least
    ``MIN_SHARED_SENTENCE`` characters with a dev or holdout passage, so that no gold text reaches
    training through a reprint. ``max_docs``: the first ones only (smoke tests)."""
    root = extra_dir(directory)
    if not root.is_dir():
        log.warning("extra passages: %s not found (set NER_EXTRA_DIR or self_train_dir); training reads the "
                    "corpus passages only", root)
        return []
    gold_extra = held_out_extra_ids()
    docs = [Document(p.name, read_text(p), "extra") for p in sorted(root.glob("[0-9]*.txt"))]
    held = long_sentences("\n".join([d.text for d in load_corpus(corpus, sorted(held_out_ids()))]
                                     + [d.text for d in docs if d.id in gold_extra]))
    kept = [d for d in docs if d.id not in gold_extra and not (long_sentences(d.text) & held)]
    if len(kept) < len(docs):
        log.info("%d of %d extra passages are dev gold or share a sentence with the dev or holdout gold: left "
                 "out", len(docs) - len(kept), len(docs))
    return kept if max_docs is None else kept[:max_docs]
