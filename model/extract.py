"""Entity spans as table rows for analysts: one record per entity, from texts or files, any size.

    from model.extract import extract, to_dataframe
    df = to_dataframe(extract(["湖南省投入785万元"], ids=["a"], rules_only=True))

    python -m model.extract data/seeds --rules-only --format csv --out seeds.csv

Inputs are read lazily (:func:`iter_documents`) and labelled ``batch_size`` documents at a time,
and writers write each document's records as they come, so memory does not grow with the number
of documents. A file that cannot be read, or a broken JSONL line, is logged, counted as
:class:`Skipped` and passed over; it never stops the run and never drops another document.

This module labels and runs the CLI; the parts live in :mod:`model.readers` (input kinds, UTF-8),
:mod:`model.records` (the columns and their types) and :mod:`model.writers` (JSONL, CSV, Parquet).
Their public names are re-exported here, so ``from model.extract import ...`` keeps working.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from .enrich import enrich
from .readers import JSONL_SUFFIXES, Document, Skipped, iter_documents
from .records import (
    COLUMNS,
    DTYPES,
    NORMALISED_KEYS,
    PARENT_COLUMNS,
    SPAN_COLUMNS,
    VALUE_KEYS,
    arrow_schema,
    flat_row,
    make_record,
    to_dataframe,
)
from .spans import as_batch
from .writers import CsvWriter, JsonlWriter, ParquetWriter, Writer

__all__ = [
    # model.records
    "COLUMNS", "DTYPES", "NORMALISED_KEYS", "PARENT_COLUMNS", "SPAN_COLUMNS", "VALUE_KEYS",
    "arrow_schema", "flat_row", "make_record", "to_dataframe",
    # model.readers
    "JSONL_SUFFIXES", "Document", "Skipped", "iter_documents",
    # model.writers
    "CsvWriter", "JsonlWriter", "ParquetWriter", "Writer",
    # this module
    "FORMATS", "ExtractResult", "ExtractSummary", "Extractor", "extract", "extract_files", "main", "run",
]


# --------------------------------------------------------------------------------------------
# Labelling, in batches
# --------------------------------------------------------------------------------------------

@dataclass
class ExtractSummary:
    """What a run did: documents read (with or without entities), inputs skipped, entities."""

    documents: int = 0
    skipped: int = 0
    entities: int = 0
    reasons: Counter = field(default_factory=Counter)

    def add(self, item: Document | Skipped, n_entities: int = 0) -> None:
        if isinstance(item, Skipped):
            self.skipped += 1
            self.reasons[item.reason.split(" (")[0]] += 1
        else:
            self.documents += 1
            self.entities += n_entities

    def line(self) -> str:
        """The one line the CLI ends with."""
        return (f"documents read: {self.documents}, skipped: {self.skipped}, "
                f"entities written: {self.entities}")


@dataclass
class ExtractResult:
    """Records of a whole (small) run together with its summary."""

    records: list[dict]
    summary: ExtractSummary

    def dataframe(self):
        return to_dataframe(self.records)


class Extractor:
    """Labels documents in batches and turns their entities into records.

    ``rules_only`` uses the weak labeller; otherwise ``recognizer`` (a :class:`Recognizer`, or any
    callable from a list of texts to one entity list per text) or a model loaded from
    ``model_dir`` (raises ``ModelNotFoundError`` with a hint when there is none).
    """

    def __init__(self, *, rules_only: bool = False, recognizer: Any = None,
                 model_dir: str | os.PathLike | None = None, device: str = "auto", batch_size: int = 64):
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if rules_only and recognizer is not None:
            raise ValueError("give rules_only or a recognizer, not both")
        self.batch_size = batch_size
        self._label: Callable[[list[str]], list[list[dict]]]
        if rules_only:
            from .weak import weak_label

            self._label = weak_label
            self.source = "rules"
        else:
            if recognizer is None:
                from .recognizer import Recognizer

                recognizer = Recognizer(model_dir, device=device)
            self._label = getattr(recognizer, "predict", recognizer)
            self.source = "model"

    def label(self, texts: list[str]) -> list[list[dict]]:
        """Entities of each text, normalised values added."""
        if not texts:
            return []
        results = self._label(list(texts))
        if len(results) != len(texts):
            raise RuntimeError(f"the labeller returned {len(results)} results for {len(texts)} texts")
        return [_enriched(t, ents) for t, ents in zip(texts, results, strict=True)]

    def results(self, items: Iterable[Document | Skipped], summary: ExtractSummary | None = None
                ) -> Iterator[tuple[Document, list[dict]] | Skipped]:
        """``(document, records)`` per document, and each Skipped in its place, in input order.

        Up to ``batch_size`` documents are held at a time; ``summary`` is updated as items pass.
        """
        pending: list[Document | Skipped] = []

        def flush():
            docs = [i for i in pending if isinstance(i, Document)]
            labelled = iter(self.label([d.text for d in docs]))
            for item in pending:
                if isinstance(item, Skipped):
                    if summary is not None:
                        summary.add(item)
                    yield item
                    continue
                records = [make_record(item.id, item.text, e) for e in next(labelled)]
                if summary is not None:
                    summary.add(item, len(records))
                yield item, records
            pending.clear()

        n_docs = 0
        for item in items:
            pending.append(item)
            if isinstance(item, Document):
                n_docs += 1
                if n_docs == self.batch_size:
                    yield from flush()
                    n_docs = 0
        yield from flush()

    def records(self, items: Iterable[Document | Skipped], summary: ExtractSummary | None = None
                ) -> Iterator[dict]:
        for result in self.results(items, summary):
            if not isinstance(result, Skipped):
                yield from result[1]


def _enriched(text: str, entities: list[dict]) -> list[dict]:
    """Entities with normalised values (``model.enrich``); left alone when the labeller already
    added them (``predict()`` and ``weak_label()`` do by default; a custom callable may not)."""
    if not entities or any(NORMALISED_KEYS & e.keys() for e in entities):
        return entities
    return enrich(text, entities)


def extract(texts: str | list[str], ids: list[str] | None = None, *, rules_only: bool = False,
            recognizer: Any = None, model_dir: str | os.PathLike | None = None, device: str = "auto",
            batch_size: int = 64) -> list[dict]:
    """One flat record per entity of ``texts`` (see :data:`COLUMNS`); ids default to "0", "1", ...

    A text without entities gives no record.
    """
    batch, _ = as_batch(texts)
    if ids is None:
        ids = [str(i) for i in range(len(batch))]
    elif len(ids) != len(batch):
        raise ValueError(f"got {len(ids)} ids for {len(batch)} texts")
    extractor = Extractor(rules_only=rules_only, recognizer=recognizer, model_dir=model_dir,
                          device=device, batch_size=batch_size)
    docs = (Document(str(i), t) for i, t in zip(ids, batch, strict=True))
    return list(extractor.records(docs))


def extract_files(inputs: list[str | os.PathLike], *, rules_only: bool = False, recognizer: Any = None,
                  model_dir: str | os.PathLike | None = None, device: str = "auto",
                  batch_size: int = 64) -> ExtractResult:
    """Records and counts for files, directories and JSONL (kept in memory: for small inputs)."""
    extractor = Extractor(rules_only=rules_only, recognizer=recognizer, model_dir=model_dir,
                          device=device, batch_size=batch_size)
    summary = ExtractSummary()
    records = list(extractor.records(iter_documents(inputs), summary))
    return ExtractResult(records, summary)


FORMATS = ("jsonl", "csv", "parquet", "html")


def run(inputs: list[str], writer: Writer, extractor: Extractor, *, progress: bool = False,
        stdin: TextIO | None = None) -> ExtractSummary:
    """Read ``inputs``, label them, hand each document's records to ``writer``; return the counts."""
    summary = ExtractSummary()
    results: Iterable = extractor.results(iter_documents(inputs, stdin=stdin), summary)
    if progress:
        from tqdm.auto import tqdm

        results = tqdm(results, desc="extract", unit="doc", file=sys.stderr)
    try:
        for result in results:
            if isinstance(result, Skipped):
                writer.skip(result)
            else:
                writer.write(*result)
    finally:
        writer.close(summary)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m model.extract",
        description="Write one row per entity (REGION, PROGRAM, AMOUNT, POPULATION) found in the inputs.",
        epilog="INPUT: a .txt file (one document), a directory of .txt files, a .jsonl file with "
               "'id' and 'text' per line, or '-' for standard input (JSONL if its first line starts "
               "with '{', else one document per line).")
    parser.add_argument("inputs", nargs="+", metavar="INPUT")
    parser.add_argument("--format", choices=FORMATS, default="jsonl")
    parser.add_argument("--out", help="output file (default: standard output, for jsonl and csv); a directory "
                        "(existing, or ending in /) gets resumable numbered shards")
    parser.add_argument("--rules-only", action="store_true", help="use the weak labeller, no model")
    parser.add_argument("--model-dir", default=None, help="trained model (default: NER_MODEL_DIR, "
                        "then artifacts/model)")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    parser.add_argument("--batch-size", type=int, default=64, help="documents labelled at a time")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    from .parallel import add_arguments as add_scale_arguments  # --workers, --backend, --out DIR/ (model.shards)

    add_scale_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    if args.format in ("parquet", "html") and not args.out:
        parser.error(f"--format {args.format} needs --out PATH")
    if args.batch_size < 1:
        parser.error("--batch-size must be at least 1")
    if args.inputs.count("-") > 1:
        parser.error("'-' (standard input) can be given once")
    missing = [i for i in args.inputs if i != "-" and not Path(i).exists()]
    if missing:
        parser.error("no such file or directory: " + ", ".join(missing))

    from .recognizer import ModelNotFoundError

    try:
        from .parallel import extractor_from_args

        extractor = extractor_from_args(args, make_record)  # Extractor's interface, in --workers processes
    except ModelNotFoundError as err:
        print(f"error: {err}\nerror: run `make train` first, or pass --rules-only to use the rules alone",
              file=sys.stderr)
        return 2
    except ValueError as err:  # a bad --device
        print(f"error: {err}", file=sys.stderr)
        return 2

    from .shards import is_shard_dir, run_cli

    if is_shard_dir(args.out):  # numbered shards + manifest, resumable
        return run_cli(args, extractor, sys.modules[__name__])  # this module's readers and writers
    stream: TextIO | None = None
    if args.format == "parquet":
        writer: Writer = ParquetWriter(args.out)
    else:
        if args.out:
            stream = open(args.out, "w", encoding="utf-8", newline="" if args.format == "csv" else None)
        out = stream or sys.stdout
        if args.format == "jsonl":
            writer = JsonlWriter(out)
        elif args.format == "csv":
            writer = CsvWriter(out)
        else:
            from .render_html import HtmlWriter

            writer = HtmlWriter(out, COLUMNS, title=f"Entities in {', '.join(args.inputs)}",
                                source=extractor.source)
    try:
        summary = run(args.inputs, writer, extractor, progress=not args.no_progress)
    finally:
        if stream is not None:
            stream.close()
    print(summary.line(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    # Run the imported module's main, not this __main__ copy's, so that there is one set of classes
    # (isinstance checks by code that imports model.extract) and the logger is named model.extract.
    from model.extract import main as _main

    sys.exit(_main())
