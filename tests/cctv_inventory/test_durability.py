"""Every atomic write survives a power cut: after its os.replace, the directory is fsynced too.

os.replace only changes the directory; until the directory itself is fsynced, a power cut can bring
back the old name (or none), though the file's bytes were fsynced under the temporary name. For
scan.json that meant: the journal deleted, the rename lost, the scan gone.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.auditor.factory import demo_scan


class DiskSpy:
    """Records each os.replace (the inode of its target's directory) and each fsync of a directory."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.events: list[tuple[str, int]] = []
        real_fsync, real_replace = os.fsync, os.replace

        def fsync(fd: int) -> None:
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                self.events.append(("fsync_dir", info.st_ino))
            real_fsync(fd)

        def replace(src, dst, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            real_replace(src, dst, *args, **kwargs)
            self.events.append(("replace", os.stat(Path(dst).parent).st_ino))

        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(os, "replace", replace)

    def assert_every_rename_synced(self) -> None:
        replaced = [i for i, (kind, _) in enumerate(self.events) if kind == "replace"]
        assert replaced, "nothing was renamed into place"
        for index in replaced:
            inode = self.events[index][1]
            assert ("fsync_dir", inode) in self.events[index + 1:], (
                f"the rename #{index} was never made durable: {self.events}")


def _scan_json(out: Path) -> None:
    from scanner.serialize import write_scan_json

    write_scan_json(demo_scan(), out / "scan.json")


def _report_set(out: Path) -> None:
    from reports.assessment import assess
    from reports.policy import load_policy
    from reports.writer import write_report_set
    from tests.auditor.reports import matched_scan

    report = assess(matched_scan(demo_scan()), load_policy("kr-sme-parts-localization-2024"))
    write_report_set(report, out, ["json", "csv"], "ko")


def _bundle(out: Path) -> None:
    from cctv_inventory.bundle import write_bundle
    from scanner.serialize import scan_to_json
    from tests.auditor.reports import make_report

    scan = demo_scan()
    report_json, _ = make_report(scan)
    write_bundle(out / "bundle.zip", scan_json=scan_to_json(scan).encode("utf-8"), report_json=report_json,
                 report_signature=None, registry_sources=(), agent_version="test")


def _rollup(out: Path) -> None:
    import json

    from reports.rollup import build_rollup, write_rollup
    from tests.auditor.reports import make_report

    report_json, _ = make_report(demo_scan())
    write_rollup(build_rollup([json.loads(report_json)]), out, ["json"], "en")


@pytest.mark.parametrize("write", [_scan_json, _report_set, _bundle, _rollup],
                         ids=["scan.json", "report set", "bundle", "rollup"])
def test_every_atomic_write_fsyncs_its_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 write: Callable[[Path], None]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    spy = DiskSpy(monkeypatch)
    write(out)
    spy.assert_every_rename_synced()


def test_a_new_journal_is_durable_by_name_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The journal's bytes were fsynced, but a new file's name lives in its directory: a power cut could
    lose the whole journal of a scan that was then cut short the same way."""
    from dataclasses import replace

    from scanner.serialize import ScanJournal

    spy = DiskSpy(monkeypatch)
    journal = ScanJournal(tmp_path / "scan.json.journal", replace(demo_scan(), devices=()))
    journal.close()
    assert ("fsync_dir", os.stat(tmp_path).st_ino) in spy.events
