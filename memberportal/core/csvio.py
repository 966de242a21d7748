"""CSV in and out: uploads read as spreadsheets save them, downloads streamed row by row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from itertools import chain

from flask import Response, stream_with_context

# A cell starting with one of these is a formula to a spreadsheet; a quote keeps it text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> Response:
    """A download streamed as it is written: one line of the body per row, never the whole
    file in memory. UTF-8 with a byte-order mark so spreadsheets read Chinese correctly."""

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        yield "\ufeff"
        for cells in chain([header], rows):
            writer.writerow([safe_cell(cell) for cell in cells])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    response = Response(stream_with_context(lines()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def read_upload(data: bytes) -> list[tuple[int, list[str]]]:
    """(line number, cells) of each row of an uploaded CSV. UTF-8 (with or without a
    byte-order mark) first, then GB18030, which is what spreadsheets in Chinese save; blank
    lines are dropped but keep their place in the numbering, so a report matches the file.
    Raises ValueError for a file that is not text or not CSV."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        break
    else:
        raise ValueError("not a text file")
    if "\x00" in text:
        raise ValueError("not a text file")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return [
            (reader.line_num, [cell.strip() for cell in row])
            for row in reader
            if any(cell.strip() for cell in row)
        ]
    except csv.Error as error:
        raise ValueError(str(error)) from None
