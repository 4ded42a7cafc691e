"""What it costs to run (``make bench``): throughput, memory, load time, training time.

``python -m benchmarks.bench [--model DIR] [--weak-only]``, from the repository root (a module
run, so that ``benchmarks`` and ``model`` import without path edits). Writes reports/bench.md and
reports/bench.json. Figures are medians of a few repeats on the machine it runs on; the table
names that machine.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import time
from pathlib import Path

from benchmarks.machine import describe
from model.corpus import training_documents
from model.paths import MODEL_DIR, PROJECT_ROOT, REPORTS_DIR


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_docs(length: int, count: int) -> list[str]:
    """Documents of exactly ``length`` characters cut from training text (never the holdout)."""
    text = "".join(d.text for d in training_documents())
    while len(text) < length * count:
        text += text
    return [text[i * length:(i + 1) * length] for i in range(count)]


def timed(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_weak(repeats: int) -> dict:
    from model.weak import default_labeller

    labeller = default_labeller()
    docs = [d.text for d in training_documents()]
    t0 = time.perf_counter()
    labeller.label("预热")  # builds the gazetteer automaton
    build = time.perf_counter() - t0
    chars = sum(map(len, docs))
    sec = timed(lambda: [labeller.label(t) for t in docs], repeats)
    return {"chars": chars, "seconds": sec, "chars_per_s": chars / sec, "first_call_s": build}


def bench_model(model_dir: Path, device: str, quantize: bool, repeats: int, gold_f1: bool) -> dict:
    import torch

    from model.recognizer import Recognizer

    torch.set_num_threads(torch.get_num_threads())
    t0 = time.perf_counter()
    rec = Recognizer(model_dir, device=device, quantize=quantize)
    load = time.perf_counter() - t0
    rows = {}
    for length, batch in ((500, 1), (500, 32), (5000, 1), (5000, 32)):
        docs = make_docs(length, batch)
        rec.batch_size = 32
        rec.predict(docs[:1])  # warm-up
        sec = timed(lambda docs=docs, batch=batch: rec.predict(docs if batch > 1 else docs[0]), repeats)
        rows[f"{length}x{batch}"] = length * batch / sec
    out = {"load_s": load, "chars_per_s": rows, "quantized": rec.quantized, "device": str(rec.device)}
    if gold_f1:
        from model.evaluate import evaluate, recognizer_system
        from model.paths import GOLD_FILE

        rep = evaluate(GOLD_FILE, {"m": recognizer_system(rec)}, n_boot=10)
        out["f1_simplified"] = rep["systems"]["m"]["by_script"]["simplified"]["strict"]["micro"]["f1"]
    return out


def main(argv: list[str] | None = None) -> None:

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=str(MODEL_DIR))
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default=str(REPORTS_DIR))
    parser.add_argument("--weak-only", action="store_true", help="only the weak labeller (no model needed)")
    args = parser.parse_args(argv)
    from model.provenance import git_commit

    report = {"machine": describe(), "git_commit": git_commit()}
    report["weak"] = bench_weak(args.repeats)
    model_dir = Path(args.model)
    if not args.weak_only and (model_dir / "config.json").is_file():
        report["model_fp32"] = bench_model(model_dir, args.device, False, args.repeats, True)
        if args.device == "cpu":
            report["model_int8"] = bench_model(model_dir, args.device, True, args.repeats, True)
        meta_file = model_dir / "training_meta.json"
        meta = json.loads(meta_file.read_text()) if meta_file.is_file() else {}
        if meta:
            report["model"] = {"dir": os.path.relpath(model_dir.resolve(), PROJECT_ROOT),
                               "trained_at_commit": meta.get("git_commit"),
                               "data_fingerprint": (meta.get("data") or {}).get("fingerprint")}
            report["training"] = {"seconds": meta["train_seconds"], "epochs": meta["config"]["epochs"],
                                  "seconds_per_epoch": meta["train_seconds"] / meta["config"]["epochs"],
                                  "windows": meta["train_windows_used"], "device": meta["device"],
                                  "config": meta["config"]["config_path"]}
    report["peak_rss_mb"] = rss_mb()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = "bench_weak" if args.weak_only else "bench"
    (out / f"{stem}.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    md = render(report)
    (out / f"{stem}.md").write_text(md, encoding="utf-8")
    print(md)


def render(r: dict) -> str:
    m = r["machine"]
    lines = ["# Benchmark", "", f"Machine: {m['cpu']}, {m['cores']} cores, torch {m['torch']} "
             f"({m['threads']} threads), Python {m['python']}, GPU: {m['gpu'] or 'none'}. "
             f"Command: `make bench`; code at `{r.get('git_commit')}`.", "",
             ]
    if "model" in r:
        lines[-1:-1] = ["", f"Model: `{r['model']['dir']}`, trained at `{r['model']['trained_at_commit']}` "
                        f"(dataset fingerprint `{str(r['model']['data_fingerprint'])[:12]}…`)."]
    w = r["weak"]
    lines += [f"Weak labeller alone: **{w['chars_per_s']:,.0f} characters/s** on one core over the "
              f"{w['chars']:,} characters of the training text (first call, gazetteer build included: "
              f"{w['first_call_s']:.1f} s).", ""]
    if "model_fp32" in r:
        lines += ["Model, characters per second (documents of 500 or 5,000 characters, batch 1 or 32):", "",
                  "| system | 500 × 1 | 500 × 32 | 5,000 × 1 | 5,000 × 32 | load (s) | holdout strict micro F1 |",
                  "|---|---|---|---|---|---|---|"]
    for key, name in (("model_fp32", "model fp32"), ("model_int8", "model dynamic int8")):
        if key in r:
            x = r[key]
            c = x["chars_per_s"]
            lines.append(f"| {name} (chars/s, {x['device']}) | {c['500x1']:,.0f} | {c['500x32']:,.0f} | "
                         f"{c['5000x1']:,.0f} | {c['5000x32']:,.0f} | {x['load_s']:.1f} | "
                         f"{100 * x['f1_simplified']:.1f} |")
    lines.append("")
    lines.append(f"Peak resident memory of the benchmark process: {r['peak_rss_mb']:.0f} MB.")
    if "training" in r:
        t = r["training"]
        lines.append(f"Training ({t['config']}): {t['seconds']:.0f} s for {t['epochs']} epochs "
                     f"({t['seconds_per_epoch']:.0f} s per epoch, {t['windows']} windows) on {t['device']}.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
