"""Why a scan could not run at all (as opposed to a device failing, which is data).

    ScanError                     the scan itself cannot run; the CLI exits non-zero
     ├── ScopeError               no interface given, unknown interface, public range without --allow-public
     └── CredentialsError         unreadable, badly formed or group/other-readable credentials file

A device that misbehaves never raises out of the scanner: it ends as a `Device`
with a status and a reason (scanner/model.py).
"""

from __future__ import annotations


class ScanError(Exception):
    """The scan cannot run; the message says what to change."""


class ScopeError(ScanError):
    pass


class CredentialsError(ScanError):
    pass
