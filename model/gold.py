"""Gold sets in the ANNOTATION.md format: inline (``"text"``) or stand-off (``"source": "corpus"``)."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from .corpus import read_text
from .paths import corpus_dir
from .spans import LABELS, Span

_SPAN_KEYS = frozenset({"start", "end", "label", "text"})


class GoldFormatError(ValueError):
    """A gold line that cannot be trusted: missing passage, changed digest, bad span."""


@dataclass
class GoldDocument:
    id: str
    text: str
    spans: list[Span] = field(default_factory=list)
    script: str = "simplified"  # which copy: simplified / traditional / pinyin
    # Extra keys of a gold span (normalised values: value, low, high, adcode, ...), by (start, end).
    values: dict[tuple[int, int], dict] = field(default_factory=dict)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _parse_line(obj: dict, corpus: Path, lineno: int) -> GoldDocument:
    doc_id = obj.get("id", f"line{lineno}")
    if "text" in obj:
        text = obj["text"]
    elif obj.get("source") == "corpus":
        path = corpus / doc_id
        if not path.is_file():
            raise GoldFormatError(f"line {lineno}: corpus passage {doc_id} not found in {corpus}")
        text = read_text(path)
        if obj.get("sha256") and sha256(text) != obj["sha256"]:
            raise GoldFormatError(f"line {lineno}: {doc_id} differs from the annotated passage (sha256 mismatch)")
    else:
        raise GoldFormatError(f"line {lineno}: neither 'text' nor 'source': 'corpus'")
    spans, values = [], {}
    for s in obj.get("spans", []):
        start, end, label = s["start"], s["end"], s["label"]
        if label not in LABELS:
            raise GoldFormatError(f"line {lineno}: unknown label {label!r}")
        if not 0 <= start < end <= len(text):
            raise GoldFormatError(f"line {lineno}: span {start}:{end} outside the text")
        if "text" in s and text[start:end] != s["text"]:
            raise GoldFormatError(f"line {lineno}: span {start}:{end} is {text[start:end]!r}, file says {s['text']!r}")
        spans.append(Span(start, end, label))
        extra = {k: v for k, v in s.items() if k not in _SPAN_KEYS}
        if extra:
            values[(start, end)] = extra
    spans.sort()
    for a, b in zip(spans, spans[1:], strict=False):
        if a.overlaps(b):
            raise GoldFormatError(f"line {lineno}: overlapping spans {a} and {b}")
    return GoldDocument(doc_id, text, spans, obj.get("script", "simplified"), values)


def load_gold(path: str | Path, corpus: str | Path | None = None) -> list[GoldDocument]:
    root = corpus_dir(corpus)
    docs = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if line.strip():
                docs.append(_parse_line(json.loads(line), root, lineno))
    return docs


def to_json_line(doc: GoldDocument, standoff: bool) -> str:
    spans = [{"start": s.start, "end": s.end, "label": s.label, "text": doc.text[s.start:s.end],
              **doc.values.get((s.start, s.end), {})} for s in sorted(doc.spans)]
    obj: dict = {"id": doc.id}
    if standoff:
        obj.update(source="corpus", sha256=sha256(doc.text))
    else:
        obj["text"] = doc.text
    obj["spans"] = spans
    return json.dumps(obj, ensure_ascii=False)
