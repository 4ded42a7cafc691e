"""Adjudicated specs of hand-labelled parts read twice (data/train_gold/parts).

The adjudicated part keeps every span both readings share, plus the differences that the decisions
file keeps; everything only one reading has and the file does not list is dropped. The spec is
written with pinned offsets, so that ``python -m scripts.gold_tool build`` rebuilds it exactly.

    python -m scripts.adjudicate data/train_gold/parts/decisions_1.json [--parts data/train_gold/parts]
    python -m scripts.gold_tool build data/train_gold/parts/t1.spec.json data/train_gold/parts/t1.jsonl  # each part
    python -m scripts.adjudicate --join data/train_gold/gold.jsonl   # the built parts, in split.json order

decisions file: {"t1": [["0149.txt", 262, 266, "REGION"], ...], ...} (kept differences per part).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from model.gold import QUOTE_LIMIT, load_gold


def adjudicate(part: str, keep: list[list], parts: Path) -> dict[str, list[list]]:
    """The spec of ``part``: the shared spans and the kept differences, in reading order."""
    a = {d.id: d for d in load_gold(parts / f"{part}a.jsonl")}
    b = {d.id: d for d in load_gold(parts / f"{part}b.jsonl")}
    spec = {}
    for doc_id in json.loads((parts / "assignment.json").read_text(encoding="utf-8"))[part]:
        sa = {(s.start, s.end, s.label) for s in a[doc_id].spans}
        sb = {(s.start, s.end, s.label) for s in b[doc_id].spans}
        kept = {(s, e, label) for d, s, e, label in keep if d == doc_id}
        if not kept <= sa ^ sb:
            raise ValueError(f"{part} {doc_id}: {sorted(kept - (sa ^ sb))} is not a difference of the readings")
        text = a[doc_id].text
        spec[doc_id] = [[label, text[s:e], s] if e - s <= QUOTE_LIMIT else [label, s, e]
                        for s, e, label in sorted((sa & sb) | kept)]
    return spec


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("decisions", nargs="?", help="JSON: part -> kept differences [[passage, start, end, label]]")
    parser.add_argument("--parts", default="data/train_gold/parts", help="the readings' directory")
    parser.add_argument("--join", metavar="OUT", help="write the built adjudicated parts as one gold file, in the "
                                                      "order of data/split.json train_gold")
    args = parser.parse_args(argv)
    parts = Path(args.parts)
    if args.join:
        from model.corpus import load_split

        lines = {}
        for part in json.loads((parts / "assignment.json").read_text(encoding="utf-8")):
            for line in (parts / f"{part}.jsonl").read_text(encoding="utf-8").splitlines():
                lines[json.loads(line)["id"]] = line
        order = load_split()["train_gold"]
        if sorted(lines) != sorted(order):
            parser.error("the built parts do not hold exactly the train_gold passages of data/split.json")
        Path(args.join).write_text("\n".join(lines[k] for k in order) + "\n", encoding="utf-8")
        print(f"{len(order)} passages -> {args.join}")
        return
    if not args.decisions:
        parser.error("give a decisions file (or --join OUT)")
    for part, keep in json.loads(Path(args.decisions).read_text(encoding="utf-8")).items():
        spec = adjudicate(part, keep, parts)
        body = ",\n".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in spec.items())
        (parts / f"{part}.spec.json").write_text("{\n" + body + "\n}\n", encoding="utf-8")
        print(f"{part}: {sum(map(len, spec.values()))} spans -> {parts / (part + '.spec.json')}")


if __name__ == "__main__":
    main()
