"""How often the normalised values are right, against gold values stored on the gold spans.

Gold values are extra keys on the spans of a gold file (``model.gold`` keeps them in
``GoldDocument.values``), with the conventions of ``model.values`` and ``model.places``. Two
figures per label and field:

- given the span: among gold spans that a system found exactly (start, end and label), the share
  whose value is right; it measures the value code alone;
- end to end: among all gold spans with that field, the share found exactly AND with the right
  value; what a user filling a table gets.

``all`` is every gold field of the span right at once (a whole table row). REGION: a gold adcode
is matched by the same predicted adcode, a gold null by a predicted None; a predicted None where the
gold has a code (unresolved) is wrong. Numbers compare exactly by value (878500 == 878500.0).
Only gold spans that carry a field count for it, so a partly valued gold set scores what it has.
The lead calls ``value_report`` and ``render_value_table`` from the evaluation report.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from .enrich import VALUE_KEYS, enrich
from .fmt import pct
from .gold import GoldDocument
from .spans import Span

FIELDS: dict[str, tuple[str, ...]] = {
    "AMOUNT": ("value", "low", "high", "approx", "currency"),
    "POPULATION": ("value", "low", "high", "approx", "unit", "counts"),
    "REGION": ("adcode",),
}
ALL = "all"


def same_value(gold: object, predicted: object) -> bool:
    """Equality for value fields: numbers by exact value (878500 == 878500.0), booleans only with
    booleans, the rest by ``==``; None only equals None."""
    if gold is None or predicted is None:
        return gold is None and predicted is None
    if isinstance(gold, bool) or isinstance(predicted, bool):  # approx: True is not 1
        return isinstance(gold, bool) and isinstance(predicted, bool) and gold == predicted
    numeric = (int, float, Decimal)
    if isinstance(gold, numeric) and isinstance(predicted, numeric):
        return Decimal(str(gold)) == Decimal(str(predicted))
    return gold == predicted


def _as_entities(doc: GoldDocument, entities: Sequence) -> list[dict]:
    """Entity dicts with values: Span objects and dicts with none of their label's value keys get
    them from ``model.enrich`` (on the whole document); dicts with values are taken as they are."""
    dicts = [e.to_dict(doc.text) if isinstance(e, Span) else e for e in entities]
    bare = [not set(VALUE_KEYS.get(d.get("label"), ())) & set(d) for d in dicts]
    if any(bare):
        enriched = enrich(doc.text, dicts)
        dicts = [new if is_bare else old for old, new, is_bare in zip(dicts, enriched, bare)]
    return dicts


def _empty() -> dict:
    return {"gold": 0, "found": 0, "correct": 0}


def value_accuracy(gold_docs: Sequence[GoldDocument], predicted_entities: Sequence[Sequence]) -> dict:
    """Per label and field (plus ``all``): counts ``gold`` (gold spans with the field), ``found``
    (of those, found exactly), ``correct`` (found and right), and the rates ``given_span``
    (correct / found) and ``end_to_end`` (correct / gold), None when undefined.

    ``predicted_entities``: one list per gold document, in order, of entity dicts or ``Span``
    objects; those without value keys get them from ``model.enrich``.
    """
    if len(gold_docs) != len(predicted_entities):
        raise ValueError(f"{len(gold_docs)} gold documents but {len(predicted_entities)} predicted lists")
    counts = {label: {f: _empty() for f in (*fields, ALL)} for label, fields in FIELDS.items()}
    for doc, entities in zip(gold_docs, predicted_entities):
        predicted = {(e["start"], e["end"], e["label"]): e for e in _as_entities(doc, entities)}
        for span in doc.spans:
            fields = FIELDS.get(span.label)
            gold = doc.values.get((span.start, span.end), {})
            present = [f for f in fields or () if f in gold]
            if not present:
                continue
            hit = predicted.get((span.start, span.end, span.label))
            row_right = hit is not None
            for f in present:
                right = hit is not None and same_value(gold[f], hit.get(f))
                row_right = row_right and right
                _count(counts[span.label][f], hit is not None, right)
            _count(counts[span.label][ALL], hit is not None, row_right)
    for per_label in counts.values():
        for c in per_label.values():
            c["given_span"] = c["correct"] / c["found"] if c["found"] else None
            c["end_to_end"] = c["correct"] / c["gold"] if c["gold"] else None
    return counts


def _count(c: dict, found: bool, right: bool) -> None:
    c["gold"] += 1
    c["found"] += int(found)
    c["correct"] += int(right)


def gold_value_counts(gold_docs: Sequence[GoldDocument]) -> dict[str, int]:
    """Gold spans per label that carry at least one value field."""
    out = {label: 0 for label in FIELDS}
    for doc in gold_docs:
        for span in doc.spans:
            gold = doc.values.get((span.start, span.end), {})
            if span.label in FIELDS and any(f in gold for f in FIELDS[span.label]):
                out[span.label] += 1
    return out


def value_report(gold_docs: Sequence[GoldDocument], systems_entities: Mapping[str, Sequence[Sequence]]) -> dict:
    """``{"gold_spans_with_values": {label: n}, "systems": {name: value_accuracy(...)}}`` for
    each system's per-document entities (see ``value_accuracy``). Gold values are keyed by the
    offsets of ``gold_docs``: score the copy they were written on (the simplified one)."""
    return {"gold_spans_with_values": gold_value_counts(gold_docs),
            "systems": {name: value_accuracy(gold_docs, ents) for name, ents in systems_entities.items()}}


def render_value_table(report: dict) -> str:
    """Markdown: one row per label and field, per system the accuracy given a correct span (with
    the number of spans found) and end to end."""
    systems = list(report["systems"])
    if not any(report["gold_spans_with_values"].values()):
        return "No gold span carries a value yet: value accuracy not measured."
    head = ["label", "field", "gold"]
    for name in systems:
        head += [f"{name} given span (found)", f"{name} end to end"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, fields in FIELDS.items():
        for f in (*fields, ALL):
            first = report["systems"][systems[0]][label][f] if systems else {"gold": 0}
            if not first["gold"]:
                continue
            row = [label, f"**{f}**" if f == ALL else f, str(first["gold"])]
            for name in systems:
                c = report["systems"][name][label][f]
                row += [f"{pct(c['given_span'])} ({c['found']})", pct(c["end_to_end"])]
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


__all__ = ["ALL", "FIELDS", "gold_value_counts", "render_value_table", "same_value", "value_accuracy",
           "value_report"]
