"""cctv_inventory.bundle: write, verify and the tamper cases that must be refused, naming the member."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from cctv_inventory import bundle as B
from scanner.serialize import scan_to_json
from tests.auditor.factory import demo_scan
from tests.auditor.reports import SOURCE as REPORT_SOURCE
from tests.auditor.reports import make_report

SOURCES = [REPORT_SOURCE]  # the registry file the report (tests/auditor/reports.py) was matched against


@pytest.fixture
def keypair(tmp_path):
    from reports import integrity

    return integrity.generate_keypair(tmp_path / "installer")


@pytest.fixture
def parts(keypair):
    scan = demo_scan()
    report_json, signature = make_report(scan, signing_key=keypair[0])
    return scan, scan_to_json(scan).encode(), report_json, signature


@pytest.fixture
def signed(tmp_path, parts) -> Path:
    _, scan_json, report_json, signature = parts
    return B.write_bundle(
        tmp_path / "bundle.zip",
        scan_json=scan_json,
        report_json=report_json,
        report_signature=signature,
        registry_sources=SOURCES,
        agent_version="0.1.0",
    )


def rezip(src: Path, dst: Path, *, replace=None, drop=(), add=None, fix_manifest=False) -> Path:
    """Copy a bundle with members changed/dropped/added; optionally recompute the manifest like a forger would."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(src) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    for name in drop:
        members.pop(name)
    members.update(replace)
    members.update(add)
    if fix_manifest:
        manifest = json.loads(members[B.MANIFEST])
        manifest["members"] = [
            {"name": n, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
            for n, d in members.items()
            if n != B.MANIFEST
        ]
        members[B.MANIFEST] = json.dumps(manifest).encode()
    with zipfile.ZipFile(dst, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return dst


def test_written_bundle_lists_every_member_in_its_manifest(signed, parts, keypair):
    scan, scan_json, report_json, _ = parts
    with zipfile.ZipFile(signed) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read(B.MANIFEST))
    assert names == {B.SCAN, B.REPORT, B.SIGNATURE, B.REGISTRY_SOURCES, B.AGENT, B.MANIFEST}
    assert {m["name"] for m in manifest["members"]} == names - {B.MANIFEST}
    assert manifest["bundle_version"] == 1
    assert manifest["site"] == scan.site and manifest["scan_id"] == scan.scan_id
    assert manifest["report_sha256"] == json.loads(report_json)["evidence_sha256"]

    verified = B.verify_bundle(signed, public_key=keypair[1])
    assert verified.signature_checked
    assert verified.scan_bytes == scan_json and verified.report_bytes == report_json
    assert verified.registry_sources[0]["sha256"] == REPORT_SOURCE.sha256
    assert verified.agent["agent_version"] == "0.1.0"
    assert not list(signed.parent.glob(".bundle.zip.*"))  # atomic write left no temp file


def test_unsigned_bundle_verifies_without_key_but_not_with_one(tmp_path, parts, keypair):
    _, scan_json, report_json, _ = parts
    path = B.write_bundle(
        tmp_path / "u.zip",
        scan_json=scan_json,
        report_json=report_json,
        report_signature=None,
        registry_sources=SOURCES,
        agent_version="0.1.0",
    )
    assert not B.verify_bundle(path).signature_checked
    with pytest.raises(B.BundleError) as err:
        B.verify_bundle(path, public_key=keypair[1])
    assert err.value.member == B.SIGNATURE


@pytest.mark.parametrize("member", [B.SCAN, B.REPORT, B.REGISTRY_SOURCES, B.AGENT])
def test_changed_member_is_named(signed, tmp_path, member):
    with zipfile.ZipFile(signed) as zf:
        data = bytearray(zf.read(member))
    data[len(data) // 2] ^= 0x01
    bad = rezip(signed, tmp_path / "bad.zip", replace={member: bytes(data)})
    with pytest.raises(B.BundleError, match="SHA-256 does not match") as err:
        B.verify_bundle(bad)
    assert err.value.member == member


@pytest.mark.parametrize("member", [B.SCAN, B.REPORT, B.SIGNATURE])
def test_missing_member_is_named(signed, tmp_path, member):
    bad = rezip(signed, tmp_path / "bad.zip", drop=[member])
    with pytest.raises(B.BundleError, match="missing from the zip") as err:
        B.verify_bundle(bad)
    assert err.value.member == member


def test_extra_member_is_named(signed, tmp_path):
    bad = rezip(signed, tmp_path / "bad.zip", add={"notes.txt": b"hello"})
    with pytest.raises(B.BundleError, match="not listed in the manifest") as err:
        B.verify_bundle(bad)
    assert err.value.member == "notes.txt"


def test_missing_manifest_is_not_a_bundle(signed, tmp_path):
    bad = rezip(signed, tmp_path / "bad.zip", drop=[B.MANIFEST])
    with pytest.raises(B.BundleError) as err:
        B.verify_bundle(bad)
    assert err.value.member == B.MANIFEST


def test_bad_signature_is_refused(signed, tmp_path, keypair):
    with zipfile.ZipFile(signed) as zf:
        sig = bytearray(zf.read(B.SIGNATURE))
    sig[-3] ^= 0x01
    bad = rezip(signed, tmp_path / "bad.zip", replace={B.SIGNATURE: bytes(sig)}, fix_manifest=True)
    B.verify_bundle(bad)  # without a key, a signature cannot be checked (documented)
    with pytest.raises(B.BundleError) as err:
        B.verify_bundle(bad, public_key=keypair[1])
    assert err.value.member == B.SIGNATURE


def test_signature_from_another_key_is_refused(signed, tmp_path):
    from reports import integrity

    _, other_public = integrity.generate_keypair(tmp_path / "someone-else")
    with pytest.raises(B.BundleError) as err:
        B.verify_bundle(signed, public_key=other_public)
    assert err.value.member == B.SIGNATURE


def test_forged_report_with_recomputed_manifest_is_caught(signed, tmp_path, keypair):
    """A forger edits the verdict and recomputes the manifest: the report's own hash and the signature catch it."""
    with zipfile.ZipFile(signed) as zf:
        report = json.loads(zf.read(B.REPORT))
    report["verdict"] = "target_met" if report["verdict"] != "target_met" else "target_not_met"
    forged = json.dumps(report, ensure_ascii=False).encode()
    bad = rezip(signed, tmp_path / "bad.zip", replace={B.REPORT: forged}, fix_manifest=True)
    with pytest.raises(B.BundleError) as err:
        B.verify_bundle(bad)
    assert err.value.member == B.REPORT


def test_report_of_another_scan_is_refused(signed, tmp_path, keypair):
    other_json, _ = make_report(demo_scan(site="다른 현장"))
    bad = rezip(
        signed, tmp_path / "bad.zip", replace={B.REPORT: other_json}, drop=[B.SIGNATURE], fix_manifest=True
    )
    with pytest.raises(B.BundleError) as err:
        B.verify_bundle(bad)
    assert err.value.member == B.REPORT


@pytest.mark.parametrize("name", ["../evil.json", "/etc/passwd", "a\\..\\b", "C:/x"])
def test_zip_slip_names_are_refused(signed, tmp_path, name):
    bad = rezip(signed, tmp_path / "bad.zip", add={name: b"{}"})
    with pytest.raises(B.BundleError, match="unsafe member name"):
        B.verify_bundle(bad)


def test_zip_bomb_member_is_refused_before_inflating_it(signed, tmp_path, monkeypatch):
    monkeypatch.setattr(B, "MAX_MEMBER_BYTES", 4096)
    with pytest.raises(B.BundleError, match="allowed") as err:
        B.verify_bundle(signed)
    assert err.value.member in {B.SCAN, B.REPORT}


def test_not_a_zip_and_no_file(tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 definitely not a zip")
    with pytest.raises(B.BundleError) as err:
        B.verify_bundle(junk)
    assert err.value.member == "bundle"
    with pytest.raises(B.BundleError, match="does not exist"):
        B.verify_bundle(tmp_path / "nope.zip")


def test_newer_bundle_version_is_refused_clearly(signed, tmp_path):
    with zipfile.ZipFile(signed) as zf:
        manifest = json.loads(zf.read(B.MANIFEST))
    manifest["bundle_version"] = 3
    bad = rezip(signed, tmp_path / "bad.zip", replace={B.MANIFEST: json.dumps(manifest).encode()})
    with pytest.raises(B.BundleError, match="bundle_version 3"):
        B.verify_bundle(bad)


def test_registry_sources_that_differ_from_the_report_are_refused(signed, tmp_path):
    other = json.dumps(
        [{"name": "x", "file_name": "x.csv", "sha256": "00" * 32, "imported_at": None}]
    ).encode()
    bad = rezip(signed, tmp_path / "bad.zip", replace={B.REGISTRY_SOURCES: other}, fix_manifest=True)
    with pytest.raises(B.BundleError) as err:
        B.verify_bundle(bad)
    assert err.value.member == B.REGISTRY_SOURCES


def test_write_refuses_a_report_of_another_scan(tmp_path, parts):
    _, scan_json, _, _ = parts
    other_json, _ = make_report(demo_scan(site="다른 현장"))
    with pytest.raises(B.BundleError) as err:
        B.write_bundle(
            tmp_path / "b.zip",
            scan_json=scan_json,
            report_json=other_json,
            report_signature=None,
            registry_sources=SOURCES,
            agent_version="0.1.0",
        )
    assert err.value.member == B.REPORT
    assert not (tmp_path / "b.zip").exists()


def test_unusable_public_key_is_named(signed, tmp_path):
    junk = tmp_path / "junk.pub"
    junk.write_text("not a key", encoding="utf-8")
    with pytest.raises(B.BundleError, match="cannot be checked") as err:
        B.verify_bundle(signed, public_key=junk)
    assert err.value.member == B.SIGNATURE


# --- device answers kept as evidence (audit --keep-responses) ----------------------------------------

ANSWERS = {"GetDeviceInformation": b"<s:Envelope>...<tds:Model>XNO-6080R</tds:Model>...</s:Envelope>",
           "HTTP GET /": b"<html><title>Wisenet</title></html>"}


@pytest.fixture
def with_answers(tmp_path):
    """A bundle of a scan whose first device cites two answers, kept in responses/ as the scanner keeps them."""
    from dataclasses import replace

    from scanner.model import FieldEvidence

    kept = tmp_path / "responses"
    kept.mkdir()
    evidence = []
    for (operation, body), kind in zip(ANSWERS.items(), ("xml", "http"), strict=True):
        digest = hashlib.sha256(body).hexdigest()
        (kept / f"{digest}.{kind}").write_bytes(body)
        evidence.append(FieldEvidence("model" if kind == "xml" else "fingerprints.http_title", operation, digest))
    (kept / ".abc.123.tmp").write_bytes(b"half-written")  # a temporary file is never bundled
    scan = demo_scan()
    scan = replace(scan, devices=(replace(scan.devices[0], evidence=tuple(evidence)), *scan.devices[1:]))
    report_json, _ = make_report(scan)
    path = B.write_bundle(tmp_path / "answers.zip", scan_json=scan_to_json(scan).encode(), report_json=report_json,
                          report_signature=None, registry_sources=SOURCES, agent_version="0.1.0",
                          responses_dir=kept)
    return path


def answer_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return [n for n in zf.namelist() if n.startswith(B.RESPONSES)]


def test_kept_answers_travel_in_the_bundle_and_are_checked_against_their_names(with_answers):
    names = answer_names(with_answers)
    assert len(names) == 2 and all(B.RESPONSE_NAME.fullmatch(n) for n in names)
    with zipfile.ZipFile(with_answers) as zf:
        manifest = json.loads(zf.read(B.MANIFEST))
    assert manifest["bundle_version"] == 2
    assert manifest["responses"] == {"count": 2, "size": sum(len(b) for b in ANSWERS.values())}
    assert B.verify_bundle(with_answers).responses == 2


def test_a_changed_answer_is_named(with_answers, tmp_path):
    name = answer_names(with_answers)[0]
    bad = rezip(with_answers, tmp_path / "bad.zip", replace={name: b"<s:Envelope>HIKVISION</s:Envelope>"})
    with pytest.raises(B.BundleError, match="SHA-256 is not its name") as err:
        B.verify_bundle(bad)
    assert err.value.member == name


def test_an_answer_taken_out_is_noticed_even_when_the_manifest_is_fixed(with_answers, tmp_path):
    name = answer_names(with_answers)[0]
    bad = rezip(with_answers, tmp_path / "bad.zip", drop=[name])
    with pytest.raises(B.BundleError, match="announces 2 device answers") as err:
        B.verify_bundle(bad)
    assert err.value.member == B.MANIFEST
    # a forger who also lowers the count: the scan still cites the answer
    with zipfile.ZipFile(bad) as zf:
        manifest = json.loads(zf.read(B.MANIFEST))
        left = sum(len(zf.read(n)) for n in zf.namelist() if n.startswith(B.RESPONSES))
    manifest["responses"] = {"count": 1, "size": left}
    forged = rezip(bad, tmp_path / "forged.zip", replace={B.MANIFEST: json.dumps(manifest).encode()})
    with pytest.raises(B.BundleError, match="cited by the scan but missing") as err:
        B.verify_bundle(forged)
    assert err.value.member == name.rsplit(".", 1)[0]


def test_answers_the_manifest_does_not_announce_are_refused(signed, tmp_path):
    body = b"<s:Envelope/>"
    name = f"{B.RESPONSES}{hashlib.sha256(body).hexdigest()}.xml"
    bad = rezip(signed, tmp_path / "bad.zip", add={name: body})
    with pytest.raises(B.BundleError, match="does not announce them") as err:
        B.verify_bundle(bad)
    assert err.value.member == name


def scan_citing(kept_dir: Path, *, kept: bool | None):
    """The demo scan with its first device citing one answer on disk and one that is not (`kept` as given)."""
    from dataclasses import replace

    from scanner.model import FieldEvidence

    kept_dir.mkdir()
    body = ANSWERS["GetDeviceInformation"]
    digest = hashlib.sha256(body).hexdigest()
    (kept_dir / f"{digest}.xml").write_bytes(body)
    absent = hashlib.sha256(ANSWERS["HTTP GET /"]).hexdigest()
    evidence = (FieldEvidence("model", "GetDeviceInformation", digest, True),
                FieldEvidence("fingerprints.http_title", "HTTP GET /", absent, kept))
    scan = demo_scan()
    return replace(scan, devices=(replace(scan.devices[0], evidence=evidence), *scan.devices[1:]))


def bundle_of(scan, path: Path, kept_dir: Path) -> Path:
    report_json, _ = make_report(scan)
    return B.write_bundle(path, scan_json=scan_to_json(scan).encode(), report_json=report_json,
                          report_signature=None, registry_sources=SOURCES, agent_version="0.1.0",
                          responses_dir=kept_dir)


def test_an_answer_the_site_could_not_keep_is_counted_not_refused(tmp_path, store):
    """A full disk on site (the scanner marked the answer kept: false): the bundle still travels and imports,
    and says how many cited answers it lacks."""
    kept_dir = tmp_path / "responses"
    path = bundle_of(scan_citing(kept_dir, kept=False), tmp_path / "full-disk.zip", kept_dir)
    verified = B.verify_bundle(path)
    assert (verified.responses, verified.responses_not_kept) == (1, 1)
    outcome = B.import_bundle(path, store)
    assert outcome.to_dict()["responses_not_kept"] == 1 and outcome.scan_created


def test_a_kept_answer_gone_from_the_directory_is_refused_before_the_bundle_is_written(tmp_path):
    kept_dir = tmp_path / "responses"
    with pytest.raises(B.BundleError, match="cited by the scan but missing"):
        bundle_of(scan_citing(kept_dir, kept=True), tmp_path / "lost.zip", kept_dir)
    assert not (tmp_path / "lost.zip").exists()


def test_claiming_an_answer_was_never_kept_does_not_hide_one_taken_out(with_answers, tmp_path):
    """kept: false is the scan's own record; a bundle whose scan says kept (or says nothing) still needs the file."""
    name = answer_names(with_answers)[0]
    with zipfile.ZipFile(with_answers) as zf:
        manifest = json.loads(zf.read(B.MANIFEST))
        left = sum(len(zf.read(n)) for n in zf.namelist() if n.startswith(B.RESPONSES) and n != name)
    manifest["responses"] = {"count": 1, "size": left, "not_kept": 1}
    forged = rezip(with_answers, tmp_path / "forged.zip", drop=[name],
                   replace={B.MANIFEST: json.dumps(manifest).encode()})
    with pytest.raises(B.BundleError, match="cited by the scan but missing"):
        B.verify_bundle(forged)


def test_a_directory_that_lost_every_answer_is_refused_too(tmp_path):
    """Not only some answers gone: all of them (an emptied directory) used to make a quiet version-1 bundle."""
    kept_dir = tmp_path / "responses"
    scan = scan_citing(kept_dir, kept=False)
    for file in kept_dir.iterdir():
        file.unlink()
    with pytest.raises(B.BundleError, match="cited by the scan but missing"):
        bundle_of(scan, tmp_path / "emptied.zip", kept_dir)
    assert not (tmp_path / "emptied.zip").exists()


def test_a_site_that_could_keep_no_answer_still_sends_its_bundle(tmp_path, store):
    """The disk was full from the first answer on: every cited answer is kept: false, none is on hand."""
    from dataclasses import replace

    kept_dir = tmp_path / "responses"
    scan = scan_citing(kept_dir, kept=False)
    first = scan.devices[0]
    scan = replace(scan, devices=(replace(first, evidence=tuple(replace(e, kept=False) for e in first.evidence)),
                                  *scan.devices[1:]))
    for file in kept_dir.iterdir():
        file.unlink()
    path = bundle_of(scan, tmp_path / "no-answers.zip", kept_dir)
    verified = B.verify_bundle(path)
    assert (verified.responses, verified.responses_not_kept) == (0, 2)
    assert B.import_bundle(path, store).scan_created


def test_taking_every_answer_out_with_its_announcement_is_noticed(tmp_path):
    """A forger who drops all of responses/ and rewrites the manifest as a version-1 bundle without answers:
    the scan still says kept: true for one of them."""
    kept_dir = tmp_path / "responses"
    path = bundle_of(scan_citing(kept_dir, kept=False), tmp_path / "answers.zip", kept_dir)
    names = answer_names(path)
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read(B.MANIFEST))
    manifest["bundle_version"] = 1
    del manifest["responses"]
    forged = rezip(path, tmp_path / "forged.zip", drop=names, replace={B.MANIFEST: json.dumps(manifest).encode()})
    with pytest.raises(B.BundleError, match="cited by the scan but missing"):
        B.verify_bundle(forged)


def test_only_the_answers_this_scan_cites_travel(tmp_path):
    """A directory used for an earlier site's audit too: that site's answers stay out of this one's bundle."""
    kept_dir = tmp_path / "responses"
    scan = scan_citing(kept_dir, kept=False)
    other = b"<s:Envelope>another site's camera</s:Envelope>"
    (kept_dir / f"{hashlib.sha256(other).hexdigest()}.xml").write_bytes(other)
    path = bundle_of(scan, tmp_path / "one-site.zip", kept_dir)
    names = answer_names(path)
    assert names == [f"{B.RESPONSES}{hashlib.sha256(ANSWERS['GetDeviceInformation']).hexdigest()}.xml"]
    assert B.verify_bundle(path).responses == 1


def test_an_answer_changed_on_disk_after_the_scan_is_refused_before_the_bundle_is_written(tmp_path):
    kept_dir = tmp_path / "responses"
    scan = scan_citing(kept_dir, kept=False)
    [answer] = kept_dir.iterdir()
    answer.write_bytes(b"<s:Envelope>HIKVISION</s:Envelope>")
    with pytest.raises(B.BundleError, match="changed since the scan kept it") as err:
        bundle_of(scan, tmp_path / "changed.zip", kept_dir)
    assert err.value.member == B.RESPONSES + answer.name
    assert not (tmp_path / "changed.zip").exists() and not list(tmp_path.glob(".changed.zip.*"))
