"""Weakly labelled, character-level training data as a ``datasets.DatasetDict`` (``make data``).

raw documents -> normalised text (offset map kept) -> weak labels -> sentence-packed windows ->
optional noisy copies. The dev and holdout splits carry GOLD labels, windowed the same way; they
never contribute weak labels to training.

The saved dataset carries a fingerprint of everything its labels depend on (the source of the
rules, the normaliser and the augmentation, the input documents, the gazetteer data, the
settings); ``ensure_dataset`` rebuilds when it differs, so a changed rule is never trained on
stale labels. ``--overwrite-cache`` rebuilds regardless.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import random
import shutil
from collections import Counter, defaultdict
from pathlib import Path

from tqdm.auto import tqdm

from .augment import augment_window
from .config import TrainConfig, load_config
from .corpus import Document, extra_documents, held_out_extra_ids, held_out_ids, load_split, training_documents
from .gold import GoldDocument, GoldFormatError, load_gold
from .labels import TAGS, spans_to_tag_ids
from .normalize import normalize
from .paths import DEV_GOLD_FILE, GOLD_FILE
from .spans import Span
from .weak import default_labeller

log = logging.getLogger(__name__)
PACKAGE_DIR = Path(__file__).resolve().parent
# The code that decides the labels and the text of the windows.
_LABEL_CODE = ("weak", "normalize.py", "augment.py", "variants.py", "windows.py", "labels.py", "dataset.py",
               "spans.py", "corpus.py")


def row_features():
    from datasets import ClassLabel, Features, Sequence, Value

    return Features({"id": Value("string"), "doc_id": Value("string"), "kind": Value("string"),
                     "text": Value("string"), "tags": Sequence(ClassLabel(names=TAGS))})


def window_examples(doc_id: str, text: str, spans: list[Span], window_chars: int, kind: str = "orig"):
    from .windows import windows

    for k, (a, b) in enumerate(windows(text, window_chars, spans)):
        inner = [Span(s.start - a, s.end - a, s.label, s.source) for s in spans if a <= s.start and s.end <= b]
        yield {"id": f"{doc_id}#{k}", "doc_id": doc_id, "kind": kind, "text": text[a:b],
               "tags": spans_to_tag_ids(inner, 0, b - a)}, inner


Labelled = list[tuple[str, str, list[Span]]]  # (doc_id, normalised text, weak spans)


def weak_label_documents(docs: list[Document]) -> Labelled:
    """Each document normalised and weakly labelled: computed once per build, shared by the
    fingerprint and the training rows."""
    labeller = default_labeller()
    labelled = []
    for doc in tqdm(docs, desc="weak labelling", unit="doc"):
        norm = normalize(doc.text)
        labelled.append((doc.id, norm.text, labeller.label_normalized(norm)))
    return labelled


def labelled_examples(labelled: list[tuple[str, str, list[Span]]], window_chars: int,
                      augment: dict[str, float], seed: int, empty_share: float = 1.0) -> list[dict]:
    """Training rows from ``(doc_id, normalised text, spans)``: sentence-packed windows, then the
    noisy copies. ``empty_share``: the share of windows without any span that is kept (1.0: all)."""
    base, pool = [], defaultdict(set)
    rng = random.Random(seed)
    for doc_id, text, spans in labelled:
        for s in spans:
            pool[s.label].add(text[s.start:s.end])
        for ex, inner in window_examples(doc_id, text, spans, window_chars):
            if inner or empty_share >= 1.0 or rng.random() < empty_share:
                base.append((ex, inner))
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


def hand_documents(config: TrainConfig) -> list[GoldDocument]:
    """The hand-labelled passages (``hand_labels``) as gold documents, ``hand_rounds`` applied; ``[]``
    when none are configured. The one place that decides which passages carry hand labels."""
    if not config.hand_labels:
        return []
    path = config.resolve(config.hand_labels)
    if not path.is_file():
        raise FileNotFoundError(f"hand_labels: {path} not found")
    try:
        docs = load_gold(path, config.corpus_dir, config.self_train_dir)
    except GoldFormatError as e:  # another corpus under the same file names, or a passage missing
        raise ValueError(f"hand_labels: {path}: {e}; set hand_labels: '' to train without them") from None
    if config.hand_rounds:
        rounds = load_split().get("train_gold_by_round", [])
        if not 0 < config.hand_rounds <= len(rounds):
            raise ValueError(f"hand_rounds: {config.hand_rounds}, but data/split.json lists {len(rounds)} "
                             "labelling rounds (train_gold_by_round): give 1 to that number, or 0 for all")
        keep = {doc_id for r in rounds[:config.hand_rounds] for doc_id in r}
        docs = [d for d in docs if d.id in keep]
    return docs


def hand_labelled(config: TrainConfig, docs: list[GoldDocument] | None = None) -> Labelled:
    """The hand-labelled training passages, normalised, with their hand spans on the normalised
    text. A dev or holdout passage in the file is an error: it would leak gold text into training.
    ``docs``: what ``hand_documents(config)`` returns, when the caller has read it already."""
    held = held_out_ids() | held_out_extra_ids()
    out = []
    for doc in hand_documents(config) if docs is None else docs:
        if doc.id in held:
            raise ValueError(f"hand_labels: {config.hand_labels} holds {doc.id}, a dev or holdout passage "
                             "(see data/split.json)")
        norm = normalize(doc.text)
        out.append((doc.id, norm.text,
                    [Span(*m, s.label, "hand") for s in doc.spans if (m := norm.to_normalized(s.start, s.end))]))
    return out


def hand_extra_ids(docs: list[GoldDocument]) -> set[str]:
    """Those of the hand-labelled passages ``docs`` read from the extra directory: more distinct
    training text, added beside the corpus' training passages rather than replacing any."""
    return {d.id for d in docs if d.source == "corpus-extra"}


def with_hand_labels(labelled: Labelled, hand: Labelled, extra_ids: set[str] = frozenset()) -> Labelled:
    """``labelled`` with the hand spans in place of the weak ones on the hand-labelled passages, and
    the hand-labelled passages of the extra directory (``extra_ids``) added after them."""
    by_id = {doc_id: (text, spans) for doc_id, text, spans in hand}
    out = []
    for doc_id, text, spans in labelled:
        if doc_id in by_id:
            hand_text, spans = by_id[doc_id]
            if hand_text != text:
                raise ValueError(f"hand_labels: passage {doc_id} differs from the training passage of that name")
        out.append((doc_id, text, spans))
    seen = {doc_id for doc_id, _, _ in labelled}
    out += [row for row in hand if row[0] in extra_ids and row[0] not in seen]
    missing = set(by_id) - seen - set(extra_ids)
    if missing:
        raise ValueError(f"hand_labels: {len(missing)} passages are not training passages: {sorted(missing)[:5]}")
    return out


def hand_rows(config: TrainConfig) -> list[dict]:
    """Training rows of the last stage: the hand-labelled windows and their noisy copies."""
    return labelled_examples(hand_labelled(config), config.window_chars, config.augment or {}, config.seed)


def _digest_files(h, root: Path, names: tuple[str, ...]) -> None:
    for name in names:
        path = root / name
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for f in files:
            h.update(str(f.relative_to(root)).encode())
            h.update(f.read_bytes())


def fingerprint(config: TrainConfig, docs: list[Document], labelled: Labelled) -> str:
    """SHA-256 over what the training windows depend on: the labelling and augmentation code, the
    documents (ids and digests), the weak labels they get now (``labelled``, one per document), the
    data packages' versions and the dataset settings. Any change means a rebuild."""
    import importlib.metadata as md

    h = hashlib.sha256()
    _digest_files(h, PACKAGE_DIR, _LABEL_CODE)
    for doc, (_, _, spans) in zip(docs, labelled, strict=True):  # the documents and their weak labels
        h.update(doc.id.encode())
        h.update(hashlib.sha256(doc.text.encode("utf-8")).digest())
        h.update(json.dumps([(s.start, s.end, s.label) for s in spans]).encode())
    for dist in ("jionlp", "opencc", "cn2an", "pypinyin"):
        try:
            h.update(f"{dist}=={md.version(dist)}".encode())
        except md.PackageNotFoundError:
            h.update(f"{dist} missing".encode())
    keys = ("window_chars", "augment", "seed", "gold", "dev_gold", "corpus_dir")
    if config.extra_text > 0:  # only then: the settings of a run without extra text stay as they were
        keys += ("extra_text", "extra_empty_share")
    if config.hand_labels and config.hand_repeat:  # the same: only when the first stage's rows change
        keys += ("hand_labels", "hand_repeat")
        if config.hand_rounds:
            keys += ("hand_rounds",)
    settings = {k: getattr(config, k) for k in keys}
    h.update(json.dumps(settings, sort_keys=True, default=str).encode())
    golds = [config.resolve(config.gold), config.resolve(config.dev_gold)]
    if config.hand_labels and config.hand_repeat:
        golds.append(config.resolve(config.hand_labels))
    for gold in golds:
        if gold.is_file():  # the spans only: values added to a gold file change no label
            for line in gold.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    obj = json.loads(line)
                    spans = [(s["start"], s["end"], s["label"]) for s in obj.get("spans", [])]
                    h.update(json.dumps([obj.get("id"), obj.get("sha256"), spans]).encode())
    return h.hexdigest()


def extra_training_documents(config: TrainConfig) -> list[Document]:
    """The extra passages weakly labelled for the first stage (``extra_text``: the first share of
    them in file order; ``[]`` when it is 0 or the directory is absent)."""
    if config.extra_text <= 0:
        return []
    extra = extra_documents(config.self_train_dir, config.corpus_dir, config.self_train_max_docs)
    return extra[:round(len(extra) * min(config.extra_text, 1.0))]


def _inputs(config: TrainConfig) -> tuple[list[Document], list[Document], Labelled, Labelled]:
    """The training documents, the extra ones (``extra_text``), and their weak labels."""
    docs, extra = training_documents(config.corpus_dir), extra_training_documents(config)
    return docs, extra, weak_label_documents(docs), weak_label_documents(extra)


def build_dataset(config: TrainConfig, inputs=None):
    """The DatasetDict (train: weak labels; dev, holdout: gold) and a manifest of what went in.
    ``inputs``: what ``_inputs(config)`` returns, when the caller has it already."""
    from datasets import Dataset, DatasetDict

    docs, extra, labelled, extra_labelled = inputs or _inputs(config)
    weak_labelled = labelled
    corpus = [d for d in docs if d.source == "corpus"]
    if not corpus:
        log.warning("training on the %d seed documents only: the shared corpus was not found", len(docs))
    augment = config.augment or {}
    hand_docs = hand_documents(config) if corpus and config.hand_repeat else []  # read once
    hand = hand_labelled(config, hand_docs)
    hand_extra = hand_extra_ids(hand_docs)
    if hand:  # the hand labels in place of the rules' on those passages, their windows hand_repeat times
        labelled = with_hand_labels(labelled, hand, hand_extra)
    # an extra passage labelled by hand is not also read with the rules' labels
    extra_weak = [row for row in extra_labelled if row[0] not in hand_extra]
    train_rows = labelled_examples(labelled, config.window_chars, augment, config.seed)
    hand_ids = {doc_id for doc_id, _, _ in hand}
    train_rows += [{**r, "id": f"{r['id']}*{k}"} for k in range(1, config.hand_repeat if hand else 0)
                   for r in train_rows if r["doc_id"] in hand_ids and "*" not in r["id"]]
    if extra:  # more distinct text, rather than more epochs over the same (their own rng: the rows above stay)
        train_rows += labelled_examples(extra_weak, config.window_chars, augment, config.seed + 1,
                                        empty_share=config.extra_empty_share)
    features = row_features()
    dd = {"train": Dataset.from_list(train_rows, features=features)}
    for split, default in (("dev", DEV_GOLD_FILE), ("holdout", GOLD_FILE)):
        gold_path = config.resolve((config.dev_gold if split == "dev" else config.gold) or str(default))
        if corpus and gold_path.is_file():
            dd[split] = Dataset.from_list(gold_examples(gold_path, config.window_chars, config.corpus_dir),
                                          features=features)
    manifest = {
        "fingerprint": fingerprint(config, docs + extra, weak_labelled + extra_labelled),
        "hand_labelled_passages": len(hand),
        "hand_repeat": config.hand_repeat if hand else 0,
        "hand_passages": sorted(hand_ids),  # their rows take full loss weight (model.train)
        "hand_extra_passages": len(hand_extra),
        "extra_passages": len(extra_weak),  # read with the rules' labels (extra_text)
        "extra_dev_gold_excluded": bool(extra),  # the dev gold's extra passages were left out (corpus.extra_documents)
        "seeds": len([d for d in docs if d.source == "seed"]),
        "corpus_passages": len(corpus),
        "corpus_available": bool(corpus),
        "held_out_passages": len(held_out_ids()),
        "gold_splits": {k: len(v) for k, v in dd.items() if k != "train"},
        "train_windows": Counter(r["kind"] for r in train_rows),
        "train_characters": sum(len(r["text"]) for r in train_rows),
        "window_chars": config.window_chars,
        "augment": config.augment,
        "seed": config.seed,
    }
    return DatasetDict(dd), manifest


def save_dataset(dd, manifest: dict, out: Path) -> None:
    """Write to a temporary directory, then swap it in: a killed build leaves the old dataset."""
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    dd.save_to_disk(str(tmp))
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)


def ensure_dataset(config: TrainConfig, overwrite_cache: bool = False):
    """The saved DatasetDict when its fingerprint matches what the labels depend on now; else
    (or with ``overwrite_cache``) a fresh build."""
    from datasets import load_from_disk

    out = config.resolve(config.dataset_dir)
    manifest_path = out / "manifest.json"
    inputs = None
    if manifest_path.is_file() and not overwrite_cache:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        inputs = docs, extra, labelled, extra_labelled = _inputs(config)
        if manifest.get("fingerprint") == fingerprint(config, docs + extra, labelled + extra_labelled):
            return load_from_disk(str(out)), manifest
        log.info("the dataset in %s is stale (rules, documents or settings changed): rebuilding", out)
    log.info("building the weakly labelled dataset in %s", out)
    dd, manifest = build_dataset(config, inputs)
    save_dataset(dd, manifest, out)
    return dd, manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build the weakly labelled dataset (make data).")
    parser.add_argument("--config", default="configs/default.yaml")
    parser.add_argument("--overwrite-cache", action="store_true", help="rebuild even when the cache is current")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    config = load_config(args.config)
    dd, manifest = ensure_dataset(config, overwrite_cache=args.overwrite_cache)
    log.info("dataset %s in %s: %s", {k: len(v) for k, v in dd.items()}, config.dataset_dir, manifest)


if __name__ == "__main__":
    main()
