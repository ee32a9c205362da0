"""The shipped JSON Schema of the report document (reports/schema/report.schema.json)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "report.schema.json"

__all__ = ["SCHEMA_PATH", "report_schema", "validate_report_document"]


@lru_cache(maxsize=1)
def report_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate_report_document(doc: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError when `doc` does not follow the schema (formats checked too)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(report_schema(), format_checker=jsonschema.FormatChecker())
    validator.validate(doc)
