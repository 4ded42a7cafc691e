"""What it costs at scale (part of ``make bench``): CPU paths, processes, memory over many documents.

Writes reports/scale.md and reports/scale.json:

* **CPU paths**: per core (one thread), characters per second of each backend of
  ``model.fast_cpu`` and its holdout strict micro F1; a path qualifies as the CPU default when it
  runs at least 2x fp32 and loses at most 0.5 F1 point.
* **Processes**: the extract pipeline's throughput with 1 process (1 and all threads) and 2
  processes x 1 thread.
* **Memory**: peak resident memory of ``python -m model.extract ... --out DIR/`` over 2,000 and
  20,000 documents (one subprocess per size, its whole process tree sampled), rules and model.

Documents are cut from the training text (seeds and corpus passages outside the holdout): whole
passages for throughput, sentences for the memory runs (so that 20,000 documents stay minutes,
not hours, on 2 cores). Figures are noisy on a shared machine: each is the median of repeats,
with the range.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.machine import describe  # noqa: E402
from model.paths import MODEL_DIR, REPORTS_DIR  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
F1_BAR = 0.5  # points
SPEED_BAR = 2.0


def training_texts() -> list[str]:
    from model.corpus import training_documents

    return [d.text for d in training_documents()]


def sentences(texts: list[str], lo: int = 8, hi: int = 80) -> list[str]:
    """Short documents: the sentences of the training text (so that 20,000 of them take minutes)."""
    out = []
    for t in texts:
        for s in re.split(r"(?<=[。！？；\n])", t):
            s = s.strip()
            if lo <= len(s) <= hi:
                out.append(s)
    return out


def write_jsonl(path: Path, texts: list[str], count: int) -> int:
    """``count`` documents cycling through ``texts`` (unique ids); returns the characters."""
    chars = 0
    with open(path, "w", encoding="utf-8") as f:
        for i in range(count):
            t = texts[i % len(texts)]
            chars += len(t)
            f.write(json.dumps({"id": f"d{i:06d}", "text": t}, ensure_ascii=False) + "\n")
    return chars


def spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


# -- CPU paths -------------------------------------------------------------------------------------

def holdout_f1(rec) -> float:
    from model.evaluate import recognizer_system, score
    from model.gold import load_gold
    from model.paths import GOLD_FILE

    docs = load_gold(GOLD_FILE)
    preds = recognizer_system(rec)([d.text for d in docs])
    return score(docs, preds)["strict"]["micro"]["f1"]


def bench_backends(model_dir: Path, backends: list[str], repeats: int, docs_chars: int) -> dict:
    """Per core: one thread for torch and ONNX Runtime alike."""
    import torch

    from model.fast_cpu import load_recognizer, native_bf16

    torch.set_num_threads(1)
    texts = training_texts()
    docs, n = [], 0
    for t in texts:
        if n >= docs_chars:
            break
        docs.append(t)
        n += len(t)
    out = {"docs": len(docs), "chars": n, "threads": 1, "native_bf16": native_bf16(), "paths": {}}
    for backend in backends:
        try:
            t0 = time.perf_counter()
            rec = load_recognizer(model_dir, device="cpu", backend=backend, threads=1)
            load = time.perf_counter() - t0
        except ImportError as err:  # onnxruntime not installed: say so, do not fail the bench
            out["paths"][backend] = {"error": f"not installed: {err.name}"}
            continue
        rec.predict(docs[:2], values=False)  # warm-up
        speeds = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            rec.predict(docs, values=False)
            speeds.append(n / (time.perf_counter() - t0))
        out["paths"][backend] = {"chars_per_s": spread(speeds), "load_s": load, "f1": holdout_f1(rec)}
        print(f"  {backend}: {out['paths'][backend]['chars_per_s']['median']:,.0f} chars/s, "
              f"F1 {100 * out['paths'][backend]['f1']:.1f}", file=sys.stderr)
        del rec
    ref = out["paths"].get("fp32")
    for name, p in out["paths"].items():
        if ref and "f1" in p:
            p["speedup"] = p["chars_per_s"]["median"] / ref["chars_per_s"]["median"]
            p["speedup_range"] = [p["chars_per_s"]["min"] / ref["chars_per_s"]["max"],
                                  p["chars_per_s"]["max"] / ref["chars_per_s"]["min"]]
            p["delta_f1_points"] = 100 * (p["f1"] - ref["f1"])
            p["qualifies"] = name != "fp32" and p["speedup"] >= SPEED_BAR and p["delta_f1_points"] >= -F1_BAR
    return out


# -- processes -------------------------------------------------------------------------------------

def bench_processes(model_dir: Path | None, configs: list[tuple[int, int]], n_docs: int, repeats: int) -> dict:
    """End-to-end extract pipeline (labelling, values, records) after the workers have started."""
    from model.parallel import LabellerSpec, ParallelExtractor
    from model.readers import Document
    from model.records import make_record

    texts = training_texts()
    docs = [Document(f"d{i}", texts[i % len(texts)]) for i in range(n_docs)]
    chars = sum(len(d.text) for d in docs)
    rules = model_dir is None
    out = {"labeller": "rules" if rules else "model (default backend)", "docs": n_docs, "chars": chars,
           "runs": []}
    for workers, threads in configs:
        spec = LabellerSpec(rules_only=rules, model_dir=None if rules else str(model_dir), device="cpu",
                            threads=threads)
        with ParallelExtractor(spec, workers=workers, group_docs=16, make_record=make_record) as ex:
            list(ex.results(docs[: 2 * workers * 16]))  # start the workers, load, warm up
            speeds, per_cpu_s = [], []
            for _ in range(repeats):
                c0, t0 = cpu_seconds(), time.perf_counter()
                n = sum(1 for r in ex.results(docs) if isinstance(r, tuple))
                dt, cpu = time.perf_counter() - t0, cpu_seconds() - c0
                assert n == n_docs
                speeds.append(chars / dt)
                per_cpu_s.append(chars / cpu)
            backend = ex.spec.backend if not rules else "rules"
        run = {"workers": workers, "threads": threads, "backend": backend, "chars_per_s": spread(speeds),
               "docs_per_s": statistics.median(speeds) * n_docs / chars,
               "chars_per_cpu_s": statistics.median(per_cpu_s)}
        out["runs"].append(run)
        print(f"  {workers} x {threads}: {run['chars_per_s']['median']:,.0f} chars/s, "
              f"{run['chars_per_cpu_s']:,.0f} per CPU-second", file=sys.stderr)
    return out


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and its live children (the workers)."""
    import psutil

    me = psutil.Process()
    total = 0.0
    for p in [me, *me.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


# -- memory ----------------------------------------------------------------------------------------

def peak_tree_rss(proc: subprocess.Popen, every_s: float = 0.05) -> float:
    """Peak of the summed RSS of ``proc`` and its children (MB), sampled until it exits."""
    import psutil

    peak = 0.0
    root = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            procs = [root, *root.children(recursive=True)]
            total = 0
            for p in procs:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            peak = max(peak, total / 2**20)
        except psutil.Error:
            pass
        time.sleep(every_s)
    return peak


def _watch(proc: subprocess.Popen, box: dict) -> None:
    box["peak"] = peak_tree_rss(proc)


def bench_memory(sizes: list[int], labellers: list[str], model_dir: Path | None, workers: int,
                 long_chars: int = 0, threads: int = 1) -> dict:
    """Peak memory per run; ``long_chars`` adds one run (rules) over a single document that long."""
    full = training_texts()
    texts = sentences(full)
    out = {"doc_chars_mean": statistics.mean(map(len, texts)), "workers": workers, "threads": threads, "runs": []}
    plan = [(lab, size, texts) for lab in labellers for size in sizes]
    if long_chars:
        whole = "".join(full)
        plan.append(("rules", 1, [(whole * (long_chars // len(whole) + 1))[:long_chars]]))
    with tempfile.TemporaryDirectory() as tmp:
        for labeller, size, docs in plan:  # one subprocess per run
            src = Path(tmp) / f"docs-{labeller}-{size}.jsonl"
            chars = write_jsonl(src, docs, size)
            dest = Path(tmp) / f"out-{labeller}-{size}-{chars}"
            cmd = [sys.executable, "-m", "model.extract", str(src), "--out", f"{dest}/", "--no-progress",
                   "--workers", str(workers), "--threads-per-worker", str(threads), "--format", "parquet"]
            cmd += ["--rules-only"] if labeller == "rules" else ["--model-dir", str(model_dir), "--device", "cpu"]
            t0 = time.perf_counter()
            proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            box: dict = {}
            watcher = threading.Thread(target=_watch, args=(proc, box))
            watcher.start()
            _, err = proc.communicate()
            watcher.join()
            seconds = time.perf_counter() - t0
            if proc.returncode:
                raise RuntimeError(f"{' '.join(cmd)} failed: {err[-2000:]}")
            manifest = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
            run = {"labeller": labeller, "docs": size, "chars": chars, "peak_rss_mb": box["peak"],
                   "seconds": seconds, "records": manifest["records"], "shards": len(manifest["shards"])}
            out["runs"].append(run)
            print(f"  {labeller} {size}: {run['peak_rss_mb']:.0f} MB, {seconds:.0f} s", file=sys.stderr)
    return out


# -- report ----------------------------------------------------------------------------------------

def render(r: dict) -> str:
    m = r["machine"]
    lines = ["# At scale", "",
             f"Machine: {m['cpu']}, {m['cores']} cores, torch {m['torch']}, GPU: {m['gpu'] or 'none'}. "
             "Command: `make bench` (`python benchmarks/scale.py`). Medians of repeats, range in brackets; "
             "this machine is shared, so read differences under ~20% as noise.",
             "Load average (1 min) when each section started: "
             + (", ".join(f"{k} {v:.1f}" for k, v in r.get("load", {}).items()) or "–")
             + f" (on {m['cores']} cores: above ~0.5 per core, another program was running).", ""]
    if "backends" in r:
        b = r["backends"]
        lines += [f"## CPU paths, per core (1 thread), model `{r['model']}`", "",
                  f"{b['docs']} documents, {b['chars']:,} characters; CPU multiplies bf16 natively (AMX): "
                  f"{'yes' if b['native_bf16'] else 'no'}.", "",
                  "| backend | chars/s (1 core) | × fp32 | holdout strict micro F1 | Δ F1 (points) | load (s) | "
                  "default? |", "|---|---|---|---|---|---|---|"]
        for name, p in b["paths"].items():
            if "error" in p:
                lines.append(f"| {name} | {p['error']} | | | | | |")
                continue
            c = p["chars_per_s"]
            lo, hi = p.get("speedup_range", [1, 1])
            lines.append(f"| {name} | {c['median']:,.0f} [{c['min']:,.0f}–{c['max']:,.0f}] | "
                         f"{p.get('speedup', 1):.2f} [{lo:.2f}–{hi:.2f}] | {100 * p['f1']:.1f} | "
                         f"{p.get('delta_f1_points', 0):+.1f} | {p['load_s']:.1f} | "
                         f"{'meets both bars' if p.get('qualifies') else '–'} |")
        lines += ["", f"Bars: at least {SPEED_BAR:.0f}× fp32 per core and at most {F1_BAR} F1 point lost.", ""]
    if "processes" in r:
        p = r["processes"]
        lines += ["## Processes (extract pipeline: labels, values, records)", "",
                  f"{p['docs']} documents, {p['chars']:,} characters, labeller: {p['labeller']}.", "",
                  "| processes × threads | backend | chars/s (wall clock) | documents/s | chars per CPU-second |",
                  "|---|---|---|---|---|"]
        for run in p["runs"]:
            c = run["chars_per_s"]
            lines.append(f"| {run['workers']} × {run['threads']} | {run['backend']} | {c['median']:,.0f} "
                         f"[{c['min']:,.0f}–{c['max']:,.0f}] | {run['docs_per_s']:.1f} | "
                         f"{run.get('chars_per_cpu_s', 0):,.0f} |")
        lines.append("")
    if "memory" in r:
        mem = r["memory"]
        lines += ["## Memory over many documents (`python -m model.extract DOCS.jsonl --out DIR/`)", "",
                  f"One run per row ({mem['workers']} worker{'s' if mem['workers'] > 1 else ''} × "
                  f"{mem.get('threads', 1)} thread), peak RSS of "
                  f"its whole process tree; documents are sentences, {mem['doc_chars_mean']:.0f} characters "
                  "on average (the last row, if any: one single long document).", "",
                  "| labeller | documents | characters | peak RSS (MB) | seconds | entities | shards |",
                  "|---|---|---|---|---|---|---|"]
        for run in mem["runs"]:
            lines.append(f"| {run['labeller']} | {run['docs']:,} | {run['chars']:,} | {run['peak_rss_mb']:.0f} | "
                         f"{run['seconds']:.0f} | {run['records']:,} | {run['shards']} |")
        by: dict = {}
        for run in mem["runs"]:
            if run["docs"] > 1:
                by.setdefault(run["labeller"], []).append(run)
        for lab, runs in by.items():
            if len(runs) >= 2:
                a, b = runs[0], runs[-1]
                lines.append(f"\n{lab}: {b['docs'] / a['docs']:.0f}× the documents, "
                             f"{b['peak_rss_mb'] / a['peak_rss_mb']:.2f}× the peak memory.")
        lines.append("")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(MODEL_DIR))
    parser.add_argument("--sections", default="backends,processes,memory")
    parser.add_argument("--backends", default="fp32,bf16,int8,int8-mixed,onnx-int8")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--backend-chars", type=int, default=20_000, help="characters per backend timing")
    parser.add_argument("--process-docs", type=int, default=64)
    parser.add_argument("--memory-sizes", default="2000,20000")
    parser.add_argument("--memory-labellers", default="rules,model")
    parser.add_argument("--memory-workers", type=int, default=1)
    parser.add_argument("--memory-threads", type=int, default=1, help="threads per worker in the memory runs")
    parser.add_argument("--long-doc-chars", type=int, default=1_000_000,
                        help="one extra memory run (rules) over a single document this long; 0: none")
    parser.add_argument("--out", default=str(REPORTS_DIR))
    args = parser.parse_args(argv)
    sections = set(args.sections.split(","))
    model_dir = Path(args.model)
    has_model = (model_dir / "config.json").is_file()
    report: dict = {"machine": describe(), "model": str(model_dir) if has_model else None, "load": {}}
    if not has_model:
        print(f"no model in {model_dir}: the model sections are skipped (rules only)", file=sys.stderr)
    if "backends" in sections and has_model:
        print("CPU paths:", file=sys.stderr)
        report["load"]["backends"] = os.getloadavg()[0]
        report["backends"] = bench_backends(model_dir, args.backends.split(","), args.repeats, args.backend_chars)
    if "processes" in sections:
        print("processes:", file=sys.stderr)
        cores = os.cpu_count() or 1
        configs = [(1, 1), (1, cores), (2, 1)] if cores > 1 else [(1, 1), (2, 1)]
        report["load"]["processes"] = os.getloadavg()[0]
        report["processes"] = bench_processes(model_dir if has_model else None, configs, args.process_docs,
                                              args.repeats)
    if "memory" in sections:
        print("memory:", file=sys.stderr)
        labellers = [x for x in args.memory_labellers.split(",") if x == "rules" or has_model]
        report["load"]["memory"] = os.getloadavg()[0]
        report["memory"] = bench_memory([int(s) for s in args.memory_sizes.split(",")], labellers,
                                        model_dir if has_model else None, args.memory_workers, args.long_doc_chars,
                                        args.memory_threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "scale.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    md = render(report)
    (out / "scale.md").write_text(md, encoding="utf-8")
    print(md)


if __name__ == "__main__":
    main()
