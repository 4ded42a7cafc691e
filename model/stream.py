"""Streaming inference: documents in, one result per document out, as they are done.

    from model import Recognizer
    rec = Recognizer()
    for result in rec.stream(iter_documents(["archive/"])):   # any iterable, read lazily
        write(result.id, result.entities)

Why a generator: an archive of hundreds of thousands of documents does not fit in one
``predict()`` list, and the caller wants results on disk while the run goes on. Documents are
pulled from the iterable in *groups* bounded in documents and characters, each group is
annotated at once (the recognizer sorts its windows by length, so batches stay dense), and
its results are yielded in input order before the next group is read. Memory therefore
depends on the group bound and the longest document, never on how many documents there are.

Input items may be strings (their id is their position, counted from 0), ``(id, text)``
pairs, or objects with ``id`` and ``text`` attributes (``model.corpus.Document`` and the
extract CLI's documents). Anything else (a record of a skipped file, say) is passed through
in its place, untouched, so that a consumer can count it.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

#: Default group bounds: big enough for dense, length-sorted batches, small enough for memory.
GROUP_DOCS = 512
GROUP_CHARS = 400_000
#: A longer document is annotated in overlapping segments, so that the per-character work
#: arrays of the recognizer stay bounded whatever the length (the text itself is in memory).
SEGMENT_CHARS = 200_000
SEGMENT_OVERLAP = 2_000
_SENTENCE_END = "。！？!?；;\n"

Annotate = Callable[[list[str]], list[list[dict]]]


@dataclass(frozen=True)
class Doc:
    """One document to read: an id (unique in a run, for resuming) and its text."""

    id: str
    text: str


@dataclass(frozen=True)
class DocResult:
    """The entities of one document, offsets on its original text."""

    id: str
    entities: list[dict] = field(default_factory=list)
    length: int = 0  # characters, for throughput accounting


def as_doc(item: Any, position: int) -> Doc | None:
    """A ``Doc`` for anything that is a document, ``None`` for a pass-through item."""
    if isinstance(item, Doc):
        return item
    if isinstance(item, str):
        return Doc(str(position), item)
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], str):
        return Doc(str(item[0]), item[1])
    text = getattr(item, "text", None)
    doc_id = getattr(item, "id", None)
    if isinstance(text, str) and doc_id is not None:
        return Doc(str(doc_id), text)
    return None


def groups(items: Iterable[Any], max_docs: int = GROUP_DOCS,
           max_chars: int = GROUP_CHARS) -> Iterator[list[Doc | Any]]:
    """Consecutive items, lazily, in groups of at most ``max_docs`` documents and about
    ``max_chars`` characters (a longer document makes a group of its own). Pass-through items
    ride along in their place. Boundaries depend only on the sequence itself, so a run resumed
    at a group boundary forms the same groups as an uninterrupted one."""
    if max_docs < 1 or max_chars < 1:
        raise ValueError("max_docs and max_chars must be at least 1")
    group: list[Doc | Any] = []
    n_docs = n_chars = 0
    for position, item in enumerate(items):
        doc = as_doc(item, position)
        if doc is None:
            group.append(item)
            continue
        if n_docs and (n_docs >= max_docs or n_chars + len(doc.text) > max_chars):
            yield group
            group, n_docs, n_chars = [], 0, 0
        # objects that are documents already (with their own fields) travel as they are
        group.append(doc if isinstance(item, (str, tuple)) else item)
        n_docs += 1
        n_chars += len(doc.text)
    if group:
        yield group


def annotator(recognizer=None, rules_only: bool = False) -> Annotate:
    """The function that turns a list of texts into one span list per text."""
    if rules_only:
        from .weak import weak_label

        return weak_label
    if recognizer is None:
        raise ValueError("pass a recognizer, or rules_only=True")
    return recognizer.predict


def segments(length: int, text: str = "", size: int = SEGMENT_CHARS,
             overlap: int = SEGMENT_OVERLAP) -> list[tuple[int, int, int, int]]:
    """(start, end, keep_start, keep_end): pieces of a long text, each read with ``overlap``
    characters of context on both sides; a span is kept by the piece where it starts. Cuts
    fall at a sentence end near the nominal cut when there is one, so no entity straddles them."""
    if length <= size:
        return [(0, length, 0, length)]
    cuts = [0]
    while length - cuts[-1] > size:
        nominal = cuts[-1] + size
        lo = max(cuts[-1] + size // 2, nominal - overlap)
        cut = nominal
        for i in range(nominal, lo, -1):
            if text[i - 1:i] and text[i - 1] in _SENTENCE_END:
                cut = i
                break
        cuts.append(cut)
    cuts.append(length)
    return [(max(0, a - overlap), min(length, b + overlap), a, b) for a, b in zip(cuts, cuts[1:])]


def _annotate_long(text: str, annotate: Annotate, size: int, overlap: int) -> list[dict]:
    out: list[dict] = []
    for start, end, keep_a, keep_b in segments(len(text), text, size, overlap):
        for ent in annotate([text[start:end]])[0]:
            ent = {**ent, "start": ent["start"] + start, "end": ent["end"] + start}
            if keep_a <= ent["start"] < keep_b and not (out and ent["start"] < out[-1]["end"]):
                out.append(ent)
    return out


def annotate_group(group: Sequence[Doc | Any], annotate: Annotate, segment_chars: int = SEGMENT_CHARS,
                   segment_overlap: int = SEGMENT_OVERLAP) -> list[DocResult | Any]:
    """Results for one group, in its order; pass-through items stay in their place."""
    as_docs = [as_doc(x, i) for i, x in enumerate(group)]
    docs = [d for d in as_docs if d is not None]
    short = [d for d in docs if len(d.text) <= segment_chars]
    found_short = iter(annotate([d.text for d in short]) if short else [])
    spans = []
    for d in docs:
        if len(d.text) <= segment_chars:
            spans.append(next(found_short, None))
        else:
            spans.append(_annotate_long(d.text, annotate, segment_chars, segment_overlap))
    if any(s is None for s in spans) or next(found_short, None) is not None:
        raise RuntimeError("the annotator returned a different number of results than documents")
    found = iter(zip(docs, spans))
    out = []
    for item, doc in zip(group, as_docs):
        if doc is not None:
            doc, ents = next(found)
            out.append(DocResult(doc.id, ents, len(doc.text)))
        else:
            out.append(item)
    return out


def stream(items: Iterable[Any], recognizer=None, *, rules_only: bool = False,
           group_docs: int = GROUP_DOCS, group_chars: int = GROUP_CHARS,
           segment_chars: int = SEGMENT_CHARS) -> Iterator[DocResult | Any]:
    """Results one document at a time, in input order, reading ``items`` lazily.

    ``recognizer`` is a loaded ``Recognizer`` (``rules_only=True`` uses the weak labeller
    instead). For several processes, see ``model.parallel.parallel_stream``.
    """
    annotate = annotator(recognizer, rules_only)
    for group in groups(items, group_docs, group_chars):
        yield from annotate_group(group, annotate, segment_chars)


__all__ = ["Doc", "DocResult", "GROUP_CHARS", "GROUP_DOCS", "SEGMENT_CHARS", "annotate_group", "annotator",
           "as_doc", "groups", "segments", "stream"]
