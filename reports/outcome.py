"""Per-part status and the verdict, including what devices that could not be read might change.

The verdict rule (docs/reports.md "Verdict"):
- A part is `localized` when the policy's coverage rule is met by the devices read as covered;
  devices that could not be read (status != ok) count as *not* covered in the part's figures.
- Best case: every unread device turns out covered. Worst case: every unread device turns out not
  covered. An unread device whose role is unknown (the usual case: it never answered) could belong
  to any part, so it is spent where it helps most (best case) or hurts most (worst case). A scan
  cut short may have missed any number of devices: the budget of unknown devices is unbounded.
- verdict = `target_met` when even the worst case meets the target; `target_not_met` (or `fail`
  under a mandatory policy) when even the best case misses it; otherwise `incomplete`. So unread
  devices make a report incomplete only when they could change its outcome.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .policy import Coverage, Policy

INFINITE = math.inf


@dataclass(frozen=True)
class PartFigures:
    part: str
    devices: int  # read or not
    covered: int  # read and covered
    unread: int  # of this part, known by role, not read

    def status(self, coverage: Coverage) -> str:
        if self.devices == 0:
            return "no_devices"
        if coverage.is_met(self.covered, self.devices):
            return "localized"
        return "partly_covered" if self.covered else "not_localized"


@dataclass(frozen=True)
class Outcome:
    verdict: str
    reason: str  # catalog id suffix: verdict_reason_<reason>
    as_read: int
    best_case: int
    worst_case: int


def _cost_to_break(coverage: Coverage, covered: int, devices: int) -> float:
    """Fewest extra uncovered devices that stop a localized part being localized."""
    extra = 1
    while coverage.is_met(covered, devices + extra):
        extra += 1  # share mode: terminates, covered / (devices + extra) falls towards 0
    return extra


def _cost_to_make(coverage: Coverage, covered: int, devices: int) -> float:
    """Fewest extra covered devices that make a part localized; INFINITE when none can."""
    if coverage.mode == "all" or coverage.min_share >= 1:
        return 1 if covered == devices else INFINITE  # an uncovered device already there stays uncovered
    # covered + k >= min_share * (devices + k)  <=>  k >= (min_share * devices - covered) / (1 - min_share)
    need = math.ceil((coverage.min_share * devices - covered) / (1 - coverage.min_share) - 1e-9)
    extra = max(need, 1 if devices == 0 else 0)
    while not coverage.is_met(covered + extra, devices + extra):  # guard against float rounding
        extra += 1
    return extra


def _spend(costs: Sequence[float], budget: float) -> int:
    """How many of these changes a budget of unknown devices can buy, cheapest first."""
    bought = 0
    for cost in sorted(costs):
        if cost == INFINITE or cost > budget:  # inf > inf is False: an impossible change stays impossible
            break
        budget -= cost
        bought += 1
    return bought


def decide(
    policy: Policy, parts: Sequence[PartFigures], unknown_unread: int, scan_complete: bool
) -> Outcome:
    coverage = policy.coverage
    target = policy.min_localized_parts
    budget: float = INFINITE if not scan_complete else unknown_unread

    as_read = sum(1 for p in parts if coverage.is_met(p.covered, p.devices))
    # Worst case: known unread devices are already counted as uncovered.
    worst_localized = [p for p in parts if coverage.is_met(p.covered, p.devices)]
    worst = len(worst_localized) - _spend(
        [_cost_to_break(coverage, p.covered, p.devices) for p in worst_localized], budget
    )
    # Best case: known unread devices are covered, unknown ones go where they localize a part.
    best_met = [coverage.is_met(p.covered + p.unread, p.devices) for p in parts]
    best = sum(best_met) + _spend(
        [
            _cost_to_make(coverage, p.covered + p.unread, p.devices)
            for p, met in zip(parts, best_met, strict=True)
            if not met
        ],
        budget,
    )
    uncertain = budget > 0 or any(p.unread for p in parts)
    if worst >= target:
        verdict, reason = "target_met", "met_despite_unread" if uncertain else "met"
    elif best < target:
        verdict = "fail" if policy.mandatory else "target_not_met"
        reason = "not_met_despite_unread" if uncertain else "not_met"
    else:
        verdict = "incomplete"
        reason = "scan_cut_short" if not scan_complete else "unread_could_change"
    return Outcome(verdict=verdict, reason=reason, as_read=as_read, best_case=best, worst_case=worst)
