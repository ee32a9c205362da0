"""reports.outcome.decide: best and worst case with devices that could not be read."""

from __future__ import annotations

from reports.outcome import PartFigures, decide
from reports.policy import policy_from_dict
from tests.reports.test_policy import shipped


def policy(**changes):
    data = shipped()
    data.update(changes)
    return policy_from_dict(data)


def figures(*triples):
    names = ["camera", "recorder_analytics", "terminal_server"]
    return [PartFigures(names[i], d, c, u) for i, (d, c, u) in enumerate(triples)]


def test_two_unknown_devices_can_break_two_localized_parts():
    p = policy(min_localized_parts=1)
    parts = figures((2, 2, 0), (1, 1, 0), (1, 0, 0))
    assert decide(p, parts, unknown_unread=1, scan_complete=True).verdict == "target_met"
    out = decide(p, parts, unknown_unread=2, scan_complete=True)
    assert (out.worst_case, out.verdict) == (0, "incomplete")


def test_share_mode_needs_enough_unknown_devices_to_break_a_part():
    p = policy(coverage={"mode": "share", "min_share": 0.5})
    parts = figures((4, 4, 0), (1, 0, 0), (1, 0, 0))
    # 4 covered of 4: it takes 5 uncovered extra devices to fall below 50 %
    assert decide(p, parts, unknown_unread=4, scan_complete=True).verdict == "target_met"
    assert decide(p, parts, unknown_unread=5, scan_complete=True).verdict == "incomplete"


def test_share_mode_best_case_buys_the_cheapest_part():
    p = policy(coverage={"mode": "share", "min_share": 0.5}, min_localized_parts=1)
    parts = figures((3, 0, 0), (3, 1, 0), (2, 0, 0))
    # recorder: 1/3 needs 1 more covered (2/4); camera needs 3 (3/6); terminal needs 2 (2/4)
    assert decide(p, parts, unknown_unread=0, scan_complete=True).verdict == "target_not_met"
    out = decide(p, parts, unknown_unread=1, scan_complete=True)
    assert (out.best_case, out.verdict) == (1, "incomplete")


def test_known_unread_devices_are_covered_in_the_best_case_only():
    p = policy()
    parts = figures((2, 1, 1), (1, 0, 0), (0, 0, 0))
    out = decide(p, parts, unknown_unread=0, scan_complete=True)
    assert (out.worst_case, out.as_read, out.best_case, out.verdict) == (0, 0, 1, "incomplete")
