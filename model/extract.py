"""Entity spans as table rows for analysts: one record per entity, from texts or files, any size.

    from model.extract import extract, to_dataframe
    df = to_dataframe(extract(["湖南省投入785万元"], ids=["a"], rules_only=True))

    python -m model.extract data/seeds --rules-only --format csv --out seeds.csv

Inputs are read lazily (:func:`iter_documents`) and labelled ``batch_size`` documents at a time,
and writers write each document's records as they come, so memory does not grow with the number
of documents. A file that cannot be read, or a broken JSONL line, is logged, counted as
:class:`Skipped` and passed over; it never stops the run and never drops another document.

Input kinds (each argument of the CLI, or each item of ``inputs``):

* a directory: every ``*.txt`` file in it (not recursive), sorted by name, one document each;
* a ``.jsonl`` / ``.ndjson`` file: one JSON object a line with ``text`` and optional ``id``
  (the id falls back to ``<file name>:<line>``); blank lines are ignored;
* any other file: one document, the whole file, id = the file name;
* ``-``: standard input. If its first non-blank line starts with ``{`` the stream is JSONL as
  above (ids fall back to ``stdin:<line>``); otherwise each line is one document with id
  ``stdin:<line>``, and a blank line is skipped as an empty document.

Text must be UTF-8 (a leading byte-order mark is dropped); offsets index the decoded text.

Columns (:data:`COLUMNS`, fixed order): ``doc_id label text start end score`` (score None from the
rules), then the normalised values of :mod:`model.enrich`, empty where they do not apply:
``value low high approx`` (AMOUNT in currency units, POPULATION in heads or households; a range
has low/high and no value), ``currency unit counts`` (CNY; 人/户...; persons/households...),
``adcode level name province city county candidates`` (REGION: code, level, standard name, the
levels above it, how many places the name may be: 1 resolved, 2+ ambiguous, 0 unknown) and
``canonical`` (PROGRAM).
"""
from __future__ import annotations

import argparse
import csv
import json
import logging
import math
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, Protocol, TextIO

from .enrich import enrich
from .spans import as_batch

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------------
# The record: one flat row per entity, columns in a fixed order with fixed types
# --------------------------------------------------------------------------------------------

SPAN_COLUMNS = ("doc_id", "label", "text", "start", "end", "score")
#: normalised keys copied from the entity dict as they are (``parents`` is flattened instead)
VALUE_KEYS = ("value", "low", "high", "approx", "currency", "unit", "counts", "adcode", "level", "name")
PARENT_COLUMNS = ("province", "city", "county")
COLUMNS: tuple[str, ...] = (*SPAN_COLUMNS, *VALUE_KEYS, *PARENT_COLUMNS, "candidates", "canonical")
NORMALISED_KEYS = frozenset(VALUE_KEYS) | {"parents", "candidates", "canonical"}

_INT = ("start", "end")
_OPT_INT = ("candidates",)  # how many places the name may be (model.places)
_FLOAT = ("score", "value", "low", "high")
_BOOL = ("approx",)
_STR = tuple(c for c in COLUMNS if c not in (*_INT, *_OPT_INT, *_FLOAT, *_BOOL))
#: pandas dtypes of :func:`to_dataframe` (nullable, so a missing value stays missing, not NaN/"None")
DTYPES: dict[str, str] = {**{c: "string" for c in _STR}, **{c: "int64" for c in _INT},
                          **{c: "Int64" for c in _OPT_INT}, **{c: "Float64" for c in _FLOAT},
                          **{c: "boolean" for c in _BOOL}}
DTYPES = {c: DTYPES[c] for c in COLUMNS}

# Level names that may appear in ``parents`` (English or Chinese) and the column they fill.
_LEVEL_COLUMN = {"province": "province", "city": "city", "prefecture": "city", "county": "county",
                 "district": "county", "省": "province", "市": "city", "县": "county", "区": "county"}


def _parents(entity: dict) -> dict[str, str | None]:
    """Flatten ``parents`` into province/city/county columns.

    Accepted shapes, since enrichment may give any of them: a dict keyed by level, a list of dicts
    with ``level`` and ``name``, or a list of names from the top down (province, city, county).
    """
    out: dict[str, str | None] = dict.fromkeys(PARENT_COLUMNS)
    parents = entity.get("parents")
    if isinstance(parents, dict):
        items = list(parents.items())
    elif isinstance(parents, (list, tuple)):
        if all(isinstance(p, dict) for p in parents):
            items = [(p.get("level"), p.get("name")) for p in parents]
        else:
            items = list(zip(PARENT_COLUMNS, parents, strict=False))  # the top levels only
    else:
        return out
    for level, name in items:
        column = _LEVEL_COLUMN.get(str(level).lower()) if level is not None else None
        if column and name is not None and out[column] is None:
            out[column] = str(name)
    return out


def make_record(doc_id: str, text: str, entity: dict) -> dict:
    """One flat record for an entity of document ``doc_id``; ``text`` is that document.

    The record's text is ``text[start:end]``: offsets are the truth, and a labeller that says
    otherwise is logged rather than believed.
    """
    start, end = int(entity["start"]), int(entity["end"])
    span_text = text[start:end]
    if entity.get("text") not in (None, span_text):
        log.error("%s: entity text %r differs from text[%d:%d] = %r; keeping the latter",
                  doc_id, entity.get("text"), start, end, span_text)
    record: dict[str, Any] = {"doc_id": doc_id, "label": entity["label"], "text": span_text,
                              "start": start, "end": end, "score": entity.get("score")}
    record.update({key: entity.get(key) for key in VALUE_KEYS})
    record.update(_parents(entity))
    record["candidates"] = entity.get("candidates")
    record["canonical"] = entity.get("canonical")
    return record


def _as_str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _as_int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        log.warning("not an integer, left empty: %r", value)
        return None


def _as_float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        log.warning("not a number, left empty: %r", value)
        return None
    return None if math.isnan(out) else out


def flat_row(record: dict) -> dict:
    """The record with every column coerced to its table type (a list or dict in a text column
    becomes JSON text)."""
    row: dict[str, Any] = {}
    for column in COLUMNS:
        value = record.get(column)
        if column in _INT:
            row[column] = int(value)
        elif column in _OPT_INT:
            row[column] = _as_int(value)
        elif column in _FLOAT:
            row[column] = _as_float(value)
        elif column in _BOOL:
            row[column] = None if value is None else bool(value)
        else:
            row[column] = _as_str(value)
    return row


def to_dataframe(records: Iterable[dict]):
    """A pandas DataFrame with the columns of :data:`COLUMNS` in that order and :data:`DTYPES`,
    even when there are no records (so code that reads it never meets a surprise column)."""
    import pandas as pd

    rows = [flat_row(r) for r in records]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.astype(DTYPES)


# --------------------------------------------------------------------------------------------
# Reading inputs, lazily
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Document:
    """One text to label. ``source`` is the input it came from, ``line`` its line there (JSONL, stdin)."""

    id: str
    text: str
    source: str = ""
    line: int | None = None


@dataclass(frozen=True)
class Skipped:
    """An input or line that could not be read, and why."""

    source: str
    reason: str
    line: int | None = None

    @property
    def where(self) -> str:
        return self.source if self.line is None else f"{self.source}:{self.line}"


JSONL_SUFFIXES = (".jsonl", ".ndjson")


def _skip(source: str, reason: str, line: int | None = None) -> Skipped:
    item = Skipped(source, reason, line)
    log.warning("skipped %s: %s", item.where, reason)
    return item


def _decode(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _text_file(path: Path) -> Document | Skipped:
    try:
        raw = path.read_bytes()
    except OSError as err:
        return _skip(str(path), f"cannot read ({err.strerror or err})")
    text = _decode(raw)
    if text is None:
        return _skip(str(path), "not UTF-8")
    if not text.strip():
        return _skip(str(path), "empty")
    return Document(path.name, text, str(path))


def _jsonl_line(raw: bytes, source: str, name: str, lineno: int) -> Document | Skipped | None:
    """One JSONL line as a Document; None for a blank line (not a document)."""
    line = _decode(raw)
    if line is None:
        return _skip(source, "not UTF-8", lineno)
    if not line.strip():
        return None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as err:
        return _skip(source, f"broken JSON ({err.msg}, column {err.colno})", lineno)
    if not isinstance(obj, dict):
        return _skip(source, "not a JSON object", lineno)
    text = obj.get("text")
    if not isinstance(text, str):
        return _skip(source, "no 'text' string", lineno)
    if not text.strip():
        return _skip(source, "empty text", lineno)
    doc_id = obj.get("id")
    return Document(f"{name}:{lineno}" if doc_id is None else str(doc_id), text, source, lineno)


def _jsonl_lines(lines: Iterable[bytes], source: str, name: str) -> Iterator[Document | Skipped]:
    empty = True
    for lineno, raw in enumerate(lines, 1):
        item = _jsonl_line(raw, source, name, lineno)
        if item is not None:
            empty = False
            yield item
    if empty:
        yield _skip(source, "empty")


def _jsonl_file(path: Path) -> Iterator[Document | Skipped]:
    try:
        stream = path.open("rb")
    except OSError as err:
        yield _skip(str(path), f"cannot read ({err.strerror or err})")
        return
    with stream:
        yield from _jsonl_lines(stream, str(path), path.name)


def _stdin_lines(stream) -> Iterator[bytes]:
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        yield from buffer
    else:  # a text stream without bytes underneath (tests, notebooks)
        for line in stream:
            yield line.encode("utf-8", "surrogatepass")


def _stdin(stream) -> Iterator[Document | Skipped]:
    lines = _stdin_lines(stream)
    head: list[bytes] = []
    for raw in lines:  # look for the first non-blank line to decide the format
        head.append(raw)
        if raw.strip():
            break
    if not head:
        yield _skip("stdin", "empty")
        return
    all_lines = chain(head, lines)
    if head and head[-1].lstrip().lstrip(b"\xef\xbb\xbf").startswith(b"{"):
        yield from _jsonl_lines(all_lines, "stdin", "stdin")
        return
    for lineno, raw in enumerate(all_lines, 1):
        text = _decode(raw)
        if text is None:
            yield _skip("stdin", "not UTF-8", lineno)
            continue
        text = text.rstrip("\r\n")
        if not text.strip():
            yield _skip("stdin", "empty", lineno)
            continue
        yield Document(f"stdin:{lineno}", text, "stdin", lineno)


def iter_documents(inputs: Iterable[str | os.PathLike], stdin: TextIO | None = None
                   ) -> Iterator[Document | Skipped]:
    """Documents of ``inputs`` in order, read one at a time (see the module docstring for kinds).

    Unreadable inputs come out as :class:`Skipped` (also logged) in their place.
    ``stdin`` replaces ``sys.stdin`` for ``-``.
    """
    for item in inputs:
        if str(item) == "-":
            yield from _stdin(stdin if stdin is not None else sys.stdin)
            continue
        path = Path(item)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix == ".txt" and p.is_file())
            if not files:
                yield _skip(str(path), "no .txt files")
            for file in files:
                yield _text_file(file)
        elif not path.exists():
            yield _skip(str(path), "no such file or directory")
        elif path.suffix.lower() in JSONL_SUFFIXES:
            yield from _jsonl_file(path)
        else:
            yield _text_file(path)


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


# --------------------------------------------------------------------------------------------
# Writers: each takes one document's records at a time
# --------------------------------------------------------------------------------------------

class Writer(Protocol):
    def write(self, doc: Document, records: list[dict]) -> None: ...
    def skip(self, item: Skipped) -> None: ...
    def close(self, summary: ExtractSummary) -> None: ...


class JsonlWriter:
    """One JSON object per record, values as the labeller gave them (ints stay ints)."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def write(self, doc: Document, records: list[dict]) -> None:
        for r in records:
            self.stream.write(json.dumps(r, ensure_ascii=False) + "\n")

    def skip(self, item: Skipped) -> None:
        pass

    def close(self, summary: ExtractSummary) -> None:
        self.stream.flush()


class CsvWriter:
    """CSV with a header of :data:`COLUMNS`; empty cell = no value; lists as JSON text; ``\\n`` line ends."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.writer = csv.DictWriter(stream, fieldnames=list(COLUMNS), lineterminator="\n")
        self.writer.writeheader()

    def write(self, doc: Document, records: list[dict]) -> None:
        for r in records:
            row = flat_row(r)
            for column in _FLOAT:  # 7850000, not 7850000.0
                if row[column] is not None and row[column].is_integer():
                    row[column] = int(row[column])
            self.writer.writerow(row)

    def skip(self, item: Skipped) -> None:
        pass

    def close(self, summary: ExtractSummary) -> None:
        self.stream.flush()


def arrow_schema():
    import pyarrow as pa

    types = {**{c: pa.string() for c in _STR}, **{c: pa.int64() for c in (*_INT, *_OPT_INT)},
             **{c: pa.float64() for c in _FLOAT}, **{c: pa.bool_() for c in _BOOL}}
    return pa.schema([pa.field(c, types[c], nullable=c not in _INT) for c in COLUMNS])


class ParquetWriter:
    """Parquet written in row groups of ``row_group_size`` records, never the whole table at once."""

    def __init__(self, path: str | os.PathLike, row_group_size: int = 10_000):
        import pyarrow.parquet as pq

        self.schema = arrow_schema()
        self.writer = pq.ParquetWriter(str(path), self.schema, compression="zstd")
        self.row_group_size = row_group_size
        self.rows: list[dict] = []

    def _flush(self) -> None:
        import pyarrow as pa

        if self.rows:
            self.writer.write_table(pa.Table.from_pylist(self.rows, schema=self.schema))
            self.rows = []

    def write(self, doc: Document, records: list[dict]) -> None:
        self.rows.extend(flat_row(r) for r in records)
        if len(self.rows) >= self.row_group_size:
            self._flush()

    def skip(self, item: Skipped) -> None:
        pass

    def close(self, summary: ExtractSummary) -> None:
        self._flush()
        self.writer.close()


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
