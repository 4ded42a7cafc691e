"""Quoted PROGRAM names taken whole (``snap_quotes``) against the model as decoded, on the DEV gold.

    python -m benchmarks.snap_quotes hand852-r3-bf16 hand852-r3-bf16-seed7   # artifacts/experiments/NAME

Each model is scored twice on dev (never the holdout) in the three scripts, with the same bootstrap
resamples, and the paired interval of the difference is reported: the choice of the default
(``snap_quotes`` in configs/default.yaml and in a model's inference block) is made from this table.
Writes reports/snap_quotes.md and .json.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from model.paths import ARTIFACTS_DIR, DEV_GOLD_FILE, REPORTS_DIR


def score(model_dir: Path, n_boot: int = 1000) -> dict:
    from model.evaluate import evaluate, recognizer_system
    from model.recognizer import Recognizer

    systems = {name: recognizer_system(Recognizer(model_dir, device="cpu", merge="none", quantize=False,
                                                  snap_quotes=snap))
               for name, snap in (("decoded", False), ("snapped", True))}
    rep = evaluate(DEV_GOLD_FILE, systems, n_boot=n_boot, pairs=[("snapped", "decoded")])
    out = {}
    for script, by in rep["bootstrap"].items():
        f1 = {name: rep["systems"][name]["by_script"][script]["strict"] for name in systems}
        out[script] = {"micro": {n: f1[n]["micro"]["f1"] for n in systems},
                       "PROGRAM": {n: f1[n]["PROGRAM"]["f1"] for n in systems},
                       "diff_ci": by["diff"]["snapped − decoded"]}
    return out


def render(results: dict[str, dict]) -> str:
    lines = ["# Quoted PROGRAM names taken whole (`snap_quotes`), dev gold", "",
             "Command: `python -m benchmarks.snap_quotes " + " ".join(results) + "`. Strict micro F1 (%) on the "
             "dev gold (80 passages); 95% paired bootstrap interval of snapped − decoded (1,000 resamples "
             "over documents). The holdout is not used here.", "",
             "| model | script | decoded | snapped | snapped − decoded (95% CI) | PROGRAM decoded | PROGRAM snapped |",
             "|---|---|---|---|---|---|---|"]
    for name, by_script in results.items():
        for script, r in by_script.items():
            lo, hi = r["diff_ci"]
            micro, program = r["micro"], r["PROGRAM"]
            diff = micro["snapped"] - micro["decoded"]
            lines.append(f"| {name} | {script} | {100 * micro['decoded']:.1f} | {100 * micro['snapped']:.1f} | "
                         f"{100 * diff:+.1f} ({100 * lo:+.1f} to {100 * hi:+.1f}) | "
                         f"{100 * program['decoded']:.1f} | {100 * program['snapped']:.1f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="names under artifacts/experiments/, or model directories")
    parser.add_argument("--out", default=str(REPORTS_DIR))
    args = parser.parse_args(argv)
    results = {}
    for name in args.models:
        path = Path(name) if Path(name).is_dir() else ARTIFACTS_DIR / "experiments" / name
        if not (path / "config.json").is_file():
            parser.error(f"{name}: no trained model at {path}")
        results[name] = score(path)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    text = render(results)
    (out / "snap_quotes.md").write_text(text, encoding="utf-8")
    (out / "snap_quotes.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
