"""Add normalised values to one document's entities (``enrich``): what a table needs beyond the span.

Per label, the keys added (see ``model.values`` and ``model.places`` for their conventions):

- AMOUNT: ``value``, ``low``, ``high``, ``approx``, ``currency``
- POPULATION: ``value``, ``low``, ``high``, ``approx``, ``unit``, ``counts``
- PROGRAM: ``canonical``
- REGION: ``adcode``, ``level``, ``name``, ``parents``, ``candidates``

REGION names are resolved together, so that the document's other places decide between places of
the same name. The entity's own keys (label, text, start, end, score, ...) come first, unchanged;
the value keys follow (recomputed if the dict already had them). Entities of other labels are
copied unchanged.
"""
from __future__ import annotations

from .normalize import normalize
from .places import resolve_places
from .spans import check_text
from .values import amount_value, population_value, program_value

CONTEXT = 20  # characters before a POPULATION span searched for what a bare count counts

VALUE_KEYS: dict[str, tuple[str, ...]] = {
    "AMOUNT": ("value", "low", "high", "approx", "currency"),
    "POPULATION": ("value", "low", "high", "approx", "unit", "counts"),
    "PROGRAM": ("canonical",),
    "REGION": ("adcode", "level", "name", "parents", "candidates"),
}


def _offsets(text: str, entity: dict, index: int) -> tuple[int, int]:
    if not isinstance(entity, dict):
        raise TypeError(f"entity {index} must be a dict, got {type(entity).__name__}")
    try:
        start, end = entity["start"], entity["end"]
    except KeyError as err:
        raise ValueError(f"entity {index} has no {err.args[0]!r} offset: {entity!r}") from None
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        raise ValueError(f"entity {index}: offsets {start!r}:{end!r} outside the text (length {len(text)})")
    if "text" in entity and entity["text"] != text[start:end]:
        raise ValueError(f"entity {index}: text {entity['text']!r} is not text[{start}:{end}] "
                         f"= {text[start:end]!r}; offsets must index this document's original string")
    return start, end


def enrich(text: str, entities: list[dict]) -> list[dict]:
    """New dicts: each entity of ONE document with its value keys added (see module docstring).

    ``text`` is the document's original string and every entity's ``start``/``end`` index it
    (``text[start:end] == entity["text"]``); a mismatch raises ValueError.
    """
    check_text(text)
    offsets = [_offsets(text, e, i) for i, e in enumerate(entities)]
    regions = [i for i, e in enumerate(entities) if e.get("label") == "REGION"]
    places = resolve_places([text[offsets[i][0]:offsets[i][1]] for i in regions],
                            [offsets[i] for i in regions]) if regions else []
    place_of = dict(zip(regions, places))
    norm = None
    out = []
    for i, entity in enumerate(entities):
        label = entity.get("label")
        start, end = offsets[i]
        surface = text[start:end]
        if label == "AMOUNT":
            values = amount_value(surface)
        elif label == "POPULATION":
            if norm is None:
                norm = normalize(text)
            where = norm.to_normalized(start, end)
            before = norm.text[max(0, where[0] - CONTEXT):where[0]] if where else ""
            values = population_value(surface, before)
        elif label == "PROGRAM":
            values = program_value(surface)
        elif label == "REGION":
            values = place_of[i]
        else:
            values = {}
        out.append({**entity, **values})
    return out


__all__ = ["VALUE_KEYS", "enrich"]
