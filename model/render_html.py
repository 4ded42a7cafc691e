"""One standalone HTML page of extraction results: documents with their entities marked, then the table.

The marks follow displaCy's entity visualiser (a coloured rounded box, the label in small caps
after the text); hovering a mark shows its normalised value in a CSS tooltip. Inline CSS only, no
script, no external asset, so the file can be mailed or opened offline. Everything taken from
the input is escaped.

The page is written as documents come: each document's section goes straight to the stream and
its table rows to a temporary file, appended at the end, so memory stays flat on long runs.
"""
from __future__ import annotations

import html
import json
import tempfile
from typing import TYPE_CHECKING, Any, TextIO

from .spans import LABELS

if TYPE_CHECKING:
    from .extract import ExtractSummary
    from .readers import Document, Skipped

#: displaCy's palette, one colour per label
COLOURS = {"REGION": "#feca74", "PROGRAM": "#aa9cfc", "AMOUNT": "#7aecec", "POPULATION": "#bfeeb7"}
DEFAULT_COLOUR = "#ddd"
DESCRIPTIONS = {"REGION": "a named place, any level", "PROGRAM": "a named program, policy or campaign",
                "AMOUNT": "a sum of money", "POPULATION": "a count of people or households"}

CSS = """
:root { --ink: #222; --muted: #666; --rule: #e3e3e3; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 16px/1.5 -apple-system, "Segoe UI", "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC",
    "Microsoft YaHei", "Helvetica Neue", Arial, sans-serif; }
main { max-width: 64rem; margin: 0 auto; padding: 1.5rem 1.5rem 3rem; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
h2 { font-size: 1.1rem; margin: 2rem 0 .5rem; }
.meta { color: var(--muted); font-size: .85rem; margin: 0 0 1rem; }
.legend { display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; align-items: center; padding: .6rem .8rem;
  border: 1px solid var(--rule); border-radius: .5rem; background: #fafafa; font-size: .85rem;
  position: sticky; top: 0; z-index: 20; }
.legend .hint { color: var(--muted); margin-left: auto; }
details.doc { border-top: 1px solid var(--rule); padding: .5rem 0; }
details.doc > summary { cursor: pointer; font-weight: 600; padding: .25rem 0; }
details.doc > summary .counts { font-weight: normal; color: var(--muted); font-size: .8rem; margin-left: .5rem; }
.text { white-space: pre-wrap; line-height: 2.5; overflow-wrap: anywhere; padding: .25rem 0; }
mark.ent { position: relative; padding: .25em .4em; margin: 0 .2em; line-height: 1; border-radius: .35em;
  color: var(--ink); -webkit-box-decoration-break: clone; box-decoration-break: clone; }
mark.ent .lab { font-size: .72em; font-weight: 700; line-height: 1; vertical-align: middle;
  margin-left: .45em; font-variant-caps: all-small-caps; letter-spacing: .03em; }
mark.ent[data-tip]:hover { outline: 2px solid rgba(0,0,0,.35); }
mark.ent[data-tip]:hover::after { content: attr(data-tip); position: absolute; left: 0; top: calc(100% + .35em);
  z-index: 30; min-width: 12em; max-width: 28em; padding: .45em .6em; border-radius: .35em; background: #333;
  color: #fff; font-size: .75rem; font-weight: normal; line-height: 1.45; white-space: pre-line;
  box-shadow: 0 2px 8px rgba(0,0,0,.25); pointer-events: none; }
.skipped li { color: #a33; }
.table-wrap { overflow-x: auto; border: 1px solid var(--rule); border-radius: .5rem;
  width: min(calc(100vw - 3rem), 96rem); position: relative; left: 50%; transform: translateX(-50%); }
table { border-collapse: collapse; font-size: .78rem; width: 100%; }
th, td { padding: .3rem .4rem; text-align: left; white-space: nowrap; border-bottom: 1px solid var(--rule); }
th { background: #f3f3f3; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.span { white-space: normal; min-width: 8em; max-width: 24em; }
tr:nth-child(even) td { background: #fbfbfb; }
.chip { display: inline-block; padding: .05em .45em; border-radius: .35em; font-size: .72rem; font-weight: 700;
  font-variant-caps: all-small-caps; letter-spacing: .03em; }
a { color: #2a5db0; text-decoration: none; }
a:hover { text-decoration: underline; }
"""

#: table columns always shown; the others (score too: rules give none) only if some record has a value
CORE = ("doc_id", "label", "text", "start", "end")
NUMERIC = {"start", "end", "score", "value", "low", "high", "candidates"}
TIP_KEYS = ("value", "low", "high", "approx", "currency", "unit", "counts", "canonical", "name",
            "level", "adcode", "province", "city", "county", "candidates")


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _colour(label: str) -> str:
    return COLOURS.get(label, DEFAULT_COLOUR)


def _fmt(value: Any) -> str:
    """A cell or tooltip value: whole floats without '.0', thousands separated; lists as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e18:
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.6g}"
    if isinstance(value, (list, tuple, dict)):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 200 else text[:197] + "…"
    return str(value)


def tooltip(record: dict) -> str:
    """The hover text of a mark: label and score, then each normalised value present, one a line."""
    head = record["label"] + ("" if record.get("score") is None else f" · score {record['score']:.3f}")
    lines = [head] + [f"{key}: {_fmt(record[key])}" for key in TIP_KEYS
                      if record.get(key) not in (None, "", False)]  # approx only when it is True
    return "\n".join(lines)


def _mark(text: str, record: dict) -> str:
    label = record["label"]
    return (f'<mark class="ent" style="background:{_colour(label)}" data-tip="{esc(tooltip(record))}">'
            f'{esc(text)}<span class="lab">{esc(label)}</span></mark>')


def render_text(text: str, records: list[dict]) -> str:
    """The document as escaped HTML with each record's span marked (an overlapping span is left
    unmarked; it still has its row in the table)."""
    parts, cursor = [], 0
    for r in sorted(records, key=lambda r: (r["start"], r["end"])):
        if r["start"] < cursor:
            continue
        parts.append(esc(text[cursor:r["start"]]))
        parts.append(_mark(text[r["start"]:r["end"]], r))
        cursor = r["end"]
    parts.append(esc(text[cursor:]))
    return "".join(parts)


def legend(labels: tuple[str, ...] = LABELS) -> str:
    items = "".join(f'<span><mark class="ent" style="background:{_colour(lab)}">{esc(DESCRIPTIONS.get(lab, lab))}'
                    f'<span class="lab">{esc(lab)}</span></mark></span>' for lab in labels)
    return f'<div class="legend">{items}<span class="hint">hover a mark for its normalised value</span></div>'


class HtmlWriter:
    """Writes the page to ``stream`` as documents come (see the module docstring)."""

    def __init__(self, stream: TextIO, columns: list[str], title: str = "Entities", source: str = ""):
        self.stream = stream
        self.columns = list(columns)  # the record columns, in order (model.extract.COLUMNS)
        self.n_docs = 0
        self.rows = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.used: set[str] = set()
        self.skipped: list[Skipped] = []
        by = {"rules": "the rules (weak labeller)", "model": "the trained model"}.get(source, source)
        stream.write(f'<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8">'
                     f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                     f'<title>{esc(title)}</title><style>{CSS}</style></head>\n<body><main>\n'
                     f'<h1>{esc(title)}</h1>\n'
                     + (f'<p class="meta">Entities found by {esc(by)}.</p>\n' if by else "")
                     + legend() + "\n")

    def write(self, doc: Document, records: list[dict]) -> None:
        self.n_docs += 1
        anchor = f"doc-{self.n_docs}"
        counts = dict.fromkeys(LABELS, 0)
        for r in records:
            counts[r["label"]] = counts.get(r["label"], 0) + 1
            self.used.update(k for k, v in r.items() if v is not None)
            self.rows.write(json.dumps({**r, "_anchor": anchor}, ensure_ascii=False) + "\n")
        summary = " · ".join(f"{n} {lab}" for lab, n in counts.items() if n) or "no entities"
        self.stream.write(f'<details class="doc" id="{anchor}" open><summary>{esc(doc.id)}'
                          f'<span class="counts">{esc(summary)}</span></summary>'
                          f'<div class="text">{render_text(doc.text, records)}</div></details>\n')

    def skip(self, item: Skipped) -> None:
        self.skipped.append(item)

    def close(self, summary: ExtractSummary) -> None:
        out = self.stream
        if self.skipped:
            items = "".join(f"<li>{esc(s.where)}: {esc(s.reason)}</li>" for s in self.skipped)
            out.write(f'<h2 id="skipped">Skipped</h2><ul class="skipped">{items}</ul>\n')
        columns = [c for c in self.columns if c in CORE or c in self.used]
        out.write(f'<h2 id="records">Records</h2><p class="meta">{esc(summary.line())}</p>\n'
                  '<div class="table-wrap"><table>'
                  "<thead><tr>" + "".join(f"<th>{esc(c)}</th>" for c in columns) + "</tr></thead><tbody>\n")
        self.rows.seek(0)
        for line in self.rows:
            out.write(self._row(json.loads(line), columns))
        out.write("</tbody></table></div>\n</main></body></html>\n")
        self.rows.close()
        out.flush()

    @staticmethod
    def _row(r: dict, columns: list[str]) -> str:
        cells = []
        for c in columns:
            v = r.get(c)
            if c == "doc_id":
                cells.append(f'<td><a href="#{esc(r["_anchor"])}">{esc(v)}</a></td>')
            elif c == "label":
                cells.append(f'<td><span class="chip" style="background:{_colour(v)}">{esc(v)}</span></td>')
            elif c in ("text", "canonical"):  # long PROGRAM titles wrap
                cells.append(f'<td class="span">{esc(v)}</td>')
            elif c in ("start", "end"):
                cells.append(f'<td class="num">{esc(v)}</td>')
            elif c == "score":
                cells.append(f'<td class="num">{"" if v is None else f"{v:.3f}"}</td>')
            elif c in NUMERIC:
                cells.append(f'<td class="num">{esc(_fmt(v))}</td>')
            else:
                cells.append(f"<td>{esc(_fmt(v))}</td>")
        return "<tr>" + "".join(cells) + "</tr>\n"
