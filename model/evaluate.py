"""The evaluation report (``make eval``, ``make eval-rules``): the rules, the model alone and the
default ``predict()`` (the model merged with the rules when its config says so; when it serves the
model alone, a merge of the two is scored beside it: ``--merged``), side by side on
the gold dev and holdout sets, in three scripts, with bootstrap intervals of every difference.

Writes reports/eval.md, reports/eval.json and reports/eval_f1.png (or the *_rules variants).
Scoring only: rendering is ``model.report``.
"""
from __future__ import annotations

import argparse
import json
import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .gold import GoldDocument, load_gold
from .paths import DEV_GOLD_FILE, GOLD_FILE, REPORTS_DIR
from .report import plot, render_lf_table, render_markdown, render_precision_table
from .scoring import seqeval_scores, span_counts, summarise
from .spans import LABELS, Span
from .variants import SCRIPTS, to_traditional, with_pinyin

log = logging.getLogger(__name__)

Predictions = list[list[Span]]
System = Callable[[list[str]], Predictions]


@dataclass(frozen=True)
class Derived:
    """A system computed from other systems' predictions on the same texts (a merge), so that
    the model runs once however many merge settings are scored."""

    fn: Callable[[dict[str, Predictions]], Predictions]


def script_variants(docs: list[GoldDocument]) -> dict[str, list[GoldDocument]]:
    trad = [to_traditional(d) for d in docs]
    return {"simplified": docs, "traditional": trad, "traditional+pinyin": [with_pinyin(d) for d in trad]}


def weak_system() -> System:
    from .weak import default_labeller

    labeller = default_labeller()
    return lambda texts: [labeller.label(t) for t in texts]


def model_system(model_dir: str | Path | None, device: str = "auto", quantize: bool | None = None,
                 merge: str | None = None, snap_quotes: bool | None = None,
                 whole_numbers: bool | None = None, min_score: float | None = None) -> System:
    from .recognizer import Recognizer

    return recognizer_system(Recognizer(model_dir, device=device, quantize=quantize, merge=merge,
                                        snap_quotes=snap_quotes, whole_numbers=whole_numbers,
                                        min_score=min_score))


def recognizer_system(rec) -> System:
    return lambda texts: [[Span(d["start"], d["end"], d["label"], "", d["score"]) for d in doc]
                          for doc in rec.predict(texts, values=False)]


def parse_merge(text: str) -> tuple[str, float]:
    """``"model-first@0.9"`` → ``("model-first", 0.9)``; a clear error for anything else."""
    from .merge import check_settings

    policy, _, threshold = text.partition("@")
    try:
        value = float(threshold)
        if policy == "none":
            raise ValueError("'none' is the model alone, not a merge")
        check_settings(policy, value)
    except ValueError as err:
        raise ValueError(f"expected POLICY@THRESHOLD, a merge policy and a threshold in [0, 1], "
                         f"got {text!r} ({err})") from None
    return policy, value


def merged_system(model: str, rules: str, policy: str, threshold: float) -> Derived:
    from .merge import merge

    def fn(preds: dict[str, Predictions]) -> Predictions:
        out = []
        for m, r in zip(preds[model], preds[rules]):
            spans = merge([(s.start, s.end, s.label, 1.0) for s in r],
                          [(s.start, s.end, s.label, s.score) for s in m], policy, threshold)
            out.append([Span(a, b, label, "", score) for a, b, label, score in spans])
        return out

    return Derived(fn)


def predict_systems(systems: dict[str, System | Derived], variants: dict[str, list[GoldDocument]]):
    """preds[name][script], and seconds per system (all scripts)."""
    preds: dict[str, dict[str, Predictions]] = {name: {} for name in systems}
    seconds = {}
    for name, system in systems.items():
        t0 = time.time()
        for script, docs in variants.items():
            if isinstance(system, Derived):
                preds[name][script] = system.fn({n: p[script] for n, p in preds.items() if script in p})
            else:
                preds[name][script] = system([d.text for d in docs])
        seconds[name] = round(time.time() - t0, 2)
    return preds, seconds


def score(docs: Sequence[GoldDocument], preds: Sequence[Sequence[Span]]) -> dict:
    gold = [d.spans for d in docs]
    return {"strict": summarise(span_counts(gold, preds, "strict")),
            "overlap": summarise(span_counts(gold, preds, "overlap")),
            "seqeval_strict": seqeval_scores(gold, preds, [len(d.text) for d in docs])}


def bootstrap(docs: Sequence[GoldDocument], preds: dict[str, Sequence[Sequence[Span]]],
              pairs: Sequence[tuple[str, str]] = (), n: int = 1000, seed: int = 0,
              pooled: dict[str, Sequence[tuple[str, str]]] | None = None) -> dict:
    """95% intervals over documents resampled with replacement (the same resamples for every
    system): strict micro F1 and per-label F1 of each system, the micro F1 difference of each
    pair ``(a, b)`` as ``a - b``, and for each entry of ``pooled`` the mean of its pairs'
    differences (several seeds of one recipe against the rules: a claim about the recipe, not
    about one run). The one bootstrap of the package."""
    rng = random.Random(seed)
    idx = range(len(docs))
    micro: dict[str, list[float]] = {name: [] for name in preds}
    labels: dict[str, dict[str, list[float]]] = {name: {label: [] for label in LABELS} for name in preds}
    for _ in range(n):
        sample = [rng.choice(idx) for _ in idx]
        gold = [docs[i].spans for i in sample]
        for name, p in preds.items():
            s = summarise(span_counts(gold, [p[i] for i in sample]))
            micro[name].append(s["micro"]["f1"])
            for label in LABELS:
                labels[name][label].append(s[label]["f1"])

    def ci(xs: list[float]) -> list[float] | None:
        xs = sorted(xs)
        return [xs[int(0.025 * len(xs))], xs[int(0.975 * len(xs)) - 1]] if xs else None

    return {"resamples": n,
            "micro": {name: ci(v) for name, v in micro.items()},
            "labels": {name: {label: ci(v) for label, v in by.items()} for name, by in labels.items()},
            "diff": {f"{a} − {b}": ci([x - y for x, y in zip(micro[a], micro[b])]) for a, b in pairs},
            "pooled": {name: ci([sum(micro[a][i] - micro[b][i] for a, b in ps) / len(ps) for i in range(n)])
                       for name, ps in (pooled or {}).items() if ps}}


def errors(docs: Sequence[GoldDocument], preds: Sequence[Sequence[Span]], limit: int = 15) -> dict:
    """Missed, spurious and boundary-wrong spans per label, with context; the most frequent
    surface first (the error that costs the most points)."""
    out: dict = {label: {"missed": Counter(), "spurious": Counter(), "boundary": Counter()} for label in LABELS}
    ctx = {}
    for doc, pred in zip(docs, preds):
        t = doc.text
        gold_set = {(s.start, s.end, s.label) for s in doc.spans}
        pred_set = {(s.start, s.end, s.label) for s in pred}
        for s in doc.spans:
            if (s.start, s.end, s.label) in pred_set:
                continue
            over = [p for p in pred if p.label == s.label and p.overlaps(s)]
            key = ("boundary", t[s.start:s.end] + " → " + (t[over[0].start:over[0].end] if over else "")) if over \
                else ("missed", t[s.start:s.end])
            out[s.label][key[0]][key[1]] += 1
            ctx.setdefault((s.label, *key), f"{doc.id}: …{t[max(0, s.start - 12):s.end + 12]}…".replace("\n", " "))
        for p in pred:
            if (p.start, p.end, p.label) in gold_set or any(g.label == p.label and g.overlaps(p) for g in doc.spans):
                continue
            key = ("spurious", t[p.start:p.end])
            out[p.label]["spurious"][key[1]] += 1
            ctx.setdefault((p.label, *key), f"{doc.id}: …{t[max(0, p.start - 12):p.end + 12]}…".replace("\n", " "))
    return {label: {kind: [{"span": k, "count": c, "context": ctx[(label, kind, k)]}
                           for k, c in counter.most_common(limit)]
                    for kind, counter in kinds.items()} for label, kinds in out.items()}


def error_classes(docs: Sequence[GoldDocument], student: Sequence[Sequence[Span]],
                  teacher: Sequence[Sequence[Span]]) -> dict[str, dict[str, int]]:
    """Per label, what the student (model) does with the teacher's (rules') errors:
    ``fixed_missed``: gold spans the rules miss and the model finds exactly; ``fixed_spurious``:
    wrong rule spans the model does not repeat; ``copied_missed`` / ``copied_spurious``: the same
    error in both; ``new_missed`` / ``new_spurious``: errors of the model that the rules do not make."""
    out = {label: Counter() for label in LABELS}
    for doc, s_pred, t_pred in zip(docs, student, teacher):
        gold = {(s.start, s.end, s.label) for s in doc.spans}
        sk = {(s.start, s.end, s.label) for s in s_pred}
        tk = {(s.start, s.end, s.label) for s in t_pred}
        for key in gold:
            c = out[key[2]]
            if key not in tk:
                c["fixed_missed" if key in sk else "copied_missed"] += 1
            elif key not in sk:
                c["new_missed"] += 1
        for key in tk - gold:
            out[key[2]]["copied_spurious" if key in sk else "fixed_spurious"] += 1
        for key in sk - gold - tk:
            out[key[2]]["new_spurious"] += 1
    kinds = ("fixed_missed", "fixed_spurious", "copied_missed", "copied_spurious", "new_missed", "new_spurious")
    return {label: {k: out[label][k] for k in kinds} for label in LABELS}


def _found_only(docs, preds, other) -> dict:
    """Gold spans that one system gets exactly right and the other does not: what it adds."""
    found = []
    for doc, mine, theirs in zip(docs, preds, other):
        theirs_k = {(s.start, s.end, s.label) for s in theirs}
        mine_k = {(s.start, s.end, s.label) for s in mine}
        found += [f"{s.label} {doc.text[s.start:s.end]}" for s in doc.spans
                  if (s.start, s.end, s.label) in mine_k and (s.start, s.end, s.label) not in theirs_k]
    return {"count": len(found), "spans": found}


def evaluate(gold_path: Path, systems: dict[str, System | Derived], corpus_dir=None, n_boot: int = 1000,
             pairs: Sequence[tuple[str, str]] = (), details: bool = True, only: set[str] | None = None,
             pooled: dict[str, Sequence[tuple[str, str]]] | None = None) -> dict:
    """Scores of every system on one gold set in the three scripts, with bootstrap intervals of
    each system, of each pair's difference and of each ``pooled`` mean of differences (per
    script). ``only``: score these document ids."""
    docs = [d for d in load_gold(gold_path, corpus_dir) if only is None or d.id in only]
    variants = script_variants(docs)
    preds, seconds = predict_systems(systems, variants)
    report: dict = {"gold": str(gold_path), "documents": len(docs),
                    "spans": dict(Counter(s.label for d in docs for s in d.spans)), "systems": {},
                    "pairs": [list(p) for p in pairs]}
    for name in systems:
        sys_report = {"by_script": {s: score(variants[s], preds[name][s]) for s in SCRIPTS},
                      "seconds": seconds[name]}
        if details:
            sys_report["by_document"] = {d.id: summarise(span_counts([d.spans], [p]))["micro"]["f1"]
                                         for d, p in zip(docs, preds[name]["simplified"])}
            sys_report["errors"] = errors(docs, preds[name]["simplified"])
        report["systems"][name] = sys_report
    report["bootstrap"] = {s: bootstrap(variants[s], {n: preds[n][s] for n in systems}, pairs, n=n_boot,
                                        pooled=pooled)
                           for s in SCRIPTS}
    if details:
        report["complementary"] = {f"{a} vs {b}": {a: _found_only(docs, preds[a]["simplified"], preds[b]["simplified"]),
                                                   b: _found_only(docs, preds[b]["simplified"], preds[a]["simplified"])}
                                   for a, b in pairs}
        report["error_classes"] = {f"{a} vs {b}": error_classes(docs, preds[a]["simplified"], preds[b]["simplified"])
                                   for a, b in pairs}
    report["_predictions"] = preds  # for value accuracy; dropped before writing
    report["_docs"] = docs
    report["_variants"] = variants
    return report


def evaluate_systems(gold_path: Path, systems: dict[str, System | Derived], corpus_dir=None,
                     n_boot: int = 200, rules: str = "rules", only: set[str] | None = None) -> dict:
    """The compact form for experiments: micro F1 per script, label F1 (simplified), the interval
    of each system and of its difference from ``rules``."""
    pairs = [(n, rules) for n in systems if n != rules]
    rep = evaluate(gold_path, systems, corpus_dir, n_boot=n_boot, pairs=pairs, details=False, only=only)
    boot = rep["bootstrap"]["simplified"]
    return {"documents": rep["documents"],
            "systems": {n: {"micro": {s: r["by_script"][s]["strict"]["micro"]["f1"] for s in SCRIPTS},
                            "labels": {label: r["by_script"]["simplified"]["strict"][label]["f1"] for label in LABELS}}
                        for n, r in rep["systems"].items()},
            "ci": boot["micro"], "diff_ci": {a: boot["diff"][f"{a} − {b}"] for a, b in pairs}}


def provenance(model_dir: Path | None, golds: Sequence[Path]) -> dict:
    from .provenance import git_commit, versions

    prov = {"command": "python -m model.evaluate " + ("--model " + str(model_dir) if model_dir else "--rules-only"),
            "gold": ", ".join(str(g) for g in golds), "git commit": git_commit(),
            **versions(("torch", "transformers", "opencc", "jionlp"))}
    if model_dir:
        meta_path = Path(model_dir) / "training_meta.json"
        if meta_path.is_file():
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            prov["model"] = str(model_dir)
            prov["model config"] = meta["config"].get("config_path")
            served = _served_settings(model_dir)
            prov["merge (predict default)"] = f"{served.merge} @ {served.threshold}"
            prov["quoted names taken whole (snap_quotes)"] = served.snap_quotes
            prov["spans that split a number dropped (whole_numbers)"] = served.whole_numbers
            prov["model spans below this score dropped (min_score)"] = served.min_score
            if meta.get("inference_changes"):  # set after training (model.inference_settings)
                prov["inference settings changed"] = json.dumps(meta["inference_changes"], ensure_ascii=False)
            prov["base model"] = meta.get("base_model")
            # the hand passages' ids are left out of the header: their count says it
            data = {k: v for k, v in (meta.get("data") or {}).items() if k != "hand_passages"}
            prov["training data"] = json.dumps(data, ensure_ascii=False)
            prov["model trained at commit"] = meta.get("git_commit")
            prov["train seconds"] = meta.get("train_seconds")
    return prov


def _served_settings(model_dir: str | Path):
    """What ``predict()`` serves (``model.merge.Served``), read from the model's ``config.json``
    inference block (``model.inference_settings`` may have changed it after training) as the
    ``Recognizer`` reads it."""
    from .merge import served_settings

    path = Path(model_dir) / "config.json"
    block = json.loads(path.read_text(encoding="utf-8")).get("inference") if path.is_file() else None
    return served_settings(block)


def rules_statistics() -> list[dict]:
    from .corpus import training_documents
    from .weak import default_labeller, lf_statistics

    return lf_statistics(default_labeller(), [d.text for d in training_documents()])


def _value_section(report: dict) -> dict | None:
    """Value accuracy (model.value_eval) of each system on this gold set, when available."""
    try:
        from .enrich import enrich
        from .value_eval import value_report
    except ImportError:
        return None
    variants = report["_variants"]  # the script copies the predictions were made on
    systems = {name: {script: [enrich(d.text, [s.to_dict(d.text) for s in p])
                               for d, p in zip(variants[script], preds)]
                      for script, preds in by_script.items()}
               for name, by_script in report["_predictions"].items()}
    try:
        return {script: value_report(variants[script], {n: s[script] for n, s in systems.items()})
                for script in SCRIPTS}
    except (KeyError, TypeError, ValueError) as err:  # gold without values
        log.warning("no value accuracy: %s", err)
        return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Evaluation report on the gold sets (make eval / make eval-rules).")
    parser.add_argument("--gold", nargs="*", default=None,
                        help="gold sets (default: the dev gold and the holdout gold)")
    parser.add_argument("--model", default=None, help="model directory (default: artifacts/model)")
    parser.add_argument("--rules-only", action="store_true", help="the weak labeller alone, plus LF statistics")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--out", default=str(REPORTS_DIR))
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--merged", default="model-first@0.9",
                        help="when predict() serves the model alone (merge: none), also score this merge of the "
                             "model and the rules beside it, POLICY@THRESHOLD (default: the best merge on dev, "
                             "reports/experiments.md); 'none' leaves it out")
    args = parser.parse_args(argv)
    try:
        beside = parse_merge(args.merged) if args.merged != "none" else None
    except ValueError as err:
        parser.error(f"--merged: {err}")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    golds = [Path(g) for g in args.gold] if args.gold else [p for p in (DEV_GOLD_FILE, GOLD_FILE) if p.is_file()]
    systems: dict[str, System | Derived] = {"rules": weak_system()}
    pairs: list[tuple[str, str]] = []
    model_dir = None
    if not args.rules_only:
        from .recognizer import ModelNotFoundError, Recognizer, resolve_model_dir

        model_dir = resolve_model_dir(args.model)
        try:  # loaded once: the model alone, and what predict() serves read from the same directory
            rec = Recognizer(model_dir, device=args.device, merge="none")
        except ModelNotFoundError as err:
            parser.exit(2, f"error: {err}\n")
        served = _served_settings(model_dir)
        policy, threshold = served.merge, served.threshold
        systems["model"] = recognizer_system(rec)
        pairs.append(("model", "rules"))
        if policy != "none":
            systems["default"] = merged_system("model", "rules", policy, threshold)
            pairs += [("default", "rules"), ("default", "model")]
        elif beside is not None:  # predict() serves the model alone: a merge beside it all the same
            systems["merged"] = merged_system("model", "rules", *beside)
            pairs += [("merged", "rules"), ("merged", "model")]
    reports = {}
    for gold in golds:
        rep = evaluate(gold, systems, n_boot=args.bootstrap, pairs=pairs)
        values = _value_section(rep)
        if values:
            rep["values"] = values
        rep.pop("_predictions")
        rep.pop("_docs")
        rep.pop("_variants")
        reports[gold.parent.name] = rep
    prov = provenance(model_dir, golds)
    if "merged" in systems:
        prov["merged (beside the model alone)"] = args.merged
    full = {"provenance": prov, "gold_sets": reports}
    stem = "eval_rules" if args.rules_only else "eval"
    md_text = render_markdown(full)
    if args.rules_only:
        rows = rules_statistics()
        full["labelling_functions"] = rows
        md_text += "\n## Labelling functions on the training text\n\n" + render_lf_table(rows) + "\n"
        if DEV_GOLD_FILE.is_file():
            from .reliability import lf_precision

            prec = lf_precision(load_gold(DEV_GOLD_FILE))
            full["lf_precision_dev"] = prec
            md_text += ("\n## Labelling-function precision on the dev gold (lf_reliability)\n\n"
                        + render_precision_table(prec) + "\n")
    (out / f"{stem}.md").write_text(md_text, encoding="utf-8")
    (out / f"{stem}.json").write_text(json.dumps(full, ensure_ascii=False, indent=1), encoding="utf-8")
    plot(full, out / f"{stem}_f1.png")
    print(md_text.split("## Errors")[0])
    log.info("wrote %s/%s.md, .json and _f1.png", out, stem)


if __name__ == "__main__":
    main()
