"""Reading a spreadsheet as agencies get it: CSV in UTF-8 / UTF-8 with BOM / CP949 (EUC-KR) / UTF-16, or
XLSX; the header row found among the first rows (titles and fictional-data notes may sit above it), one
or two header rows with merged cells, trailing blank rows ignored. Cells keep their type (an XLSX number
stays a number here; the row parsers decide what a number means for their column).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .columns import ColumnTable

HEADER_SEARCH_ROWS = 20
Cell = Any  # str | int | float | datetime | date | None


@dataclass(frozen=True)
class Table:
    file_name: str
    columns: dict[str, int]  # canonical field -> column index
    rows: tuple[tuple[int, tuple[Cell, ...]], ...]  # (row number as the user sees it, cells)
    header_row: int


def decode_text(data: bytes, name: str, error: Callable[[str], Exception]) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else CP949 (a superset of EUC-KR), else a guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise error(f"{name}: cannot tell the text encoding (tried UTF-8, CP949/EUC-KR)")
    return str(best)


def _csv_rows(
    text: str, delimiter: str, name: str, error: Callable[[str], Exception]
) -> list[tuple[int, tuple[Cell, ...]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for record in reader:
            rows.append((reader.line_num, tuple(record)))
    except csv.Error as exc:
        raise error(f"{name}: not a readable CSV file near line {reader.line_num} ({exc})") from None
    return rows


def _csv_delimiters(text: str) -> list[str]:
    """The sniffed delimiter first, then the others: the header row decides which one is right (the
    sniffer alone is fooled by a ';' in a note column or a one-cell title row)."""
    order = [",", ";", "\t"]
    try:
        sniffed = csv.Sniffer().sniff(text[:8192], delimiters="".join(order)).delimiter
    except csv.Error:
        return order
    return [sniffed, *(d for d in order if d != sniffed)]


_MERGE_RE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]+[0-9]+:[A-Z]+[0-9]+)\"")


def _merged_ranges(sheet: Any) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of every merged range of a read-only sheet.

    Read-only mode (streaming, ~4x faster on a 30,000-row registry) does not parse <mergeCells>, which
    sits after all the rows; a byte scan of the sheet XML finds them without building a tree of it.
    `_get_source` is openpyxl's own accessor for that XML (private, stable through 3.1)."""
    from openpyxl.utils.cell import range_boundaries

    found: list[tuple[int, int, int, int]] = []
    with sheet._get_source() as source:
        tail = b""
        while chunk := source.read(1 << 20):
            data = tail + chunk
            matches = list(_MERGE_RE.finditer(data))
            found.extend(range_boundaries(m.group(1).decode("ascii")) for m in matches)  # type: ignore[misc]
            # keep an unfinished tag for the next chunk, never one already counted
            cut = max(len(data) - 512, matches[-1].end() if matches else 0)
            tail = data[cut:]
    return found


# Excel saves a workbook with a password as an OLE2 compound file holding the encrypted package (MS-OFFCRYPTO),
# whatever its name ends in; openpyxl can only say "File is not a zip file".
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _xlsx_rows(path: Path, error: Callable[[str], Exception]) -> list[tuple[int, tuple[Cell, ...]]]:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with open(path, "rb") as head:
            if head.read(8) == _OLE2_MAGIC:
                raise error(f"{path.name}: an encrypted (password-protected) workbook or an old .xls saved as "
                            ".xlsx; save it in Excel as .xlsx without a password")
    except OSError as exc:
        raise error(f"{path.name}: cannot read ({exc.strerror or exc})") from None
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        if not workbook.worksheets:  # a chart sheet alone, or a workbook cut down by hand
            raise ValueError("it has no worksheet")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers record a wrong used range; read what is there
        grid = [list(row) for row in sheet.iter_rows(values_only=True)]
        merged = _merged_ranges(sheet)
        workbook.close()
    # SyntaxError: ElementTree's ParseError (and lxml's) on a sheet whose XML is cut short or damaged,
    # which was a traceback; InvalidFileException: openpyxl's own refusal.
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError, SyntaxError, EOFError,
            InvalidFileException) as exc:
        raise error(f"{path.name}: not a readable XLSX workbook ({exc})") from None
    if not grid:
        return []
    width = max(len(row) for row in grid)
    for row in grid:
        row.extend([None] * (width - len(row)))
    # A merged cell holds its value only in the top-left cell: give every cell of the range that value
    # (a header over two columns, or a maker's name merged down over the rows of its models).
    for min_col, min_row, max_col, max_row in merged:
        if min_row > len(grid):
            continue
        value = grid[min_row - 1][min_col - 1] if min_col <= width else None
        for r in range(min_row, min(max_row, len(grid)) + 1):
            for c in range(min_col, min(max_col, width) + 1):
                grid[r - 1][c - 1] = value
    return [(number, tuple(row)) for number, row in enumerate(grid, start=1)]


def is_blank(cells: tuple[Cell, ...]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _map_header(cells: tuple[Cell, ...], table: ColumnTable) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        field = table.field_of(cell) if isinstance(cell, str) else None
        if field and field not in found:
            found[field] = index
    return found


def _map_two_rows(parent: tuple[Cell, ...], child: tuple[Cell, ...], table: ColumnTable) -> dict[str, int]:
    """A two-row header: "유효기간" merged over "시작" | "종료", or a cell merged down over both rows."""
    found: dict[str, int] = {}
    for index in range(max(len(parent), len(child))):
        top = parent[index] if index < len(parent) else None
        low = child[index] if index < len(child) else None
        top_s = str(top).strip() if top is not None else ""
        low_s = str(low).strip() if low is not None else ""
        field = None
        for label in (top_s + low_s if low_s != top_s else top_s, low_s, top_s):
            field = table.field_of(label) if label else None
            if field:
                found.setdefault(field, index)
                break
        # The lower row must itself look like a header: each of its cells repeats the one above (a cell
        # merged down) or names a field with it. Otherwise it is the first data row, not a header.
        if low_s and low_s != top_s and not (field and table.field_of(top_s) != field):
            return {}
    return found


def _find_header(
    rows: list[tuple[int, tuple[Cell, ...]]], table: ColumnTable, required: tuple[str, ...]
) -> tuple[int, dict[str, int], int] | None:
    """(header row index, columns, header rows used) of the first row naming every required field."""
    best: tuple[int, dict[str, int], int] | None = None
    for i, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if is_blank(cells):
            continue
        single = _map_header(cells, table)
        candidates = [(single, 1)]
        # A two-row header's upper row names fields itself (a title row above the header does not).
        if i + 1 < len(rows) and len(single) >= 2:
            candidates.append((_map_two_rows(cells, rows[i + 1][1], table), 2))
        for columns, used in candidates:
            if all(f in columns for f in required) and (best is None or len(columns) > len(best[1])):
                best = (i, columns, used)
        if best is not None:
            return best
    return None


def read_table(
    path: Path, table: ColumnTable, required: tuple[str, ...], error: Callable[[str], Exception]
) -> Table:
    """The file's header row mapped to canonical fields, and its non-blank data rows after it."""
    path = Path(path)
    if not path.is_file():
        raise error(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path, error)
        best = _find_header(rows, table, required)
    elif suffix in (".csv", ".txt", ".tsv", ""):
        text = decode_text(path.read_bytes(), path.name, error)
        rows, best = [], None
        for attempt, delimiter in enumerate(_csv_delimiters(text)):
            candidate = _csv_rows(text, delimiter, path.name, error)
            found = _find_header(candidate, table, required)
            if attempt == 0 or found is not None:
                rows, best = candidate, found  # if none works, report what the likeliest reading found
            if found is not None:
                break
    elif suffix == ".xls":
        raise error(f"{path.name}: the old .xls format is not read; save it as .xlsx or CSV in Excel")
    else:
        raise error(f"{path.name}: unknown file type {suffix!r}; expected .csv or .xlsx")
    if best is None:
        seen = next(
            (
                [str(c).strip() for c in cells if c not in (None, "")]
                for _, cells in rows
                if not is_blank(cells)
            ),
            [],
        )
        expected = "; ".join(f"{f} ({' / '.join(table.aliases.get(f, ())[:3])})" for f in required)
        raise error(
            f"{path.name}: no usable header row in the first {HEADER_SEARCH_ROWS} rows. "
            f"Found: {', '.join(seen) or 'nothing'}. Expected at least: {expected} "
            "(all spellings are in config/registry_columns.yaml)"
        )
    index, columns, used = best
    data = tuple(
        (number, cells)
        for number, cells in rows[index + used :]
        if not is_blank(cells) and not (isinstance(cells[0], str) and cells[0].lstrip().startswith("#"))
    )
    return Table(path.name, columns, data, rows[index][0])
