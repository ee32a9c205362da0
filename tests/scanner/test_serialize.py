"""The scan file: streamed to disk, byte for byte what scan_to_json gives."""
from datetime import UTC


def test_streamed_scan_file_is_exactly_scan_to_json(tmp_path):
    """write_scan_json streams device by device; the bytes must equal scan_to_json's."""
    from datetime import datetime

    from scanner.model import Device, FieldEvidence, Fingerprints, ScanResult, ScanScope, SuspectedRelabel
    from scanner.serialize import read_scan_json, scan_to_json, write_scan_json

    devices = tuple(
        Device(address=f"10.0.0.{i}", port=80, status="ok", manufacturer="한빛비전\n<b>", scopes=("a", "b"),
               fingerprints=Fingerprints(http_server="x"), evidence=(FieldEvidence("model", "Op", "0" * 64),),
               suspected_relabel=SuspectedRelabel("한빛비전", "Dahua", ("MAC OUI: Dahua",)) if i == 2 else None)
        for i in range(1, 4))
    for devs in (devices, ()):
        scan = ScanResult(scan_id="s", site="가람", started_at=datetime(2026, 1, 1, tzinfo=UTC),
                          finished_at=None, agent_version="1", scope=ScanScope(interfaces=("lo",)), host=None,
                          devices=devs)
        path = tmp_path / "scan.json"
        write_scan_json(scan, path)
        assert path.read_text(encoding="utf-8") == scan_to_json(scan)
        assert read_scan_json(path) == scan
