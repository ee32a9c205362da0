"""Cell values as registry sources write them: text, business numbers, dates, ranges, counts.

Each parser returns the value or raises ValueError with a message fit to show next to a row number.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (it counts the 1900 leap-year bug; serials > 60 are right)
_DATE_RE = re.compile(r"^(\d{4})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})\s*[.일]?$")
_RANGE_SPLIT = re.compile(r"\s*(?:~|∼|〜|～|—|–| - )\s*")


def text(value: Any) -> str | None:
    """A cell as text: None for blank; numbers without a spurious '.0'; runs of white space made one space."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    # Kept as the source wrote it (㈜ stays ㈜): normalization is the matcher's business, not storage's.
    # Control characters (a NUL from a broken export) say nothing, and PostgreSQL refuses NUL in text.
    out = re.sub(r"[\x00-\x08\x0e-\x1f\x7f]", "", str(value))
    out = re.sub(r"\s+", " ", out.replace("\u00a0", " ")).strip()
    return out or None


def business_no(value: Any) -> str | None:
    """사업자등록번호 as 10 digits of text ("124-81-00998" -> "1248100998"). A number cell from Excel that
    lost its leading zero is padded back; the check digit must be right (a typo must not pass)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raw = str(value) if not isinstance(value, int) else f"{value:010d}"
    digits = re.sub(r"[\s\-–.]", "", unicodedata.normalize("NFKC", raw))
    if not digits.isdigit() or len(digits) != 10:
        raise ValueError(f"business registration number {raw!r} is not 10 digits (###-##-#####)")
    weights = (1, 3, 7, 1, 3, 7, 1, 3, 5)
    total = sum(int(d) * w for d, w in zip(digits, weights, strict=False)) + int(digits[8]) * 5 // 10
    if (10 - total % 10) % 10 != int(digits[9]):
        raise ValueError(f"business registration number {raw!r} fails its check digit")
    return digits


def a_date(value: Any, what: str = "date") -> date | None:
    """YYYY-MM-DD, YYYY.MM.DD, YYYY. MM. DD., YYYY/MM/DD, YYYYMMDD, 2024년 3월 1일, an Excel serial, or a
    date/datetime cell. None for blank."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = int(value)
        if 19000101 <= number <= 29991231:
            return a_date(str(number), what)
        if 1 <= number <= 2958465:  # Excel's serial range (to 9999-12-31)
            return EXCEL_EPOCH + timedelta(days=number)
        raise ValueError(f"{what} {value!r} is not a date")
    raw = unicodedata.normalize("NFKC", str(value)).strip()
    if not raw:
        return None
    try:
        if re.fullmatch(r"\d{8}", raw):
            return date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
        found = _DATE_RE.match(raw)
        if found:
            return date(*(int(g) for g in found.groups()))
        if re.fullmatch(r"\d{5}(\.0+)?", raw):  # an Excel serial that arrived as text
            return EXCEL_EPOCH + timedelta(days=int(float(raw)))
        return datetime.fromisoformat(raw).date()
    except ValueError:
        raise ValueError(
            f"{what} {raw!r} is not a date (expected YYYY-MM-DD, YYYY.MM.DD or YYYYMMDD)"
        ) from None


def date_range(value: Any) -> tuple[date | None, date | None]:
    """`20201012 ~ 20231011` (also with '∼', '～', or ' - ') -> (from, to)."""
    raw = text(value)
    if raw is None:
        return None, None
    parts = [p for p in _RANGE_SPLIT.split(raw) if p]
    if len(parts) != 2:
        raise ValueError(
            f"validity {raw!r} is neither a range like '20201012 ~ 20231011' nor a period like '3년' or '36개월'"
        )
    return a_date(parts[0], "validity start"), a_date(parts[1], "validity end")


# A validity period as registry sources write it: "3년", "3 년간", "3 years", "36개월", "36 months", "2년 6개월".
_PERIOD_RE = re.compile(
    r"^(?:(?P<years>\d+)\s*(?:년|years?|yrs?|y))?\s*(?:(?P<months>\d+)\s*(?:개월|months?|mos?))?\s*간?$",
    re.IGNORECASE,
)
MAX_PERIOD_YEARS = 99  # a bare number larger than this is not a number of years (a date such as 20231011)


def validity_months(value: Any, what: str = "validity") -> int | None:
    """A validity period in months: a bare number is years (3, 3.0, "3"), else "3년", "3 years", "36개월",
    "36 months", "2년 6개월". None for blank, and for text that is no period (a range string, say)."""
    if value is None or isinstance(value, bool):
        return None
    raw = text(value)
    raw = text(unicodedata.normalize("NFKC", raw)) if raw else None
    if raw is None:
        return None
    if re.fullmatch(r"\d+(\.0+)?", raw):  # a number cell, or a bare number as text
        years = int(float(raw))
        if years == 0:
            raise ValueError(f"{what} {raw!r} is not a period of at least one month")
        return years * 12 if years <= MAX_PERIOD_YEARS else None
    found = _PERIOD_RE.match(raw)
    if not found or not (found["years"] or found["months"]):
        return None
    months = int(found["years"] or 0) * 12 + int(found["months"] or 0)
    if months <= 0:
        raise ValueError(f"{what} {raw!r} is not a period of at least one month")
    return months


def positive_int(value: Any, what: str) -> int | None:
    raw = text(value)
    if raw is None:
        return None
    cleaned = re.sub(r"[,\s]|(대|개|ea|EA|식|set)$", "", raw)
    try:
        number = int(float(cleaned)) if re.fullmatch(r"\d+(\.0+)?", cleaned) else int(cleaned)
    except ValueError:
        raise ValueError(f"{what} {raw!r} is not a whole number") from None
    if number <= 0:
        raise ValueError(f"{what} {raw!r} must be at least 1")
    return number


def add_months(start: date, months: int) -> date:
    """The last valid day of a validity of `months` from `start`: the day before the same date `months`
    later (issued 2024-03-01 for 36 months -> 2027-02-28). When that date does not exist (31 January plus
    one month, 29 February plus a year) the period ends with the last day of that month."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    try:
        end = start.replace(year=year, month=month + 1)
    except ValueError:  # no such day in that month: the anniversary is the 1st of the next one
        nxt = index + 1
        end = date(nxt // 12, nxt % 12 + 1, 1)
    return end - timedelta(days=1)


def add_years(start: date, years: int) -> date:
    """The last valid day of a validity of `years` from `start` (issued 2024-03-01 for 3 years -> 2027-02-28)."""
    return add_months(start, years * 12)
