"""Errors from libraries, told in one line: the CLI's rule is one clear line on stderr, no traceback."""

from __future__ import annotations


def first_line(exc: BaseException) -> str:
    """A driver's error in one line: SQLAlchemy adds the statement and a 'Background on this error' link,
    psycopg an 'Is the server running…' hint; the first line says what happened."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
