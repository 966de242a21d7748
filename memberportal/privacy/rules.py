"""The export's file formats: JSON and CSV of plain rows. No database."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any


def plain(value: Any) -> Any:
    """A value as it goes into JSON and CSV: datetimes in ISO 8601 (UTC), days as YYYY-MM-DD."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def to_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """One CSV with a header row; an empty section still has its header."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: plain(row.get(k)) for k in columns})
    return out.getvalue()


def build_zip(sections: Mapping[str, tuple[Sequence[str], list[dict]]]) -> bytes:
    """data.json with every section, and <section>.csv for each; UTF-8 with a BOM on the CSVs
    so spreadsheet programs read Chinese correctly."""
    data = {name: [{k: plain(v) for k, v in row.items()} for row in rows]
            for name, (_columns, rows) in sections.items()}  # fmt: skip
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        for name, (columns, rows) in sections.items():
            archive.writestr(f"{name}.csv", "\ufeff" + to_csv(rows, columns))
    return buffer.getvalue()
