"""Weakly labelled, character-level training data as a ``datasets.DatasetDict`` (``make data``).

raw documents -> normalised text (offset map kept) -> weak labels -> sentence-packed windows ->
optional noisy copies. The holdout split carries GOLD labels, windowed the same way, so that
training can report a score without touching the weak labels of held-out text.
"""
from __future__ import annotations

import argparse
import json
import logging
import random
from collections import Counter, defaultdict
from pathlib import Path

from tqdm.auto import tqdm

from .augment import augment_window
from .config import load_config
from .corpus import Document, load_corpus, load_seeds, load_split
from .gold import load_gold
from .labels import TAGS, spans_to_tag_ids
from .normalize import normalize
from .paths import GOLD_FILE, PROJECT_ROOT
from .spans import Span
from .weak import default_labeller

log = logging.getLogger(__name__)


def _features():
    from datasets import ClassLabel, Features, Sequence, Value

    return Features({"id": Value("string"), "doc_id": Value("string"), "kind": Value("string"),
                     "text": Value("string"), "tags": Sequence(ClassLabel(names=TAGS))})


def window_examples(doc_id: str, text: str, spans: list[Span], window_chars: int, kind: str = "orig"):
    from .windows import windows

    for k, (a, b) in enumerate(windows(text, window_chars, spans)):
        inner = [Span(s.start - a, s.end - a, s.label) for s in spans if a <= s.start and s.end <= b]
        yield {"id": f"{doc_id}#{k}", "doc_id": doc_id, "kind": kind, "text": text[a:b],
               "tags": spans_to_tag_ids(inner, 0, b - a)}, inner


def weak_examples(docs: list[Document], window_chars: int, augment: dict[str, float], seed: int):
    labeller = default_labeller()
    base, pool = [], defaultdict(set)
    for doc in tqdm(docs, desc="weak labelling", unit="doc"):
        norm = normalize(doc.text)
        spans = labeller.label_normalized(norm)
        for s in spans:
            pool[s.label].add(norm.text[s.start:s.end])
        base.extend(window_examples(doc.id, norm.text, spans, window_chars))
    rng = random.Random(seed)
    pool_lists = {k: sorted(v) for k, v in pool.items()}
    rows = [ex for ex, _ in base]
    for kind, share in (augment or {}).items():
        for ex, spans in base:
            if spans and rng.random() < share:
                text, new_spans = augment_window(ex["text"], spans, kind, pool_lists, rng)
                rows.append({"id": f"{ex['id']}+{kind}", "doc_id": ex["doc_id"], "kind": kind,
                             "text": text, "tags": spans_to_tag_ids(new_spans, 0, len(text))})
    return rows


def gold_examples(gold_path: Path, window_chars: int, corpus_dir=None) -> list[dict]:
    rows = []
    for doc in load_gold(gold_path, corpus_dir):
        norm = normalize(doc.text)
        spans = [Span(*m, s.label) for s in doc.spans if (m := norm.to_normalized(s.start, s.end))]
        rows.extend(ex for ex, _ in window_examples(doc.id, norm.text, spans, window_chars, "gold"))
    return rows


def build_dataset(config: dict):
    """The DatasetDict (train: weak labels, holdout: gold) and a manifest of what went in."""
    from datasets import Dataset, DatasetDict

    split = load_split()
    holdout = set(split["holdout"])
    corpus = [d for d in load_corpus(config.get("corpus_dir")) if d.id not in holdout]
    if not corpus:
        log.warning("training on the %d seed documents only: the shared corpus was not found", len(load_seeds()))
    docs = load_seeds() + corpus
    train_rows = weak_examples(docs, config["window_chars"], config.get("augment") or {}, config["seed"])
    features = _features()
    dd = {"train": Dataset.from_list(train_rows, features=features)}
    gold_path = PROJECT_ROOT / config.get("gold", GOLD_FILE)
    if corpus and gold_path.is_file():
        dd["holdout"] = Dataset.from_list(gold_examples(gold_path, config["window_chars"],
                                                        config.get("corpus_dir")), features=features)
    manifest = {
        "seeds": len([d for d in docs if d.source == "seed"]),
        "corpus_passages": len(corpus),
        "corpus_available": bool(corpus),
        "holdout_passages": len(holdout) if "holdout" in dd else 0,
        "train_windows": Counter(r["kind"] for r in train_rows),
        "train_characters": sum(len(r["text"]) for r in train_rows),
        "window_chars": config["window_chars"],
        "augment": config.get("augment"),
        "seed": config["seed"],
    }
    return DatasetDict(dd), manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build the weakly labelled dataset (make data).")
    parser.add_argument("--config", default="configs/default.yaml")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    config = load_config(args.config)
    dd, manifest = build_dataset(config)
    out = PROJECT_ROOT / config["dataset_dir"]
    dd.save_to_disk(str(out))
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    log.info("saved %s to %s: %s", {k: len(v) for k, v in dd.items()}, out, manifest)


if __name__ == "__main__":
    main()
