"""A registry file read into entries ready to store, and the rows that could not be read.

Rules where the issue is silent (docs/inventory.md repeats them):
- A model cell naming several models ("XNO-6080R, XNO-6080RH") gives one entry per model, same row number.
- A model with `*` or `?` is a pattern (model_pattern set, model None).
- No model at all is allowed only with a business number and a 세부품명번호: a maker-level entry.
- Validity: start/end columns, else one range string (`20201012 ~ 20231011`), else 발급일 + a period: the
  `유효기간` column may hold the period instead of a range (a bare number is years; "3년", "3 years",
  "36개월", "2년 6개월"), as may `유효기간(년)`. The last valid day is the day before the same date that
  period later (values.add_months). A period with no date to count it from is a bad row. A row with no
  dates at all is kept "undated" (matched, never counted: inventory/model.py Match.counts).
- 사업자등록번호 must be 10 digits with a correct check digit; a wrong one names the row.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from .columns import ColumnTable, load_columns
from .errors import RegistryFileError, RowError
from .normalize import is_pattern
from .tabular import Cell, Table, read_table
from .values import a_date, add_months, business_no, date_range, text, validity_months

MAX_NAME = 200  # a maker's name or a certificate number longer than this is a broken cell, not data


@dataclass(frozen=True)
class ParsedEntry:
    manufacturer: str
    business_no: str | None
    model: str | None
    model_pattern: str | None
    firmware: str | None
    item_name: str | None
    item_no: str | None
    part: str | None
    certificate_type: str
    certificate_no: str
    valid_from: date | None
    valid_to: date | None
    source_row: int

    def content_key(self) -> str:
        """Identity of what the row says (not where it came from): unchanged rows are recognised by it."""
        fields = asdict(self)
        fields.pop("source_row")
        return hashlib.sha256(json.dumps(fields, default=str, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class ParsedRegistry:
    file_name: str
    sha256: str
    entries: tuple[ParsedEntry, ...]
    errors: tuple[RowError, ...]
    rows: int


def _cell(cells: tuple[Cell, ...], columns: dict[str, int], field: str) -> Cell:
    index = columns.get(field)
    return cells[index] if index is not None and index < len(cells) else None


def _validity(cells: tuple[Cell, ...], columns: dict[str, int]) -> tuple[date | None, date | None]:
    start = a_date(_cell(cells, columns, "valid_from"), "validity start")
    end = a_date(_cell(cells, columns, "valid_to"), "validity end")
    # `유효기간` holds either a range ("20201012 ~ 20231011") or a period ("3년", "36개월", 3).
    validity = _cell(cells, columns, "validity_range")
    months = validity_months(validity)
    if end is None and months is None and text(validity) is not None:
        # A range beside a start column still gives the end (the start column's start stands).
        range_start, end = date_range(validity)
        start = start or range_start
    if months is None:
        years = _cell(cells, columns, "validity_years")
        months = validity_months(years, "validity in years")
        if months is None and text(years) is not None:
            raise ValueError(f"validity in years {text(years)!r} is not a period (expected 3, 3년 or 36개월)")
    if months is not None and end is None:
        start = start or a_date(_cell(cells, columns, "issued_on"), "issue date")
        if start is None:
            raise ValueError(
                f"validity period {text(validity) or text(_cell(cells, columns, 'validity_years'))!r} "
                "has no issue date (발급일) to count from"
            )
        end = add_months(start, months)
    elif start is None and end is None:
        start = a_date(_cell(cells, columns, "issued_on"), "issue date")
    if start and end and start > end:
        raise ValueError(f"validity starts {start} after it ends {end}")
    return start, end


def parse_row(
    number: int, cells: tuple[Cell, ...], columns: dict[str, int], table: ColumnTable
) -> list[ParsedEntry]:
    get = lambda field: _cell(cells, columns, field)
    manufacturer = text(get("manufacturer"))
    if not manufacturer:
        raise ValueError("no manufacturer (업체명)")
    cert_text = text(get("certificate_type"))
    if not cert_text:
        raise ValueError("no certificate type (인증구분)")
    cert_type = table.certificate_type_of(cert_text)
    if cert_type is None:
        raise ValueError(
            f"unknown certificate type {cert_text!r} (add its spelling to config/registry_columns.yaml)"
        )
    cert_no = text(get("certificate_no"))
    if not cert_no:
        raise ValueError("no certificate number (인증번호)")
    for what, value in (("manufacturer", manufacturer), ("certificate number", cert_no)):
        if len(value) > MAX_NAME:
            raise ValueError(f"{what} is {len(value)} characters long; at most {MAX_NAME} are kept")
    part_text = text(get("part"))
    part = table.part_of(part_text) if part_text else None
    if part_text and part is None:
        raise ValueError(
            f"unknown part {part_text!r} (expected 카메라, 녹화장치·영상분석장치 or 운영단말 및 서버)"
        )
    brn = business_no(get("business_no"))
    item_no = text(get("item_no"))
    if item_no is not None and not re.fullmatch(r"\d{8,10}", item_no):
        raise ValueError(
            f"item number (세부품명번호) {item_no!r} is not an 8- or 10-digit classification number"
        )
    valid_from, valid_to = _validity(cells, columns)
    # Split before text() folds white space: an XLSX cell with one model per line (Alt+Enter) became one
    # "XNO-6080R XNO-8080R" that no camera is.
    raw_model = get("model")
    parts = re.split(r"[,;\r\n]", raw_model) if isinstance(raw_model, str) else [raw_model]
    models = [m for m in (text(p) for p in parts) if m]
    if not models:
        if not (brn and item_no):
            raise ValueError("no model (모델명); a maker-level row needs 사업자등록번호 and 세부품명번호")
        models = [None]  # type: ignore[list-item]
    common = {
        "manufacturer": manufacturer,
        "business_no": brn,
        "firmware": text(get("firmware")),
        "item_name": text(get("item_name")),
        "item_no": item_no,
        "part": part,
        "certificate_type": cert_type,
        "certificate_no": cert_no,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "source_row": number,
    }
    return [
        ParsedEntry(
            model=None if is_pattern(m) else m,
            model_pattern=m if is_pattern(m) else None,
            **common,  # type: ignore[arg-type]
        )
        for m in models
    ]


def parse_registry(path: Path, table: ColumnTable | None = None) -> ParsedRegistry:
    table = table or load_columns()
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RegistryFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    sheet: Table = read_table(path, table, table.required.get("registry", ()), RegistryFileError)
    entries: list[ParsedEntry] = []
    errors: list[RowError] = []
    for number, cells in sheet.rows:
        try:
            entries.extend(parse_row(number, cells, sheet.columns, table))
        except ValueError as exc:
            errors.append(RowError(number, str(exc)))
    return ParsedRegistry(
        path.name, hashlib.sha256(data).hexdigest(), tuple(entries), tuple(errors), len(sheet.rows)
    )
