"""Rendering of evaluation reports: markdown tables and the F1 chart. Scoring lives in
``model.evaluate``; this module only turns its report dict into text and pictures."""
from __future__ import annotations

from pathlib import Path

from .fmt import pct, pct_interval, signed_ci
from .spans import LABELS
from .variants import SCRIPTS


def score_table(report: dict, names: list[str], script: str) -> str:
    """Strict P/R/F1 per system and label, overlap F1, support."""
    head = "| label | " + " | ".join(f"{n} P | {n} R | {n} F1" for n in names)
    head += "".join(f" | {n} F1 overlap" for n in names) + " | support |"
    ncols = 1 + 3 * len(names) + len(names) + 1
    rows = [head, "|---" * ncols + "|"]
    by = {n: report["systems"][n]["by_script"][script] for n in names}
    for label in [*LABELS, "micro", "macro"]:
        cells = []
        for n in names:
            s = by[n]["strict"][label]
            cells += [pct(s["precision"]), pct(s["recall"]), f"**{pct(s['f1'])}**"]
        cells += [pct(by[n]["overlap"][label]["f1"]) for n in names]
        rows.append(f"| {label} | " + " | ".join(cells) + f" | {by[names[0]]['strict'][label]['support']} |")
    return "\n".join(rows)


def summary_table(reports: dict[str, dict]) -> str:
    """One row per gold set × script: each system's strict micro F1 with its interval, and each
    pair's difference interval. The table the README quotes."""
    first = next(iter(reports.values()))
    names = list(first["systems"])
    pairs = [f"{a} − {b}" for a, b in first["pairs"]]
    lines = ["| gold | script | " + " | ".join(f"{n} F1 (95% CI)" for n in names)
             + "".join(f" | {p} (95% CI)" for p in pairs) + " |",
             "|---" * (2 + len(names) + len(pairs)) + "|"]
    for gold_name, rep in reports.items():
        for script in SCRIPTS:
            boot = rep["bootstrap"][script]
            cells = [f"**{pct(rep['systems'][n]['by_script'][script]['strict']['micro']['f1'])}** "
                     f"({pct_interval(boot['micro'][n])})" for n in names]
            cells += [signed_ci(boot["diff"][p]) for p in pairs]
            lines.append(f"| {gold_name} ({rep['documents']} docs) | {script} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def error_class_table(classes: dict[str, dict[str, int]]) -> str:
    kinds = list(next(iter(classes.values())))
    lines = ["| label | " + " | ".join(k.replace("_", " ") for k in kinds) + " |", "|---" * (1 + len(kinds)) + "|"]
    for label, counts in classes.items():
        lines.append(f"| {label} | " + " | ".join(str(counts[k]) for k in kinds) + " |")
    return "\n".join(lines)


def render_value_section(values: dict) -> list[str]:
    try:
        from .value_eval import render_value_table
    except ImportError:
        return []
    lines = ["### Normalised values", ""]
    for script, rep in values.items():
        lines += [f"**{script}**", "", render_value_table(rep), ""]
    return lines


def render_markdown(full: dict) -> str:
    reports = full["gold_sets"]
    lines = ["# Evaluation report", "",
             "Strict = exact boundaries and label (seqeval, IOB2, strict mode); overlap = a predicted span "
             "overlapping a gold span of its label. Intervals: 95% bootstrap over documents (the same "
             "resamples for every system). `rules` = the weak labeller; `model` = the model alone; "
             "`default` = what `predict()` returns (the model merged with the rules, when its config says so); "
             "`merged` = a merge of the two scored beside a `predict()` that serves the model alone "
             "(`--merged`).", ""]
    for key, val in full["provenance"].items():
        lines.append(f"- {key}: `{val}`")
    lines += ["", "## Summary (strict micro F1)", "", summary_table(reports), ""]
    for gold_name, rep in reports.items():
        names = list(rep["systems"])
        lines += [f"## {gold_name}: `{rep['gold']}`", "",
                  f"{rep['documents']} documents, spans {rep['spans']}.", ""]
        for script in SCRIPTS:
            lines += [f"### {script}", "", score_table(rep, names, script), ""]
        for pair, classes in rep.get("error_classes", {}).items():
            lines += [f"### What the first system does with the second's errors ({pair}, simplified)", "",
                      "fixed missed: gold spans the second misses and the first finds exactly; fixed spurious: "
                      "wrong spans of the second that the first does not repeat; copied: the same error in both; "
                      "new: errors of the first that the second does not make.", "",
                      error_class_table(classes), ""]
        for pair, comp in rep.get("complementary", {}).items():
            for name, found in comp.items():
                shown = ": " + ", ".join(f"`{x}`" for x in found["spans"][:25]) if found["spans"] else ""
                lines += [f"Gold spans that only `{name}` gets exactly right ({pair}): {found['count']}{shown}.", ""]
        if rep.get("values"):
            lines += render_value_section(rep["values"])
        if "by_document" in rep["systems"][names[0]]:
            lines += ["### By document (strict micro F1, simplified)", "",
                      "| document | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
            first = rep["systems"][names[0]]["by_document"]
            for doc_id in sorted(first, key=first.get):
                lines.append(f"| {doc_id} | " + " | ".join(pct(rep["systems"][n]["by_document"][doc_id])
                                                          for n in names) + " |")
            lines.append("")
    for gold_name, rep in reports.items():
        for name in rep["systems"]:
            if "errors" not in rep["systems"][name]:
                continue
            lines += [f"## Errors of `{name}` on {gold_name} (simplified; most frequent first)", ""]
            for label in LABELS:
                errs = rep["systems"][name]["errors"][label]
                lines.append(f"### {label}")
                for kind in ("missed", "spurious", "boundary"):
                    items = errs[kind][:8]
                    if items:
                        lines.append(f"- **{kind}**: " + "; ".join(
                            f"`{e['span']}`×{e['count']} ({e['context']})" for e in items))
                lines.append("")
    return "\n".join(lines) + "\n"


def plot(full: dict, path: Path) -> None:
    """Strict F1 per label and system on each gold set (simplified), with 95% intervals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    reports = full["gold_sets"]
    fig, axes = plt.subplots(1, len(reports), figsize=(6.5 * len(reports), 3.6), squeeze=False)
    for ax, (gold_name, rep) in zip(axes[0], reports.items()):
        names = list(rep["systems"])
        width = 0.8 / len(names)
        boot = rep["bootstrap"]["simplified"]["labels"]
        for k, name in enumerate(names):
            strict = rep["systems"][name]["by_script"]["simplified"]["strict"]
            ys = [100 * strict[label]["f1"] for label in LABELS]
            lo = [max(0.0, y - 100 * boot[name][label][0]) for y, label in zip(ys, LABELS)]
            hi = [max(0.0, 100 * boot[name][label][1] - y) for y, label in zip(ys, LABELS)]
            ax.bar([i + k * width for i in range(len(LABELS))], ys, width, yerr=[lo, hi], capsize=3, label=name)
        ax.set_xticks([i + width * (len(names) - 1) / 2 for i in range(len(LABELS))], LABELS)
        ax.set_ylabel("strict F1 (%)")
        ax.set_ylim(0, 100)
        ax.set_title(f"{gold_name} gold, simplified (95% bootstrap intervals)")
        ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def render_lf_table(rows: list[dict]) -> str:
    lines = ["| function | label | spans | coverage (docs) | overlaps | conflicts | kept after aggregation |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['function']} | {r['label']} | {r['spans']} | {100 * r['coverage']:.1f}% | "
                     f"{r['overlaps']} | {r['conflicts']} | {r['kept']} |")
    return "\n".join(lines)


def render_precision_table(table: dict[str, dict]) -> str:
    lines = ["| function | votes | exact hits | precision |", "|---|---|---|---|"]
    for name, r in table.items():
        lines.append(f"| {name} | {r['votes']} | {r['hits']} | {pct(r['precision'])} |")
    return "\n".join(lines)
