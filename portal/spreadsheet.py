"""CSV cells that a spreadsheet shows as text, never runs as a formula.

A name or note typed as ``=HYPERLINK(…)``, ``+1+1``, ``-2+3`` or ``@SUM(…)`` (or starting with
a tab or carriage return, which some programs skip before looking) is a formula to Excel,
WPS and LibreOffice when a worker opens the export. Such text cells get a leading ``'``, the
usual mark for "this is text"; numbers stay numbers. Every CSV the portal writes goes
through ``csv_writer`` (or ``safe_row``).
"""

import csv

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
