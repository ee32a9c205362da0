"""The library API other stages code against (inventory brief): names and signatures must not drift."""

from __future__ import annotations

import inspect

from inventory import errors, matching, store


def test_store_api():
    Store = store.Store
    assert store.__all__ == ["Store"]
    expected = {
        "open": ["url"],
        "close": [],
        "save_scan": ["scan"],
        "scans": ["site"],
        "import_registry": ["path", "source"],
        "registry_entries": ["manufacturer"],
        "import_declared": ["path", "site"],
        "matched_scan": ["scan_id", "site"],
        "save_report": ["scan_id", "policy_id", "verdict", "sha256", "report_json", "signature"],
        "reports": ["site"],
    }
    for name, params in expected.items():
        signature = inspect.signature(getattr(Store, name))
        names = [p for p in signature.parameters if p not in ("self", "cls")]
        assert names[: len(params)] == params, name
    assert inspect.signature(Store.save_report).parameters["policy_id"].kind is inspect.Parameter.KEYWORD_ONLY
    assert hasattr(Store, "__enter__") and hasattr(Store, "__exit__")


def test_error_tree():
    for name in (
        "SchemaOutOfDate",
        "RegistryFileError",
        "DeclaredFileError",
        "ScanNotFound",
        "ColumnsConfigError",
    ):
        assert issubclass(getattr(errors, name), errors.InventoryError)


def test_matcher_api():
    params = list(inspect.signature(matching.Matcher).parameters)
    assert params[:2] == ["entries", "catalog"]
    assert list(inspect.signature(matching.Matcher.match).parameters)[1:] == ["device", "at"]
    assert list(inspect.signature(matching.Matcher.match_all).parameters)[1:] == ["devices", "at"]
