"""Shared fixtures of the reports tests: the 2024 policy and the one hand-built report renderers use."""

from __future__ import annotations

import pytest

from reports.assessment import assess
from reports.model import Report
from reports.policy import Policy, load_policy
from tests.reports.builders import GENERATED_AT, shared_matched_scan

POLICY_2024 = "kr-sme-parts-localization-2024"


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy(POLICY_2024)


@pytest.fixture(scope="session")
def shared_report(policy) -> Report:
    """The shared site (builders.shared_devices) assessed under the 2024 policy, timestamps fixed."""
    return assess(shared_matched_scan(), policy, generated_at=GENERATED_AT)
