"""Reading inputs lazily: documents one at a time, and a :class:`Skipped` in place of what cannot be read.

Lazy so that memory does not grow with the number of documents; a file that cannot be read, or a
broken JSONL line, is logged and passed over so that it never stops a run or drops another document.

Input kinds (each argument of the CLI, or each item of ``inputs``):

* a directory: every ``*.txt`` file in it (not recursive), sorted by name, one document each;
* a ``.jsonl`` / ``.ndjson`` file: one JSON object a line with ``text`` and optional ``id``
  (the id falls back to ``<file name>:<line>``); blank lines are ignored;
* any other file: one document, the whole file, id = the file name;
* ``-``: standard input. If its first non-blank line starts with ``{`` the stream is JSONL as
  above (ids fall back to ``stdin:<line>``); otherwise each line is one document with id
  ``stdin:<line>``, and a blank line is skipped as an empty document.

Text must be UTF-8 (a leading byte-order mark is dropped); offsets index the decoded text.
"""
from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import TextIO

# Named for the extract CLI, whose log lines these are (its users and tests match "model.extract").
log = logging.getLogger("model.extract")

# --------------------------------------------------------------------------------------------
# Reading inputs, lazily
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Document:
    """One text to label. ``source`` is the input it came from, ``line`` its line there (JSONL, stdin)."""

    id: str
    text: str
    source: str = ""
    line: int | None = None


@dataclass(frozen=True)
class Skipped:
    """An input or line that could not be read, and why."""

    source: str
    reason: str
    line: int | None = None

    @property
    def where(self) -> str:
        return self.source if self.line is None else f"{self.source}:{self.line}"


JSONL_SUFFIXES = (".jsonl", ".ndjson")


def _skip(source: str, reason: str, line: int | None = None) -> Skipped:
    item = Skipped(source, reason, line)
    log.warning("skipped %s: %s", item.where, reason)
    return item


def _decode(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _text_file(path: Path) -> Document | Skipped:
    try:
        raw = path.read_bytes()
    except OSError as err:
        return _skip(str(path), f"cannot read ({err.strerror or err})")
    text = _decode(raw)
    if text is None:
        return _skip(str(path), "not UTF-8")
    if not text.strip():
        return _skip(str(path), "empty")
    return Document(path.name, text, str(path))


def _jsonl_line(raw: bytes, source: str, name: str, lineno: int) -> Document | Skipped | None:
    """One JSONL line as a Document; None for a blank line (not a document)."""
    line = _decode(raw)
    if line is None:
        return _skip(source, "not UTF-8", lineno)
    if not line.strip():
        return None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as err:
        return _skip(source, f"broken JSON ({err.msg}, column {err.colno})", lineno)
    if not isinstance(obj, dict):
        return _skip(source, "not a JSON object", lineno)
    text = obj.get("text")
    if not isinstance(text, str):
        return _skip(source, "no 'text' string", lineno)
    if not text.strip():
        return _skip(source, "empty text", lineno)
    doc_id = obj.get("id")
    return Document(f"{name}:{lineno}" if doc_id is None else str(doc_id), text, source, lineno)


def _jsonl_lines(lines: Iterable[bytes], source: str, name: str) -> Iterator[Document | Skipped]:
    empty = True
    for lineno, raw in enumerate(lines, 1):
        item = _jsonl_line(raw, source, name, lineno)
        if item is not None:
            empty = False
            yield item
    if empty:
        yield _skip(source, "empty")


def _jsonl_file(path: Path) -> Iterator[Document | Skipped]:
    try:
        stream = path.open("rb")
    except OSError as err:
        yield _skip(str(path), f"cannot read ({err.strerror or err})")
        return
    with stream:
        yield from _jsonl_lines(stream, str(path), path.name)


def _stdin_lines(stream) -> Iterator[bytes]:
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        yield from buffer
    else:  # a text stream without bytes underneath (tests, notebooks)
        for line in stream:
            yield line.encode("utf-8", "surrogatepass")


def _stdin(stream) -> Iterator[Document | Skipped]:
    lines = _stdin_lines(stream)
    head: list[bytes] = []
    for raw in lines:  # look for the first non-blank line to decide the format
        head.append(raw)
        if raw.strip():
            break
    if not head:
        yield _skip("stdin", "empty")
        return
    all_lines = chain(head, lines)
    if head and head[-1].lstrip().lstrip(b"\xef\xbb\xbf").startswith(b"{"):
        yield from _jsonl_lines(all_lines, "stdin", "stdin")
        return
    for lineno, raw in enumerate(all_lines, 1):
        text = _decode(raw)
        if text is None:
            yield _skip("stdin", "not UTF-8", lineno)
            continue
        text = text.rstrip("\r\n")
        if not text.strip():
            yield _skip("stdin", "empty", lineno)
            continue
        yield Document(f"stdin:{lineno}", text, "stdin", lineno)


def iter_documents(inputs: Iterable[str | os.PathLike], stdin: TextIO | None = None
                   ) -> Iterator[Document | Skipped]:
    """Documents of ``inputs`` in order, read one at a time (see the module docstring for kinds).

    Unreadable inputs come out as :class:`Skipped` (also logged) in their place.
    ``stdin`` replaces ``sys.stdin`` for ``-``.
    """
    for item in inputs:
        if str(item) == "-":
            yield from _stdin(stdin if stdin is not None else sys.stdin)
            continue
        path = Path(item)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix == ".txt" and p.is_file())
            if not files:
                yield _skip(str(path), "no .txt files")
            for file in files:
                yield _text_file(file)
        elif not path.exists():
            yield _skip(str(path), "no such file or directory")
        elif path.suffix.lower() in JSONL_SUFFIXES:
            yield from _jsonl_file(path)
        else:
            yield _text_file(path)
