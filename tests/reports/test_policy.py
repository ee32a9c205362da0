"""reports.policy: the shipped 2024 pilot, defaults, and errors that name the key at fault."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from reports.policy import PolicyError, load_policy, policy_dir, policy_from_dict

SHIPPED = policy_dir() / "kr-sme-parts-localization-2024.yaml"


def shipped() -> dict:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def test_2024_pilot_encodes_the_notice(policy):
    assert policy.id == "kr-sme-parts-localization-2024"
    assert policy.item_no == "4617162201"
    assert (policy.period_from, policy.period_to) == (date(2024, 3, 1), date(2024, 12, 31))
    assert [p.id for p in policy.parts] == ["camera", "recorder_analytics", "terminal_server"]
    roles = {p.id: p.roles for p in policy.parts}
    assert roles == {
        "camera": ("camera", "encoder"),
        "recorder_analytics": ("nvr", "analytics"),
        "terminal_server": ("vms_server", "operator_terminal"),
    }
    assert policy.part_of_role("operator_terminal") == "terminal_server"  # the agent host
    assert policy.part_of_role("unknown") is None
    assert policy.evidence == ("domestic_origin",)
    assert "domestic_origin" not in policy.listed_certificates and "gs" in policy.listed_certificates
    assert policy.coverage.mode == "all" and policy.min_localized_parts == 1
    assert policy.mandatory is False and policy.count_maker_level is True and policy.relabel_counts is False


def test_load_by_path_equals_load_by_name(policy):
    assert load_policy(str(SHIPPED)) == policy


def test_stated_defaults_apply_when_keys_are_left_out():
    data = shipped()
    for key in ("evidence", "listed_certificates", "coverage", "min_localized_parts", "mandatory",
                "count_maker_level", "relabel_counts", "source", "product"):
        data.pop(key)
    p = policy_from_dict(data)
    assert p.evidence == ("domestic_origin",)
    assert p.coverage.mode == "all" and p.coverage.min_share == 1.0
    assert p.min_localized_parts == 1 and not p.mandatory and p.count_maker_level and not p.relabel_counts
    assert set(p.listed_certificates) == {"direct_production", "innovative_product", "performance_epc", "gs",
                                          "excellent_procurement", "cctv_security"}


def test_share_coverage():
    data = shipped()
    data["coverage"] = {"mode": "share", "min_share": 0.5}
    cov = policy_from_dict(data).coverage
    assert cov.is_met(1, 2) and not cov.is_met(1, 3) and not cov.is_met(0, 0)


def _edit(path: str, value):
    data = shipped()
    target = data
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    if value is KeyError:
        del target[last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return data


@pytest.mark.parametrize(
    ("edit", "value", "named"),
    [
        ("colour", "red", "colour: unknown key"),
        ("coverage.minshare", 0.5, "coverage.minshare: unknown key"),
        ("parts.1.roles", ["nvr", "nvrr"], "parts[1].roles[1]: 'nvrr' is not a device role"),
        ("parts.2.roles", ["camera"], "parts[2].roles[0]: role 'camera' already belongs to part 'camera'"),
        ("parts.0.id", "lens", "parts[0].id: 'lens' is not a part id"),
        ("parts.0.name", {"ko": "카메라"}, "parts[0].name.en: missing required key"),
        ("period.from", "2024-13-01", "period.from: expected a date"),
        ("period.to", "2023-01-01", "period.to: 2023-01-01 is before period.from"),
        ("period", KeyError, "period: missing required key"),
        ("mandatory", "no", "mandatory: expected true or false"),
        ("min_localized_parts", 4, "min_localized_parts: expected a whole number from 1 to 3"),
        ("evidence", ["domestic_origin", "origin"], "evidence[1]: 'origin' is not a certificate type"),
        ("coverage", {"mode": "share"}, "coverage.min_share: missing required key"),
        ("coverage", {"mode": "share", "min_share": 1.5}, "coverage.min_share: expected a number in (0, 1]"),
        ("coverage", {"mode": "most"}, "coverage.mode: 'most' is not one of all, share"),
        ("product.item_no", 4617162201, "product.item_no: expected text"),
        ("parts", [], "parts: expected a non-empty list"),
    ],
)
def test_bad_policy_names_the_key(edit, value, named):
    with pytest.raises(PolicyError) as err:
        policy_from_dict(_edit(edit, value))
    assert str(err.value).startswith(named), str(err.value)


def test_policy_file_with_a_bad_key_names_file_and_key(tmp_path: Path):
    bad = tmp_path / "bad-policy.yaml"
    text = SHIPPED.read_text(encoding="utf-8").replace("relabel_counts: false", "relable_counts: false")
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError, match=r"bad-policy\.yaml: relable_counts: unknown key"):
        load_policy(str(bad))


def test_unknown_policy_name_lists_the_shipped_ones():
    with pytest.raises(PolicyError, match="kr-sme-parts-localization-2024"):
        load_policy("kr-sme-2031")


def test_not_yaml_is_a_policy_error(tmp_path: Path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(PolicyError, match="cannot read the policy"):
        load_policy(str(bad))
    bad.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"\(document\): expected a mapping"):
        load_policy(str(bad))


def test_a_yaml_syntax_error_is_one_line_with_its_place(tmp_path: Path):
    """PyYAML's message spans five lines with a caret drawing; `audit` and `report` print it after
    `error: policy:`, so the installer saw a broken block instead of one line naming where."""
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: x\nparts: [\n", encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        load_policy(str(bad))
    message = str(err.value)
    assert "\n" not in message and "line 3, column 1" in message and str(bad) in message, message
