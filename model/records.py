"""The table row: one flat record per entity, its columns in a fixed order with fixed types.

Kept apart from reading and writing so that every output (JSONL, CSV, Parquet, HTML, the Ray job,
a DataFrame) shares one definition of the columns and their types, and code that only needs the
record format imports nothing else.

Columns (:data:`COLUMNS`, fixed order): ``doc_id label text start end score`` (score None from the
rules), then the normalised values of :mod:`model.enrich`, empty where they do not apply:
``value low high approx`` (AMOUNT in currency units, POPULATION in heads or households; a range
has low/high and no value), ``currency unit counts`` (CNY; 人/户...; persons/households...),
``adcode level name province city county candidates`` (REGION: code, level, standard name, the
levels above it, how many places the name may be: 1 resolved, 2+ ambiguous, 0 unknown) and
``canonical`` (PROGRAM).
"""
from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable
from typing import Any

# Named for the extract CLI, whose log lines these are (its users and tests match "model.extract").
log = logging.getLogger("model.extract")

# --------------------------------------------------------------------------------------------
# The record: one flat row per entity, columns in a fixed order with fixed types
# --------------------------------------------------------------------------------------------

SPAN_COLUMNS = ("doc_id", "label", "text", "start", "end", "score")
#: normalised keys copied from the entity dict as they are (``parents`` is flattened instead)
VALUE_KEYS = ("value", "low", "high", "approx", "currency", "unit", "counts", "adcode", "level", "name")
PARENT_COLUMNS = ("province", "city", "county")
COLUMNS: tuple[str, ...] = (*SPAN_COLUMNS, *VALUE_KEYS, *PARENT_COLUMNS, "candidates", "canonical")
NORMALISED_KEYS = frozenset(VALUE_KEYS) | {"parents", "candidates", "canonical"}

_INT = ("start", "end")
_OPT_INT = ("candidates",)  # how many places the name may be (model.places)
FLOAT_COLUMNS = ("score", "value", "low", "high")
_BOOL = ("approx",)
_STR = tuple(c for c in COLUMNS if c not in (*_INT, *_OPT_INT, *FLOAT_COLUMNS, *_BOOL))
#: pandas dtypes of :func:`to_dataframe` (nullable, so a missing value stays missing, not NaN/"None")
DTYPES: dict[str, str] = {**{c: "string" for c in _STR}, **{c: "int64" for c in _INT},
                          **{c: "Int64" for c in _OPT_INT}, **{c: "Float64" for c in FLOAT_COLUMNS},
                          **{c: "boolean" for c in _BOOL}}
DTYPES = {c: DTYPES[c] for c in COLUMNS}

# Level names that may appear in ``parents`` (English or Chinese) and the column they fill.
_LEVEL_COLUMN = {"province": "province", "city": "city", "prefecture": "city", "county": "county",
                 "district": "county", "省": "province", "市": "city", "县": "county", "区": "county"}


def _parents(entity: dict) -> dict[str, str | None]:
    """Flatten ``parents`` into province/city/county columns.

    Accepted shapes, since enrichment may give any of them: a dict keyed by level, a list of dicts
    with ``level`` and ``name``, or a list of names from the top down (province, city, county).
    """
    out: dict[str, str | None] = dict.fromkeys(PARENT_COLUMNS)
    parents = entity.get("parents")
    if isinstance(parents, dict):
        items = list(parents.items())
    elif isinstance(parents, (list, tuple)):
        if all(isinstance(p, dict) for p in parents):
            items = [(p.get("level"), p.get("name")) for p in parents]
        else:
            items = list(zip(PARENT_COLUMNS, parents, strict=False))  # the top levels only
    else:
        return out
    for level, name in items:
        column = _LEVEL_COLUMN.get(str(level).lower()) if level is not None else None
        if column and name is not None and out[column] is None:
            out[column] = str(name)
    return out


def make_record(doc_id: str, text: str, entity: dict) -> dict:
    """One flat record for an entity of document ``doc_id``; ``text`` is that document.

    The record's text is ``text[start:end]``: offsets are the truth, and a labeller that says
    otherwise is logged rather than believed.
    """
    start, end = int(entity["start"]), int(entity["end"])
    span_text = text[start:end]
    if entity.get("text") not in (None, span_text):
        log.error("%s: entity text %r differs from text[%d:%d] = %r; keeping the latter",
                  doc_id, entity.get("text"), start, end, span_text)
    record: dict[str, Any] = {"doc_id": doc_id, "label": entity["label"], "text": span_text,
                              "start": start, "end": end, "score": entity.get("score")}
    record.update({key: entity.get(key) for key in VALUE_KEYS})
    record.update(_parents(entity))
    record["candidates"] = entity.get("candidates")
    record["canonical"] = entity.get("canonical")
    return record


def _as_str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _as_int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        log.warning("not an integer, left empty: %r", value)
        return None


def _as_float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        log.warning("not a number, left empty: %r", value)
        return None
    return None if math.isnan(out) else out


def flat_row(record: dict) -> dict:
    """The record with every column coerced to its table type (a list or dict in a text column
    becomes JSON text)."""
    row: dict[str, Any] = {}
    for column in COLUMNS:
        value = record.get(column)
        if column in _INT:
            row[column] = int(value)
        elif column in _OPT_INT:
            row[column] = _as_int(value)
        elif column in FLOAT_COLUMNS:
            row[column] = _as_float(value)
        elif column in _BOOL:
            row[column] = None if value is None else bool(value)
        else:
            row[column] = _as_str(value)
    return row


def to_dataframe(records: Iterable[dict]):
    """A pandas DataFrame with the columns of :data:`COLUMNS` in that order and :data:`DTYPES`,
    even when there are no records (so code that reads it never meets a surprise column)."""
    import pandas as pd

    rows = [flat_row(r) for r in records]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.astype(DTYPES)



def arrow_schema():
    import pyarrow as pa

    types = {**{c: pa.string() for c in _STR}, **{c: pa.int64() for c in (*_INT, *_OPT_INT)},
             **{c: pa.float64() for c in FLOAT_COLUMNS}, **{c: pa.bool_() for c in _BOOL}}
    return pa.schema([pa.field(c, types[c], nullable=c not in _INT) for c in COLUMNS])
