"""The report's digest and its Ed25519 signature.

Decisions (docs/reports.md "Integrity"):
- The *content* of a report is its JSON document without the key `evidence_sha256`. Its canonical
  form is UTF-8 JSON with sorted keys, no insignificant whitespace and non-ASCII kept as is
  (`json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":"))`). `evidence_sha256` is
  the SHA-256 of that, and it is what every format (HTML, CSV, XLSX) prints.
- The digest and the signature are over content; the *file* is checked as bytes too. report.json is
  always written in one form, `report_file_bytes(doc)`: the same sorted keys and UTF-8, indented by
  two spaces, one newline at the end. `verify` refuses a file whose bytes are not exactly that form of
  its own content ("the file was re-formatted or edited"), so a whitespace edit is a change like any
  other: the bytes an auditor holds are the bytes the installer wrote. Any edit of a value or key
  fails the digest first. Duplicate keys in a report file are refused (a viewer and the verifier
  could otherwise read different values).
- The signature is *detached*: `REPORT.json.sig` beside the report, one line of base64 holding the
  64-byte Ed25519 signature over the same canonical content bytes. Keeping it out of the JSON lets
  the digest stay the same whether or not a report was signed, and lets anyone store or mail the
  signature separately (the evidence bundle carries it as `report.json.sig`).
- Keys: `keygen --out PREFIX` writes PREFIX.key (PKCS#8 PEM, mode 0600, unencrypted: the signing
  laptop's disk protects it) and PREFIX.pub (SubjectPublicKeyInfo PEM) and never overwrites.
- Without a public key only the digest can be checked; the result says so. The digest alone catches
  an edit whose hash was not recomputed; only the signature, checked with a key received through
  another channel, proves who wrote the report.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

DIGEST_KEY = "evidence_sha256"
SIGNATURE_SUFFIX = ".sig"

__all__ = [
    "IntegrityError",
    "VerifyResult",
    "canonical_json",
    "check_public_key",
    "check_signing_key",
    "content_bytes",
    "evidence_sha256",
    "generate_keypair",
    "load_report_document",
    "report_file_bytes",
    "sign",
    "signature_path",
    "verify_report_file",
    "verify_signature",
]


class IntegrityError(ValueError):
    """A key, signature or report file that cannot be used; the message says which and why."""


def canonical_json(doc: Any) -> bytes:
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode(
        "utf-8"
    )


def report_file_bytes(doc: dict[str, Any]) -> bytes:
    """The exact bytes report.json is written as (digest included); `verify` accepts no other."""
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8")


def content_bytes(doc: dict[str, Any]) -> bytes:
    """The canonical bytes of a report's content: the document without its own digest."""
    return canonical_json({k: v for k, v in doc.items() if k != DIGEST_KEY})


def evidence_sha256(doc: dict[str, Any]) -> str:
    return hashlib.sha256(content_bytes(doc)).hexdigest()


def signature_path(report_path: Path) -> Path:
    return Path(report_path).with_name(Path(report_path).name + SIGNATURE_SUFFIX)


# --- keys and signatures -----------------------------------------------------------------


def generate_keypair(prefix: Path) -> tuple[Path, Path]:
    """Write PREFIX.key and PREFIX.pub; refuse to overwrite either. Returns (private, public)."""
    prefix = Path(prefix)
    private_path = prefix.with_name(prefix.name + ".key")
    public_path = prefix.with_name(prefix.name + ".pub")
    for path in (private_path, public_path):
        if path.exists():
            raise IntegrityError(f"{path} exists already; not overwriting a key")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    prefix.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(private_pem)
    public_path.write_bytes(public_pem)
    return private_path, public_path


def _private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise IntegrityError(f"{path}: not a readable unencrypted PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise IntegrityError(f"{path}: not an Ed25519 private key")
    return key


def check_signing_key(path: Path) -> None:
    """Raise IntegrityError unless `path` is a usable Ed25519 private key: `audit` asks before it scans,
    rather than find out at the report, after the whole site was scanned."""
    _private_key(path)


def check_public_key(path: Path) -> None:
    """Raise IntegrityError unless `path` is a usable Ed25519 public key: a key file that is not there is
    the verifier's mistake, not a sign that the report was changed."""
    _public_key(path)


def _public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise IntegrityError(f"{path}: not a readable PEM public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise IntegrityError(f"{path}: not an Ed25519 public key")
    return key


def sign(doc: dict[str, Any], private_key_path: Path) -> bytes:
    """The `.sig` file content for a report document: base64 of the Ed25519 signature, one line."""
    signature = _private_key(private_key_path).sign(content_bytes(doc))
    return base64.b64encode(signature) + b"\n"


def verify_signature(doc: dict[str, Any], signature_text: bytes, public_key_path: Path) -> bool:
    try:
        raw = base64.b64decode(signature_text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    try:
        _public_key(public_key_path).verify(raw, content_bytes(doc))
    except InvalidSignature:
        return False
    return True


# --- verifying a report file -------------------------------------------------------------


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise IntegrityError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise IntegrityError(f"not a report: {name} is not a JSON number (a report is written without it)")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise IntegrityError(f"not a report: the number {text[:40]} is too large to be one it was written with")
    return value


def load_report_document(data: bytes) -> dict[str, Any]:
    """The JSON document of a report file, or IntegrityError saying why it is none.

    Python's json reads more than a report is ever written with (NaN, Infinity, numbers beyond a float,
    a string escape that is a lone surrogate); none of those can be hashed canonically, so without the
    checks here `verify` (and bundle verification) ended in a traceback instead of a failed check.
    """
    try:
        doc = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates,
                         parse_constant=_no_constant, parse_float=_finite_float)
    except UnicodeDecodeError as exc:
        raise IntegrityError(f"not UTF-8 ({exc})") from None
    except json.JSONDecodeError as exc:
        raise IntegrityError(f"not valid JSON ({exc})") from None
    except RecursionError:
        raise IntegrityError("not a report: nested too deeply to read") from None
    except ValueError as exc:  # an integer of more digits than Python converts (int_max_str_digits)
        if isinstance(exc, IntegrityError):
            raise
        raise IntegrityError(f"not a report: {exc}") from None
    if not isinstance(doc, dict):
        raise IntegrityError("not a report: the top level is not a JSON object")
    try:
        canonical_json(doc)
    except UnicodeEncodeError:
        raise IntegrityError("not a report: a string holds a lone surrogate escape (\\ud800-\\udfff), "
                             "which no report is written with and UTF-8 cannot hold") from None
    return doc


@dataclass(frozen=True)
class VerifyResult:
    ok: bool  # digest matches, and when a key was given, the signature too
    hash_ok: bool
    recorded_sha256: str | None
    computed_sha256: str | None
    signature_present: bool
    signature_checked: bool
    signature_ok: bool | None  # None when not checked
    message: str


def verify_report_file(path: Path, public_key_path: Path | None = None) -> VerifyResult:
    """Check a report file's digest and, with a public key, its detached signature (PATH.sig)."""
    path = Path(path)
    sig_path = signature_path(path)
    try:
        signature = sig_path.read_bytes() if sig_path.is_file() else None
    except OSError as exc:  # unreadable (permissions, EIO): a traceback before
        return VerifyResult(False, False, None, None, True, False, None, f"{sig_path}: cannot read ({exc.strerror or exc})")
    try:
        data = path.read_bytes()
        doc = load_report_document(data)
    except (OSError, IntegrityError) as exc:
        return VerifyResult(False, False, None, None, signature is not None, False, None, f"{path}: {exc}")
    recorded = doc.get(DIGEST_KEY)
    computed = evidence_sha256(doc)
    hash_ok = isinstance(recorded, str) and recorded == computed
    if not hash_ok:
        if recorded is None:
            message = f"{path.name}: has no evidence_sha256 (its content hashes to {computed})"
        else:
            message = f"{path.name}: CHANGED: evidence_sha256 says {recorded} but the content hashes to {computed}"
        return VerifyResult(False, False, recorded, computed, signature is not None, False, None, message)
    expected = report_file_bytes(doc)
    if data != expected:
        at = next((i for i, (a, b) in enumerate(zip(data, expected, strict=False)) if a != b),
                  min(len(data), len(expected)))
        return VerifyResult(
            False, True, recorded, computed, signature is not None, False, None,
            f"{path.name}: CHANGED: the file was re-formatted or edited: its bytes are not the canonical "
            "serialization of its content that report.json is written in (sorted keys, UTF-8, two-space "
            f"indent, one final newline); first difference at byte {at}",
        )
    if public_key_path is None:
        note = "signature present but not checked (no --key)" if signature else "not signed"
        return VerifyResult(True, True, recorded, computed, signature is not None, False, None,
                            f"{path.name}: digest ok ({computed}); {note}")
    if signature is None:
        return VerifyResult(False, True, recorded, computed, False, False, False,
                            f"{path.name}: digest ok but a key was given and there is no {sig_path.name}")
    try:
        good = verify_signature(doc, signature, public_key_path)
    except IntegrityError as exc:
        return VerifyResult(False, True, recorded, computed, True, False, None, str(exc))
    if not good:
        return VerifyResult(False, True, recorded, computed, True, True, False,
                            f"{path.name}: BAD SIGNATURE: {sig_path.name} does not verify with {public_key_path}")
    return VerifyResult(True, True, recorded, computed, True, True, True,
                        f"{path.name}: digest ok ({computed}); signature ok ({Path(public_key_path).name})")
