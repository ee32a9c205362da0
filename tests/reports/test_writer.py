"""reports.writer: files appear only after every format rendered; signing writes report.json.sig."""

from __future__ import annotations

from dataclasses import replace

import pytest

from reports import formats as formats_module
from reports.formats import FORMATS
from reports.integrity import generate_keypair, verify_report_file
from reports.writer import write_report_set


def test_writes_every_format_with_fixed_names(shared_report, tmp_path):
    written = write_report_set(shared_report, tmp_path / "out", list(FORMATS), "ko", None)
    assert sorted(p.name for p in written) == ["report.csv", "report.html", "report.json", "report.xlsx"]
    assert not list((tmp_path / "out").glob(".*")), "no temporary files left behind"


def test_a_failing_renderer_leaves_nothing_and_keeps_the_old_files(shared_report, tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_report_set(shared_report, out, ["html", "json"], "ko", None)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(report, stream, lang):
        stream.write(b"half a workbook")
        raise RuntimeError("renderer crashed")

    monkeypatch.setitem(formats_module.FORMATS, "xlsx", replace(FORMATS["xlsx"], render=broken))
    changed = replace(shared_report, site="다른 현장")
    with pytest.raises(RuntimeError):
        write_report_set(changed, out, ["html", "json", "xlsx"], "ko", None)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_unknown_format_or_language_is_refused_before_writing(shared_report, tmp_path):
    with pytest.raises(ValueError, match="unknown report format"):
        write_report_set(shared_report, tmp_path / "a", ["html", "pdf"], "ko", None)
    with pytest.raises(ValueError, match="language"):
        write_report_set(shared_report, tmp_path / "b", ["html"], "jp", None)
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_signing_adds_the_json_it_signs(shared_report, tmp_path):
    private, public = generate_keypair(tmp_path / "k")
    written = write_report_set(shared_report, tmp_path / "out", ["html"], "ko", private)
    assert [p.name for p in written] == ["report.html", "report.json", "report.json.sig"]
    assert verify_report_file(tmp_path / "out" / "report.json", public).ok


def test_an_unsigned_rewrite_removes_a_stale_signature(shared_report, tmp_path):
    private, _ = generate_keypair(tmp_path / "k")
    write_report_set(shared_report, tmp_path / "out", ["json"], "ko", private)
    write_report_set(replace(shared_report, site="다른 현장"), tmp_path / "out", ["json"], "ko", None)
    assert not (tmp_path / "out" / "report.json.sig").exists()


def test_a_run_stopped_before_the_signature_leaves_no_stale_one(shared_report, tmp_path, monkeypatch):
    """A signed report rewritten and stopped between report.json and report.json.sig (a full disk, a kill)
    left the new report beside the old signature: `verify --key` then said BAD SIGNATURE, i.e. tampering."""
    from reports import writer

    private, public = generate_keypair(tmp_path / "k")
    out = tmp_path / "out"
    write_report_set(shared_report, out, ["json"], "ko", private)
    real = writer._atomic_write

    def disk_full_at_the_signature(path, data, **kwargs):
        if path.name.endswith(".sig"):
            raise OSError(28, "No space left on device")
        real(path, data, **kwargs)

    monkeypatch.setattr(writer, "_atomic_write", disk_full_at_the_signature)
    with pytest.raises(OSError):
        write_report_set(replace(shared_report, site="다른 현장"), out, ["json"], "ko", private)
    result = verify_report_file(out / "report.json", public)
    assert not result.ok and "BAD SIGNATURE" not in result.message and "no report.json.sig" in result.message
