"""Spreadsheet cells for a class's exports (the gradebook, the answers, the lab runs): text
a spreadsheet would run as a formula is neutralised (the rule of cohorts.roster's
FORMULA_STARTS), numbers stay numbers, and CSV is written a row at a time."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal

from cohorts.roster import FORMULA_STARTS

Cell = str | int | Decimal | datetime | None
Row = list[Cell]


def neutralise(value: str) -> str:
    """A text cell a spreadsheet would read as a formula (= + - @, tab, carriage return,
    after spaces too) gets a leading apostrophe: shown as text, never run."""
    if value.startswith(FORMULA_STARTS) or value.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")  # 3.50 -> "3.5", 30.00 -> "30"


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return neutralise(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Row]) -> Iterator[str]:
    """CSV text a row at a time, after a byte-order mark (spreadsheets then read UTF-8)."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([_text(value) for value in row])
