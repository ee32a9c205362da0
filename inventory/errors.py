"""Every error the inventory raises, in one tree.

    InventoryError                  anything the inventory refuses, with a message fit for a user
    ├── SchemaOutOfDate             a PostgreSQL schema behind (or ahead of) this program: run `db upgrade`
    ├── ScanNotFound                no stored scan with that id (or no scan at all for "latest")
    ├── InputFileError              a file given to an import cannot be used as a whole
    │   ├── RegistryFileError       registry file: unreadable, unknown format, no usable header row
    │   └── DeclaredFileError       declared-equipment file: the same, for the contract's list
    └── ColumnsConfigError          config/registry_columns.yaml itself is broken

A bad *row* is not an exception: it is a `RowError(row, message)` value in the import summary, and
the good rows still import (pip-audit's "a skipped item is a value" move).
"""

from __future__ import annotations

from dataclasses import dataclass


class InventoryError(Exception):
    """Base of everything the inventory raises on purpose."""


class SchemaOutOfDate(InventoryError):
    """The database schema is not the one this program was built for."""


class ScanNotFound(InventoryError):
    pass


class InputFileError(InventoryError):
    pass


class RegistryFileError(InputFileError):
    pass


class DeclaredFileError(InputFileError):
    pass


class ColumnsConfigError(InventoryError):
    pass


@dataclass(frozen=True)
class RowError:
    """One row of an input file that could not be read; `row` is the 1-based line/row in the file."""

    row: int
    message: str

    def to_dict(self) -> dict[str, object]:
        return {"row": self.row, "message": self.message}
