"""Gold sets in the ANNOTATION.md format: inline (``"text"``) or stand-off (``"source": "corpus"``, or
``"source": "corpus-extra"`` for a passage of the extra directory: the second half of the dev set)."""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from .corpus import read_text
from .paths import corpus_dir, extra_dir
from .spans import LABELS, Span

log = logging.getLogger(__name__)
_SPAN_KEYS = frozenset({"start", "end", "label", "text"})
SOURCES = ("corpus", "corpus-extra")  # stand-off passages: read from corpus_dir() / extra_dir()
# Stand-off lines and specs give longer spans by their offsets alone: no corpus text at length in git.
QUOTE_LIMIT = 20


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
    source: str = ""  # stand-off lines: where the passage was read ("corpus", "corpus-extra"); "" inline


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _parse_line(obj: dict, roots: dict[str, Path], lineno: int) -> GoldDocument:
    doc_id = obj.get("id", f"line{lineno}")
    if "text" in obj:
        text = obj["text"]
    elif obj.get("source") in roots:
        root = roots[obj["source"]]
        path = root / doc_id
        if not path.is_file():
            raise GoldFormatError(f"line {lineno}: {obj['source']} passage {doc_id} not found in {root}")
        text = read_text(path)
        if obj.get("sha256") and sha256(text) != obj["sha256"]:
            raise GoldFormatError(f"line {lineno}: {doc_id} differs from the annotated passage (sha256 mismatch)")
    else:
        raise GoldFormatError(f"line {lineno}: neither 'text' nor 'source': one of {', '.join(SOURCES)}")
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
    source = obj.get("source", "") if "text" not in obj else ""
    for a, b in zip(spans, spans[1:], strict=False):
        if a.overlaps(b):
            raise GoldFormatError(f"line {lineno}: overlapping spans {a} and {b}")
    return GoldDocument(doc_id, text, spans, obj.get("script", "simplified"), values, source)


def load_gold(path: str | Path, corpus: str | Path | None = None,
              extra: str | Path | None = None) -> list[GoldDocument]:
    """``corpus``/``extra``: where stand-off passages are read (defaults: ``model.paths``). The lines
    of the extra directory's passages are skipped, with a warning, when that directory is absent
    (a machine with the corpus but not the extra passages scores on the rest); a missing passage
    in a present directory is an error."""
    roots = {"corpus": corpus_dir(corpus), "corpus-extra": extra_dir(extra)}
    docs, skipped = [], 0
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if line.strip():
                obj = json.loads(line)
                if obj.get("source") == "corpus-extra" and "text" not in obj and not roots["corpus-extra"].is_dir():
                    skipped += 1
                    continue
                docs.append(_parse_line(obj, roots, lineno))
    if skipped:
        log.warning("%s: %d passages of the extra directory skipped (%s not found; set NER_EXTRA_DIR)",
                    path, skipped, roots["corpus-extra"])
    return docs


def to_json_line(doc: GoldDocument, standoff: bool, source: str = "corpus") -> str:
    """One gold line. Stand-off: the passage by id and SHA-256; a span's ``text`` is written only up
    to ``QUOTE_LIMIT`` characters (a check of the offsets), since a longer span would quote the
    third-party passage at length; the digest pins the offsets anyway."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
    spans = []
    for s in sorted(doc.spans):
        span = {"start": s.start, "end": s.end, "label": s.label}
        if not standoff or s.end - s.start <= QUOTE_LIMIT:
            span["text"] = doc.text[s.start:s.end]
        spans.append({**span, **doc.values.get((s.start, s.end), {})})
    obj: dict = {"id": doc.id}
    if standoff:
        obj.update(source=source, sha256=sha256(doc.text))
    else:
        obj["text"] = doc.text
    obj["spans"] = spans
    return json.dumps(obj, ensure_ascii=False)
