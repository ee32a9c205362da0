"""Shared labs for the simulator tests: one demo-site lab per module that asks for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from simulator.testing import DEMO_SITE, RunningLab, running_lab


@pytest.fixture(scope="module")
def demo_lab() -> Iterator[RunningLab]:
    """config/lab/demo-site.yaml served by `cctv-inventory simulate` in a subprocess."""
    with running_lab(DEMO_SITE) as lab:
        yield lab
