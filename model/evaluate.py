"""The evaluation report (``make eval``, ``make eval-rules``): the model and the weak labeller,
side by side, on a gold set in the ANNOTATION.md format, in three scripts.

Writes reports/eval.md, reports/eval.json and reports/eval_f1.png (or the *_rules variants).
"""
from __future__ import annotations

import argparse
import json
import logging
import platform
import random
import time
from collections import Counter
from pathlib import Path
from typing import Callable, Sequence

from .gold import GoldDocument, load_gold
from .paths import GOLD_FILE, REPORTS_DIR
from .scoring import seqeval_scores, span_counts, summarise
from .spans import LABELS, Span
from .variants import to_traditional, with_pinyin

log = logging.getLogger(__name__)

SCRIPTS = ("simplified", "traditional", "traditional+pinyin")
System = Callable[[list[str]], list[list[Span]]]


def script_variants(docs: list[GoldDocument]) -> dict[str, list[GoldDocument]]:
    trad = [to_traditional(d) for d in docs]
    return {"simplified": docs, "traditional": trad, "traditional+pinyin": [with_pinyin(d) for d in trad]}


def weak_system() -> System:
    from .weak import default_labeller

    labeller = default_labeller()
    return lambda texts: [labeller.label(t) for t in texts]


def model_system(model_dir: str | Path | None, device: str = "auto", quantize: bool | None = None) -> System:
    from .recognizer import Recognizer

    return recognizer_system(Recognizer(model_dir, device=device, quantize=quantize))


def recognizer_system(rec) -> System:
    return lambda texts: [[Span(d["start"], d["end"], d["label"]) for d in doc] for doc in rec.predict(texts)]


def score(docs: Sequence[GoldDocument], preds: Sequence[Sequence[Span]]) -> dict:
    gold = [d.spans for d in docs]
    return {"strict": summarise(span_counts(gold, preds, "strict")),
            "overlap": summarise(span_counts(gold, preds, "overlap")),
            "seqeval_strict": seqeval_scores(gold, preds, [len(d.text) for d in docs])}


def bootstrap(docs, preds_a, preds_b=None, n: int = 1000, seed: int = 0) -> dict:
    """95% intervals of strict micro F1 over documents resampled with replacement (and of the
    difference a - b when a second system is given)."""
    rng = random.Random(seed)
    idx = range(len(docs))
    f_a, f_b, diff = [], [], []
    for _ in range(n):
        sample = [rng.choice(idx) for _ in idx]
        g = [docs[i].spans for i in sample]
        fa = summarise(span_counts(g, [preds_a[i] for i in sample]))["micro"]["f1"]
        f_a.append(fa)
        if preds_b is not None:
            fb = summarise(span_counts(g, [preds_b[i] for i in sample]))["micro"]["f1"]
            f_b.append(fb)
            diff.append(fa - fb)

    def ci(xs):
        xs = sorted(xs)
        return [xs[int(0.025 * len(xs))], xs[int(0.975 * len(xs)) - 1]] if xs else None

    return {"a": ci(f_a), "b": ci(f_b), "diff": ci(diff), "resamples": n}


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


def evaluate(gold_path: Path, systems: dict[str, System], corpus_dir=None, n_boot: int = 1000) -> dict:
    docs = load_gold(gold_path, corpus_dir)
    variants = script_variants(docs)
    report: dict = {"gold": str(gold_path), "documents": len(docs),
                    "spans": dict(Counter(s.label for d in docs for s in d.spans)), "systems": {}}
    preds: dict = {}
    for name, system in systems.items():
        t0 = time.time()
        preds[name] = {script: system([d.text for d in vdocs]) for script, vdocs in variants.items()}
        sys_report = {"by_script": {s: score(variants[s], preds[name][s]) for s in SCRIPTS},
                      "seconds": round(time.time() - t0, 2)}
        sys_report["by_document"] = {
            d.id: summarise(span_counts([d.spans], [p]))["micro"]["f1"]
            for d, p in zip(docs, preds[name]["simplified"])}
        sys_report["errors"] = errors(docs, preds[name]["simplified"])
        report["systems"][name] = sys_report
    names = list(systems)
    a = names[0]
    b = names[1] if len(names) > 1 else None
    report["bootstrap"] = {s: bootstrap(variants[s], preds[a][s], preds[b][s] if b else None, n=n_boot)
                           for s in SCRIPTS}
    report["bootstrap"]["systems"] = [a, b]
    report["per_label_ci"] = {name: _per_label_ci(docs, preds[name]["simplified"], n_boot) for name in names}
    if b:
        report["complementary"] = {a: _found_only(docs, preds[a]["simplified"], preds[b]["simplified"]),
                                   b: _found_only(docs, preds[b]["simplified"], preds[a]["simplified"])}
    return report


def _found_only(docs, preds, other) -> dict:
    """Gold spans that one system gets exactly right and the other does not: what it adds."""
    found = []
    for doc, mine, theirs in zip(docs, preds, other):
        theirs_k = {(s.start, s.end, s.label) for s in theirs}
        mine_k = {(s.start, s.end, s.label) for s in mine}
        found += [f"{s.label} {doc.text[s.start:s.end]}" for s in doc.spans
                  if (s.start, s.end, s.label) in mine_k and (s.start, s.end, s.label) not in theirs_k]
    return {"count": len(found), "spans": found}


def _per_label_ci(docs, preds, n: int, seed: int = 1) -> dict[str, list[float]]:
    """95% bootstrap interval of each label's strict F1 (documents resampled), for the chart."""
    rng = random.Random(seed)
    idx = range(len(docs))
    samples: dict = {label: [] for label in LABELS}
    for _ in range(n):
        sample = [rng.choice(idx) for _ in idx]
        s = summarise(span_counts([docs[i].spans for i in sample], [preds[i] for i in sample]))
        for label in LABELS:
            samples[label].append(s[label]["f1"])
    return {label: [sorted(v)[int(0.025 * n)], sorted(v)[int(0.975 * n) - 1]] for label, v in samples.items()}


# ---------------------------------------------------------------- rendering

def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}"


def render_markdown(report: dict, provenance: dict) -> str:
    names = list(report["systems"])
    lines = ["# Evaluation report", "",
             f"Gold: `{report['gold']}` — {report['documents']} documents, spans {report['spans']}.  ",
             f"Systems: {', '.join(f'`{n}`' for n in names)}. Strict = exact boundaries and label "
             "(seqeval, IOB2, strict mode); overlap = a predicted span overlapping a gold span of its label.", ""]
    for key, val in provenance.items():
        lines.append(f"- {key}: `{val}`")
    lines.append("")
    for script in SCRIPTS:
        lines += [f"## {script}", "", _table(report, names, script), ""]
    bs = report["bootstrap"]
    lines += ["## Bootstrap 95% intervals (strict micro F1, documents resampled)", "",
              "| script | " + " | ".join(f"{n}" for n in names if n) + (" | difference |" if len(names) > 1 else " |"),
              "|---|" + "---|" * (len(names) + (1 if len(names) > 1 else 0))]
    for script in SCRIPTS:
        b = bs[script]
        cells = [f"{_pct(b['a'][0])}–{_pct(b['a'][1])}"]
        if len(names) > 1:
            cells += [f"{_pct(b['b'][0])}–{_pct(b['b'][1])}", f"{_pct(b['diff'][0])} to {_pct(b['diff'][1])}"]
        lines.append(f"| {script} | " + " | ".join(cells) + " |")
    lines += ["", "## By document (strict micro F1, simplified)", "",
              "| document | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    first = report["systems"][names[0]]["by_document"]
    for doc_id in sorted(first, key=first.get):
        lines.append(f"| {doc_id} | " + " | ".join(_pct(report["systems"][n]["by_document"][doc_id]) for n in names) + " |")
    for name, comp in report.get("complementary", {}).items():
        lines += ["", f"Gold spans that only `{name}` gets exactly right: {comp['count']}"
                  + (": " + ", ".join(f"`{x}`" for x in comp["spans"][:20]) if comp["spans"] else "") + "."]
    for name in names:
        lines += ["", f"## Errors of `{name}` (simplified; most frequent first)", ""]
        for label in LABELS:
            errs = report["systems"][name]["errors"][label]
            lines.append(f"### {label}")
            for kind in ("missed", "spurious", "boundary"):
                items = errs[kind][:8]
                if items:
                    lines.append(f"- **{kind}**: " + "; ".join(
                        f"`{e['span']}`×{e['count']} ({e['context']})" for e in items))
            lines.append("")
    return "\n".join(lines) + "\n"


def _table(report: dict, names: list[str], script: str) -> str:
    """Strict P/R/F1 per system, the strict F1 difference (first minus second), overlap F1."""
    head = "| label | " + " | ".join(f"{n} P | {n} R | {n} F1" for n in names)
    head += (f" | ΔF1 ({names[0]} − {names[1]})" if len(names) > 1 else "")
    head += "".join(f" | {n} F1 overlap" for n in names) + " | support |"
    ncols = 1 + 3 * len(names) + (len(names) > 1) + len(names) + 1
    rows = [head, "|---" * ncols + "|"]
    by = {n: report["systems"][n]["by_script"][script] for n in names}
    for label in [*LABELS, "micro", "macro"]:
        cells = []
        for n in names:
            s = by[n]["strict"][label]
            cells += [_pct(s["precision"]), _pct(s["recall"]), f"**{_pct(s['f1'])}**"]
        if len(names) > 1:
            cells.append(f"{100 * (by[names[0]]['strict'][label]['f1'] - by[names[1]]['strict'][label]['f1']):+.1f}")
        cells += [_pct(by[n]["overlap"][label]["f1"]) for n in names]
        rows.append(f"| {label} | " + " | ".join(cells) + f" | {by[names[0]]['strict'][label]['support']} |")
    return "\n".join(rows)


def plot(report: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(report["systems"])
    fig, ax = plt.subplots(figsize=(7, 3.5))
    width = 0.8 / len(names)
    for k, name in enumerate(names):
        strict = report["systems"][name]["by_script"]["simplified"]["strict"]
        ci = report["per_label_ci"][name]
        ys = [100 * strict[label]["f1"] for label in LABELS]
        lo = [max(0.0, y - 100 * ci[label][0]) for y, label in zip(ys, LABELS)]
        hi = [max(0.0, 100 * ci[label][1] - y) for y, label in zip(ys, LABELS)]
        ax.bar([i + k * width for i in range(len(LABELS))], ys, width, yerr=[lo, hi], capsize=3, label=name)
    ax.set_xticks([i + width * (len(names) - 1) / 2 for i in range(len(LABELS))], LABELS)
    ax.set_ylabel("strict F1 (%)")
    ax.set_ylim(0, 100)
    ax.set_title("Gold holdout, simplified script (95% bootstrap intervals)")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def provenance(model_dir: Path | None, gold: Path) -> dict:
    import importlib.metadata as md

    from .train import git_commit

    prov = {"command": "python -m model.evaluate " + ("--model " + str(model_dir) if model_dir else "--rules-only"),
            "gold": str(gold), "git commit": git_commit(), "python": platform.python_version()}
    for pkg in ("torch", "transformers", "opencc", "jionlp"):
        try:
            prov[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            pass
    if model_dir:
        meta_path = Path(model_dir) / "training_meta.json"
        if meta_path.is_file():
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            prov["model"] = str(model_dir)
            prov["model config"] = meta["config"].get("config_path")
            prov["base model"] = meta.get("base_model")
            prov["training data"] = json.dumps(meta.get("data"), ensure_ascii=False)
            prov["model trained at commit"] = meta.get("git_commit")
    return prov


def rules_statistics() -> list[dict]:
    from .corpus import training_documents
    from .weak import default_labeller, lf_statistics

    return lf_statistics(default_labeller(), [d.text for d in training_documents()])


def render_lf_table(rows: list[dict]) -> str:
    lines = ["| function | label | spans | coverage (docs) | overlaps | conflicts | kept after aggregation |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['function']} | {r['label']} | {r['spans']} | {100 * r['coverage']:.1f}% | "
                     f"{r['overlaps']} | {r['conflicts']} | {r['kept']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Evaluation report on a gold set (make eval / make eval-rules).")
    parser.add_argument("--gold", default=str(GOLD_FILE))
    parser.add_argument("--model", default=None, help="model directory (default: artifacts/model)")
    parser.add_argument("--rules-only", action="store_true", help="the weak labeller alone, plus LF statistics")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--out", default=str(REPORTS_DIR))
    parser.add_argument("--bootstrap", type=int, default=1000)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    gold = Path(args.gold)
    systems: dict[str, System] = {}
    model_dir = None
    if not args.rules_only:
        from .recognizer import resolve_model_dir

        model_dir = resolve_model_dir(args.model)
        systems["model"] = model_system(model_dir, args.device)
    systems["weak"] = weak_system()
    report = evaluate(gold, systems, n_boot=args.bootstrap)
    prov = provenance(model_dir, gold)
    report["provenance"] = prov
    stem = "eval_rules" if args.rules_only else "eval"
    md_text = render_markdown(report, prov)
    if args.rules_only:
        rows = rules_statistics()
        report["labelling_functions"] = rows
        md_text += "\n## Labelling functions on the training text\n\n" + render_lf_table(rows) + "\n"
    (out / f"{stem}.md").write_text(md_text, encoding="utf-8")
    (out / f"{stem}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    plot(report, out / f"{stem}_f1.png")
    print(md_text.split("## Bootstrap")[0])
    log.info("wrote %s/%s.md, .json and _f1.png", out, stem)


if __name__ == "__main__":
    main()
