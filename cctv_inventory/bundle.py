"""The evidence bundle: what an installer hands to an auditor (issue 7, issue 8).

A bundle is one zip file with these members:

    scan.json               the scan as `scanner.serialize` writes it
    report.json             the localization report JSON (reports/)
    report.json.sig         detached Ed25519 signature of the report, only when it was signed
    registry-sources.json   [{name, file_name, sha256, imported_at}] of the registry files matched against
    agent.json              {agent_version, python, platform}
    manifest.json           {bundle_version, created_at, agent_version, site, scan_id, report_sha256,
                             members: [{name, sha256, size}]}  -- every member above, none other
    responses/<sha256>.<kind>  only with `audit --keep-responses` (then bundle_version 2, and the manifest
                             says {responses: {count, size}}): the device answers the scan's evidence
                             digests name (scanner/responses.py). Not listed one by one: each file's
                             name is its own SHA-256, which is what is checked, and every digest the
                             scan cites must be there, except one the scan itself marks `kept: false`
                             (the site's disk was full): counted, reported by import-bundle, not refused.

What the checks prove, and what they do not:
- The manifest digests catch accidental damage and naive edits. The manifest itself is not signed, so
  someone who edits a member and recomputes the manifest passes the digest check. The report's own
  `evidence_sha256` is checked too (through reports.integrity), which catches an edited report whose
  hash was not recomputed. Only the Ed25519 signature, checked against a public key the auditor got
  separately (`--key`), proves the report came from the installer unchanged.
- The scan is not signed; it is checked against the manifest and against the report (same scan id
  and site).

Errors: every refusal is a `BundleError` whose `member` names the member that fails (or "bundle"
when the zip as a whole is unusable), so the auditor can tell the installer what to re-send.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from inventory.errors import InventoryError
from inventory.model import RegistrySource
from scanner.serialize import fsync_directory

BUNDLE_VERSION = 2  # 2 carries responses/; a bundle without them is still written as 1
READABLE_VERSIONS = (1, 2)
T = TypeVar("T")

MANIFEST = "manifest.json"
SCAN = "scan.json"
REPORT = "report.json"
SIGNATURE = "report.json.sig"
REGISTRY_SOURCES = "registry-sources.json"
AGENT = "agent.json"

REQUIRED_MEMBERS = (SCAN, REPORT, REGISTRY_SOURCES, AGENT)
KNOWN_MEMBERS = frozenset((*REQUIRED_MEMBERS, SIGNATURE))

# Zip-bomb guard. A 25-device site gives a scan of ~100 KB; 5,000 devices with evidence stays well
# under 64 MiB. Sizes are enforced on the bytes actually inflated, not on what the zip header claims.
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_MEMBERS = 16
# The kept device answers: each is at most what the scanner reads (1 MB; soap.MAX_BODY_BYTES), and a
# 10,000-camera site keeps some 60,000 of them, a few KB each.
RESPONSES = "responses/"
RESPONSE_NAME = re.compile(r"responses/([0-9a-f]{64})\.(xml|http|rtsp|der|txt)")
MAX_RESPONSES = 250_000
MAX_RESPONSE_BYTES = 1024 * 1024
MAX_RESPONSES_BYTES = 1024 * 1024 * 1024


class BundleError(ValueError):
    """A bundle that is refused. `member` names what fails ("bundle" for the zip as a whole)."""

    def __init__(self, member: str, message: str):
        super().__init__(f"{member}: {message}")
        self.member = member
        self.reason = message


@dataclass(frozen=True)
class VerifiedBundle:
    """A bundle whose members all match its manifest. `signature_checked` says whether a key proved it."""

    path: Path
    manifest: dict[str, Any]
    scan: dict[str, Any]
    scan_bytes: bytes
    report: dict[str, Any]
    report_bytes: bytes
    signature: bytes | None
    registry_sources: tuple[dict[str, Any], ...]
    agent: dict[str, Any]
    signature_checked: bool
    responses: int = 0  # kept device answers, each checked against its name
    responses_not_kept: int = 0  # answers the scan cites but could not keep on site (a full disk)

    @property
    def site(self) -> str:
        return str(self.manifest["site"])

    @property
    def scan_id(self) -> str:
        return str(self.manifest["scan_id"])


@dataclass(frozen=True)
class BundleImportOutcome:
    path: Path
    site: str
    scan_id: str
    scan_created: bool  # False: this scan was already in the database
    report_created: bool  # False: this report (same SHA-256) was already stored
    registry_sources: int  # registry file digests the report was matched against (kept in the stored report)
    signature_checked: bool
    responses: int = 0  # device answers carried, each checked against its name
    responses_not_kept: int = 0  # answers the scan cites that the site could not keep (a full disk)

    @property
    def changed_anything(self) -> bool:
        return self.scan_created or self.report_created

    def to_dict(self) -> dict[str, Any]:
        return {
            "bundle": str(self.path),
            "site": self.site,
            "scan_id": self.scan_id,
            "scan_created": self.scan_created,
            "report_created": self.report_created,
            "registry_sources": self.registry_sources,
            "signature_checked": self.signature_checked,
            "responses": self.responses,
            "responses_not_kept": self.responses_not_kept,
        }


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


# --- writing -----------------------------------------------------------------


def write_bundle(
    path: Path,
    *,
    scan_json: bytes,
    report_json: bytes,
    report_signature: bytes | None,
    registry_sources: Sequence[RegistrySource],
    agent_version: str,
    responses_dir: Path | None = None,
) -> Path:
    """Write the bundle atomically (temp file + rename): a crash never leaves half a zip at `path`.
    With `responses_dir` (what `--keep-responses` kept), its answers go in under responses/."""
    path = Path(path)
    scan = _parse_json_object(SCAN, scan_json)
    report = _parse_json_object(REPORT, report_json)
    if scan.get("scan_id") is None or scan.get("site") is None:
        raise BundleError(SCAN, "has no scan_id or site")
    # Refuse here what verify_bundle would refuse later: an installer learns at once, not at the agency.
    _check_consistency({"scan_id": scan["scan_id"], "site": scan["site"]}, scan, report)
    members: list[tuple[str, bytes]] = [(SCAN, scan_json), (REPORT, report_json)]
    if report_signature is not None:
        members.append((SIGNATURE, report_signature))
    members.append(
        (
            REGISTRY_SOURCES,
            _json_bytes(
                [
                    {
                        "name": s.name,
                        "file_name": s.file_name,
                        "sha256": s.sha256,
                        "imported_at": s.imported_at.isoformat(),
                    }
                    for s in registry_sources
                ]
            ),
        )
    )
    members.append(
        (
            AGENT,
            _json_bytes(
                {
                    "agent_version": agent_version,
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                }
            ),
        )
    )
    # Only the answers this scan cites: a directory used for several sites' audits holds the others' too.
    answers = _kept_answers(responses_dir, _cited_digests(scan))
    # Refused here, not at the agency: a kept directory that lost answers after the scan (or all of them).
    _check_cited_answers(scan, {p.name.split(".", 1)[0] for p in answers}, announced=bool(answers))
    manifest = {
        "bundle_version": BUNDLE_VERSION if answers else 1,
        "created_at": datetime.now(UTC).isoformat(),
        "agent_version": agent_version,
        "site": scan.get("site"),
        "scan_id": scan.get("scan_id"),
        "report_sha256": report.get("evidence_sha256") or _sha256(report_json),
        "members": [{"name": name, "sha256": _sha256(data), "size": len(data)} for name, data in members],
    }
    if answers:
        manifest["responses"] = {"count": len(answers), "size": sum(p.stat().st_size for p in answers)}
    members.append((MANIFEST, _json_bytes(manifest)))

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in members:
                zf.writestr(name, data)
            for answer in answers:  # one at a time: never all of them in memory
                zf.writestr(RESPONSES + answer.name, _unchanged_answer(answer))
        with open(tmp, "rb") as done:
            os.fsync(done.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)  # the rename: a power cut must not take the bundle back
    return path


def _kept_answers(directory: Path | None, cited: set[str]) -> list[Path]:
    """The answer files of a --keep-responses directory that the scan cites, by name (temporary files
    and other scans' answers left out)."""
    if directory is None or not Path(directory).is_dir():
        return []
    return sorted(p for p in Path(directory).iterdir()
                  if RESPONSE_NAME.fullmatch(RESPONSES + p.name) and p.name.split(".", 1)[0] in cited)


def _cited_digests(scan: dict[str, Any]) -> set[str]:
    return {str(e["sha256"]) for d in scan.get("devices") or () for e in d.get("evidence") or ()
            if isinstance(e, dict) and e.get("sha256")}


def _unchanged_answer(path: Path) -> bytes:
    """An answer's bytes, refused when they no longer hash to its name (changed on disk after the scan)."""
    content = path.read_bytes()
    if _sha256(content) != path.name.split(".", 1)[0]:
        raise BundleError(RESPONSES + path.name, f"changed since the scan kept it: its SHA-256 is not its name "
                                                 f"({path}); the bundle is not written")
    return content


# --- verifying ---------------------------------------------------------------


def _parse_json_object(member: str, data: bytes) -> dict[str, Any]:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(member, f"not UTF-8 JSON ({exc})") from None
    if not isinstance(value, dict):
        raise BundleError(member, "expected a JSON object")
    return value


def _check_name(name: str) -> None:
    """Refuse names that could escape a directory if anyone ever extracted the zip (zip-slip)."""
    posix = PurePosixPath(name)
    if (
        not name
        or "\\" in name
        or name.startswith("/")
        or posix.is_absolute()
        or ".." in posix.parts
        or (len(name) > 1 and name[1] == ":")
        or "\x00" in name
    ):
        raise BundleError(name or "bundle", "unsafe member name (absolute path or '..')")


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Inflate at most `limit` bytes; the header's file_size may lie, so count what comes out."""
    if info.flag_bits & 0x1:
        raise BundleError(info.filename, "encrypted members are not accepted")
    if info.file_size > limit:
        raise BundleError(info.filename, f"member is {info.file_size} bytes, more than the {limit} allowed")
    chunks: list[bytes] = []
    total = 0
    try:
        with zf.open(info) as stream:
            while chunk := stream.read(1024 * 1024):
                total += len(chunk)
                if total > limit:
                    raise BundleError(info.filename, f"member inflates beyond the {limit} bytes allowed")
                chunks.append(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        if isinstance(exc, BundleError):
            raise
        raise BundleError(info.filename, f"cannot be read from the zip ({exc})") from None
    return b"".join(chunks)


def _manifest_members(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    version = manifest.get("bundle_version")
    if version not in READABLE_VERSIONS:
        raise BundleError(
            MANIFEST, f"bundle_version {version!r} is not one this agent reads "
                      f"({', '.join(map(str, READABLE_VERSIONS))})"
        )
    for key in ("site", "scan_id", "members"):
        if key not in manifest:
            raise BundleError(MANIFEST, f"missing key {key!r}")
    listed: dict[str, dict[str, Any]] = {}
    if not isinstance(manifest["members"], list):
        raise BundleError(MANIFEST, "'members' must be a list")
    for i, entry in enumerate(manifest["members"]):
        if not isinstance(entry, dict) or not {"name", "sha256", "size"} <= entry.keys():
            raise BundleError(MANIFEST, f"members[{i}] needs name, sha256 and size")
        name = str(entry["name"])
        _check_name(name)
        if name == MANIFEST or name not in KNOWN_MEMBERS:
            raise BundleError(name, "listed in the manifest but not a bundle member this agent knows")
        if name in listed:
            raise BundleError(name, "listed twice in the manifest")
        listed[name] = entry
    for name in REQUIRED_MEMBERS:
        if name not in listed:
            raise BundleError(name, "required member is not listed in the manifest")
    return listed


def verify_bundle(path: Path, public_key: Path | None = None) -> VerifiedBundle:
    """Check every member against the manifest, the report's own hash, and the signature when a key is given.

    Raises BundleError naming the member that fails; returns the parsed members when all is well.
    """
    path = Path(path)
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise BundleError("bundle", f"{path} does not exist") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise BundleError("bundle", f"{path} is not a readable zip file ({exc})") from None
    with zf:
        infos = zf.infolist()
        answers = [info for info in infos if info.filename.startswith(RESPONSES)]
        infos = [info for info in infos if not info.filename.startswith(RESPONSES)]
        if len(infos) > MAX_MEMBERS:
            raise BundleError("bundle", f"{len(infos)} members; a bundle has at most {MAX_MEMBERS}")
        by_name: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            _check_name(info.filename)
            if info.is_dir():
                raise BundleError(info.filename, "directories are not bundle members")
            if info.filename in by_name:
                raise BundleError(info.filename, "appears twice in the zip")
            by_name[info.filename] = info
        if MANIFEST not in by_name:
            raise BundleError(MANIFEST, "missing: this is not an evidence bundle")
        manifest = _parse_json_object(MANIFEST, _read_member(zf, by_name[MANIFEST], MAX_MANIFEST_BYTES))
        listed = _manifest_members(manifest)

        for name in by_name:
            if name != MANIFEST and name not in listed:
                raise BundleError(name, "extra member not listed in the manifest")
        data: dict[str, bytes] = {}
        for name, entry in listed.items():
            if name not in by_name:
                raise BundleError(name, "listed in the manifest but missing from the zip")
            content = _read_member(zf, by_name[name], MAX_MEMBER_BYTES)
            if len(content) != entry["size"] or _sha256(content) != entry["sha256"]:
                raise BundleError(name, "changed: its SHA-256 does not match the manifest")
            data[name] = content
        kept = _verify_answers(zf, answers, manifest)

    scan = _parse_json_object(SCAN, data[SCAN])
    report = _parse_json_object(REPORT, data[REPORT])
    agent = _parse_json_object(AGENT, data[AGENT])
    try:
        sources = json.loads(data[REGISTRY_SOURCES].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(REGISTRY_SOURCES, f"not UTF-8 JSON ({exc})") from None
    if not isinstance(sources, list) or not all(
        isinstance(s, dict) and {"name", "file_name", "sha256"} <= s.keys() for s in sources
    ):
        raise BundleError(REGISTRY_SOURCES, "expected a list of {name, file_name, sha256, imported_at}")

    _check_consistency(manifest, scan, report)
    not_kept = _check_cited_answers(scan, kept, announced="responses" in manifest)
    _check_registry_sources(sources, report)
    signature = data.get(SIGNATURE)
    _check_report_integrity(data[REPORT], manifest, signature, Path(public_key) if public_key else None)
    checked = public_key is not None
    return VerifiedBundle(
        path=path,
        manifest=manifest,
        scan=scan,
        scan_bytes=data[SCAN],
        report=report,
        report_bytes=data[REPORT],
        signature=signature,
        registry_sources=tuple(sources),
        agent=agent,
        signature_checked=checked,
        responses=len(kept),
        responses_not_kept=not_kept,
    )


def _verify_answers(zf: zipfile.ZipFile, answers: list[zipfile.ZipInfo], manifest: dict[str, Any]) -> set[str]:
    """Each kept answer against its own name, and their number against the manifest; the digests found."""
    declared = manifest.get("responses")
    if not answers and declared is None:
        return set()
    if manifest.get("bundle_version") == 1 or not isinstance(declared, dict):
        name = answers[0].filename if answers else MANIFEST
        raise BundleError(name, "device answers in a bundle whose manifest does not announce them")
    if len(answers) > MAX_RESPONSES:
        raise BundleError("bundle", f"{len(answers)} device answers; a bundle holds at most {MAX_RESPONSES}")
    found: set[str] = set()
    total = 0
    for info in answers:
        match = RESPONSE_NAME.fullmatch(info.filename)
        if match is None or info.is_dir():
            raise BundleError(info.filename, "not a device answer's name (responses/<sha256>.<kind>)")
        content = _read_member(zf, info, MAX_RESPONSE_BYTES)
        total += len(content)
        if total > MAX_RESPONSES_BYTES:
            raise BundleError("bundle", f"device answers inflate beyond the {MAX_RESPONSES_BYTES} bytes allowed")
        if _sha256(content) != match.group(1):
            raise BundleError(info.filename, "changed: its SHA-256 is not its name")
        found.add(match.group(1))
    if declared.get("count") != len(answers) or declared.get("size") != total:
        raise BundleError(MANIFEST, f"announces {declared.get('count')} device answers of {declared.get('size')} "
                                    f"bytes; the zip holds {len(answers)} of {total}")
    return found


def _check_cited_answers(scan: dict[str, Any], kept: set[str], *, announced: bool) -> int:
    """No answer the scan kept was left out of the bundle. Required: every digest whose evidence says
    `kept: true`, whatever the manifest says (taking every answer out and the announcement with them
    must not pass), and, in a bundle that announces answers, every digest cited at all (scans made
    before the `kept` flag). Allowed missing: one the scanner itself recorded as not kept (`kept: false`,
    a full disk on site): its field stands, its raw answer was never on hand. Returns how many of those
    the scan names."""
    not_kept: set[str] = set()
    for device in scan.get("devices") or ():
        for evidence in device.get("evidence") or ():
            digest = evidence.get("sha256") if isinstance(evidence, dict) else None
            if not digest or digest in kept:
                continue
            flag = evidence.get("kept")
            if flag is False:
                not_kept.add(str(digest))
                continue
            if flag is not True and not announced:
                continue  # scanned without --keep-responses: nothing was kept to carry
            raise BundleError(RESPONSES + str(digest), f"the answer behind {device.get('address')}'s "
                              f"{evidence.get('field')} is cited by the scan but missing from the bundle")
    return len(not_kept)


def _report_scan_id(report: dict[str, Any]) -> str | None:
    scan = report.get("scan")
    return str(scan.get("id")) if isinstance(scan, dict) and scan.get("id") is not None else None


def _report_site(report: dict[str, Any]) -> str | None:
    site = report.get("site")
    if isinstance(site, dict):
        site = site.get("name")
    return str(site) if site is not None else None


def _check_consistency(manifest: dict[str, Any], scan: dict[str, Any], report: dict[str, Any]) -> None:
    """The three documents must describe the same scan of the same site."""
    if scan.get("scan_id") != manifest["scan_id"] or scan.get("site") != manifest["site"]:
        raise BundleError(SCAN, "scan_id/site differ from the manifest's")
    report_scan = _report_scan_id(report)
    if report_scan is not None and report_scan != manifest["scan_id"]:
        raise BundleError(
            REPORT, f"is a report of scan {report_scan}, not of the bundled scan {manifest['scan_id']}"
        )
    report_site = _report_site(report)
    if report_site is not None and report_site != manifest["site"]:
        raise BundleError(REPORT, f"is a report of site {report_site!r}, not {manifest['site']!r}")


def _check_registry_sources(sources: list[dict[str, Any]], report: dict[str, Any]) -> None:
    """registry-sources.json must name the same files (by SHA-256) as the report's method section.

    The stored report keeps these digests (inventory.queries.registry_digests reads them from it), so
    a bundle whose two lists disagree would store something other than what it shows.
    """
    method = report.get("method")
    in_report = method.get("registry_sources") if isinstance(method, dict) else None
    if in_report is None:
        return  # a report format without the list: nothing to compare
    ours = sorted(str(s.get("sha256")) for s in sources)
    theirs = sorted(str(s.get("sha256")) for s in in_report if isinstance(s, dict))
    if ours != theirs:
        raise BundleError(
            REGISTRY_SOURCES, "names other registry files than the report's method.registry_sources"
        )


def _check_report_integrity(
    report_bytes: bytes, manifest: dict[str, Any], signature: bytes | None, public_key: Path | None
) -> None:
    """The report's own evidence_sha256, and its detached signature when a key is given (reports.integrity)."""
    from reports import integrity

    try:
        doc = integrity.load_report_document(report_bytes)  # also refuses duplicate keys
    except integrity.IntegrityError as exc:
        raise BundleError(REPORT, str(exc)) from None
    recorded = doc.get(integrity.DIGEST_KEY)
    computed = integrity.evidence_sha256(doc)
    if recorded != computed:
        raise BundleError(
            REPORT, f"changed: evidence_sha256 says {recorded} but the content hashes to {computed}"
        )
    if manifest.get("report_sha256") != computed:
        raise BundleError(
            MANIFEST, f"report_sha256 {manifest.get('report_sha256')} is not the report's {computed}"
        )
    if public_key is None:
        return
    if signature is None:
        raise BundleError(SIGNATURE, "a public key was given but the report in this bundle is not signed")
    try:
        good = integrity.verify_signature(doc, signature, public_key)
    except integrity.IntegrityError as exc:
        raise BundleError(SIGNATURE, f"cannot be checked: {exc}") from None
    if not good:
        raise BundleError(SIGNATURE, f"BAD SIGNATURE: does not verify with {public_key}")


# --- importing -------------------------------------------------------------------


def import_bundle(path: Path, store: Any, public_key: Path | None = None) -> BundleImportOutcome:
    """Verify, then store the scan and the report (which carries the registry digests) under the site.

    Idempotent: the scan is keyed by its scan_id and the report by its SHA-256, so a second import of
    the same bundle changes nothing. Two bundles of one site from two machines carry two scan ids and
    are both kept. Nothing is stored unless the whole bundle verified, and scan and report are stored
    in one transaction: both or neither.
    """

    from scanner.serialize import ScanFileError, scan_from_dict

    verified = verify_bundle(path, public_key)
    try:
        scan = scan_from_dict(verified.scan)
    except ScanFileError as exc:
        raise BundleError(SCAN, str(exc)) from None
    report = verified.report
    policy = report.get("policy")
    # One transaction for scan and report: a crash or a refused write between two transactions left the
    # scan without its report (the site listed as never assessed, or under an older report).
    def write() -> tuple[Any, bool]:
        return store.save_scan_and_report(
            scan,
            policy_id=str(policy.get("id", "")) if isinstance(policy, dict) else str(policy or ""),
            verdict=str(report.get("verdict", "")),
            sha256=str(report.get("evidence_sha256") or verified.manifest.get("report_sha256")),
            report_json=verified.report_bytes.decode("utf-8"),
            signature=verified.signature.decode("ascii", errors="replace").strip() if verified.signature else None,
        )

    try:
        saved, report_created = _with_one_retry(write)
    except InventoryError as exc:  # its scan id is stored with other content: this bundle's scan is refused
        raise BundleError(SCAN, str(exc)) from None
    return BundleImportOutcome(
        path=Path(path),
        site=scan.site,
        scan_id=scan.scan_id,
        scan_created=saved.created,
        report_created=bool(report_created),
        registry_sources=len(verified.registry_sources),
        signature_checked=verified.signature_checked,
        responses=verified.responses,
        responses_not_kept=verified.responses_not_kept,
    )


def _with_one_retry(action: Callable[[], T]) -> T:
    """Run a store write; retry once when another importer won a race on a unique row.

    Two importers storing the first scans of one new site both try to create the site row; the loser's
    transaction fails with an IntegrityError and is rolled back whole. On the second attempt the site
    row exists and the write goes through. A second failure is a real error and propagates.
    """
    from sqlalchemy.exc import IntegrityError, OperationalError

    try:
        return action()
    except (IntegrityError, OperationalError):
        return action()
