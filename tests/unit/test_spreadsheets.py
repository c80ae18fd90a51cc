"""The shared export rows, read back by an independent reader (calamine)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from python_calamine import CalamineWorkbook

from konsey.spreadsheets import csv_bytes, xlsx_bytes

HEADERS = ["Title", "Due date", "Starts", "Count"]
ROWS = [
    ['=HYPERLINK("http://evil")', date(2027, 1, 29), datetime(2027, 5, 12, 9, 30), 3],
    ["Кибербезопасность; Türkiye", date(2026, 12, 22), None, 0],
]


def test_xlsx_keeps_dates_typed_and_formulas_inert():
    book = CalamineWorkbook.from_filelike(io.BytesIO(xlsx_bytes(HEADERS, ROWS, title="Actions")))
    assert book.sheet_names == ["Actions"]
    rows = book.get_sheet_by_name("Actions").to_python()
    assert rows[0] == HEADERS
    assert rows[1][0] == '\'=HYPERLINK("http://evil")'
    assert rows[1][1] == date(2027, 1, 29)
    assert rows[1][2] == datetime(2027, 5, 12, 9, 30)
    assert rows[1][3] == 3
    assert rows[2][0] == "Кибербезопасность; Türkiye"


def test_csv_has_a_bom_iso_dates_and_inert_formulas():
    data = csv_bytes(HEADERS, ROWS)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[1] == ['\'=HYPERLINK("http://evil")', "2027-01-29", "2027-05-12T09:30", "3"]
    assert rows[2][0] == "Кибербезопасность; Türkiye"
