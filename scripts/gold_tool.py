"""Helpers for hand annotation of the holdout (the annotator decides every span; this only does offsets).

  python scripts/gold_tool.py show 0010.txt            # the passage with character offsets per line
  python scripts/gold_tool.py build SPEC.json OUT.jsonl  # spans listed as text -> stand-off gold lines

SPEC.json: {"0010.txt": [["REGION", "内蒙古"], ["AMOUNT", "785万元"], ...], ...}
Spans must be listed in reading order: each is searched for from the end of the previous one,
so a repeated string is matched at its next occurrence. The tool then lists other occurrences
of every annotated string that were left untagged, so that the annotator can re-check them.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model.corpus import read_text  # noqa: E402
from model.gold import GoldDocument, to_json_line  # noqa: E402
from model.paths import corpus_dir  # noqa: E402
from model.spans import LABELS, Span  # noqa: E402


def show(doc_id: str) -> None:
    text = read_text(corpus_dir() / doc_id)
    pos = 0
    for line in text.splitlines(keepends=True):
        print(f"[{pos:5d}] {line.rstrip()}")
        pos += len(line)
    print(f"[{pos:5d}] <end>")


def build(spec_path: str, out_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    lines, problems = [], 0
    for doc_id, items in spec.items():
        text = read_text(corpus_dir() / doc_id)
        spans, cursor = [], 0
        for label, surface in items:
            if label not in LABELS:
                sys.exit(f"{doc_id}: unknown label {label!r}")
            i = text.find(surface, cursor)
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
                          f"...{text[max(0, start-10):end+10]!r}...")
                start = text.find(surface, start + 1)
        lines.append(to_json_line(GoldDocument(doc_id, text, spans), standoff=True))
    Path(out_path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} documents, {sum(len(v) for v in spec.values())} spans listed, "
          f"{problems} not found -> {out_path}")


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    {"show": show, "build": build}[cmd](*args)
