"""A fresh store on both databases for each inventory test."""

from __future__ import annotations

import pytest

from inventory import db
from inventory.store import Store


@pytest.fixture
def store(db_url):
    db.upgrade(db_url)
    with Store.open(db_url) as opened:
        yield opened
