"""How much of everything a programme with N proposals holds, and how a call's proposals spread over states."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

PROPOSALS_PER_CALL = 2_000
# A call's phase decides the states its proposals are in (weights add up to 1).
STATE_MIX = {
    "open": {"draft": 0.45, "submitted": 0.30, "screening": 0.10, "withdrawn": 0.07, "declined": 0.08},
    "reviewing": {"in_review": 0.55, "screening": 0.03, "submitted": 0.02, "changes_requested": 0.05,
                  "declined": 0.20, "awarded": 0.10, "withdrawn": 0.05},
    "archived": {"awarded": 0.18, "declined": 0.74, "withdrawn": 0.08},
}
CALL_STATE = {"draft": "draft", "open": "published", "reviewing": "closed", "archived": "archived"}


@dataclass(frozen=True)
class Sizes:
    proposals: int
    calls: int
    teams: int
    mentors: int
    funders: int
    coordinators: int

    @classmethod
    def for_proposals(cls, proposals: int) -> Sizes:
        """Roughly one call per 2,000 proposals (at least one of each phase), a team for every 1.6 proposals,
        a mentor for every 40, two or three funders per call."""
        proposals = max(20, proposals)
        calls = max(4, round(proposals / PROPOSALS_PER_CALL))
        return cls(proposals=proposals, calls=calls, teams=max(4, ceil(proposals / 1.6)),
                   mentors=max(4, proposals // 40), funders=max(3, 2 * calls + proposals // 1_000),
                   coordinators=max(2, 1 + proposals // 10_000))

    def phases(self) -> list[str]:
        """One phase per call: one draft, about 12% open, 20% in review, the rest past calls."""
        open_calls = max(1, round(self.calls * 0.12))
        reviewing = max(1, round(self.calls * 0.20))
        archived = self.calls - 1 - open_calls - reviewing
        return ["draft"] + ["open"] * open_calls + ["reviewing"] * reviewing + ["archived"] * archived
