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

from model.config import TrainConfig, load_config
from model.paths import REPORTS_DIR


def score(name: str, config: TrainConfig, n_boot: int = 1000) -> dict:
    """One model alone with and without the quote step (``benchmarks.experiments.compare``), per script."""
    from benchmarks.experiments import compare

    rep = compare(f"{name}:alone,quotes,no-numbers", f"{name}:alone,no-quotes,no-numbers", config, n_boot=n_boot)
    snapped, decoded = rep["served"]  # the two labels: "NAME +quotes" and "NAME"
    systems = {"decoded": decoded, "snapped": snapped}
    return {script: {"micro": {k: rep["f1"][script][v] for k, v in systems.items()},
                     "PROGRAM": {k: rep["program_f1"][script][v] for k, v in systems.items()},
                     "diff_ci": rep["diff_ci"][script][f"{snapped} − {decoded}"]}
            for script in rep["f1"]}


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
    parser.add_argument("--config", default="configs/default.yaml", help="dev gold and corpus paths")
    parser.add_argument("--out", default=str(REPORTS_DIR))
    args = parser.parse_args(argv)
    config = load_config(args.config, merge="none")
    results = {}
    for name in args.models:
        try:
            results[name] = score(str(Path(name).resolve()) if Path(name).is_dir() else name, config)
        except FileNotFoundError as err:
            parser.error(str(err))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    text = render(results)
    (out / "snap_quotes.md").write_text(text, encoding="utf-8")
    (out / "snap_quotes.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
