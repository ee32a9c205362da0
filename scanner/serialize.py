"""ScanResult <-> JSON. The scan file format is the hand-over between an
installer's laptop and an auditor's database, so it is versioned and strict
about what it reads back.

Written with orjson, which serializes the result dataclasses as they are (fields in their
declared order, indent 2, UTF-8 text unescaped). The standard library's encoder needs every
device turned into dicts first (dataclasses.asdict deep-copies each value) and, once asked to
indent, falls back to pure Python: for 10,000 devices that was ~1.9 s at the very end of a scan,
after the last device (tools/isolated .venv/bin/python -m benchmarks.scan_bench --devices 10000).
Reading back uses the standard `json`: already in C, and only done once.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import logging
import os
import tempfile
import time
from dataclasses import asdict, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from .httpbody import header_text
from .model import (
    Device,
    FieldEvidence,
    Fingerprints,
    HostCheck,
    HostInventory,
    OtherResponder,
    ScanResult,
    ScanScope,
    SuspectedRelabel,
    device_order,
    listed_responders,
)

SCAN_FORMAT_VERSION = 1
log = logging.getLogger(__name__)


class ScanFileError(ValueError):
    """A scan file that cannot be read back; the message says which key."""


def fsync_directory(directory: Path) -> None:
    """Make a rename (or a new file) in `directory` survive a power cut: os.replace changes only the
    directory, which the kernel may still hold in memory; until it is fsynced, the file fsynced under its
    temporary name can come back under that name, or not at all. Every atomic write here calls this
    after its os.replace (scan files, the journal, report sets, bundles, rollups)."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP):  # a file system that cannot sync a directory
            raise
    finally:
        os.close(fd)


def scan_to_dict(scan: ScanResult) -> dict[str, Any]:
    data = asdict(scan)
    data["format_version"] = SCAN_FORMAT_VERSION
    data["started_at"] = scan.started_at.isoformat()
    data["finished_at"] = scan.finished_at.isoformat() if scan.finished_at else None
    return data


def scan_to_json(scan: ScanResult) -> str:
    return b"".join(_scan_json_pieces(scan)).decode("utf-8")


def write_scan_json(scan: ScanResult, path: Path) -> None:
    """Write atomically: a reader (or a crash) never sees half a file.

    The text is exactly `scan_to_json(scan)`, written one device at a time: building it whole
    (asdict of every device, then one string) peaked at ~320 MB for 10,000 devices.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as out:
            for piece in _scan_json_pieces(scan):
                out.write(piece)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    # Before anyone deletes the journal this file replaces: a journal gone and a rename lost to a power
    # cut would lose the scan.
    fsync_directory(path.parent)


_DEVICES_PLACEHOLDER = "\x00streamed-devices\x00"  # only ever in the head dict, never in data


_PRETTY = orjson.OPT_INDENT_2


def _dumps(data: Any, option: int | None = None) -> bytes:
    """orjson.dumps, but a lone surrogate in any string (device text that slipped past its reader's
    decoding: scanner/httpbody.header_text) costs that character, never the device or the file."""
    try:
        return orjson.dumps(data, option=option)
    except TypeError as exc:
        if "surrogates" not in str(exc):
            raise
        return orjson.dumps(_without_surrogates(data), option=option)


def _without_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return header_text(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_without_surrogates(v) for v in value)
    if isinstance(value, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: _without_surrogates(getattr(value, f.name))
                                 for f in dataclasses.fields(value) if f.init})
    return value


def _scan_json_pieces(scan: ScanResult):
    """The scan file's bytes, one device at a time (a 10,000-device scan is never one string)."""
    head = scan_to_dict(replace(scan, devices=()))
    if not scan.devices:
        yield _dumps(head, option=_PRETTY)
        return
    head["devices"] = _DEVICES_PLACEHOLDER
    text = _dumps(head, option=_PRETTY)
    before, after = text.split(b'"devices": ' + orjson.dumps(_DEVICES_PLACEHOLDER))
    yield before + b'"devices": [\n'
    last = len(scan.devices) - 1
    for index, device in enumerate(scan.devices):
        item = _dumps(device, option=_PRETTY)
        yield b"    " + item.replace(b"\n", b"\n    ") + (b",\n" if index < last else b"\n")
    yield b"  ]" + after


def _tuple(value: Any) -> tuple:
    return tuple(value or ())


def _device_from_dict(d: dict[str, Any]) -> Device:
    relabel = d.get("suspected_relabel")
    return Device(
        address=d["address"],
        port=int(d["port"]),
        status=d["status"],
        status_reason=d.get("status_reason") or "",
        xaddrs=_tuple(d.get("xaddrs")),
        endpoint_reference=d.get("endpoint_reference"),
        manufacturer=d.get("manufacturer"),
        model=d.get("model"),
        firmware=d.get("firmware"),
        serial=d.get("serial"),
        hardware_id=d.get("hardware_id"),
        mac=d.get("mac"),
        hostname=d.get("hostname"),
        scopes=_tuple(d.get("scopes")),
        services=_tuple(d.get("services")),
        role=d.get("role") or "unknown",
        role_reason=d.get("role_reason") or "",
        clock_skew_s=d.get("clock_skew_s"),
        video_sources=d.get("video_sources"),
        profiles=d.get("profiles"),
        recordings=d.get("recordings"),
        fingerprints=Fingerprints(**(d.get("fingerprints") or {})),
        suspected_relabel=(
            SuspectedRelabel(
                claimed=relabel["claimed"],
                likely_maker=relabel.get("likely_maker", ""),
                evidence=_tuple(relabel.get("evidence")),
            )
            if relabel
            else None
        ),
        evidence=tuple(FieldEvidence(**e) for e in d.get("evidence") or ()),
    )


def _other_from_dict(d: dict[str, Any]) -> OtherResponder:
    return OtherResponder(address=d["address"], endpoint_reference=d.get("endpoint_reference"),
                          types=_tuple(d.get("types")), scopes=_tuple(d.get("scopes")),
                          xaddrs=_tuple(d.get("xaddrs")), outside_scope=bool(d.get("outside_scope", False)))


def _check_from_dict(d: dict[str, Any]) -> HostCheck:
    return HostCheck(address=d["address"], answered=bool(d["answered"]),
                     open_ports=tuple(int(p) for p in d.get("open_ports") or ()), detail=str(d.get("detail") or ""),
                     skipped=str(d.get("skipped") or ""))


def scan_from_dict(data: dict[str, Any]) -> ScanResult:
    try:
        version = data.get("format_version", SCAN_FORMAT_VERSION)
        if version > SCAN_FORMAT_VERSION:
            raise ScanFileError(
                f"scan file format {version} is newer than this agent understands ({SCAN_FORMAT_VERSION})"
            )
        scope = data.get("scope") or {}
        host = data.get("host")
        return ScanResult(
            scan_id=data["scan_id"],
            site=data["site"],
            started_at=datetime.fromisoformat(data["started_at"]),
            finished_at=datetime.fromisoformat(data["finished_at"]) if data.get("finished_at") else None,
            agent_version=data["agent_version"],
            scope=ScanScope(
                interfaces=_tuple(scope.get("interfaces")),
                targets=_tuple(scope.get("targets")),
                multicast=bool(scope.get("multicast", True)),
                allow_public=bool(scope.get("allow_public", False)),
            ),
            host=HostInventory(**host) if host else None,
            devices=tuple(_device_from_dict(d) for d in data.get("devices") or ()),
            complete=bool(data.get("complete", True)),
            interrupted_reason=data.get("interrupted_reason"),
            other_responders=tuple(_other_from_dict(o) for o in data.get("other_responders") or ()),
            host_checks=tuple(_check_from_dict(c) for c in data.get("host_checks") or ()),
        )
    except KeyError as exc:
        raise ScanFileError(f"scan file is missing the key {exc.args[0]!r}") from None
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ScanFileError):
            raise
        raise ScanFileError(f"scan file has a bad value: {exc}") from None


def read_scan_json(path: Path) -> ScanResult:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ScanFileError(f"{path}: not JSON ({exc})") from None
    except UnicodeDecodeError as exc:  # not text at all (a traceback from import-scan before)
        raise ScanFileError(f"{path}: not a scan file: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if not isinstance(data, dict):
        raise ScanFileError(f"{path}: expected a JSON object")
    return scan_from_dict(data)


# --- the scan journal ----------------------------------------------------------------------
# A scan killed outright (SIGKILL, the OOM killer, a laptop whose battery died) runs no handler,
# so the atomic scan file is never written. The journal is what survives: one JSON line for the
# scan's head, then one line per device the moment it is finished. `cctv-inventory recover`
# turns it into a scan file marked complete=false. A normal end (SIGINT and SIGTERM included)
# writes the scan file and the caller deletes the journal.

JOURNAL_VERSION = 1
_JOURNAL_FSYNC_S = 2.0  # a device is on disk at most this long after it finished, even on power loss


_JOURNAL_SUFFIX = ".journal"
_OTHER_KEY = "other_responder"


def journal_path(scan_file: Path) -> Path:
    """Where the scan that will write `scan_file` keeps its journal."""
    scan_file = Path(scan_file)
    return scan_file.with_name(scan_file.name + _JOURNAL_SUFFIX)


def scan_file_of(journal: Path) -> Path:
    """The scan file a journal stands in for (journal_path's inverse; `.json` added to any other name)."""
    journal = Path(journal)
    if journal.name.endswith(_JOURNAL_SUFFIX) and journal.name != _JOURNAL_SUFFIX:
        return journal.with_name(journal.name[: -len(_JOURNAL_SUFFIX)])
    return journal.with_name(journal.name + ".json")


class ScanJournal:
    """Append-only: the head line, then each finished device; flushed per device, fsynced every 2 s."""

    def __init__(self, path: Path, head: ScanResult):
        self.path = Path(path)
        try:
            # "x": never overwrite the journal of another scan that was killed: it is evidence.
            self.stream = open(self.path, "xb")  # noqa: SIM115 - closed by close()
        except FileExistsError:
            raise ScanFileError(f"{self.path} holds the journal of an interrupted scan; recover it with "
                                f"`cctv-inventory recover {self.path}` (or delete it) first") from None
        line = scan_to_dict(replace(head, devices=()))
        del line["devices"], line["other_responders"], line["host_checks"]
        line["journal_version"] = JOURNAL_VERSION
        self.stream.write(_dumps(line) + b"\n")
        self._sync()
        fsync_directory(self.path.parent)  # the journal's name too, not only its bytes, must outlive a power cut

    failed: str | None = None  # why journalling stopped (a full disk), once it has

    def add(self, device: Device) -> None:
        self._write(device)

    def add_other(self, other: OtherResponder) -> None:
        """A responder listed, not read (not ONVIF, or outside the scope): one line, told apart from a device
        by its one key."""
        self._write({_OTHER_KEY: other})

    def _write(self, data: Any) -> None:
        if self.failed:
            return
        try:
            self.stream.write(_dumps(data) + b"\n")
            self.stream.flush()  # in the kernel's hands: survives the process being killed
            if time.monotonic() - self._synced >= _JOURNAL_FSYNC_S:
                self._sync()
        except OSError as exc:
            self._give_up(exc)

    def _give_up(self, exc: OSError) -> None:
        """A journal that cannot be written (ENOSPC, EIO) stops; the scan goes on and keeps every device in
        memory for its scan file and database, which may be on another disk. Raising here ended the scan."""
        self.failed = f"{exc.strerror or exc}"
        log.warning("the scan journal %s cannot be written (%s): journalling stops; the scan goes on, and a "
                    "kill from now on would lose the devices read since", self.path, self.failed)

    def _sync(self) -> None:
        self.stream.flush()
        os.fsync(self.stream.fileno())
        self._synced = time.monotonic()

    def close(self) -> None:
        if self.stream.closed:
            return
        try:
            if not self.failed:
                self._sync()
        except OSError as exc:
            self._give_up(exc)
        finally:
            try:
                self.stream.close()
            except OSError as exc:  # the buffered bytes could not go either
                self._give_up(exc)


def read_journal(path: Path) -> ScanResult:
    """The scan a journal records, marked complete=false; a last line cut off mid-write is dropped."""
    path = Path(path)
    # Split on the newline bytes alone, each line decoded on its own: str.splitlines() also splits on
    # U+2028 and U+0085, which orjson leaves unescaped inside a device's strings, and a line cut in the
    # middle of a Korean character must cost that line, not the whole journal.
    lines = path.read_bytes().split(b"\n")
    if lines and not lines[-1]:
        lines.pop()  # the newline that ends the last whole line
    try:
        head = json.loads(lines[0]) if lines else None
    except ValueError:  # JSONDecodeError, UnicodeDecodeError
        head = None
    if not isinstance(head, dict) or not isinstance(head.get("journal_version"), int):
        raise ScanFileError(f"{path}: not a scan journal (its first line is not a journal head)")
    if head["journal_version"] > JOURNAL_VERSION:
        raise ScanFileError(f"{path}: journal format {head['journal_version']} is newer than this agent "
                            f"understands ({JOURNAL_VERSION})")
    devices: dict[str, Device] = {}
    others: list[OtherResponder] = []
    dropped = 0
    for number, text in enumerate(lines[1:], start=2):
        try:
            data = json.loads(text)
            if isinstance(data, dict) and _OTHER_KEY in data:
                others.append(_other_from_dict(data[_OTHER_KEY]))
                continue
            device = _device_from_dict(data)
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            if number == len(lines):  # the line being written when the process died
                dropped += 1
                continue
            raise ScanFileError(f"{path}: line {number} is not a device ({type(exc).__name__}: {exc})") from None
        devices[device.address] = device
    scan = scan_from_dict({**head, "devices": []})
    reason = (f"the scan process stopped before it finished; recovered from its journal {path.name}: "
              f"{len(devices)} device(s) it had read; devices still being read then, and any not yet "
              "discovered, are missing")
    if dropped:
        reason += "; the last line, cut off mid-write, was dropped"
    read = tuple(sorted(devices.values(), key=device_order))
    return replace(scan, devices=read, finished_at=None, complete=False, interrupted_reason=reason,
                   other_responders=listed_responders(others, read))
