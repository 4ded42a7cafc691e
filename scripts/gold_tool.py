"""Helpers for hand annotation of the holdout (the annotator decides every span; this only does offsets).

Run from the repository root, as a module:

  python -m scripts.gold_tool show 0010.txt              # the passage with character offsets per line
  python -m scripts.gold_tool build SPEC.json OUT.jsonl  # spans listed as text -> stand-off gold lines
  python -m scripts.gold_tool compare A.jsonl B.jsonl    # two readings: agreement and every difference

Both take ``--corpus DIR`` (default: ``NER_CORPUS_DIR``, else ../shared/corpus), or ``--extra`` for
the passages of ../shared/corpus-extra (``NER_EXTRA_DIR``); ``build --extra`` writes
``"source": "corpus-extra"`` lines.

SPEC.json: {"0010.txt": [["REGION", "内蒙古"], ["AMOUNT", "785万元"], ["PROGRAM", "意见", 303], ...], ...}
Spans must be listed in reading order: each is searched for from the end of the previous one,
so a repeated string is matched at its next occurrence; an optional third item is the span's start
offset (from ``show``), for an occurrence that must skip an earlier one (an unbracketed headline).
The tool then lists other occurrences of every annotated string that were left untagged, so that
the annotator can re-check them.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from model.corpus import read_text
from model.gold import GoldDocument, GoldFormatError, to_json_line
from model.paths import corpus_dir, extra_dir
from model.spans import LABELS, Span


class SpecError(ValueError):
    """Bad input from the annotator: a missing passage or spec file, or a malformed spec."""


def read_passage(doc_id: str, corpus: Path) -> str:
    """The passage ``doc_id`` (a file name in ``corpus``), exactly as stored."""
    path = corpus / doc_id
    if Path(doc_id).name != doc_id or not path.is_file():
        raise SpecError(f"no passage {doc_id!r} in {corpus}")
    return read_text(path)


def load_spec(path: str | Path) -> dict[str, list[tuple]]:
    """Read and check SPEC.json: passage id -> [[label, surface text(, start)], ...] in reading order."""
    try:
        spec = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"spec file {path} does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SpecError(f"spec file {path} is not readable JSON: {e}") from None
    if not isinstance(spec, dict):
        raise SpecError(f"spec file {path}: expected an object {{passage id: [[label, text], ...]}}")
    out = {}
    for doc_id, items in spec.items():
        if not isinstance(items, list):
            raise SpecError(f"spec file {path}: {doc_id}: expected a list of [label, text] pairs")
        pairs = []
        for item in items:
            by_text = (isinstance(item, list) and len(item) in (2, 3)
                       and all(isinstance(x, str) and x for x in item[:2])
                       and (len(item) == 2 or (isinstance(item[2], int) and item[2] >= 0)))
            by_offsets = (isinstance(item, list) and len(item) == 3 and isinstance(item[0], str)
                          and all(isinstance(x, int) and not isinstance(x, bool) for x in item[1:])
                          and 0 <= item[1] < item[2])
            if not (by_text or by_offsets):
                raise SpecError(f"spec file {path}: {doc_id}: {item!r} is not a [label, text] pair "
                                "or a [label, text, start] triple (or [label, start, end] for a long span)")
            if item[0] not in LABELS:
                raise SpecError(f"spec file {path}: {doc_id}: unknown label {item[0]!r} (one of {', '.join(LABELS)})")
            pairs.append(tuple(item))
        out[doc_id] = pairs
    return out


def show(doc_id: str, corpus: Path) -> None:
    text = read_passage(doc_id, corpus)
    pos = 0
    for line in text.splitlines(keepends=True):
        print(f"[{pos:5d}] {line.rstrip()}")
        pos += len(line)
    print(f"[{pos:5d}] <end>")


def build(spec_path: str, out_path: str, corpus: Path, source: str = "corpus") -> None:
    spec = load_spec(spec_path)
    texts = {doc_id: read_passage(doc_id, corpus) for doc_id in spec}  # every passage before any output
    lines, problems = [], 0
    for doc_id, items in spec.items():
        text = texts[doc_id]
        spans, cursor = [], 0
        for label, surface, *at in items:
            if isinstance(surface, int):  # [label, start, end]: a long span by its offsets alone
                surface, at = text[surface:at[0]], [surface] if at[0] <= len(text) else [len(text) + 1]
            if at and (at[0] < cursor or text[at[0]:at[0] + len(surface)] != surface):
                problems += 1
                print(f"{doc_id}: NOT AT {at[0]} (or before the previous span's end {cursor}): {label} {surface!r}")
                continue
            i = at[0] if at else text.find(surface, cursor)
            if i < 0:
                problems += 1
                print(f"{doc_id}: NOT FOUND after offset {cursor}: {label} {surface!r}")
                continue
            spans.append(Span(i, i + len(surface), label))
            cursor = i + len(surface)
        tagged = {(s.start, s.end) for s in spans}
        for surface in sorted({text[s.start:s.end] for s in spans}):
            start = text.find(surface)
            while start >= 0:
                end = start + len(surface)
                covered = any(s.start <= start and end <= s.end for s in spans)
                if (start, end) not in tagged and not covered:
                    print(f"{doc_id}: untagged occurrence of {surface!r} at {start}: "
                          f"...{text[max(0, start - 10):end + 10]!r}...")
                start = text.find(surface, start + 1)
        lines.append(to_json_line(GoldDocument(doc_id, text, spans), standoff=True, source=source))
    Path(out_path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} documents, {sum(len(v) for v in spec.values())} spans listed, "
          f"{problems} not found -> {out_path}")


def _quote(span: str) -> str:
    """A span as the listing shows it: a long one (a quoted programme name) by its two ends only,
    so that no listing quotes the third-party passages at length (``QUOTE_LIMIT``)."""
    from model.gold import QUOTE_LIMIT

    return span if len(span) <= QUOTE_LIMIT else f"{span[:8]}…{span[-8:]}"


def compare(path_a: str, path_b: str, corpus: Path, extra: Path | None = None) -> float:
    """Strict agreement (micro F1, exact span and label) of two readings of the same passages, and
    every span only one of them has, in context: the list that adjudication works through."""
    from model.gold import load_gold

    for path in (path_a, path_b):
        if not Path(path).is_file():
            raise SpecError(f"reading {path} does not exist")
    a = {d.id: d for d in load_gold(path_a, corpus, extra)}
    b = {d.id: d for d in load_gold(path_b, corpus, extra)}
    if set(a) != set(b):
        raise SpecError(f"the readings cover different passages: {sorted(set(a) ^ set(b))[:5]}")
    both = n_a = n_b = 0
    for doc_id in sorted(a):
        sa = {(s.start, s.end, s.label) for s in a[doc_id].spans}
        sb = {(s.start, s.end, s.label) for s in b[doc_id].spans}
        both, n_a, n_b = both + len(sa & sb), n_a + len(sa), n_b + len(sb)
        text = a[doc_id].text
        for start, end, label in sorted(sa ^ sb):
            who = "A" if (start, end, label) in sa else "B"
            span = _quote(text[start:end])
            print(f"{doc_id} only {who}: {label} {start}-{end} {span!r} in "
                  f"...{text[max(0, start - 12):start]}【{span}】{text[end:end + 12]}...")
    f1 = 2 * both / (n_a + n_b) if n_a + n_b else 1.0
    print(f"A {n_a} spans, B {n_b}, both {both}: strict F1 {f1:.3f}")
    return f1


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m scripts.gold_tool",
                                     description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--corpus", help="corpus directory (default: NER_CORPUS_DIR, else ../shared/corpus)")
    common.add_argument("--extra", action="store_true", help="the passage(s) come from the extra directory "
                                                             "(NER_EXTRA_DIR, else ../shared/corpus-extra)")
    sub = parser.add_subparsers(dest="command", required=True)
    p_show = sub.add_parser("show", parents=[common], help="the passage with character offsets per line")
    p_show.add_argument("passage", help="a file name in the corpus, e.g. 0010.txt")
    p_build = sub.add_parser("build", parents=[common], help="spans listed as text -> stand-off gold lines")
    p_build.add_argument("spec", help="SPEC.json: {passage: [[label, text], ...]}")
    p_build.add_argument("out", help="the gold JSONL file to write")
    p_compare = sub.add_parser("compare", parents=[common], help="two readings: agreement and differences")
    p_compare.add_argument("a", help="the first reading (gold JSONL)")
    p_compare.add_argument("b", help="the second reading (gold JSONL)")
    args = parser.parse_args(argv)
    corpus = extra_dir() if args.extra else corpus_dir(args.corpus)
    try:
        if args.command == "show":
            show(args.passage, corpus)
        elif args.command == "compare":
            compare(args.a, args.b, corpus_dir(args.corpus), extra_dir())
        else:
            build(args.spec, args.out, corpus, "corpus-extra" if args.extra else "corpus")
    except (SpecError, GoldFormatError) as e:
        parser.error(str(e))


if __name__ == "__main__":
    main()
