"""Train variants of the default recipe and compare them on the gold DEV set (never the holdout).

``python -m benchmarks.experiments [NAME ...]`` trains each variant of configs/experiments.yaml
into artifacts/experiments/NAME (a finished one is scored, not retrained; one trained elsewhere keeps
the row reports/experiments.json recorded), scores it on the dev
gold in the three scripts (the model alone as decoded, and merged with the rules under each policy
and threshold), and writes reports/experiments.md and .json. ``--compare A B`` pairs two finished
variants (or one served two ways) on dev, alone and as served. The default recipe and merge policy are chosen from
this table; the holdout is scored once, by ``make eval``, for the chosen recipe.
"""
from __future__ import annotations

import argparse
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import yaml

from model.config import TrainConfig, load_config
from model.paths import ARTIFACTS_DIR, PROJECT_ROOT, REPORTS_DIR
from model.spans import LABELS
from model.variants import SCRIPTS

log = logging.getLogger("experiments")
THRESHOLDS = (0.0, 0.5, 0.7, 0.9)


def score_on_dev(model_dir: Path, config: TrainConfig, n_boot: int = 200, corpus_half: bool = False) -> dict:
    """Model alone, the rules, and every merge policy × threshold, strict micro F1 on dev. The model
    as decoded, without the quote step, whatever its block says: the rows compare training recipes,
    old and new alike (``benchmarks.snap_quotes`` measures the step; ``--compare`` the number step).
    ``corpus_half``: only the dev passages of the corpus (for a model that read the others in training)."""
    from model.corpus import load_split
    from model.evaluate import evaluate_systems, merged_system, model_system, weak_system

    systems = {"model": model_system(model_dir, quantize=False, merge="none", snap_quotes=False,
                                     whole_numbers=False, min_score=0.0),
               "rules": weak_system()}
    for policy in ("rules-first", "model-first", "model-first-longer"):
        for t in THRESHOLDS:
            systems[f"{policy}@{t}"] = merged_system("model", "rules", policy, t)
    only = set(load_split()["dev"]) if corpus_half else None
    return evaluate_systems(config.resolve(config.dev_gold), systems, config.corpus_dir, n_boot=n_boot, only=only)


def saw_dev_extra(config: TrainConfig, meta: dict) -> bool:
    """Whether training read the dev gold's extra passages (weakly or teacher-labelled): models that
    read the extra directory before those passages were left out of it (2026-12-02)."""
    reads_extra = config.extra_text > 0 or config.self_train_epochs > 0
    excluded = (meta.get("data") or {}).get("extra_dev_gold_excluded") or \
        (meta.get("self_training") or {}).get("extra_dev_gold_excluded")
    return bool(reads_extra and not excluded)


def variant_config(name: str, base: TrainConfig, overrides: dict) -> TrainConfig:
    """The config of variant ``name``: trained into artifacts/experiments/NAME, with a dataset cache
    of its own when its overrides change what the cached windows hold."""
    extra = {"output_dir": str(ARTIFACTS_DIR / "experiments" / name)}
    if {"window_chars", "augment", "seed", "extra_text", "extra_empty_share"} & set(overrides):
        extra["dataset_dir"] = f"data/dataset-{name}"
    return base.with_overrides(**overrides, **extra)


def run_variant(name: str, base: TrainConfig, overrides: dict, rescore: bool = False) -> dict:
    from model.train import train

    out = ARTIFACTS_DIR / "experiments" / name
    result_path = out / "experiment.json"
    if result_path.is_file() and not rescore:
        return json.loads(result_path.read_text())
    config = variant_config(name, base, overrides)
    if not (out / "training_meta.json").is_file():  # a finished model is scored, not retrained
        train(config)
    meta = json.loads((out / "training_meta.json").read_text())
    corpus_half = saw_dev_extra(config, meta)
    report = score_on_dev(out, config, corpus_half=corpus_half)
    systems = report["systems"]
    best = max((n for n in systems if "@" in n), key=lambda n: systems[n]["micro"]["simplified"])
    result = {"name": name, "overrides": overrides, "train_seconds": meta["train_seconds"],
              "train_windows": meta["train_windows_used"], "commit": meta.get("git_commit"),
              "dev": {n: {"micro": s["micro"], "labels": s["labels"]} for n, s in systems.items()},
              "model_ci": report["ci"]["model"], "best_merge": best, "best_merge_ci": report["ci"][best],
              "model_minus_rules_ci": report["diff_ci"]["model"], "dev_documents": report["documents"],
              "dev_corpus_half": corpus_half, "resumed_from": meta.get("resumed_from"),
              "train_seconds_scope": meta.get("train_seconds_scope")}
    result_path.write_text(json.dumps(result, indent=1))
    return result


@dataclass(frozen=True)
class Side:
    """One side of ``--compare``: a finished variant and how it is served."""

    name: str
    path: Path
    policy: str
    threshold: float
    snap_quotes: bool
    whole_numbers: bool = False
    max_length: int | None = None  # predict's window in tokens; None: the model's own
    stride: int | None = None
    windows: str | None = None  # predict's windowing ("overlap", "sentences"); None: the model's own
    min_score: float | None = None  # the model's spans below it dropped; None: the config's

    @property
    def alone(self) -> str:
        """The label of the model alone (the quote step and the windows are part of decoding, so
        they show here)."""
        settings = (("window", self.max_length), ("stride", self.stride), ("windows", self.windows),
                    ("min", self.min_score or None))
        windows = "".join(f" {key}={value}" for key, value in settings if value is not None)
        return (self.name + (" +quotes" if self.snap_quotes else "") + (" +numbers" if self.whole_numbers else "")
                + windows)

    @property
    def served(self) -> str:
        return self.alone if self.policy == "none" else f"{self.alone} {self.policy}@{self.threshold}"


def parse_side(arg: str, config: TrainConfig) -> Side:
    """``NAME[:SETTING,...]``, each setting one of ``POLICY@THRESHOLD`` (a merge), ``alone`` (no
    merge), ``quotes`` / ``no-quotes`` (the quote step on or off), ``numbers`` / ``no-numbers`` (the
    step that drops number spans splitting a number, ``model.whole_numbers``), ``window=N`` / ``stride=N``
    (predict's windows, in tokens), ``windows=overlap|sentences`` (how predict cuts long text),
    ``min=S`` (the model's spans scoring below S dropped, ``min_score``); what is not given comes
    from the config and the model, so that two variants trained at different times are served
    alike."""
    from model.evaluate import parse_merge

    name, _, spec = arg.partition(":")
    policy, threshold, snap = config.merge, config.merge_threshold, config.snap_quotes
    numbers = config.whole_numbers
    windows: dict[str, int] = {}
    windowing = None
    min_score = config.min_score
    for item in filter(None, spec.split(",")):
        key, eq, value = item.partition("=")
        if item in ("quotes", "no-quotes"):
            snap = item == "quotes"
        elif item in ("numbers", "no-numbers"):
            numbers = item == "numbers"
        elif item == "alone":
            policy = "none"
        elif eq and key in ("window", "stride"):
            if not value.isdigit():
                raise ValueError(f"--compare: {key}= takes a whole number of tokens, got {item!r}")
            windows[key] = int(value)
        elif eq and key == "windows":
            from model.recognizer import WINDOWINGS

            if value not in WINDOWINGS:
                raise ValueError(f"--compare: windows= takes one of {WINDOWINGS}, got {item!r}")
            windowing = value
        elif eq and key == "min":
            try:
                min_score = float(value)
            except ValueError:
                raise ValueError(f"--compare: min= takes a score in [0, 1], got {item!r}") from None
        else:
            policy, threshold = parse_merge(item)
    path = ARTIFACTS_DIR / "experiments" / name
    if not (path / "config.json").is_file():
        raise FileNotFoundError(f"variant {name} is not trained ({path})")
    return Side(name, path, policy, float(threshold), snap, numbers, windows.get("window"), windows.get("stride"),
                windowing, min_score)


def compare(a: str, b: str, config: TrainConfig, n_boot: int = 1000) -> dict:
    """Paired bootstrap on dev of two sides, each difference as ``a − b``: the models alone, and the
    two as served (see ``parse_side``; one variant may be both sides, served two ways). Per script:
    strict micro F1, PROGRAM F1 and the paired intervals."""
    from model.evaluate import evaluate, recognizer_system
    from model.recognizer import Recognizer

    sides = [parse_side(arg, config) for arg in (a, b)]
    if sides[0].served == sides[1].served:
        raise ValueError("--compare: give two different variants or servings")
    systems = {}
    for side in sides:
        for label, policy in ((side.alone, "none"), (side.served, side.policy)):
            if label not in systems:
                systems[label] = recognizer_system(Recognizer(side.path, quantize=False, merge=policy,
                                                              merge_threshold=side.threshold,
                                                              snap_quotes=side.snap_quotes,
                                                              whole_numbers=side.whole_numbers,
                                                              max_length=side.max_length, stride=side.stride,
                                                              windows=side.windows, min_score=side.min_score))
    pairs = [(sides[0].alone, sides[1].alone)] if sides[0].alone != sides[1].alone else []
    if (sides[0].served, sides[1].served) not in pairs:
        pairs.append((sides[0].served, sides[1].served))
    rep = evaluate(config.resolve(config.dev_gold), systems, config.corpus_dir, n_boot=n_boot,
                   pairs=pairs, details=False)

    def by_script(key: str) -> dict:
        return {script: {n: r["by_script"][script]["strict"][key]["f1"] for n, r in rep["systems"].items()}
                for script in SCRIPTS}

    return {"served": [side.served for side in sides], "f1": by_script("micro"),
            "program_f1": by_script("PROGRAM"),
            "diff_ci": {script: rep["bootstrap"][script]["diff"] for script in SCRIPTS}}


def _commit(result: dict) -> str:
    """The commit a variant was trained at (older results: from its model directory)."""
    if result.get("commit"):
        return result["commit"]
    meta = ARTIFACTS_DIR / "experiments" / result["name"] / "training_meta.json"
    return json.loads(meta.read_text()).get("git_commit") or "?" if meta.is_file() else "?"


def _short(commit: str) -> str:
    return commit[:7] + ("+dirty" if commit.endswith("+dirty") else "")


def _since_resume_only(row: dict) -> bool:
    """A run continued with --resume whose minutes count from the resume only: it was trained
    before ``model.clock`` kept the time in checkpoints (its meta has no ``train_seconds_scope``)."""
    return bool(row.get("resumed_from")) and not row.get("train_seconds_scope")


def render(results: list[dict], base_path: str) -> str:
    lines = ["# Experiments on the gold dev set", "",
             f"Command: `python -m benchmarks.experiments`; variants of `{base_path}` listed in "
             "`configs/experiments.yaml`; CPU (2 cores). Strict micro F1 (%) on the dev gold (`dev docs`: 80 "
             "passages, 40 of the corpus and 40 of the extra directory; 40† = the corpus half only, for a "
             "model whose training read the extra half's text before it was left out); "
             "95% bootstrap intervals over documents. The holdout is not used here. `commit`: the code "
             "(rules included) each variant was trained at; `train (min)` marked ‡: a run continued with "
             "`--resume` after it was killed, its minutes counted from the resume only (runs trained "
             "before checkpoints kept the time; later ones count all their runs).", "",
             "| variant | changes | commit | train (min) | dev docs | model simplified (95% CI) | traditional | "
             "trad.+pinyin | model − rules (95% CI) | best merge on dev | merged F1 | "
             + " | ".join(f"model {label}" for label in LABELS) + " |", "|---" * (11 + len(LABELS)) + "|"]
    for r in results:
        m = r["dev"]["model"]["micro"]
        best = r["best_merge"]
        d = r["model_minus_rules_ci"]
        docs = f"{r.get('dev_documents') or 40}{'†' if r.get('dev_corpus_half') else ''}"
        lines.append(
            f"| {r['name']} | `{json.dumps(r['overrides'], ensure_ascii=False)}` | `{_short(_commit(r))}` | "
            f"{r['train_seconds'] / 60:.1f}{'‡' if _since_resume_only(r) else ''} | {docs} | "
            f"{100 * m['simplified']:.1f} ({100 * r['model_ci'][0]:.1f}–{100 * r['model_ci'][1]:.1f}) | "
            f"{100 * m['traditional']:.1f} | {100 * m['traditional+pinyin']:.1f} | "
            f"{100 * d[0]:+.1f} to {100 * d[1]:+.1f} | `{best}` | {100 * r['dev'][best]['micro']['simplified']:.1f} | "
            + " | ".join(f"{100 * r['dev']['model']['labels'][label]:.1f}" for label in LABELS) + " |")
    if results:
        settings = list(dict.fromkeys(n for r in results for n in r["dev"] if n != "rules"))
        lines += ["", "Strict micro F1 (%, simplified) on dev of the model alone and of each merge with the rules "
                      "(`model.merge`: policy@threshold); the default `predict()` uses the best over the seeds of the "
                      "default recipe.", "",
                  "| variant | " + " | ".join(settings) + " |", "|---" * (1 + len(settings)) + "|"]
        for r in results:
            lines.append(f"| {r['name']} | " + " | ".join(f"{100 * r['dev'][n]['micro']['simplified']:.1f}"
                                                         if n in r["dev"] else "–" for n in settings) + " |")
        for half, title in ((False, "all dev passages"), (True, "the corpus half (40†)")):
            done = [r for r in results if bool(r.get("dev_corpus_half")) == half]
            if done:
                rules = done[0]["dev"]["rules"]["micro"]
                lines += ["", f"The rules alone on {title}: {100 * rules['simplified']:.1f} simplified, "
                              f"{100 * rules['traditional']:.1f} traditional, "
                              f"{100 * rules['traditional+pinyin']:.1f} traditional + pinyin."]
    return "\n".join(lines) + "\n"


def _recorded() -> dict[str, dict]:
    """The rows of the last report, so that a variant whose model is not on this machine (a fresh
    clone: artifacts are not committed) keeps its row instead of vanishing from the table."""
    path = REPORTS_DIR / "experiments.json"
    return {r["name"]: r for r in json.loads(path.read_text(encoding="utf-8"))} if path.is_file() else {}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="variants to run (default: all)")
    parser.add_argument("--spec", default="configs/experiments.yaml")
    parser.add_argument("--report-only", action="store_true", help="render the finished variants; train nothing")
    parser.add_argument("--rescore", action="store_true",
                        help="score the finished variants again (after the dev gold changed); trains nothing new")
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"),
                        help="paired bootstrap on dev of two finished variants (A − B), alone and as served; "
                             "NAME:SETTING,... serves that side otherwise: POLICY@THRESHOLD, alone, quotes, "
                             "no-quotes, numbers, no-numbers, window=N, stride=N, windows=overlap|sentences, "
                             "min=S (the rest from the base config and the model); "
                             "trains nothing")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    spec = yaml.safe_load((PROJECT_ROOT / args.spec).read_text(encoding="utf-8"))
    base = load_config(spec["base"])
    if args.compare:
        try:
            result = compare(*args.compare, base)
        except (FileNotFoundError, ValueError) as err:
            parser.error(str(err))
        print(json.dumps(result, indent=1, ensure_ascii=False))
        return
    unknown = set(args.names) - set(spec["variants"])
    if unknown:
        parser.error(f"no such variants in {args.spec}: {sorted(unknown)}")
    names = args.names or list(spec["variants"])
    recorded = _recorded()
    results = []
    for name in spec["variants"]:
        done = ARTIFACTS_DIR / "experiments" / name / "experiment.json"
        trained = (ARTIFACTS_DIR / "experiments" / name / "training_meta.json").is_file()
        if args.rescore and trained and (not args.names or name in names):
            results.append(run_variant(name, base, spec["variants"][name] or {}, rescore=True))
        elif done.is_file() or (name in names and not args.report_only and not args.rescore):
            results.append(run_variant(name, base, spec["variants"][name] or {}))
        elif name in recorded:  # trained on another machine: its row as the report recorded it
            results.append(recorded[name])
        else:
            continue
        REPORTS_DIR.mkdir(exist_ok=True)
        (REPORTS_DIR / "experiments.md").write_text(render(results, spec["base"]), encoding="utf-8")
        (REPORTS_DIR / "experiments.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(render(results, spec["base"]))


if __name__ == "__main__":
    main()
