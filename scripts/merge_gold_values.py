"""Merge hand-made normalised values into the spans of a gold set, in place.

The values (a number of yuan, a head count, an adcode and level) are decided by hand in a small
spec file, kept apart from the gold so that span boundaries and values can be reviewed on their
own; this script checks the spec against the gold and appends the values to the gold's spans.

    python -m scripts.merge_gold_values data/holdout/values.spec.json data/holdout/gold.jsonl
    python -m scripts.merge_gold_values SPEC GOLD --check     # validate only, write nothing

SPEC: {"0010.txt": [{"start": 0, "end": 3, "adcode": "150000", "level": "province"}, ...], ...},
one entry per gold span, found by its offsets. Keys per label (all required unless marked):
  REGION      adcode (6-digit str or null), level, undecided (optional, only true)
  AMOUNT      value, low, high, approx, currency
  POPULATION  value, low, high, approx, unit, counts
  PROGRAM     none
Existing span keys (start, end, label, text) and everything else on a line stay byte-for-byte;
the values are appended after them in the order above. Re-running replaces earlier values.
Nothing is written unless the whole spec is valid.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import tempfile
from pathlib import Path

REQUIRED: dict[str, tuple[str, ...]] = {
    "REGION": ("adcode", "level"),
    "AMOUNT": ("value", "low", "high", "approx", "currency"),
    "POPULATION": ("value", "low", "high", "approx", "unit", "counts"),
    "PROGRAM": (),
}
OPTIONAL: dict[str, tuple[str, ...]] = {"REGION": ("undecided",)}
VALUE_KEYS = frozenset(k for keys in (*REQUIRED.values(), *OPTIONAL.values()) for k in keys)
LEVELS = frozenset({"province", "city", "county", "town", "village", "country", "zone", "natural area"})
LEVELS_WITHOUT_CODE = frozenset({"country", "natural area"})
COUNTS = frozenset({"persons", "households", "person-times", "household-times"})
ADCODE = re.compile(r"\d{6}")
CURRENCY = re.compile(r"[A-Z]{3}")


class SpecError(ValueError):
    """The spec does not fit the gold set, or a value has the wrong type."""


def _is_number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _check_number(where: str, key: str, x: object, integer: bool) -> list[str]:
    """A count must be an int; an amount may be a float, but an integral one must be written as an int."""
    if not _is_number(x):
        return [f"{where}: {key} must be a number, got {x!r}"]
    if isinstance(x, float) and (integer or x.is_integer()):
        return [f"{where}: {key} must be written as an integer, got {x!r}"]
    if x < 0:
        return [f"{where}: {key} is negative ({x!r})"]
    return []


def _check_quantity(where: str, v: dict, integer: bool) -> list[str]:
    """Exactly one of: a single value (low/high null) or a range (value null, low <= high)."""
    errs: list[str] = []
    if v["value"] is not None:
        errs += _check_number(where, "value", v["value"], integer)
        if v["low"] is not None or v["high"] is not None:
            errs.append(f"{where}: low/high must be null when value is set")
    else:
        for key in ("low", "high"):
            errs += _check_number(where, key, v[key], integer)
        if not errs and v["low"] > v["high"]:
            errs.append(f"{where}: low {v['low']} > high {v['high']}")
    if not isinstance(v["approx"], bool):
        errs.append(f"{where}: approx must be true or false, got {v['approx']!r}")
    return errs


def check_values(where: str, label: str, v: dict) -> list[str]:
    """Every problem with one span's values (keys allowed for its label, types, consistency)."""
    keys = set(v) - {"start", "end"}
    allowed = set(REQUIRED[label]) | set(OPTIONAL.get(label, ()))
    errs = [f"{where}: key {k!r} not allowed for {label}" for k in sorted(keys - allowed)]
    errs += [f"{where}: missing key {k!r} for {label}" for k in REQUIRED[label] if k not in v]
    if errs:
        return errs
    if label == "REGION":
        code, level, undecided = v["adcode"], v["level"], v.get("undecided", False)
        if level not in LEVELS:
            errs.append(f"{where}: unknown level {level!r}")
        if "undecided" in v and v["undecided"] is not True:
            errs.append(f"{where}: undecided, when present, must be true")
        if code is None:
            if level not in LEVELS_WITHOUT_CODE and not undecided:
                errs.append(f"{where}: adcode null needs level country/natural area or undecided")
        elif not (isinstance(code, str) and ADCODE.fullmatch(code)):
            errs.append(f"{where}: adcode must be a 6-digit string, got {code!r}")
        elif level in LEVELS_WITHOUT_CODE or undecided:
            errs.append(f"{where}: level {level!r}{' (undecided)' if undecided else ''} takes adcode null")
    elif label == "AMOUNT":
        errs += _check_quantity(where, v, integer=False)
        if not (isinstance(v["currency"], str) and CURRENCY.fullmatch(v["currency"])):
            errs.append(f"{where}: currency must be an ISO 4217 code, got {v['currency']!r}")
    elif label == "POPULATION":
        errs += _check_quantity(where, v, integer=True)
        if not isinstance(v["unit"], str):
            errs.append(f"{where}: unit must be a string, got {v['unit']!r}")
        if v["counts"] not in COUNTS:
            errs.append(f"{where}: counts must be one of {sorted(COUNTS)}, got {v['counts']!r}")
    return errs


def merge(spec: dict, gold_lines: list[str]) -> list[str]:
    """The gold lines with the spec's values appended to their spans; SpecError lists every problem."""
    if not isinstance(spec, dict):
        raise SpecError("the spec must be a JSON object keyed by passage id")
    errs: list[str] = []
    out: list[str] = []
    seen_ids: set[str] = set()
    for lineno, line in enumerate(gold_lines, 1):
        if not line.strip():
            out.append(line)
            continue
        body = line.rstrip("\n")
        obj = json.loads(body)
        if json.dumps(obj, ensure_ascii=False) != body:
            raise SpecError(f"gold line {lineno} is not in the canonical json.dumps form; "
                            "cannot keep it byte-for-byte")
        doc_id = obj["id"]
        seen_ids.add(doc_id)
        entries = spec.get(doc_id)
        if not isinstance(entries, list):
            errs.append(f"{doc_id}: missing from the spec (or not a list)")
            out.append(line)
            continue
        by_offsets: dict[tuple[int, int], list[dict]] = {}
        for e in entries:
            if not isinstance(e, dict) or not all(isinstance(e.get(k), int) for k in ("start", "end")):
                errs.append(f"{doc_id}: spec entry without integer start/end: {e!r}")
                continue
            by_offsets.setdefault((e["start"], e["end"]), []).append(e)
        for span in obj["spans"]:
            key = (span["start"], span["end"])
            where = f"{doc_id} {key[0]}:{key[1]} {span['label']}"
            found = by_offsets.pop(key, [])
            if len(found) != 1:
                errs.append(f"{where}: {len(found)} spec entries (need exactly one)")
                continue
            errs += check_values(where, span["label"], found[0])
            for k in [k for k in span if k in VALUE_KEYS]:
                del span[k]
            span.update((k, found[0][k]) for k in (*REQUIRED[span["label"]], *OPTIONAL.get(span["label"], ()))
                        if k in found[0])
        errs += [f"{doc_id} {s}:{e}: spec entry matches no gold span" for (s, e) in by_offsets]
        out.append(json.dumps(obj, ensure_ascii=False) + line[len(body):])
    errs += [f"{doc_id}: in the spec but not in the gold" for doc_id in sorted(set(spec) - seen_ids)]
    if errs:
        raise SpecError("\n".join(errs))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("spec", type=Path, help="values spec JSON (passage id -> list of span values)")
    ap.add_argument("gold", type=Path, help="gold JSON Lines file, updated in place")
    ap.add_argument("--check", action="store_true", help="validate only; exit 1 if the gold differs")
    args = ap.parse_args(argv)
    spec = json.loads(args.spec.read_text(encoding="utf-8"))
    old = args.gold.read_text(encoding="utf-8")
    try:
        new = merge(spec, old.splitlines(keepends=True))
    except SpecError as exc:
        print(f"{args.spec}: not merged:\n{exc}", file=sys.stderr)
        return 2
    text = "".join(new)
    n = sum(len(v) for v in spec.values())
    if args.check:
        same = text == old
        print(f"{args.spec}: valid, {n} spans; {args.gold} {'is up to date' if same else 'differs'}")
        return 0 if same else 1
    fd, tmp = tempfile.mkstemp(dir=args.gold.parent, prefix=".merge_", suffix=".jsonl")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    os.chmod(tmp, args.gold.stat().st_mode & 0o7777)
    os.replace(tmp, args.gold)
    print(f"{args.gold}: values merged into {n} spans of {len(spec)} passages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
