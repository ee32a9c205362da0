"""The library API the lead's `audit` command and the auditor code against: names and parameters stay put."""

from __future__ import annotations

import dataclasses
import inspect

import reports.assessment
import reports.formats
import reports.integrity
import reports.model
import reports.policy
import reports.writer


def params(fn) -> list[str]:
    return list(inspect.signature(fn).parameters)


def test_entry_points_keep_their_names_and_parameters():
    assert params(reports.policy.load_policy) == ["name_or_path"]
    assert params(reports.assessment.assess)[:2] == ["matched", "policy"]
    assert params(reports.model.report_to_dict) == ["report"]
    assert params(reports.writer.write_report_set) == ["report", "out_dir", "formats", "lang", "signing_key"]
    assert params(reports.integrity.verify_report_file) == ["path", "public_key_path"]
    assert params(reports.integrity.generate_keypair) == ["prefix"]
    assert params(reports.integrity.sign) == ["doc", "private_key_path"]
    for fn in (reports.integrity.canonical_json, reports.integrity.evidence_sha256):
        assert callable(fn)


def test_report_is_a_frozen_dataclass():
    assert dataclasses.is_dataclass(reports.model.Report)
    assert reports.model.Report.__dataclass_params__.frozen


def test_every_format_has_render_and_extension():
    for name, fmt in reports.formats.FORMATS.items():
        assert params(fmt.render) == ["report", "out", "lang"], name
        assert fmt.extension.startswith(".")


def test_verify_result_says_what_was_checked():
    fields = {f.name for f in dataclasses.fields(reports.integrity.VerifyResult)}
    assert {"ok", "hash_ok", "signature_checked", "signature_ok", "message"} <= fields
