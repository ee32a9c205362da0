"""The scan file (streamed to disk, byte for byte what scan_to_json gives) and the scan journal."""
import dataclasses
from datetime import UTC, datetime

import pytest

from scanner.model import (
    Device,
    FieldEvidence,
    Fingerprints,
    HostCheck,
    OtherResponder,
    ScanResult,
    ScanScope,
    SuspectedRelabel,
)
from scanner.serialize import (
    ScanFileError,
    ScanJournal,
    journal_path,
    read_journal,
    read_scan_json,
    scan_file_of,
    scan_to_json,
    write_scan_json,
)

DEVICES = tuple(
    Device(address=f"10.0.0.{i}", port=80, status="ok", manufacturer="한빛비전\n<b>", scopes=("a", "b"),
           fingerprints=Fingerprints(http_server="x"), evidence=(FieldEvidence("model", "Op", "0" * 64),),
           suspected_relabel=SuspectedRelabel("한빛비전", "Dahua", ("MAC OUI: Dahua",)) if i == 2 else None)
    for i in (1, 2, 10, 3))
OTHERS = (OtherResponder("10.0.0.9", "urn:uuid:1", ("wsdp:Device", "pub:Computer"), (),
                         ("http://synologynas:5357/1/",)),)
CHECKS = (HostCheck("10.0.0.5", True, (22, 3389), "accepted a connection on 22, 3389"),
          HostCheck("10.0.0.6", False, (), "no answer on ports 22, 80 within 3 s"),
          HostCheck("192.0.2.1", False, (), "not tried: outside the scan's scope", skipped="out_of_scope"))
HEAD = ScanResult(scan_id="s", site="가람", started_at=datetime(2026, 1, 1, tzinfo=UTC), finished_at=None,
                  agent_version="1", scope=ScanScope(interfaces=("lo",)), host=None, devices=(), complete=False)


def test_streamed_scan_file_is_exactly_scan_to_json(tmp_path):
    """write_scan_json streams device by device; the bytes must equal scan_to_json's."""
    for devs, others, checks in ((DEVICES, OTHERS, CHECKS), ((), OTHERS, ()), ((), (), CHECKS)):
        scan = ScanResult(scan_id="s", site="가람", started_at=datetime(2026, 1, 1, tzinfo=UTC),
                          finished_at=None, agent_version="1", scope=ScanScope(interfaces=("lo",)), host=None,
                          devices=devs, other_responders=others, host_checks=checks)
        path = tmp_path / "scan.json"
        write_scan_json(scan, path)
        assert path.read_text(encoding="utf-8") == scan_to_json(scan)
        assert read_scan_json(path) == scan


def _journal(tmp_path, devices=DEVICES, others=()):
    path = journal_path(tmp_path / "scan.json")
    journal = ScanJournal(path, HEAD)
    for other in others:
        journal.add_other(other)
    for device in devices:
        journal.add(device)
    journal.close()
    return path


def test_journal_keeps_the_other_ws_discovery_hosts(tmp_path):
    scan = read_journal(_journal(tmp_path, others=OTHERS))
    assert scan.other_responders == OTHERS and len(scan.devices) == len(DEVICES)


def test_journal_gives_back_every_device_in_scan_order_marked_incomplete(tmp_path):
    path = _journal(tmp_path)
    assert path.name == "scan.json.journal" and scan_file_of(path) == tmp_path / "scan.json"
    assert scan_file_of(tmp_path / "left-behind") == tmp_path / "left-behind.json"
    scan = read_journal(path)
    assert [d.address for d in scan.devices] == ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.10"]
    assert {d.address: d for d in scan.devices} == {d.address: d for d in DEVICES}  # every field
    assert (scan.scan_id, scan.site, scan.scope, scan.started_at) == (HEAD.scan_id, HEAD.site, HEAD.scope,
                                                                      HEAD.started_at)
    assert scan.complete is False and scan.finished_at is None and "4 device(s)" in scan.interrupted_reason


def test_journal_cut_off_mid_line_keeps_every_whole_device(tmp_path):
    path = _journal(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) - 40], encoding="utf-8")  # killed while writing the last device
    scan = read_journal(path)
    assert len(scan.devices) == 3 and "cut off mid-write" in scan.interrupted_reason


def test_a_damaged_journal_is_refused_with_the_line(tmp_path):
    path = _journal(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = "{not json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ScanFileError, match="line 3 is not a device"):
        read_journal(path)
    scan_file = tmp_path / "other.json"
    write_scan_json(HEAD, scan_file)
    with pytest.raises(ScanFileError, match="not a scan journal"):
        read_journal(scan_file)


def test_a_journal_is_never_overwritten(tmp_path):
    path = _journal(tmp_path)
    before = path.read_bytes()
    with pytest.raises(ScanFileError, match="recover"):
        ScanJournal(path, HEAD)
    assert path.read_bytes() == before


def test_device_text_with_line_separators_or_lone_surrogates_survives_journal_and_file(tmp_path):
    """U+2028 is legal in XML and orjson writes it as it is: str.splitlines() cut that device's journal line
    in two, and recovery refused the whole journal. A lone surrogate (header bytes that are no UTF-8) made
    orjson raise: the device never reached the journal, and the scan file was never written."""
    odd = (Device(address="10.0.0.7", port=80, status="ok", model="XNO\u20286080R\u0085"),
           Device(address="10.0.0.8", port=80, status="ok", fingerprints=Fingerprints(http_server="DVR \udcc7\udcd1")))
    path = tmp_path / "scan.json.journal"
    journal = ScanJournal(path, HEAD)
    for device in (*odd, DEVICES[0]):
        journal.add(device)
    journal.close()
    scan = read_journal(path)
    assert [d.address for d in scan.devices] == ["10.0.0.1", "10.0.0.7", "10.0.0.8"]
    assert scan.devices[1].model == "XNO\u20286080R\u0085"
    assert scan.devices[2].fingerprints.http_server == "DVR 한"  # the bytes, read as CP949
    write_scan_json(scan, tmp_path / "scan.json")
    assert read_scan_json(tmp_path / "scan.json").devices[2].fingerprints.http_server == "DVR 한"


def test_a_journal_cut_inside_a_character_keeps_every_whole_device(tmp_path):
    path = _journal(tmp_path)
    data = path.read_bytes()
    cut = data.rindex("한빛비전".encode()) + 2  # inside the last line's first Korean character
    path.write_bytes(data[:cut])
    scan = read_journal(path)
    assert len(scan.devices) == 3 and "cut off mid-write" in scan.interrupted_reason


def test_a_journal_that_cannot_be_written_stops_without_ending_the_scan(tmp_path, caplog):
    """ENOSPC on the journal raised from the scan's own clean-up: no scan file, no --db, every device lost."""
    import errno

    journal = ScanJournal(tmp_path / "scan.json.journal", HEAD)

    class FullDisk:
        closed = False

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def flush(self):
            raise OSError(errno.ENOSPC, "No space left on device")

        def fileno(self):
            return journal_stream.fileno()

        def close(self):
            self.closed = True

    journal_stream, journal.stream = journal.stream, FullDisk()
    journal.add(DEVICES[0])  # no exception
    journal.add(DEVICES[1])
    journal.close()
    journal_stream.close()
    assert journal.failed == "No space left on device" and caplog.text.count("journalling stops") == 1


def test_recover_to_a_place_that_cannot_be_written_keeps_the_journal(tmp_path):
    """`recover J --json-out` into a folder that is not there: a traceback (FileNotFoundError from mkstemp)."""
    import subprocess
    import sys

    from tests.conftest import REPO

    journal = _journal(tmp_path)
    before = journal.read_bytes()
    target = tmp_path / "no" / "such" / "scan.json"
    run = subprocess.run([sys.executable, "-m", "cctv_inventory", "recover", str(journal), "--json-out", str(target)],
                         cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 2, run.stderr
    assert run.stderr == f"cannot recover: cannot write {target} (No such file or directory); {journal} is kept as it was\n"
    assert journal.read_bytes() == before


def _recover(journal, *args):
    import subprocess
    import sys

    from tests.conftest import REPO

    return subprocess.run([sys.executable, "-m", "cctv_inventory", "recover", str(journal), *args], cwd=REPO,
                          capture_output=True, text=True, timeout=60, check=False)


def test_recover_of_a_journal_its_scan_file_already_holds_deletes_the_journal(tmp_path):
    """A scan killed after writing scan.json and before deleting its journal leaves both: `audit` then said to
    `recover` the journal, and `recover` refused because scan.json exists. The scan file holds the same scan
    and every device, so the journal is what the process would have deleted; an earlier scan's file is not."""
    journal = _journal(tmp_path)
    scan_file = tmp_path / "scan.json"
    write_scan_json(dataclasses.replace(HEAD, devices=DEVICES, finished_at=datetime(2026, 1, 1, 1, tzinfo=UTC)),
                    scan_file)
    before = scan_file.read_bytes()
    run = _recover(journal)
    assert run.returncode == 0, run.stderr
    assert "already holds scan s with every device" in run.stderr
    assert not journal.exists() and scan_file.read_bytes() == before


def test_recover_beside_another_scans_file_still_refuses(tmp_path):
    journal = _journal(tmp_path)
    scan_file = tmp_path / "scan.json"
    write_scan_json(dataclasses.replace(HEAD, scan_id="an-earlier-scan", devices=DEVICES), scan_file)
    fewer = tmp_path / "fewer"
    fewer.mkdir()
    fewer_journal = _journal(fewer)
    write_scan_json(dataclasses.replace(HEAD, devices=DEVICES[:1]), fewer / "scan.json")
    for j, f in ((journal, scan_file), (fewer_journal, fewer / "scan.json")):
        run = _recover(j)
        assert run.returncode == 2 and run.stderr == f"cannot recover: {f} exists; name another file with --json-out\n"
        assert j.exists()

