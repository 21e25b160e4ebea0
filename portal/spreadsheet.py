"""Spreadsheets the portal hands out: CSV and Excel (.xlsx) from the same typed rows.

CSV cells that a spreadsheet shows as text, never runs as a formula.

A name or note typed as ``=HYPERLINK(…)``, ``+1+1``, ``-2+3`` or ``@SUM(…)`` (or starting with
a tab or carriage return, which some programs skip before looking) is a formula to Excel,
WPS and LibreOffice when a worker opens the export. Such text cells get a leading ``'``, the
usual mark for "this is text"; numbers stay numbers. Every CSV the portal writes goes
through ``csv_writer`` (or ``safe_row``).

An .xlsx beside each CSV has the same rows with Chinese headers, dates as real dates and hours
as numbers, so a worker's spreadsheet sorts and sums them; text cells are stored as text
(never as formulas), whatever they start with.
"""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

# Werkzeug adds "; charset=utf-8" to a text/* mimetype: naming it here would say it twice.
CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` as a CSV cell that cannot start a formula: text starting with one of
    ``FORMULA_STARTS`` gets a leading ``'``; numbers, booleans and None are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values):
    return [safe_cell(value) for value in values]


class _SafeWriter:
    """A ``csv.writer`` whose every cell went through ``safe_cell``."""

    def __init__(self, stream, **options):
        self._writer = csv.writer(stream, **options)

    def writerow(self, values):
        return self._writer.writerow(safe_row(values))

    def writerows(self, rows):
        for values in rows:
            self.writerow(values)


def csv_writer(stream, **options):
    """A CSV writer on ``stream`` (as ``csv.writer``) that neutralises formula cells."""
    return _SafeWriter(stream, **options)


def csv_cell(value):
    """A typed value as CSV text: 2026-05-01, 2026-05-01 09:30, 1.5 (numbers as written)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (float, Decimal)):
        return f"{value:g}" if isinstance(value, float) else format(value.normalize(), "f")
    return value


def csv_text(header, rows):
    """The whole table as CSV text with a byte-order mark (so Excel reads the Chinese)."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return "\ufeff" + out.getvalue()


def _xlsx_cell(sheet, value):
    cell = WriteOnlyCell(sheet, value=float(value) if isinstance(value, Decimal) else value)
    if isinstance(value, str):
        cell.data_type = "s"  # text stays text: "=1+1" typed by someone is not a formula
    elif isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    return cell


def xlsx_bytes(title, header, rows):
    """The table as an .xlsx workbook of one sheet named ``title``, header in bold."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])  # Excel's limit for a sheet name
    bold = Font(bold=True)
    header_cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=str(name))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(body, filename, mimetype):
    """A response that saves ``body`` as ``filename``."""
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={filename}"})
