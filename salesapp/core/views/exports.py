"""Export to Excel and CSV of a list: every matching row, streamed.

The rows come from a generator (the list's queryset read with `.iterator()`), so no more than a chunk of
records is in memory at a time. Excel: openpyxl's write-only workbook keeps the sheet in a temporary file
as rows are appended; the finished .xlsx is then sent from that file in chunks. Numbers stay numbers
(a Decimal is a number cell with the currency's decimals as its format), dates stay dates.

CSV is safe against formula injection (OWASP "CSV Injection"): a text cell starting with = + - @, a tab
or a carriage return gets a leading single quote, so a spreadsheet shows it as text instead of running it.
In the .xlsx such text is written as a string cell (never a formula), exactly as typed.
"""

from __future__ import annotations

import csv
import datetime
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from salesapp.core import formatting as fmt

FILE_CHUNK = 64 * 1024  # bytes sent at a time from the finished workbook
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def safe_text(text: str) -> str:
    """A CSV text cell a spreadsheet won't run as a formula: "=1+1" → "'=1+1"."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return fmt.plain(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return str(value)
    return safe_text(str(value))


class _Echo:
    """csv.writer's file: hands back each line instead of storing it."""

    def write(self, line: str) -> str:
        return line


def csv_lines(labels: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # The byte order mark tells Excel the file is UTF-8 (accents, €).
    yield "\ufeff" + writer.writerow([safe_text(label) for label in labels])
    for row in rows:
        yield writer.writerow([csv_cell(v) for v in row])


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        exponent = value.as_tuple().exponent
        cell.number_format = fmt.spreadsheet_format(-exponent if isinstance(exponent, int) else 0)
        return cell
    if isinstance(value, str):
        # Characters XML can't hold (control characters) are dropped; "=…" stays text, never a formula.
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
        return cell
    return value  # None, numbers; dates get openpyxl's date format


def xlsx_chunks(title: str, labels: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """The workbook, built into a temporary file as the rows come, then read out in chunks."""
    with tempfile.TemporaryFile(suffix=".xlsx") as out:
        book = Workbook(write_only=True)
        sheet = book.create_sheet(ILLEGAL_CHARACTERS_RE.sub("", title)[:31] or "Export")
        bold = Font(bold=True)
        header = []
        for label in labels:
            cell = WriteOnlyCell(sheet, value=label)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in rows:
            sheet.append([_xlsx_cell(sheet, v) for v in row])
        book.save(out)
        out.seek(0)
        while chunk := out.read(FILE_CHUNK):
            yield chunk


def export_response(kind: str, title: str, labels: Sequence[str], rows: Iterable[Sequence[Any]]) -> Any:
    """A streamed download of `rows` (`kind` "xlsx" or "csv"), named after the list and today."""
    content = xlsx_chunks(title, labels, rows) if kind == "xlsx" else csv_lines(labels, rows)
    response = StreamingHttpResponse(content, content_type=CONTENT_TYPES[kind])
    name = f"{slugify(title) or 'export'}-{timezone.localdate().isoformat()}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
