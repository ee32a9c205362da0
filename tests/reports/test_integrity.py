"""reports.integrity: canonical digest, detached Ed25519 signature, and `verify` catching any change."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

from reports.integrity import (
    IntegrityError,
    canonical_json,
    content_bytes,
    evidence_sha256,
    generate_keypair,
    report_file_bytes,
    signature_path,
    verify_report_file,
)
from reports.model import report_to_dict
from reports.writer import write_report_set


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    return generate_keypair(tmp_path_factory.mktemp("keys") / "installer")


@pytest.fixture
def signed(tmp_path, shared_report, keys) -> Path:
    write_report_set(shared_report, tmp_path, ["json"], "ko", keys[0])
    return tmp_path / "report.json"


def test_canonical_json_is_sorted_compact_utf8():
    assert canonical_json({"b": 1, "a": "카메라"}) == '{"a":"카메라","b":1}'.encode()


def test_digest_ignores_its_own_key_and_formatting(shared_report):
    doc = report_to_dict(shared_report)
    assert doc["evidence_sha256"] == evidence_sha256(doc)
    assert b"evidence_sha256" not in content_bytes(doc)
    reformatted = json.loads(json.dumps(doc, indent=7))
    assert evidence_sha256(reformatted) == doc["evidence_sha256"]


def test_keygen_writes_a_private_key_only_the_owner_reads_and_never_overwrites(tmp_path):
    private, public = generate_keypair(tmp_path / "k")
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o600
    assert b"PUBLIC KEY" in public.read_bytes()
    with pytest.raises(IntegrityError, match="exists already"):
        generate_keypair(tmp_path / "k")


def test_signed_report_verifies(signed, keys):
    result = verify_report_file(signed, keys[1])
    assert result.ok and result.signature_ok and result.signature_checked


def test_one_byte_edit_is_caught(signed, keys):
    data = bytearray(signed.read_bytes())
    at = data.index(b'"KR-ORIGIN-2023-0001"') + 10  # a digit inside a certificate number
    data[at] = ord("7") if data[at] != ord("7") else ord("8")
    signed.write_bytes(bytes(data))
    for key in (None, keys[1]):
        result = verify_report_file(signed, key)
        assert not result.ok and not result.hash_ok
        assert "CHANGED" in result.message


def test_report_json_is_written_in_its_canonical_file_form(signed, shared_report):
    assert signed.read_bytes() == report_file_bytes(report_to_dict(shared_report))


@pytest.mark.parametrize(
    "edit",
    [
        lambda b: b.replace(b'": ', b'":  ', 1),  # one more space
        lambda b: b.replace(b"\n  ", b"\n\t", 1),  # an indent of two spaces as one tab
        lambda b: b + b"\n",  # a second final newline
        lambda b: b.replace(b"\n", b"\r\n"),  # CRLF line ends
    ],
    ids=["space", "tab", "newline", "crlf"],
)
def test_whitespace_edit_is_refused_though_the_content_is_the_same(signed, keys, edit):
    data = edit(signed.read_bytes())
    assert json.loads(data) == json.loads(signed.read_bytes())  # the same content, other bytes
    signed.write_bytes(data)
    for key in (None, keys[1]):
        result = verify_report_file(signed, key)
        assert not result.ok and result.hash_ok  # the digest alone would have passed it
        assert "the file was re-formatted or edited" in result.message


def test_edit_with_recomputed_digest_is_caught_by_the_signature(signed, keys):
    doc = json.loads(signed.read_text(encoding="utf-8"))
    doc["verdict"] = "target_met"
    doc["evidence_sha256"] = evidence_sha256(doc)
    signed.write_bytes(report_file_bytes(doc))  # in the form report.json is written in
    assert verify_report_file(signed).ok  # without a key only the digest can be checked
    result = verify_report_file(signed, keys[1])
    assert not result.ok and result.hash_ok and result.signature_ok is False


def test_changed_signature_is_caught(signed, keys):
    sig = signature_path(signed)
    raw = bytearray(base64.b64decode(sig.read_bytes()))
    raw[5] ^= 0x01
    sig.write_bytes(base64.b64encode(bytes(raw)) + b"\n")
    result = verify_report_file(signed, keys[1])
    assert not result.ok and "BAD SIGNATURE" in result.message
    sig.write_bytes(b"not base64 at all!!\n")
    assert not verify_report_file(signed, keys[1]).ok


def test_signature_of_another_key_and_missing_signature_fail(signed, keys, tmp_path):
    _, other = generate_keypair(tmp_path / "other")
    assert not verify_report_file(signed, other).ok
    signature_path(signed).unlink()
    result = verify_report_file(signed, keys[1])
    assert not result.ok and "no report.json.sig" in result.message


def test_duplicate_keys_are_refused(signed):
    text = signed.read_text(encoding="utf-8")
    signed.write_text(text.replace('"verdict":', '"verdict": "target_met", "verdict":', 1), encoding="utf-8")
    result = verify_report_file(signed)
    assert not result.ok and "duplicate key 'verdict'" in result.message


def test_not_json_is_a_failed_check_not_a_crash(tmp_path):
    bad = tmp_path / "report.json"
    bad.write_bytes(b"\xff\xfe not json")
    assert not verify_report_file(bad).ok


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda b: b.replace(b'"declared_items": 0', b'"declared_items": NaN', 1), "NaN"),
        (lambda b: b.replace(b'"declared_items": 0', b'"declared_items": -Infinity', 1), "-Infinity"),
        (lambda b: b.replace(b'"declared_items": 0', b'"declared_items": 1e400', 1), "too large"),
        (lambda b: b.replace(b'"declared_items": 0', b'"declared_items": ' + b"9" * 5000, 1), "digits"),
        (lambda b: b.replace(b'"agent_version": "0.1.0"', b'"agent_version": "\\ud800"', 1), "lone surrogate"),
        (lambda b: b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
    ids=["nan", "infinity", "float-overflow", "huge-int", "lone-surrogate", "deep"],
)
def test_json_that_no_report_is_written_with_is_a_failed_check_not_a_crash(signed, keys, edit, said):
    """Python's json reads NaN, 1e400 (inf), a lone surrogate escape and more than a report can hold;
    hashing such a document raised (ValueError, UnicodeEncodeError), and `verify` ended in a traceback."""
    data = edit(signed.read_bytes())
    assert data != signed.read_bytes()
    signed.write_bytes(data)
    for key in (None, keys[1]):
        result = verify_report_file(signed, key)
        assert not result.ok and not result.hash_ok
        assert "not a report" in result.message and said in result.message


def test_a_signature_that_cannot_be_read_is_a_failed_check_not_a_traceback(signed, keys, monkeypatch):
    """report.json.sig unreadable (its permissions, an I/O error): it was read outside the try, and
    `verify` ended in a traceback. (Root reads past permissions, so the read is made to fail here.)"""
    import errno

    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name.endswith(".sig"):
            raise OSError(errno.EIO, "Input/output error", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = verify_report_file(signed, keys[1])
    assert not result.ok and result.message == f"{signed}.sig: cannot read (Input/output error)"
