"""Spreadsheet files: one table written as CSV or as an Excel workbook (XLSX).

A `Table` has a title (the sheet's name), columns and rows of plain values: text, whole
numbers (`int`), decimals (`Decimal`, written with the places they carry), months (`date`,
in a MONTH column) and None for an empty cell. The report's exports build them
(`exports.py`); the writers here know nothing of the report.

CSV, so that a double-click opens it right in the page's language's Excel: UTF-8 with a
byte-order mark; in Finnish and Swedish `;` between fields and a decimal comma, in English
`,` and a decimal point (`csv_format`). Months are YYYY-MM.

XLSX (openpyxl, write-only mode, so a large table streams row by row): numbers are number
cells with a number format, months date cells, the header row bold and frozen, column widths
from the header and the first rows.

No cell is ever a formula (OWASP "CSV injection"): in CSV, text that a spreadsheet would run
as one gets a leading quote (`safe_cell`); in XLSX text is always a text cell, and such text
also carries Excel's "quote prefix", so editing the cell keeps it text.
"""

import csv
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import chain, islice

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

TEXT = "text"
NUMBER = "number"
MONTH = "month"
LINK = "link"

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = TEXT


@dataclass
class Table:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]


@dataclass(frozen=True)
class CsvFormat:
    delimiter: str
    decimal: str


COMMA_LANGUAGES = ("fi", "sv")  # decimal comma, so `;` between fields (as Excel expects there)


def csv_format(language: str | None) -> CsvFormat:
    """The CSV that the language's Excel opens by double-click."""
    if (language or "").split("-")[0].lower() in COMMA_LANGUAGES:
        return CsvFormat(delimiter=";", decimal=",")
    return CsvFormat(delimiter=",", decimal=".")


# --- CSV --------------------------------------------------------------------------------------

# = + - @ start formulas; tab and CR too in some programs; full-width forms in East Asian ones.
FORMULA_START = tuple("=+-@\t\r＝＋－＠")
PLAIN_NUMBER = re.compile(r"-?[0-9]+([.,][0-9]+)?")


def looks_like_formula(text: str) -> bool:
    # Spreadsheets skip leading whitespace before looking for a formula.
    return text.startswith(FORMULA_START) or text.lstrip().startswith(FORMULA_START)


def safe_cell(value) -> str:
    """Text as a spreadsheet shows it: a leading quote before what would be a formula."""
    text = "" if value is None else str(value)
    if PLAIN_NUMBER.fullmatch(text):
        return text
    if looks_like_formula(text):
        return "'" + text
    return text


def _decimal_text(value: Decimal, decimal: str) -> str:
    return format(value, "f").replace(".", decimal)


def csv_cell(value, column: Column, fmt: CsvFormat) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # a bool is an int: never meant as one here
        return safe_cell(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        value = Decimal(str(value))
    if isinstance(value, Decimal):
        return _decimal_text(value, fmt.decimal)
    if isinstance(value, date):
        return value.strftime("%Y-%m") if column.kind == MONTH else value.isoformat()
    return safe_cell(value)


def write_csv(out, table: Table, fmt: CsvFormat) -> None:
    """The table as CSV text into `out` (a response or any text stream), BOM first."""
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=fmt.delimiter)
    writer.writerow([safe_cell(column.label) for column in table.columns])
    for row in table.rows:
        writer.writerow(
            [csv_cell(value, column, fmt) for value, column in zip(row, table.columns, strict=True)]
        )


# --- XLSX -------------------------------------------------------------------------------------

INTEGER_FORMAT = "#,##0"
MONTH_FORMAT = "yyyy-mm"
SAMPLE_ROWS = 200  # the rows read ahead to size the columns
MIN_WIDTH, MAX_WIDTH = 8, 60
SHEET_TITLE_MAX = 31  # Excel's limit
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SPOOL_BYTES = 8 * 1024 * 1024  # a larger workbook goes to a temporary file, not memory


def _decimal_format(value: Decimal) -> str:
    places = max(0, -value.as_tuple().exponent) if value.is_finite() else 0
    return INTEGER_FORMAT + ("." + "0" * places if places else "")


def _clean_text(value) -> str:
    """Text an XLSX file can hold: control characters other than tab and newlines dropped."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _shown_length(value, column: Column) -> int:
    if value is None:
        return 0
    if column.kind == MONTH:
        return 7
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        text = format(value, ",f") if isinstance(value, Decimal) else f"{value:,}"
        return len(text)
    return max((len(line) for line in str(value).splitlines()), default=0)


def _widths(columns: Sequence[Column], sample: list[Sequence]) -> list[float]:
    widths = []
    for index, column in enumerate(columns):
        longest = max([len(column.label)] + [_shown_length(row[index], column) for row in sample])
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2)))
    return widths


def sheet_title(title: str) -> str:
    cleaned = SHEET_TITLE_FORBIDDEN.sub(" ", _clean_text(title)).strip().strip("'")
    return cleaned[:SHEET_TITLE_MAX].strip() or "Sheet"


def _xlsx_cell(sheet, value, column: Column) -> WriteOnlyCell:
    if value is None:
        return WriteOnlyCell(sheet, None)
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, float):
        value = Decimal(str(value))
    if isinstance(value, int):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = INTEGER_FORMAT
        return cell
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = _decimal_format(value)
        return cell
    if isinstance(value, date):
        if column.kind == MONTH:
            value = value.replace(day=1)
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = MONTH_FORMAT if column.kind == MONTH else "yyyy-mm-dd"
        return cell
    text = _clean_text(value)
    cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"  # never a formula, whatever it starts with
    if looks_like_formula(text):
        cell.quotePrefix = True
    return cell


def write_xlsx(out, table: Table, *, creator: str = "") -> None:
    """The table as a one-sheet workbook into `out` (a binary file)."""
    workbook = Workbook(write_only=True)
    if creator:
        workbook.properties.creator = creator
    workbook.properties.title = table.title
    sheet = workbook.create_sheet(sheet_title(table.title))
    rows = iter(table.rows)
    sample = list(islice(rows, SAMPLE_ROWS))
    for index, width in enumerate(_widths(table.columns, sample), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, _clean_text(column.label))
        cell.data_type = "s"
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in chain(sample, rows):
        sheet.append(
            [
                _xlsx_cell(sheet, value, column)
                for value, column in zip(row, table.columns, strict=True)
            ]
        )
    workbook.save(out)


def xlsx_file(table: Table, *, creator: str = ""):
    """The workbook in a temporary file (in memory while small), rewound for reading."""
    # Closed by the response that sends it (FileResponse), hence no `with`.
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    write_xlsx(out, table, creator=creator)
    out.seek(0)
    return out
