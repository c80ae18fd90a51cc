"""Exports a spreadsheet opens right: CSV and XLSX from the same typed rows.

Callers give the header labels and rows of plain Python values (str, int,
date, datetime, bool, None). CSV is UTF-8 with a byte-order mark (so Excel
reads Cyrillic and Turkish text right) and ISO dates; XLSX keeps dates and
numbers typed (a Turkish or Russian Excel, whose list separator is ";",
opens it in columns all the same). In both, a text cell that a spreadsheet
would take for a formula is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from flask import Response
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_text(value) -> str:
    """The text of a cell, never read as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in FORMULA_STARTS:
        return "'" + text
    return text


def _csv_value(value) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return str(value)
    return safe_text(value)


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_text(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return (BOM + out.getvalue()).encode("utf-8")


def _xlsx_value(value):
    if isinstance(value, datetime):
        # Excel has no time zones: the caller passes the instant in the zone
        # the column names; it is written as that wall-clock time.
        return value.replace(tzinfo=None)
    if isinstance(value, bool | int | float | date) or value is None:
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", safe_text(value))


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence], *, title: str) -> bytes:
    """One sheet: a bold, frozen header row, typed cells, readable widths."""
    book = Workbook(write_only=False)
    sheet = book.active
    # Sheet names: at most 31 characters, none of []:*?/\
    sheet.title = "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Sheet"
    sheet.append([safe_text(h) for h in headers])
    widths = [max(len(str(h)), 8) for h in headers]
    for row in rows:
        values = [_xlsx_value(v) for v in row]
        sheet.append(values)
        for i, v in enumerate(values):
            shown = (
                16 if isinstance(v, datetime) else 10 if isinstance(v, date) else len(str(v or ""))
            )
            widths[i] = min(max(widths[i], shown), 60)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width + 2
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _attachment(name: str) -> str:
    ascii_name = name.encode("ascii", "ignore").decode() or "export"
    return f'attachment; filename="{ascii_name}"'


def csv_response(headers: Sequence[str], rows: Iterable[Sequence], name: str) -> Response:
    return Response(
        csv_bytes(headers, rows),
        mimetype="text/csv",
        headers={
            "Content-Disposition": _attachment(f"{name}.csv"),
            "Content-Type": "text/csv; charset=utf-8",
        },
    )


def xlsx_response(
    headers: Sequence[str], rows: Iterable[Sequence], name: str, *, title: str
) -> Response:
    return Response(
        xlsx_bytes(headers, rows, title=title),
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": _attachment(f"{name}.xlsx")},
    )
