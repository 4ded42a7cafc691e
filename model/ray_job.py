"""More than one machine: the same labeller on Ray Data (``pip install 'povner[ray]'``).

    python -m model.ray_job archive/*.jsonl --out entities/ --concurrency 8           # this machine
    ray job submit --address http://HEAD:8265 --working-dir . -- \\
        python -m model.ray_job s3://bucket/archive/ --out s3://bucket/entities/ \\
        --address auto --concurrency 16 --num-gpus 1 --batch-size 1024                # a GPU cluster

Why Ray Data and not our own scheduler: it already reads and writes sharded JSONL/Parquet on local
disks and object stores, spreads blocks over the cluster, streams them with back-pressure,
retries failed tasks, and starts a pool of long-lived actors, each of which loads the model once
(``RecognizerActor``) and then labels batch after batch. ``concurrency`` is the number of actors,
``num_gpus`` / ``num_cpus`` what each reserves.

Inputs: JSONL (``.jsonl``/``.ndjson``/``.json``: one object a line with ``id`` and ``text``),
Parquet (columns ``id`` and ``text``), or a directory of ``.txt`` files (one document each, id =
file name, as ``python -m model.extract`` names them). The output is a directory of Parquet files
with the extract CLI's columns (``model.extract.COLUMNS``), one row per entity: the records of a
single-process run, in another order.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from .stream import SEGMENT_CHARS

log = logging.getLogger(__name__)

JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")


class RecognizerActor:
    """The callable class given to ``map_batches``: Ray builds one per actor, so the model (or the
    rules and their gazetteer) is loaded once per actor, then ``__call__`` labels batch after batch
    of ``{id, text}`` rows into entity rows (a ``pyarrow.Table`` with a fixed schema, so an empty
    batch writes the same columns)."""

    def __init__(self, rules_only: bool = False, model_dir: str | None = None, device: str = "auto",
                 backend: str = "auto", threads: int = 1, segment_chars: int = SEGMENT_CHARS):
        from .parallel import GroupLabeller, LabellerSpec

        if not rules_only:
            from .fast_cpu import resolve_backend
            from .recognizer import resolve_device

            device = str(resolve_device(device))
            backend = resolve_backend(backend, device.split(":")[0])
        self.labeller = GroupLabeller(LabellerSpec(rules_only=rules_only, model_dir=model_dir, device=device,
                                                   backend=backend, threads=threads,
                                                   segment_chars=segment_chars))

    def __call__(self, batch):
        import pyarrow as pa

        from .readers import Document
        from .records import arrow_schema, flat_row, make_record

        ids, texts = batch["id"], batch["text"]
        docs = []
        for doc_id, text in zip(ids, texts):
            if isinstance(text, (bytes, bytearray)):
                try:
                    text = bytes(text).decode("utf-8-sig")
                except UnicodeDecodeError:
                    log.warning("skipped %s: not UTF-8", doc_id)
                    continue
            if not isinstance(text, str) or not text.strip():
                log.warning("skipped %s: empty or not text", doc_id)
                continue
            docs.append(Document(str(doc_id), text))
        rows = [flat_row(make_record(doc.id, doc.text, e))
                for doc, ents in zip(docs, self.labeller(docs)) for e in (ents or ())]
        return pa.Table.from_pylist(rows, schema=arrow_schema())


def _txt_rows(batch):
    """``read_binary_files`` rows (path, bytes) to (id, text bytes): the id is the file name."""
    return {"id": [os.path.basename(str(p)) for p in batch["path"]], "text": list(batch["bytes"])}


def input_kind(path: str) -> str:
    """``jsonl``, ``parquet`` or ``txt`` for one input, from its suffix or, for a local
    directory, the files in it; a remote path without a telling suffix is Parquet."""
    lower = path.lower().rstrip("/")
    local = Path(path)
    if lower.endswith(JSON_SUFFIXES):
        return "jsonl"
    if lower.endswith(".parquet"):
        return "parquet"
    if local.is_dir():
        names = {p.suffix.lower() for p in local.iterdir() if p.is_file()}
        for kind, suffixes in (("parquet", {".parquet"}), ("jsonl", set(JSON_SUFFIXES)), ("txt", {".txt"})):
            if names & suffixes:
                return kind
        raise ValueError(f"{path}: no .parquet, .jsonl or .txt files in it")
    if local.exists():
        raise ValueError(f"{path}: expected .jsonl, .parquet or a directory of .txt files")
    return "parquet"


def read_documents(inputs: list[str], id_column: str = "id", text_column: str = "text", kind: str = "auto"):
    """One Ray dataset of ``{id, text}`` rows from JSONL, Parquet and ``.txt`` directories
    (``kind`` forces one reader for every input, e.g. for remote JSONL without a suffix)."""
    import ray.data

    parts = []
    for item in inputs:
        path = str(item)
        this = input_kind(path) if kind == "auto" else kind
        if this == "txt":
            ds = ray.data.read_binary_files(path, include_paths=True, file_extensions=["txt"])
            parts.append(ds.map_batches(_txt_rows, batch_format="numpy"))
            continue
        if this == "jsonl":
            ds = ray.data.read_json(path, file_extensions=["jsonl", "ndjson", "json"])  # Arrow blocks
        else:
            ds = ray.data.read_parquet(path)
        missing = {id_column, text_column} - set(ds.schema().names)
        if missing:
            raise ValueError(f"{path}: no column {', '.join(sorted(missing))} (have {ds.schema().names}); "
                             "see --id-column / --text-column")
        ds = ds.select_columns([id_column, text_column])
        if (id_column, text_column) != ("id", "text"):
            ds = ds.rename_columns({id_column: "id", text_column: "text"})
        parts.append(ds)
    if not parts:
        raise ValueError("no inputs")
    return parts[0] if len(parts) == 1 else parts[0].union(*parts[1:])


def label_dataset(ds, *, rules_only: bool = False, model_dir: str | None = None, device: str = "auto",
                  backend: str = "auto", concurrency: int = 1, num_gpus: float = 0, num_cpus: float = 1,
                  batch_size: int = 256):
    """``ds`` of ``{id, text}`` rows -> entity rows, labelled by ``concurrency`` Recognizer actors."""
    if not rules_only:
        from .recognizer import TRAIN_HINT, ModelNotFoundError, resolve_model_dir

        model_dir = str(resolve_model_dir(model_dir).resolve())
        if not (Path(model_dir) / "config.json").is_file():  # found on the driver: say so before any actor
            raise ModelNotFoundError(f"no trained model in {model_dir}: {TRAIN_HINT}")
        if num_gpus and device == "auto":
            device = "cuda"
    import ray.data

    threads = max(1, int(num_cpus))
    return ds.map_batches(
        RecognizerActor,
        fn_constructor_kwargs={"rules_only": rules_only, "model_dir": model_dir, "device": device,
                               "backend": backend, "threads": threads},
        batch_size=batch_size, batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=concurrency),  # `concurrency=` before Ray 2.51
        num_gpus=num_gpus or None, num_cpus=num_cpus)


def run(inputs: list[str], out: str, **kwargs) -> None:
    """Read, label, write Parquet (the whole pipeline streams: nothing is gathered on the driver)."""
    readers = {k: kwargs.pop(k) for k in ("id_column", "text_column", "kind") if k in kwargs}
    label_dataset(read_documents(inputs, **readers), **kwargs).write_parquet(out)


def actor_cpus(concurrency: int, address: str | None) -> float:
    """CPUs each actor reserves: 1, except on a local runtime too small for that, where the actors
    share all CPUs but one, so that read and write tasks can still be scheduled (actors holding
    every CPU would wait forever for input that no task can read)."""
    import ray

    if address is not None:
        return 1.0
    total = float(ray.cluster_resources().get("CPU", 1))
    return min(1.0, max(0.1, (total - 1) / concurrency))


__all__ = ["RecognizerActor", "actor_cpus", "input_kind", "label_dataset", "main", "read_documents", "run"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m model.ray_job",
                                     description="Label an archive on a Ray cluster (Ray Data); writes Parquet.")
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="JSONL or Parquet files/directories (local or s3://, gs://), or a directory of .txt")
    parser.add_argument("--out", required=True, help="output directory (local or object store) for Parquet files")
    parser.add_argument("--rules-only", action="store_true", help="the weak labeller, no model")
    parser.add_argument("--model-dir", default=None,
                        help="trained model; on a cluster, a path every node can read (default artifacts/model)")
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda (auto: cuda when --num-gpus > 0)")
    parser.add_argument("--backend", default="auto", help="see model.fast_cpu (auto: the measured CPU default)")
    parser.add_argument("--concurrency", type=int, default=2, help="Recognizer actors (model copies)")
    parser.add_argument("--num-cpus", type=float, default=None,
                        help="CPUs per actor (its math threads: at least 1). Default 1; on a local runtime, "
                             "at most what leaves one CPU for reading and writing")
    parser.add_argument("--num-gpus", type=float, default=0, help="GPUs per actor (e.g. 1, or 0.5 to share)")
    parser.add_argument("--batch-size", type=int, default=256, help="documents per batch handed to an actor")
    parser.add_argument("--address", default=None, help="Ray cluster address ('auto' inside a cluster); "
                        "default: start a local runtime")
    parser.add_argument("--local-cpus", type=int, default=None, help="CPUs of a local runtime (default: all)")
    parser.add_argument("--input-format", choices=("auto", "jsonl", "parquet", "txt"), default="auto",
                        help="auto: by suffix, or by the files in a local directory")
    parser.add_argument("--id-column", default="id")
    parser.add_argument("--text-column", default="text")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for name in ("concurrency", "batch_size"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    try:
        import ray
    except ImportError:
        print("error: Ray is not installed: pip install 'povner[ray]' (or 'ray[data]')", file=sys.stderr)
        return 2
    from .recognizer import ModelNotFoundError

    started = not ray.is_initialized()  # a caller's session (a notebook, a test) is left running
    if started:
        ray.init(address=args.address, num_cpus=args.local_cpus if args.address is None else None,
                 include_dashboard=False, log_to_driver=True)
    num_cpus = args.num_cpus if args.num_cpus is not None else actor_cpus(args.concurrency, args.address)
    try:
        run(args.inputs, args.out, rules_only=args.rules_only, model_dir=args.model_dir, device=args.device,
            backend=args.backend, concurrency=args.concurrency, num_gpus=args.num_gpus, num_cpus=num_cpus,
            batch_size=args.batch_size, id_column=args.id_column, text_column=args.text_column,
            kind=args.input_format)
    except (ModelNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    finally:
        if started:
            ray.shutdown()
    print(f"wrote Parquet to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

