"""Writers of the extract CLI: each takes one document's records at a time, so output never waits
for the whole run (JSONL and CSV as records come, Parquet in row groups).

All share the :class:`Writer` interface (``write``, ``skip``, ``close``), which is also what
``model.shards`` and ``model.render_html.HtmlWriter`` follow.
"""
from __future__ import annotations

import csv
import json
import os
from typing import TYPE_CHECKING, Protocol, TextIO

from .records import COLUMNS, FLOAT_COLUMNS, arrow_schema, flat_row

if TYPE_CHECKING:
    from .extract import ExtractSummary
    from .readers import Document, Skipped


# --------------------------------------------------------------------------------------------
# Writers: each takes one document's records at a time
# --------------------------------------------------------------------------------------------

class Writer(Protocol):
    def write(self, doc: Document, records: list[dict]) -> None: ...
    def skip(self, item: Skipped) -> None: ...
    def close(self, summary: ExtractSummary) -> None: ...


class JsonlWriter:
    """One JSON object per record, values as the labeller gave them (ints stay ints)."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def write(self, doc: Document, records: list[dict]) -> None:
        for r in records:
            self.stream.write(json.dumps(r, ensure_ascii=False) + "\n")

    def skip(self, item: Skipped) -> None:
        pass

    def close(self, summary: ExtractSummary) -> None:
        self.stream.flush()


class CsvWriter:
    """CSV with a header of :data:`COLUMNS`; empty cell = no value; lists as JSON text; ``\\n`` line ends."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.writer = csv.DictWriter(stream, fieldnames=list(COLUMNS), lineterminator="\n")
        self.writer.writeheader()

    def write(self, doc: Document, records: list[dict]) -> None:
        for r in records:
            row = flat_row(r)
            for column in FLOAT_COLUMNS:  # 7850000, not 7850000.0
                if row[column] is not None and row[column].is_integer():
                    row[column] = int(row[column])
            self.writer.writerow(row)

    def skip(self, item: Skipped) -> None:
        pass

    def close(self, summary: ExtractSummary) -> None:
        self.stream.flush()



class ParquetWriter:
    """Parquet written in row groups of ``row_group_size`` records, never the whole table at once."""

    def __init__(self, path: str | os.PathLike, row_group_size: int = 10_000):
        import pyarrow.parquet as pq

        self.schema = arrow_schema()
        self.writer = pq.ParquetWriter(str(path), self.schema, compression="zstd")
        self.row_group_size = row_group_size
        self.rows: list[dict] = []

    def _flush(self) -> None:
        import pyarrow as pa

        if self.rows:
            self.writer.write_table(pa.Table.from_pylist(self.rows, schema=self.schema))
            self.rows = []

    def write(self, doc: Document, records: list[dict]) -> None:
        self.rows.extend(flat_row(r) for r in records)
        if len(self.rows) >= self.row_group_size:
            self._flush()

    def skip(self, item: Skipped) -> None:
        pass

    def close(self, summary: ExtractSummary) -> None:
        self._flush()
        self.writer.close()

