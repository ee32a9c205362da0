"""Devices' raw answers kept as evidence (`--keep-responses DIR`), one file per distinct answer.

Every field a device told us carries the SHA-256 of the raw answer it came from (Device.evidence,
FieldEvidence.response_sha256). Kept, those answers let an auditor open what the device actually said:
`DIR/<sha256>.<kind>` holds the bytes exactly as received (before any repair or SOAP 1.1 rewrite):
`xml` a SOAP answer, `http` a login page's body, `rtsp` an RTSP answer's header block, `der` a TLS
certificate, `txt` a line the scanner read a field from outside any answer body (the ARP neighbour
entry a MAC came from, the HTTP Date header a clock came from). Each file's SHA-256 is its own name, so
`sha256sum` checks them with no tool of ours, and the scan file names the file behind each field.
Identical answers (the same GetServices from a thousand cameras of one model) are one file. A file
already there is trusted only when it holds what its name says: a directory reused from an earlier
scan may hold one changed since, and it is written afresh.

Only the answers a field cites are written, once their device is done (soap.DeviceContext.keep_cited).
Written by whichever process interrogated the device: a temporary name, then an atomic rename, so a
reader or a crash never sees half a file and two workers writing the same answer cannot collide. A
write that fails (a full disk) is noted on the device once, its temporary file removed, and the scan
goes on: the answer itself was still read and hashed, and the fields citing it say `kept: false`.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


class ResponseStore:
    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def path_of(self, sha256: str, kind: str) -> Path:
        return self.directory / f"{sha256}.{kind}"

    def keep(self, raw: bytes, sha256: str, kind: str) -> None:
        """Raises OSError when the file cannot be written."""
        path = self.path_of(sha256, kind)
        if _holds(path, sha256):
            return
        temporary = self.directory / f".{sha256}.{os.getpid()}.tmp"
        try:
            temporary.write_bytes(raw)
            os.replace(temporary, path)
        except OSError:
            temporary.unlink(missing_ok=True)  # half an answer would only take more of a full disk
            if _holds(path, sha256):  # another worker wrote the same answer meanwhile: it is kept
                return
            raise


def _holds(path: Path, sha256: str) -> bool:
    """The file is there and is that answer (read whole: the answers are small, and a rename never
    shows half of one)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == sha256
    except OSError:
        return False
