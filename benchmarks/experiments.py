"""Train variants of the default config and compare holdout F1 against training time.

``python benchmarks/experiments.py [NAME ...]`` trains each variant of configs/experiments.yaml
into artifacts/experiments/NAME (skipping those already done), scores it on the gold holdout in
the three scripts, and writes reports/experiments.md and .json.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model.config import load_config  # noqa: E402
from model.paths import ARTIFACTS_DIR, GOLD_FILE, PROJECT_ROOT, REPORTS_DIR  # noqa: E402
from model.spans import LABELS  # noqa: E402

log = logging.getLogger("experiments")


def run_variant(name: str, base: dict, overrides: dict) -> dict:
    from model.evaluate import SCRIPTS, evaluate, model_system
    from model.train import train

    out = ARTIFACTS_DIR / "experiments" / name
    result_path = out / "experiment.json"
    if result_path.is_file():
        return json.loads(result_path.read_text())
    config = {**base, **overrides, "output_dir": str(out)}
    if "window_chars" in overrides or "augment" in overrides:
        config["dataset_dir"] = f"data/dataset-{name}"
    if not (out / "training_meta.json").is_file():  # a finished model is scored, not retrained
        train(config)
    meta = json.loads((out / "training_meta.json").read_text())
    report = evaluate(GOLD_FILE, {"model": model_system(out, quantize=False)}, n_boot=200)
    by = report["systems"]["model"]["by_script"]
    result = {"name": name, "overrides": overrides, "train_seconds": meta["train_seconds"],
              "train_windows": meta["train_windows_used"],
              "micro_f1": {s: by[s]["strict"]["micro"]["f1"] for s in SCRIPTS},
              "label_f1": {label: by["simplified"]["strict"][label]["f1"] for label in LABELS},
              "ci": report["bootstrap"]["simplified"]["a"]}
    result_path.write_text(json.dumps(result, indent=1))
    return result


def render(results: list[dict], base_path: str) -> str:
    lines = ["# Experiments: holdout strict F1 against training time", "",
             f"Command: `python benchmarks/experiments.py`; variants of `{base_path}` listed in "
             "`configs/experiments.yaml`; same data, CPU (2 cores). F1 in %, strict, gold holdout.", "",
             "| variant | changes | train time (min) | micro F1 simplified (95% CI) | traditional | "
             "trad.+pinyin | REGION | PROGRAM | AMOUNT | POPULATION |", "|---" * 10 + "|"]
    for r in results:
        f = r["micro_f1"]
        lf = r["label_f1"]
        lines.append(f"| {r['name']} | `{json.dumps(r['overrides'])}` | {r['train_seconds'] / 60:.1f} | "
                     f"{100 * f['simplified']:.1f} ({100 * r['ci'][0]:.1f}–{100 * r['ci'][1]:.1f}) | "
                     f"{100 * f['traditional']:.1f} | {100 * f['traditional+pinyin']:.1f} | "
                     + " | ".join(f"{100 * lf[label]:.1f}" for label in LABELS) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="variants to run (default: all)")
    parser.add_argument("--spec", default="configs/experiments.yaml")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    spec = yaml.safe_load((PROJECT_ROOT / args.spec).read_text(encoding="utf-8"))
    base = load_config(spec["base"])
    names = args.names or list(spec["variants"])
    results = []
    for name in spec["variants"]:
        done = ARTIFACTS_DIR / "experiments" / name / "experiment.json"
        if name in names or done.is_file():
            results.append(run_variant(name, base, spec["variants"][name]))
            (REPORTS_DIR / "experiments.md").write_text(render(results, spec["base"]), encoding="utf-8")
            (REPORTS_DIR / "experiments.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(render(results, spec["base"]))


if __name__ == "__main__":
    main()
