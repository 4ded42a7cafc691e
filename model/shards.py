"""Resumable output: numbered shards plus a small manifest, safe against a kill at any moment.

    python -m model.extract archive/ --format parquet --out runs/archive/   # kill it, run it again

Layout of the output directory::

    manifest.json             the command's configuration, the shard list, counts, complete or not
    part-000000.parquet       the records of a group of consecutive documents (jsonl, csv or parquet)
    part-000000.done.json     the ids of the documents in that shard: written last, it commits the shard
    ...

Why this shape: a shard is written to a temporary name, flushed and renamed, and only then is its
``.done.json`` written (again temporary name, then rename). A rename is atomic, so after a kill a
shard either has its ``.done.json`` (complete, its documents are done) or it does not (it is
deleted and redone). On a restart the ``.done.json`` files are the truth: the documents they list
are skipped (as a multiset, so repeated ids are handled by count), the next shard takes the next
number, and the manifest is rewritten from them. Nothing is lost and nothing is written twice.

The manifest records the configuration that shapes the records (inputs, format, labeller, model
identity, grouping); a different command refuses to resume into the same directory with an error
saying what differs. Settings that only change speed (workers, threads) may change between runs.
A lock file keeps two runs out of one directory at the same time.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
LOCK = ".lock"
FORMATS = ("jsonl", "csv", "parquet")
MANIFEST_VERSION = 1
_DONE = re.compile(r"^part-(\d{6})\.done\.json$")
_PART = re.compile(r"^part-(\d{6})\.(jsonl|csv|parquet)$")


class RecordIO(Protocol):
    """The record format and its writers, as ``model.extract`` defines them. Passed in (the
    module itself will do) because ``model.extract`` imports this module: imports run one way."""

    COLUMNS: tuple[str, ...]
    JsonlWriter: Any  # (text stream) -> writer with write(doc, records), close(summary)
    CsvWriter: Any
    ParquetWriter: Any  # (path) -> the same
    ExtractSummary: Any

    def iter_documents(self, inputs: list[str], stdin: Any = None) -> Iterator[Any]: ...


class ResumeConflict(RuntimeError):
    """The output directory holds a run of a different command (or another run holds it now)."""


def fingerprint(config: dict) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Shard:
    number: int
    file: str | None  # None: a group with no document (only skipped inputs)
    docs: int
    records: int


def is_shard_dir(out: str | os.PathLike | None) -> bool:
    """``--out`` names a directory: an existing one, or a path ending in a separator."""
    if not out:
        return False
    text = str(out)
    return Path(text).is_dir() or text.endswith(("/", os.sep))


class ShardedOutput:
    """Writes groups of results as numbered, committed shards in ``out_dir``; see the module doc.

    ``config`` is any JSON-able dict describing what shapes the records; a directory holding a
    run with another config raises :class:`ResumeConflict`.
    """

    def __init__(self, out_dir: str | os.PathLike, fmt: str, config: dict, io: RecordIO,
                 command: list[str] | None = None):
        if fmt not in FORMATS:
            raise ValueError(f"sharded output is {', '.join(FORMATS)}, not {fmt!r}")
        self.dir = Path(out_dir)
        self.fmt = fmt
        self.io = io
        self.config = {**config, "format": fmt}
        self.fingerprint = fingerprint(self.config)
        self.command = command or sys.argv
        if self.dir.exists() and not self.dir.is_dir():
            raise ResumeConflict(f"{self.dir} exists and is not a directory")
        self.dir.mkdir(parents=True, exist_ok=True)
        self._lock = open(self.dir / LOCK, "w")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise ResumeConflict(f"another run is writing to {self.dir} right now") from None
        self._check_manifest()
        self.shards, self.done = self._recover()
        self.skipped: dict[str, str] = dict(self._old_manifest.get("skipped", {})) if self._old_manifest else {}
        self.started = (self._old_manifest or {}).get("started", time.time())
        self.resumed = bool(self.shards)
        self._write_manifest(complete=False)

    # -- start-up ----------------------------------------------------------------------------

    def _check_manifest(self) -> None:
        path = self.dir / MANIFEST
        self._old_manifest: dict | None = None
        if path.is_file():
            try:
                old = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as err:
                raise ResumeConflict(f"{path} is unreadable ({err}); use a new --out directory") from err
            if old.get("fingerprint") != self.fingerprint:
                before, now = old.get("config", {}), self.config
                diff = [f"{k}: {before.get(k)!r} -> {now.get(k)!r}"
                        for k in sorted(set(before) | set(now)) if before.get(k) != now.get(k)]
                raise ResumeConflict(
                    f"{self.dir} holds the output of a different command (it ran "
                    f"{' '.join(old.get('command', [])) or '?'}); differences: {'; '.join(diff) or 'version'}. "
                    "Rerun that same command to resume it, or choose a new --out directory.")
            self._old_manifest = old
        elif any(_PART.match(p.name) or _DONE.match(p.name) for p in self.dir.iterdir()):
            raise ResumeConflict(f"{self.dir} has shards but no {MANIFEST}; choose a new --out directory")

    def _recover(self) -> tuple[list[Shard], Counter]:
        """Committed shards from the ``.done.json`` files; uncommitted leftovers are removed."""
        shards: list[Shard] = []
        done: Counter = Counter()
        committed = set()
        for p in sorted(self.dir.iterdir()):
            m = _DONE.match(p.name)
            if not m:
                continue
            info = json.loads(p.read_text(encoding="utf-8"))
            shards.append(Shard(int(m.group(1)), info.get("file"), len(info["ids"]), info["records"]))
            done.update(info["ids"])
            committed.add(int(m.group(1)))
        for p in list(self.dir.iterdir()):
            m = _PART.match(p.name)
            if (m and int(m.group(1)) not in committed) or (p.name.startswith(".") and p.name.endswith(".tmp")):
                log.info("removing the uncommitted %s", p.name)
                p.unlink()
        shards.sort(key=lambda s: s.number)
        if shards:
            log.warning("resuming in %s: %d shards, %d documents already done",
                        self.dir, len(shards), sum(done.values()))
        return shards, done

    def pending(self, items: Iterable[Any]) -> Iterator[Any]:
        """``items`` less the documents already written (by id, counting repeats); the rest pass."""
        todo = Counter(self.done)
        for item in items:
            doc_id = getattr(item, "id", None)
            if doc_id is not None and hasattr(item, "text") and todo[doc_id] > 0:
                todo[doc_id] -= 1
                continue
            yield item

    # -- writing -----------------------------------------------------------------------------

    def _next_number(self) -> int:
        return self.shards[-1].number + 1 if self.shards else 0

    def write(self, results: list[tuple[Any, list[dict]] | Any]) -> Shard:
        """Commit one shard: ``(document, records)`` pairs and skipped items, in order."""
        number = self._next_number()
        docs = [r for r in results if isinstance(r, tuple)]
        for item in results:
            if not isinstance(item, tuple):
                where = getattr(item, "where", None) or str(getattr(item, "source", item))
                self.skipped[where] = getattr(item, "reason", "skipped")
        ids = [str(doc.id) for doc, _ in docs]
        n_records = sum(len(recs) for _, recs in docs)
        name = None
        if docs:
            name = f"part-{number:06d}.{self.fmt}"
            tmp = self.dir / f".{name}.tmp"
            _write_records(tmp, self.fmt, docs, self.io)
            os.replace(tmp, self.dir / name)
        marker = {"file": name, "ids": ids, "records": n_records}
        _atomic_write(self.dir / f"part-{number:06d}.done.json",
                      json.dumps(marker, ensure_ascii=False).encode("utf-8"))
        _fsync_dir(self.dir)
        shard = Shard(number, name, len(ids), n_records)
        self.shards.append(shard)
        self.done.update(ids)
        self._write_manifest(complete=False)
        return shard

    def _write_manifest(self, complete: bool, summary: dict | None = None) -> None:
        manifest = {
            "manifest_version": MANIFEST_VERSION,
            "command": list(self.command),
            "config": self.config,
            "fingerprint": self.fingerprint,
            "format": self.fmt,
            "shards": [{"file": s.file, "done": f"part-{s.number:06d}.done.json", "docs": s.docs,
                        "records": s.records} for s in self.shards],
            "documents": sum(s.docs for s in self.shards),
            "records": sum(s.records for s in self.shards),
            "skipped": self.skipped,
            "complete": complete,
            "started": self.started,
            "updated": time.time(),
        }
        if summary:
            manifest["summary"] = summary
        _atomic_write(self.dir / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))

    def finish(self, summary: dict | None = None) -> None:
        """Mark the run complete (a rerun then finds nothing to do) and release the directory."""
        self._write_manifest(complete=True, summary=summary)
        self.close()

    def close(self) -> None:
        if not self._lock.closed:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()

    def __enter__(self) -> ShardedOutput:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _write_records(path: Path, fmt: str, docs: list[tuple[Any, list[dict]]], io: RecordIO) -> None:
    """One shard's records with the extract CLI's writers (same columns as a single-file run)."""
    if fmt == "parquet":
        writer = io.ParquetWriter(path)
        for doc, records in docs:
            writer.write(doc, records)
        writer.close(io.ExtractSummary())
    else:
        with open(path, "w", encoding="utf-8", newline="" if fmt == "csv" else None) as f:
            writer = io.JsonlWriter(f) if fmt == "jsonl" else io.CsvWriter(f)
            for doc, records in docs:
                writer.write(doc, records)
            writer.close(io.ExtractSummary())
            f.flush()
            os.fsync(f.fileno())
            return
    with open(path, "rb") as f:
        os.fsync(f.fileno())


# -- reading back ------------------------------------------------------------------------------

def committed_shards(out_dir: str | os.PathLike) -> list[dict]:
    """The ``.done.json`` contents of committed shards, in order (with ``number``)."""
    out = []
    for p in sorted(Path(out_dir).iterdir()):
        m = _DONE.match(p.name)
        if m:
            out.append({"number": int(m.group(1)), **json.loads(p.read_text(encoding="utf-8"))})
    return out


def read_records(out_dir: str | os.PathLike) -> Iterator[dict]:
    """Every record of the committed shards, in shard order (for tests, checks and small runs).

    JSONL gives the records as written; CSV and Parquet give their table rows (strings and nulls
    as the extract writers store them).
    """
    out_dir = Path(out_dir)
    for info in committed_shards(out_dir):
        if not info.get("file"):
            continue
        path = out_dir / info["file"]
        if path.suffix == ".jsonl":
            with open(path, encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        yield json.loads(line)
        elif path.suffix == ".csv":
            import csv

            with open(path, encoding="utf-8", newline="") as f:
                yield from csv.DictReader(f)
        else:
            import pyarrow.parquet as pq

            yield from pq.read_table(path).to_pylist()


def model_identity(model_dir: str | os.PathLike | None) -> dict:
    """What makes two model directories the same model: its path and a hash of config + weights."""
    from .recognizer import resolve_model_dir

    path = resolve_model_dir(model_dir).resolve()
    digest = hashlib.sha256()
    for name in ("config.json", "model.safetensors", "pytorch_model.bin", "tokenizer.json"):
        f = path / name
        if f.is_file():
            digest.update(name.encode())
            with open(f, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
    return {"dir": str(path), "sha256": digest.hexdigest()[:16]}




# -- the extract CLI with --out DIR/ ---------------------------------------------------------------

def run_config(inputs: list[str], fmt: str, labeller, columns: Iterable[str] = ()) -> dict:
    """What shapes the records of a run (compared on resume): not workers or threads."""
    from . import __version__

    spec = labeller.spec
    config = {"inputs": [i if i == "-" else str(Path(i).resolve()) for i in inputs], "format": fmt,
              "version": __version__, "columns": list(columns),
              "group_docs": labeller.group_docs, "group_chars": labeller.group_chars,
              "shard_docs": labeller.shard_docs,
              "segment_chars": spec.segment_chars}
    if spec.rules_only:
        config["labeller"] = "rules"
    else:
        config["labeller"] = {"model": model_identity(spec.model_dir), "backend": spec.backend,
                              "device": spec.device.split(":")[0], "window_batch": spec.window_batch}
    return config


def extract_to_dir(inputs: list[str], out_dir: str | os.PathLike, fmt: str, labeller, io: RecordIO, *,
                   progress: bool = False, stdin=None, command: list[str] | None = None):
    """Label ``inputs`` into numbered shards in ``out_dir``, resuming what a previous run of the
    same command left; returns this run's ``ExtractSummary`` and the output's manifest.
    ``labeller``: a ``model.parallel.ParallelExtractor``; ``io``: ``model.extract``."""
    from .stream import groups

    summary = io.ExtractSummary()
    config = run_config(inputs, fmt, labeller, io.COLUMNS)
    with ShardedOutput(out_dir, fmt, config, io, command) as out:
        if "-" in inputs and out.resumed:
            log.warning("resuming from standard input: the same documents must come in the same order")
        items = out.pending(io.iter_documents(inputs, stdin=stdin))
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(desc="extract", unit="doc", file=sys.stderr, initial=sum(out.done.values()))
        try:
            # A shard is whole groups (units of work) until it holds shard_docs documents: its
            # boundaries are group boundaries, so a resumed run forms the same groups.
            results: list = []
            n_docs = 0
            for group, records in labeller.map_records(groups(items, labeller.group_docs, labeller.group_chars)):
                for item, recs in zip(group, records):
                    summary.add(item, len(recs or ()))
                    results.append(item if recs is None else (item, recs))
                    n_docs += recs is not None
                if n_docs >= labeller.shard_docs:
                    out.write(results)
                    if bar is not None:
                        bar.update(n_docs)
                    results, n_docs = [], 0
            if results:
                out.write(results)
                if bar is not None:
                    bar.update(n_docs)
        finally:
            if bar is not None:
                bar.close()
            labeller.close()
        out.finish({"documents": sum(out.done.values()), "records": sum(s.records for s in out.shards),
                    "skipped": len(out.skipped), "shards": len(out.shards)})
    return summary, json.loads((Path(out_dir) / MANIFEST).read_text(encoding="utf-8"))


def run_cli(args, labeller, io: RecordIO) -> int:
    """``python -m model.extract ... --out DIR/``: sharded, resumable; the exit status."""
    if args.format not in FORMATS:
        print(f"error: --out DIR/ writes shards in {', '.join(FORMATS)}, not {args.format}", file=sys.stderr)
        return 2
    try:
        summary, manifest = extract_to_dir(args.inputs, args.out, args.format, labeller, io,
                                           progress=not args.no_progress,
                                           command=["python", "-m", "model.extract", *sys.argv[1:]])
    except ResumeConflict as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"{summary.line()} (this run); in {args.out}: {manifest['documents']} documents, "
          f"{manifest['records']} entities, {len(manifest['shards'])} shards, complete", file=sys.stderr)
    return 0


__all__ = ["FORMATS", "MANIFEST", "RecordIO", "ResumeConflict", "Shard", "ShardedOutput", "committed_shards",
           "extract_to_dir", "fingerprint", "is_shard_dir", "model_identity", "read_records", "run_cli", "run_config"]
