"""Several trained models of one recipe (its seeds) on the gold sets, each as ``predict()`` serves
it, against the rules, and the mean over the seeds.

``python -m benchmarks.seeds MODEL [MODEL ...]`` (a directory, or a name under
artifacts/experiments) writes reports/seeds.md and reports/seeds.json. Why: one model's difference
from the rules moves by about half a point between seeds, so a claim about a recipe rests on the
mean over its seeds, whose interval comes from the same document resamples for every seed
(``model.evaluate.evaluate(pooled=...)``). Reporting only: like ``make eval`` it chooses nothing,
and on the holdout it must not be used to choose anything.
"""
from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from model.evaluate import evaluate, model_system, weak_system
from model.fmt import pct, signed_ci
from model.paths import ARTIFACTS_DIR, DEV_GOLD_FILE, GOLD_FILE, PROJECT_ROOT, REPORTS_DIR
from model.provenance import git_commit
from model.variants import SCRIPTS

log = logging.getLogger("seeds")


def resolve(model: str) -> Path:
    """A model directory as given, else ``artifacts/experiments/NAME``; a clear error for neither."""
    for path in (Path(model), ARTIFACTS_DIR / "experiments" / model):
        if (path / "config.json").is_file():
            return path
    raise FileNotFoundError(f"no trained model at {model!r} nor at artifacts/experiments/{model}")


def score_seeds(gold_path: Path, models: dict[str, Path], n_boot: int = 1000) -> dict:
    """Strict micro F1 of the rules and of each model (as served) in the three scripts, the interval
    of each model's difference from the rules, and of the mean difference over the models."""
    if not models:
        raise ValueError("no models to score")
    systems = {"rules": weak_system(), **{name: model_system(path) for name, path in models.items()}}
    pairs = [(name, "rules") for name in models]
    rep = evaluate(gold_path, systems, n_boot=n_boot, pairs=pairs, details=False, pooled={"mean": pairs})
    f1 = {script: {name: r["by_script"][script]["strict"]["micro"]["f1"] for name, r in rep["systems"].items()}
          for script in SCRIPTS}
    return {"gold": _shown(gold_path), "documents": rep["documents"], "f1": f1,
            "diff_ci": {script: {name: rep["bootstrap"][script]["diff"][f"{name} − rules"] for name in models}
                        for script in SCRIPTS},
            "mean_diff": {script: sum(f1[script][m] - f1[script]["rules"] for m in models) / len(models)
                          for script in SCRIPTS},
            "mean_diff_ci": {script: rep["bootstrap"][script]["pooled"]["mean"] for script in SCRIPTS}}


def _shown(path: Path) -> str:
    """A path as the report shows it: from the project root when it lies inside it."""
    path = Path(path).resolve()
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def render(results: dict[str, dict], models: dict[str, Path], commit: str) -> str:
    lines = ["# Seeds of one recipe against the rules", "",
             f"- command: `python -m benchmarks.seeds {' '.join(models)}`", f"- git commit: `{commit}`",
             "- models: " + ", ".join(f"`{name}` ({_shown(path)})" for name, path in models.items()),
             "- each model as `predict()` serves it (its inference block); strict micro F1; 95% bootstrap "
             "intervals over documents, the same resamples for every system", ""]
    for gold, res in results.items():
        lines += [f"## {gold} ({res['documents']} docs)", "",
                  "| script | rules | " + " | ".join(models) + " | " + " | ".join(f"{m} − rules" for m in models)
                  + " | mean − rules |",
                  "|---" * (3 + 2 * len(models)) + "|"]
        for script in SCRIPTS:
            f1, ci = res["f1"][script], res["diff_ci"][script]
            cells = [script, pct(f1["rules"]), *(pct(f1[m]) for m in models),
                     *(f"{100 * (f1[m] - f1['rules']):+.1f} ({signed_ci(ci[m])})" for m in models),
                     f"**{100 * res['mean_diff'][script]:+.1f}** ({signed_ci(res['mean_diff_ci'][script])})"]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="+", help="model directories or names under artifacts/experiments")
    parser.add_argument("--gold", nargs="*", default=None, help="gold sets (default: dev and holdout)")
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--out", default=str(REPORTS_DIR))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        models = {m: resolve(m) for m in args.models}
    except FileNotFoundError as err:
        parser.exit(2, f"error: {err}\n")
    golds = [Path(g) for g in args.gold] if args.gold else [p for p in (DEV_GOLD_FILE, GOLD_FILE) if p.is_file()]
    results = {gold.parent.name: score_seeds(gold, models, args.bootstrap) for gold in golds}
    commit = git_commit()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    text = render(results, models, commit)
    (out / "seeds.md").write_text(text, encoding="utf-8")
    full = {"git_commit": commit, "models": {m: _shown(p) for m, p in models.items()}, "gold_sets": results}
    (out / "seeds.json").write_text(json.dumps(full, ensure_ascii=False, indent=1), encoding="utf-8")
    print(text)
    log.info("wrote %s/seeds.md and .json", out)


if __name__ == "__main__":
    main()
