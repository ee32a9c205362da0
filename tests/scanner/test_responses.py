"""scanner/responses.py: the answers kept as evidence, on a real directory. No simulated site needed."""

from __future__ import annotations

import hashlib

from scanner.responses import ResponseStore

ANSWER = b"<env:Envelope><tds:Model>XNO-6080R</tds:Model></env:Envelope>"
DIGEST = hashlib.sha256(ANSWER).hexdigest()


def test_an_answer_is_kept_under_its_own_digest_once(tmp_path):
    store = ResponseStore(tmp_path)
    store.keep(ANSWER, DIGEST, "xml")
    path = tmp_path / f"{DIGEST}.xml"
    first = path.stat()
    store.keep(ANSWER, DIGEST, "xml")  # the same answer from a second unit of the model
    assert path.read_bytes() == ANSWER and path.stat().st_ino == first.st_ino  # not written again
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_a_file_changed_since_an_earlier_scan_is_written_afresh(tmp_path):
    """A --keep-responses directory reused across scans: a file under the answer's name that no longer holds
    it would otherwise go into the bundle as the device's answer, and the agency would refuse the bundle."""
    path = tmp_path / f"{DIGEST}.xml"
    path.write_bytes(b"<env:Envelope><tds:Model>edited</tds:Model></env:Envelope>")
    ResponseStore(tmp_path).keep(ANSWER, DIGEST, "xml")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == DIGEST
