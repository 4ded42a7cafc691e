"""All of one machine: several worker processes on CPU, one process with large batches on a GPU.

    python -m model.extract archive/ --workers 2 --threads-per-worker 1 --out runs/archive/

Why processes: one PyTorch process on many cores scales poorly on this small model (its matrices
are too small to keep many threads busy), while independent processes each with a few threads
scale almost linearly. The thread count of each worker is *chosen* (workers x threads <= the
cores this process may use) instead of every worker starting one thread per core and fighting
the others for them.

Work is cut into groups of consecutive documents (``model.stream.groups``); groups go to the
workers, at most ``2 x workers`` at a time (so reading stays lazy and memory flat), and come
back **in input order**, so the output of N workers is the output of one, record for record.
On a GPU, a group is one ``predict`` call: its windows are sorted by length and run in batches
of 256, which keeps the GPU busy without padding.
"""
from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from .stream import GROUP_CHARS, GROUP_DOCS, SEGMENT_CHARS, DocResult, annotate_group, groups

log = logging.getLogger(__name__)

#: windows per forward pass, by device type: small CPU batches keep caches warm, a GPU wants many
WINDOW_BATCH = {"cpu": 32, "cuda": 256}


def cpu_cores() -> int:
    """Cores this process may run on (respects taskset/cgroup cpusets, unlike os.cpu_count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def plan_threads(workers: int | None = None, threads: int | None = None,
                 cores: int | None = None) -> tuple[int, int]:
    """(workers, threads per worker) with workers x threads <= cores unless both are forced.

    Defaults: one worker using every core; N workers share the cores evenly (at least 1 each).
    """
    cores = cores or cpu_cores()
    if workers is not None and workers < 1:
        raise ValueError("workers must be at least 1")
    if threads is not None and threads < 1:
        raise ValueError("threads per worker must be at least 1")
    workers = workers or 1
    if threads is None:
        threads = max(1, cores // workers)
    if workers * threads > cores:
        log.warning("%d workers x %d threads = %d threads on %d cores: oversubscribed, expect it slower",
                    workers, threads, workers * threads, cores)
    return workers, threads


@dataclass(frozen=True)
class LabellerSpec:
    """How each worker builds its labeller: picklable, so it travels to spawned processes."""

    rules_only: bool = False
    model_dir: str | None = None
    device: str = "cpu"
    backend: str = "auto"  # see model.fast_cpu.BACKENDS
    threads: int = 1
    window_batch: int | None = None  # windows per forward pass; None: by device type
    segment_chars: int = SEGMENT_CHARS


def set_threads(threads: int, import_torch: bool = True) -> None:
    """Pin this process's math libraries to ``threads`` (call before heavy work starts)."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(threads)
    if not import_torch:  # the rules alone never load torch; the variables cover a later import
        return
    import torch

    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already set, or parallel work already started in this process
        pass


class GroupLabeller:
    """A loaded labeller (rules or a model) that turns one group of items into the entities of
    each document, normalised values included (``None`` in the place of a pass-through item).

    Entities, not records: the record format belongs to the caller (``model.extract``), which
    builds records in the parent process; this module does not import it (imports run one way).
    """

    def __init__(self, spec: LabellerSpec):
        self.spec = spec
        self.recognizer = None
        if spec.rules_only:
            from .weak import weak_label

            self.label = weak_label  # with values, as the extract CLI's rules
            self.source = "rules"
        else:
            set_threads(spec.threads)
            from .fast_cpu import load_recognizer

            rec = load_recognizer(spec.model_dir, device=spec.device, backend=spec.backend,
                                  threads=spec.threads)
            rec.batch_size = spec.window_batch or WINDOW_BATCH.get(rec.device.type, 32)
            self.recognizer = rec
            self.label = rec.predict  # with values
            self.source = "model"

    def __call__(self, group: list[Any]) -> list[list[dict] | None]:
        return [res.entities if isinstance(res, DocResult) else None
                for res in annotate_group(group, self.label, self.spec.segment_chars)]


_WORKER: GroupLabeller | None = None


def _exit_with_parent(parent: int, every_s: float = 1.0) -> None:
    """A worker whose parent was killed (SIGKILL leaves no chance to clean up) ends itself,
    instead of waiting forever on a queue nobody writes to."""
    import threading
    import time

    def watch() -> None:
        while True:
            time.sleep(every_s)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _init_worker(spec: LabellerSpec, rank_counter, parent: int) -> None:
    global _WORKER
    _exit_with_parent(parent)
    set_threads(spec.threads, import_torch=not spec.rules_only)
    if spec.device.startswith("cuda") and ":" not in spec.device:
        import torch

        with rank_counter.get_lock():
            rank = rank_counter.value
            rank_counter.value += 1
        spec = replace(spec, device=f"cuda:{rank % max(1, torch.cuda.device_count())}")
    logging.basicConfig(level=logging.WARNING)
    _WORKER = GroupLabeller(spec)


def _run_group(group: list[Any]) -> list[list[dict] | None]:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER(group)


def entities_as_records(doc_id: str, text: str, entity: dict) -> dict:
    """The default record: the entity with its document id (``model.extract`` passes its own)."""
    return {"doc_id": doc_id, **entity}


class ParallelExtractor:
    """Labels groups of documents in ``workers`` processes (or in this one when ``workers`` is 1)
    and returns them in input order. Has the ``results(items, summary)`` of ``model.extract``'s
    ``Extractor``, so the extract CLI's writers take its output unchanged; ``make_record(doc_id,
    text, entity)`` turns an entity into a record (the extract CLI passes its ``make_record``)."""

    def __init__(self, spec: LabellerSpec, workers: int = 1, group_docs: int = GROUP_DOCS,
                 group_chars: int = GROUP_CHARS, in_flight: int | None = None,
                 make_record: Callable[[str, str, dict], dict] = entities_as_records):
        if workers < 1:
            raise ValueError("workers must be at least 1")
        if not spec.rules_only:
            from .recognizer import ModelNotFoundError, resolve_device, resolve_model_dir

            model_dir = resolve_model_dir(spec.model_dir)
            if not (model_dir / "config.json").is_file():  # fail here, not in a worker
                from .recognizer import TRAIN_HINT

                raise ModelNotFoundError(f"no trained model in {model_dir}: {TRAIN_HINT}")
            from .fast_cpu import resolve_backend

            device = resolve_device(spec.device)
            spec = replace(spec, model_dir=str(model_dir), device=str(device),
                           backend=resolve_backend(spec.backend, device.type))
        self.spec = spec
        self.workers = workers
        self.group_docs = group_docs
        self.group_chars = group_chars
        self.in_flight = in_flight or 2 * workers
        self.source = "rules" if spec.rules_only else "model"
        self.make_record = make_record
        self.shard_docs = max(group_docs, 1000)  # read by model.shards (--out DIR/)
        self._local: GroupLabeller | None = None
        self._pool = None
        if workers == 1:  # load now, so that a broken model fails here and not mid-run
            self._local = GroupLabeller(self.spec)

    def _executor(self):
        if self._pool is None:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor

            ctx = mp.get_context("spawn")  # a fresh interpreter: no inherited torch thread pools
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx, initializer=_init_worker,
                                             initargs=(self.spec, ctx.Value("i", 0), os.getpid()))
        return self._pool

    def map_groups(self, item_groups: Iterable[list[Any]]) -> Iterator[tuple[list[Any], list[list[dict] | None]]]:
        """``(group, entities per item)`` for each group, in order, labelled by the workers."""
        if self.workers == 1:
            assert self._local is not None
            for group in item_groups:
                yield group, self._local(group)
            return
        pool = self._executor()
        pending: deque = deque()
        for group in item_groups:
            pending.append((group, pool.submit(_run_group, group)))
            if len(pending) >= self.in_flight:
                g, fut = pending.popleft()
                yield g, fut.result()
        while pending:
            g, fut = pending.popleft()
            yield g, fut.result()

    def map_records(self, item_groups: Iterable[list[Any]]) -> Iterator[tuple[list[Any], list[list[dict] | None]]]:
        """``(group, records per item)`` for each group, in order (records built here, in the parent)."""
        for group, entities in self.map_groups(item_groups):
            yield group, [None if ents is None else [self.make_record(str(item.id), item.text, e) for e in ents]
                          for item, ents in zip(group, entities)]

    def results(self, items: Iterable[Any], summary=None) -> Iterator[tuple[Any, list[dict]] | Any]:
        """``(document, records)`` per document and each skipped item in its place, in input order."""
        for group, records in self.map_records(groups(items, self.group_docs, self.group_chars)):
            for item, recs in zip(group, records):
                if summary is not None:
                    summary.add(item, len(recs or ()))
                yield item if recs is None else (item, recs)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> ParallelExtractor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def add_arguments(parser) -> None:
    """The extract CLI's options for scale: processes, threads, CPU backend, shard size."""
    from .fast_cpu import BACKENDS

    group = parser.add_argument_group("at scale (see README 'At scale')")
    group.add_argument("--workers", type=int, default=1,
                       help="worker processes (CPU); each loads the model once (default 1)")
    group.add_argument("--threads-per-worker", type=int, default=None,
                       help="math threads per worker (default: cores / workers, never oversubscribed)")
    group.add_argument("--backend", choices=BACKENDS, default="auto",
                       help="inference path: auto picks the measured CPU default for this CPU, fp32 on a GPU")
    group.add_argument("--shard-docs", type=int, default=SHARD_DOCS,
                       help=f"documents per shard with --out DIR/ (default {SHARD_DOCS})")


#: documents per shard (several groups of --batch-size documents make one shard)
SHARD_DOCS = 1000
#: on a GPU, at least this many documents per labelling call, so that length-sorted batches stay full
GPU_GROUP_DOCS = 1024


def extractor_from_args(args, make_record: Callable[[str, str, dict], dict] = entities_as_records
                        ) -> ParallelExtractor:
    """The labeller the extract CLI runs: ``--workers`` processes (1: this one) with ``--backend``;
    ``--batch-size`` documents (at least 1,024 on a GPU) are one unit of work."""
    if args.shard_docs < 1:
        raise ValueError("--shard-docs must be at least 1")
    workers, threads = plan_threads(args.workers, args.threads_per_worker)
    spec = LabellerSpec(rules_only=args.rules_only, model_dir=args.model_dir, device=args.device,
                        backend=args.backend, threads=threads)
    extractor = ParallelExtractor(spec, workers=workers, group_docs=args.batch_size, make_record=make_record)
    if extractor.spec.device.startswith("cuda"):
        extractor.group_docs = max(args.batch_size, GPU_GROUP_DOCS)
    extractor.shard_docs = args.shard_docs
    return extractor


__all__ = ["GroupLabeller", "LabellerSpec", "ParallelExtractor", "WINDOW_BATCH", "add_arguments", "cpu_cores",
           "entities_as_records",
           "extractor_from_args", "plan_threads", "set_threads"]
