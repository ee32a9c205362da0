"""reports.assessment under the 2024 policy on hand-built matched scans: every verdict, every finding kind."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from inventory.model import DeclaredItem
from reports.assessment import assess
from reports.messages import messages
from reports.model import FINDING_KINDS
from reports.policy import policy_from_dict
from scanner.model import HostCheck, OtherResponder
from tests.reports.builders import (
    CANDIDATE,
    CPRO_EXPIRED,
    GENERATED_AT,
    HANBIT,
    HANWHA,
    HANWHA_SCOPES,
    IDIS,
    INNODEP_MAKER,
    NOT_YET,
    SECURITY_OLD,
    XRN,
    device,
    entry,
    match,
    matched_scan,
    md,
    shared_devices,
)
from tests.reports.test_policy import shipped


def run(devices, policy, **kwargs):
    return assess(matched_scan(devices, **kwargs), policy, generated_at=GENERATED_AT)


def variant(**changes):
    data = shipped()
    data.update(changes)
    return policy_from_dict(data)


def kinds(report) -> set[str]:
    return {f.kind for f in report.findings}


def part(report, part_id):
    return next(p for p in report.parts if p.part == part_id)


CAM1 = md(device("10.0.0.1"), match(HANWHA))
CAM2 = md(device("10.0.0.2", "IDIS Co., Ltd.", "DC-D4236RX"), match(IDIS, "alias"))
FOREIGN_CAM = md(device("10.0.0.3", "HIKVISION", "DS-2CD2143G2-I"))
NVR = md(device("10.0.0.31", "Hanwha Vision", "XRN-1610", "nvr"), match(XRN))
FOREIGN_NVR = md(device("10.0.0.32", "HIKVISION", "DS-7608NI-K2", "nvr"))
TERMINAL = md(device("10.0.0.5", "LENOVO", "ThinkStation P3", "operator_terminal"))


# --- verdicts ---------------------------------------------------------------------------


def test_target_met_with_one_fully_covered_part(policy):
    r = run([CAM1, CAM2, FOREIGN_NVR, TERMINAL], policy)
    assert r.verdict == "target_met" and r.verdict_reason == "met"
    cam = part(r, "camera")
    assert (cam.devices, cam.covered, cam.share, cam.status) == (2, 2, 1.0, "localized")
    assert part(r, "recorder_analytics").status == "not_localized"
    assert part(r, "terminal_server").status == "not_localized"
    assert r.localized_parts == 1


def test_target_not_met_when_every_part_is_only_partly_covered(policy):
    r = run([CAM1, FOREIGN_CAM, NVR, FOREIGN_NVR], policy)
    assert r.verdict == "target_not_met"
    assert part(r, "camera").status == "partly_covered" and part(r, "camera").share == 0.5
    assert part(r, "terminal_server").status == "no_devices"


def test_no_devices_at_all_is_target_not_met(policy):
    r = run([], policy)
    assert r.verdict == "target_not_met"
    assert {p.status for p in r.parts} == {"no_devices"}


def test_mandatory_policy_fails_instead(policy):
    r = run([CAM1, FOREIGN_CAM], variant(mandatory=True))
    assert r.verdict == "fail"


def test_unreadable_device_that_could_change_the_outcome_makes_it_incomplete(policy):
    # Cameras read are all covered; the NVR part is uncovered. A timed-out device of unknown role
    # could be an uncovered camera (target lost) -> the report cannot say. (It could also be a covered
    # terminal, the part with no devices: best case 2.)
    r = run([CAM1, CAM2, FOREIGN_NVR, md(device("10.0.0.9", status="timeout"))], policy)
    assert r.verdict == "incomplete" and r.verdict_reason == "unread_could_change"
    assert (r.worst_case_localized, r.localized_parts, r.best_case_localized) == (0, 1, 2)
    timeout = next(f for f in r.findings if f.kind == "timeout")
    assert timeout.severity == "high"  # it is why the report is incomplete


def test_unreadable_device_that_cannot_change_the_outcome_leaves_the_verdict(policy):
    # Every part already has an uncovered device that was read: with coverage "all", nothing an
    # unreadable device could turn out to be makes any part localized.
    r = run([CAM1, FOREIGN_CAM, FOREIGN_NVR, TERMINAL, md(device("10.0.0.9", status="unreachable"))], policy)
    assert r.verdict == "target_not_met" and r.verdict_reason == "not_met_despite_unread"
    assert next(f for f in r.findings if f.kind == "unreachable").severity == "warning"


def test_unreadable_device_of_a_known_part_counts_against_that_part_only(policy):
    # Two localized parts; one unread device whose role is known (camera) can break only one.
    unread_cam = md(replace(device("10.0.0.8"), status="auth_failed", status_reason="401"))
    r = run([CAM1, unread_cam, NVR], policy)
    assert part(r, "camera").unread == 1 and part(r, "camera").status == "partly_covered"
    assert r.verdict == "target_met" and r.verdict_reason == "met_despite_unread"


def test_an_unread_device_shows_what_it_announced_and_still_counts_as_unread(policy):
    """A login that failed leaves maker and model empty; the WS-Discovery scopes tell the auditor which
    camera it is (SharpOnvif#30, IOTechSystems/onvif#40). Shown as announced, beside the empty fields:
    the device is not matched on it and not covered."""
    unread = md(device("10.0.0.8", status="auth_failed", scopes=HANWHA_SCOPES))
    r = run([CAM1, unread, NVR], policy)
    row = next(d for d in r.devices if d.address == "10.0.0.8")
    assert (row.manufacturer, row.model, row.covered) == (None, None, False)
    assert (row.announced.manufacturer, row.announced.hardware, row.announced.name) == (None, "XNO-6080R", "XNO-6080R")
    finding = next(f for f in r.findings if f.kind == "auth_failed")
    assert ("announced", {"manufacturer": "?", "hardware": "XNO-6080R", "name": "XNO-6080R"}) in [
        (e.key, e.params) for e in finding.evidence]
    read = md(device("10.0.0.7", scopes=HANWHA_SCOPES))  # read: what it answered stands alone
    assert next(d for d in run([read], policy).devices).announced is None


def test_scan_cut_short_is_incomplete_unless_nothing_could_help(policy):
    r = run([CAM1, CAM2], policy, complete=False, interrupted_reason="SIGINT after 40 s")
    assert r.verdict == "incomplete" and r.verdict_reason == "scan_cut_short"
    assert "scan_incomplete" in kinds(r)
    # every part already holds an uncovered device that was read: missing devices cannot rescue it
    r = run([FOREIGN_CAM, FOREIGN_NVR, TERMINAL], policy, complete=False, interrupted_reason="deadline")
    assert r.verdict == "target_not_met"


def test_share_coverage_localizes_a_part_at_half(policy):
    p = variant(coverage={"mode": "share", "min_share": 0.5})
    r = run([CAM1, FOREIGN_CAM], p)
    assert part(r, "camera").status == "localized" and r.verdict == "target_met"
    r = run([CAM1, FOREIGN_CAM, md(device("10.0.0.4", "Dahua", "IPC-HFW2431S-S-S2"))], p)
    assert part(r, "camera").status == "partly_covered" and r.verdict == "target_not_met"


def test_two_parts_required(policy):
    p = variant(min_localized_parts=2)
    assert run([CAM1, NVR], p).verdict == "target_met"
    assert run([CAM1, FOREIGN_NVR], p).verdict == "target_not_met"


# --- what counts --------------------------------------------------------------------------


def test_relabel_is_not_counted_by_default_and_is_a_high_finding(policy):
    relabel = md(device("10.0.0.51", "한빛비전", "HB-IP4231", relabel_of="Dahua"), match(HANBIT))
    r = run([relabel], policy)
    row = r.devices[0]
    assert row.match is not None and row.match.certificate_no == HANBIT.certificate_no
    assert not row.covered and row.not_counted_reason == "suspected_relabel"
    assert r.verdict == "target_not_met"
    f = next(f for f in r.findings if f.kind == "suspected_relabel")
    assert f.severity == "high" and f.params["variant"] == "excluded"
    en, ko = messages("en"), messages("ko")
    lines = [en.evidence(e) for e in f.evidence]
    assert lines[:2] == ["claimed: 한빛비전 HB-IP4231", "fingerprints point to: Dahua"]
    assert "MAC OUI: Zhejiang Dahua Technology" in lines  # the scanner's line, verbatim
    assert ko.evidence(f.evidence[1]) == "지문 정보가 가리키는 제조사: Dahua"


def test_relabel_counts_when_the_policy_says_so_but_is_still_flagged(policy):
    relabel = md(device("10.0.0.51", "한빛비전", "HB-IP4231", relabel_of="Dahua"), match(HANBIT))
    r = run([relabel], variant(relabel_counts=True))
    assert r.devices[0].covered and r.verdict == "target_met"
    assert next(f for f in r.findings if f.kind == "suspected_relabel").params["variant"] == "counted"


def test_maker_level_entries_count_as_weaker_evidence_unless_switched_off(policy):
    ai = md(device("10.0.0.33", "Innodep", "VURIX-AI-8", "analytics"), match(INNODEP_MAKER, "maker"))
    r = run([ai], policy)
    assert r.devices[0].covered and r.verdict == "target_met"
    f = next(f for f in r.findings if f.kind == "maker_level_only")
    assert f.severity == "info" and f.params["variant"] == "counted"
    assert r.devices[0].match.maker_level
    r = run([ai], variant(count_maker_level=False))
    assert not r.devices[0].covered and r.verdict == "target_not_met"
    assert next(f for f in r.findings if f.kind == "maker_level_only").params["variant"] == "not_counted"


def test_a_maker_level_entry_for_another_product_covers_nothing(policy):
    """A combined registry lists a maker's certificates for every product it makes; a maker-level row
    names no model, so only its 세부품명번호 ties it to this system. One for another product covered every
    device of that maker (review)."""
    other = replace(INNODEP_MAKER, item_no="3911160101")
    ai = md(device("10.0.0.33", "Innodep", "VURIX-AI-8", "analytics"), match(other, "maker"))
    r = run([ai], policy)
    assert not r.devices[0].covered and r.verdict == "target_not_met"
    f = next(f for f in r.findings if f.kind == "maker_level_only")
    assert (f.severity, f.params["variant"], f.params["item_no"]) == ("warning", "other_item", "3911160101")
    for lang in ("ko", "en"):
        assert "3911160101" in messages(lang).finding(f) and "4617162201" in messages(lang).finding(f)


def test_candidates_and_other_certificate_types_never_cover(policy):
    cand = md(device("10.0.0.18", "TRUEN", "TN-B220CS"), match(CANDIDATE, "candidate"))
    gs_only = md(device("10.0.0.19"), match(entry("Hanwha Vision", "XNO-6080R", certificate_type="gs")))
    r = run([cand, gs_only], policy)
    assert not any(d.covered for d in r.devices)
    assert {"candidate_only", "unmatched"} <= kinds(r)
    gs_row = next(d for d in r.devices if d.address == "10.0.0.19")
    assert gs_row.match is None and [c.certificate_type for c in gs_row.other_certificates] == ["gs"]


def test_undated_certificate_is_shown_with_validity_unknown_and_does_not_count(policy):
    # inventory.model.Match.counts: only a certificate valid at the scan's date counts (5189514)
    undated = entry("Hanwha Vision", "XNO-6080R", valid_from=None, valid_to=None)
    r = run([md(device("10.0.0.1"), match(undated, validity="undated"))], policy)
    assert not r.devices[0].covered
    assert r.devices[0].match.validity == "undated" and r.devices[0].match.valid_at_scan is None


def test_device_rows_follow_part_order_then_address(shared_report):
    parts = [d.part for d in shared_report.devices]
    order = ["camera", "recorder_analytics", "terminal_server", None]
    assert parts == sorted(parts, key=order.index)
    cams = [d.address for d in shared_report.devices if d.part == "camera"]
    assert cams[:3] == ["10.10.0.11", "10.10.0.15", "10.10.0.17"]


# --- every finding kind ----------------------------------------------------------------------

KST_SCAN_2025 = datetime(2025, 1, 2, 0, 0, tzinfo=UTC)


def scenario(kind: str):
    """(matched-scan kwargs, devices) that must produce finding `kind`."""
    cam = device("10.0.0.1")
    return {
        "scan_incomplete": ({"complete": False, "interrupted_reason": "SIGINT"}, [CAM1]),
        "outside_policy_period": ({"started_at": KST_SCAN_2025}, [CAM1]),
        "suspected_relabel": ({}, [md(device("10.0.0.51", "한빛비전", "HB-IP4231", relabel_of="Dahua"), match(HANBIT))]),
        "unreachable": ({}, [md(device("10.0.0.9", status="unreachable"))]),
        "auth_failed": ({}, [md(device("10.0.0.9", status="auth_failed"))]),
        "protocol_error": ({}, [md(device("10.0.0.9", status="protocol_error"))]),
        "timeout": ({}, [md(device("10.0.0.9", status="timeout"))]),
        "certificate_expired": ({}, [md(device("10.0.0.19", "CPRO", "CPN-5031B"), match(CPRO_EXPIRED, validity="expired"))]),
        "certificate_not_yet_valid": ({}, [md(device("10.0.0.32", "IDIS", "DR-6516P", "nvr"), match(NOT_YET, validity="not_yet_valid"))]),
        "certificate_undated": ({}, [md(device("10.0.0.19", "CPRO", "CPN-5031B"), match(CPRO_EXPIRED, validity="undated"))]),
        "candidate_only": ({}, [md(device("10.0.0.18", "TRUEN", "TN-B220CS"), match(CANDIDATE, "candidate"))]),
        "unmatched": ({}, [FOREIGN_CAM]),
        "maker_level_only": ({}, [md(device("10.0.0.33", "Innodep", "VURIX-AI-8", "analytics"), match(INNODEP_MAKER, "maker"))]),
        "unclassified": ({}, [md(device("10.0.0.77", "Acme", "Doorbell", "unknown"))]),
        "declared_not_found": ({"declared": (DeclaredItem("recorder_analytics", "Hanwha Techwin", "XRN-1610", 1),)}, [md(cam, match(HANWHA))]),
        "found_not_declared": ({"declared": (DeclaredItem("camera", "Hanwha Vision", "XNO-6080R", 1),)}, [CAM1, FOREIGN_CAM]),
        "quantity_mismatch": ({"declared": (DeclaredItem("camera", "한화비전", "XNO-6080R", 3),)}, [CAM1]),
        "identifier_shared": ({}, [md(device("10.0.0.1", serial="IPC20230001")), md(device("10.0.0.2", serial="IPC20230001"))]),
        "recorder_channels_unseen": ({}, [CAM1, md(replace(device("10.0.0.31", "Hanwha Vision", "XRN-1610", "nvr"),
                                                             video_sources=4), match(XRN))]),
        "other_wsd_hosts": ({"other_responders": (OtherResponder("10.0.0.250", types=("wsdp:Device", "pub:Computer")),)},
                            [CAM1]),
        "outside_scope_responders": ({"other_responders": (FACTORY_DEFAULT_HIK,)}, [CAM1]),
    }[kind]


@pytest.mark.parametrize("kind", FINDING_KINDS)
def test_every_finding_kind_is_produced_with_evidence(policy, kind):
    kwargs, devices = scenario(kind)
    r = run(devices, policy, **kwargs)
    found = [f for f in r.findings if f.kind == kind]
    assert found, f"no {kind} finding in {[f.kind for f in r.findings]}"
    assert all(f.evidence for f in found), "every finding carries its evidence"
    for lang in ("ko", "en"):  # worded by both catalogs, every placeholder filled
        t = messages(lang)
        for f in found:
            for text in (t.finding(f), *(t.evidence(e) for e in f.evidence)):
                assert "{" not in text and "}" not in text, text


def test_outside_period_is_a_warning_not_a_silent_verdict(policy):
    r = run([CAM1], policy, started_at=KST_SCAN_2025)
    f = next(f for f in r.findings if f.kind == "outside_policy_period")
    assert f.severity == "high" and f.params["scan_date"] == "2025-01-02"
    assert r.verdict == "target_met"  # judged under the policy anyway, and says so


def test_period_is_judged_in_korean_days(policy):
    # 2024-02-29 16:00 UTC is 2024-03-01 01:00 KST: inside the pilot.
    r = run([CAM1], policy, started_at=datetime(2024, 2, 29, 16, 0, tzinfo=UTC))
    assert "outside_policy_period" not in kinds(r)
    r = run([CAM1], policy, started_at=datetime(2024, 2, 29, 14, 0, tzinfo=UTC))
    assert "outside_policy_period" in kinds(r)


def test_declared_equipment_matches_through_the_vendor_family_and_names_missing_serials(policy):
    declared = (
        DeclaredItem("camera", "한화테크윈", "XNO-6080R", 1, serials=("SN000001", "ZZ-MISSING")),
        DeclaredItem("camera", "(주)아이디스", "DC-D4236RX", 1, source_row=3),
    )
    r = run([md(device("10.0.0.1", serial="SN000001"), match(HANWHA)), CAM2], policy, declared=declared)
    missing = [f for f in r.findings if f.kind == "declared_not_found"]
    assert [f.params.get("serial") for f in missing] == ["ZZ-MISSING"]
    assert "quantity_mismatch" not in kinds(r) and "found_not_declared" not in kinds(r)


def test_a_declared_model_written_without_its_hyphen_is_the_same_model(policy):
    """The declared list was compared on normalize_text, the matcher on model_key: "XNO 6080R" declared and
    "XNO-6080R" found were a declared_not_found and a found_not_declared for one camera (review)."""
    declared = (DeclaredItem("camera", "한화비전", "XNO 6080R", 1), DeclaredItem("camera", "(주)아이디스", "DC D4236RX", 1))
    r = run([CAM1, CAM2], policy, declared=declared)
    assert not {"declared_not_found", "found_not_declared", "quantity_mismatch"} & set(kinds(r)), kinds(r)


def test_expired_listed_certificate_is_information_only(policy):
    r = run([md(device("10.0.0.15", "IDIS", "DC-D4236RX"), match(IDIS), match(SECURITY_OLD, validity="expired"))], policy)
    f = next(f for f in r.findings if f.kind == "certificate_expired")
    assert f.severity == "info" and f.params["variant"] == "listed"
    assert r.devices[0].covered


def test_findings_are_ordered_most_severe_first(shared_report):
    order = ["high", "warning", "info"]
    severities = [f.severity for f in shared_report.findings]
    assert severities == sorted(severities, key=order.index)


def test_assess_is_pure(policy):
    a = assess(matched_scan(shared_devices()), policy, generated_at=GENERATED_AT)
    b = assess(matched_scan(shared_devices()), policy, generated_at=GENERATED_AT)
    from reports.model import report_to_dict

    assert report_to_dict(a) == report_to_dict(b)
    assert a.policy.period_from == date(2024, 3, 1)


def test_declared_line_at_an_unreadable_address_says_so(policy):
    declared = (DeclaredItem("camera", "Hanwha Vision", "XNO-6080R", 1, addresses=("10.0.0.9",)),)
    r = run([FOREIGN_CAM, md(device("10.0.0.9", status="auth_failed")), md(device("10.0.0.8", status="timeout"))],
            policy, declared=declared)
    missing = next(f for f in r.findings if f.kind == "declared_not_found")
    lines = [messages("en").evidence(e) for e in missing.evidence]
    assert "the device at the declared address 10.0.0.9 could not be read" in lines


def test_a_short_declared_line_names_the_unread_devices_announcing_its_model(policy):
    """Declared two XNO-6080R, one read: the unread camera whose scopes announce XNO-6080R is named as the
    likely missing unit; the one announcing nothing is not, and neither is counted."""
    declared = (DeclaredItem("camera", "Hanwha Vision", "XNO-6080R", 2),)
    r = run([CAM1, md(device("10.0.0.9", status="auth_failed", scopes=HANWHA_SCOPES)),
             md(device("10.0.0.8", status="timeout"))], policy, declared=declared)
    short = next(f for f in r.findings if f.kind == "quantity_mismatch")
    lines = [messages("en").evidence(e) for e in short.evidence]
    assert "not read, but announcing this model over WS-Discovery: 10.0.0.9" in lines
    assert short.params["found"] == "1"


def test_a_serial_two_units_report_is_named_on_both_and_decides_nothing(policy):
    clones = [md(device("10.0.0.1", serial="IPC20230001"), match(HANWHA)),
              md(device("10.0.0.2", serial="IPC20230001"), match(HANWHA))]
    r = run(clones, policy)
    shared = [f for f in r.findings if f.kind == "identifier_shared"]
    assert [(f.device, f.params["variant"], f.params["value"]) for f in shared] == [
        ("10.0.0.1", "serial", "IPC20230001"), ("10.0.0.2", "serial", "IPC20230001")]
    assert shared[0].evidence[0].params["addresses"] == "10.0.0.2"
    assert r.verdict == run([clones[0]], policy).verdict  # a warning, not a change to what counts
    assert "identifier_shared" not in kinds(run([CAM1, CAM2], policy))  # distinct serials: nothing


# A camera still on Hikvision's factory address, heard from a scan of another subnet (snow-tree/camera-probe#17).
FACTORY_DEFAULT_HIK = OtherResponder("192.168.1.64", types=("dn:NetworkVideoTransmitter", "tds:Device"),
                                     scopes=("onvif://www.onvif.org/name/HIKVISION",
                                             "onvif://www.onvif.org/hardware/DS-2CD2143G2-I"),
                                     xaddrs=("http://192.168.1.64/onvif/device_service",), outside_scope=True)


def test_a_camera_outside_the_scope_is_a_warning_of_its_own_with_what_it_announced(policy):
    pc = OtherResponder("10.0.0.250", types=("wsdp:Device", "pub:Computer"))
    r = run([CAM1], policy, other_responders=(FACTORY_DEFAULT_HIK, pc))
    [outside] = [f for f in r.findings if f.kind == "outside_scope_responders"]
    assert (outside.severity, outside.params["count"], outside.params["addresses"]) == ("warning", "1", "192.168.1.64")
    assert outside.evidence[0].params == {"address": "192.168.1.64", "announced": "DS-2CD2143G2-I / HIKVISION"}
    [other] = [f for f in r.findings if f.kind == "other_wsd_hosts"]
    assert other.params["addresses"] == "10.0.0.250"  # each listed once, under its own kind
    assert r.verdict == run([CAM1], policy).verdict  # never read, so it changes no count


def test_other_ws_discovery_hosts_are_one_site_level_line(policy):
    hosts = tuple(OtherResponder(f"10.0.1.{i}", types=("wsdp:Device", "pub:Computer")) for i in range(1, 26))
    r = run([CAM1], policy, other_responders=hosts)
    [f] = [f for f in r.findings if f.kind == "other_wsd_hosts"]
    assert f.device is None and f.severity == "info" and f.params["count"] == "25"
    assert f.params["addresses"].endswith(" …") and len(f.evidence) == 20
    assert "other_wsd_hosts" not in kinds(run([CAM1], policy))


# --- declared addresses where no device was found: did a host answer? (scanner.reachability) ---------

VMS = DeclaredItem("terminal_server", "Hanwha Vision", "SSM-VMS-64", 2, addresses=("10.0.0.5", "10.0.0.6"), source_row=7)
OPEN = HostCheck("10.0.0.5", True, (3389,), "accepted a connection on 3389")
SILENT = HostCheck("10.0.0.6", False, (), "no answer on ports 22, 80 within 3 s")


def evidence_lines(finding) -> list[str]:
    return [messages("en").evidence(e) for e in finding.evidence]


def test_a_declared_server_is_worded_as_unidentifiable_and_its_addresses_checked(policy):
    cameras = DeclaredItem("camera", "Hanwha Vision", "XNO-6080R", 2, addresses=("10.0.0.1", "10.0.0.7"))
    refused = HostCheck("10.0.0.7", True, (), "refused connections")
    r = run([CAM1], policy, declared=(VMS, cameras), host_checks=(OPEN, SILENT, refused))
    server = next(f for f in r.findings if f.kind == "declared_not_found")
    assert (server.params["variant"], server.severity) == ("terminal", "warning")  # one address is silent
    assert "speak no ONVIF" in messages("en").finding(server)
    lines = evidence_lines(server)
    assert "a host answers at the declared address 10.0.0.5 (TCP port(s) 3389 open), but not as an ONVIF device" in lines
    assert "nothing answered at the declared address 10.0.0.6 within the timeout" in lines
    short = next(f for f in r.findings if f.kind == "quantity_mismatch")
    refused_line = ("a host answers at the declared address 10.0.0.7 (it refused connections: none of the usual"
                    " ports is open), but not as an ONVIF device")
    # 10.0.0.1 is the camera found there: nothing to say about it
    assert [line for line in evidence_lines(short) if "declared address" in line] == [refused_line]
    # presence is evidence for the auditor, never a device found: the verdict is the same without it
    assert r.verdict == run([CAM1], policy, declared=(VMS, cameras)).verdict
    assert next(p for p in r.parts if p.part == "terminal_server").devices == 0


def test_a_declared_server_that_answers_at_every_address_is_information(policy):
    both = (OPEN, HostCheck("10.0.0.6", True, (22,), "accepted a connection on 22"))
    finding = next(f for f in run([CAM1], policy, declared=(VMS,), host_checks=both).findings
                   if f.kind == "declared_not_found")
    assert finding.severity == "info"


def test_declared_addresses_not_checked_or_outside_the_scope_say_so(policy):
    out_of_scope = HostCheck("10.0.0.6", False, (), "not tried: outside the scan's scope", skipped="out_of_scope")
    named = HostCheck("vms01", False, (), "not tried: not an IPv4 address", skipped="not_ipv4")
    late = HostCheck("10.0.0.9", False, (), "not tried: the checks' time limit ran out", skipped="time_limit")
    vms = replace(VMS, addresses=(*VMS.addresses, "vms01", "10.0.0.9"))
    finding = next(f for f in run([CAM1], policy, declared=(vms,), host_checks=(out_of_scope, named, late)).findings
                   if f.kind == "declared_not_found")
    lines = evidence_lines(finding)
    assert "the declared address 10.0.0.6 was not checked: it is outside the scan's scope" in lines
    assert "the declared address 10.0.0.9 was not checked: the time for these checks ran out" in lines
    assert any(line.startswith("the declared address vms01 was not checked: it is not an IPv4 address") for line in lines)
    assert ("no device was found at the declared address 10.0.0.5 (whether a host answers there was not checked)"
            in lines)
    assert finding.severity == "warning"


def test_a_recorder_on_two_addresses_is_one_device_of_its_part(policy):
    """A recorder with a NIC on each scanned subnet is read twice, at each address; it is one unit (its
    serial) in the part's figures. Counted twice, one covered recorder and one uncovered read as 2 of 3."""
    twin_a = md(device("10.0.0.31", "Hanwha Vision", "XRN-1610", "nvr", serial="XRN0001"), match(XRN))
    twin_b = md(device("10.1.0.31", "Hanwha Vision", "XRN-1610", "nvr", serial="XRN0001"), match(XRN))
    other = md(device("10.0.0.32", "Acme", "NVR-8", "nvr", serial="ACME0001"))
    r = run([CAM1, twin_a, twin_b, other], policy)
    recorders = next(p for p in r.parts if p.part == "recorder_analytics")
    assert (recorders.devices, recorders.covered) == (2, 1)
    assert len([d for d in r.devices if d.part == "recorder_analytics"]) == 3  # each address still listed


def test_a_recorder_on_two_addresses_is_one_unit_of_its_declared_line(policy):
    """The declared comparison counted rows: the recorder read at both of its addresses (one serial) was
    'found 2' against a declared 1, a quantity_mismatch for a site that has exactly what it declared."""
    twin_a = md(device("10.0.0.31", "Hanwha Vision", "XRN-1610", "nvr", serial="XRN0001"), match(XRN))
    twin_b = md(device("10.1.0.31", "Hanwha Vision", "XRN-1610", "nvr", serial="XRN0001"), match(XRN))
    declared = (DeclaredItem("camera", "Hanwha Vision", "XNO-6080R", 1),
                DeclaredItem("recorder_analytics", "Hanwha Vision", "XRN-1610", 1))
    r = run([CAM1, twin_a, twin_b], policy, declared=declared)
    assert not {"quantity_mismatch", "declared_not_found", "found_not_declared"} & kinds(r), kinds(r)
    two = (DeclaredItem("camera", "Hanwha Vision", "XNO-6080R", 1),
           DeclaredItem("recorder_analytics", "Hanwha Vision", "XRN-1610", 2))
    short = next(f for f in run([CAM1, twin_a, twin_b], policy, declared=two).findings if f.kind == "quantity_mismatch")
    assert (short.params["declared"], short.params["found"]) == ("2", "1")


def test_an_undeclared_recorder_on_two_addresses_is_one_finding(policy):
    """found_not_declared was given per row: a recorder read at both of its addresses (one device_key)
    was two undeclared recorders in the findings while the part figures counted one."""
    twin_a = md(device("10.0.0.31", "Hanwha Vision", "XRN-1610", "nvr", serial="XRN0001"), match(XRN))
    twin_b = md(device("10.1.0.31", "Hanwha Vision", "XRN-1610", "nvr", serial="XRN0001"), match(XRN))
    other = md(device("10.0.0.32", "Hanwha Vision", "XRN-1610", "nvr", serial="XRN0002"), match(XRN))
    declared = (DeclaredItem("camera", "Hanwha Vision", "XNO-6080R", 1),)
    r = run([CAM1, twin_a, twin_b, other], policy, declared=declared)
    undeclared = [f for f in r.findings if f.kind == "found_not_declared"]
    assert sorted(f.device for f in undeclared) == ["10.0.0.31", "10.0.0.32"]  # two units, not three rows
    twin = next(f for f in undeclared if f.device == "10.0.0.31")
    assert [e.params["address"] for e in twin.evidence] == ["10.0.0.31, 10.1.0.31"]
