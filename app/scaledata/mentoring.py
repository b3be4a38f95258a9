"""Mentorships: about a third of the teams have a mentor (a vetted one wherever a member is under 18), found by
one confirmed matching round; some mentorships ended, a few offers wait; some teams without one state needs."""

from __future__ import annotations

from datetime import timedelta

from app.mentoring.models import MatchRound, Mentorship, ProposedMatch
from app.scaledata.context import Scale
from app.scaledata.people import add_team_needs


def add_mentorships(scale: Scale) -> None:
    rng = scale.rng
    coordinator = scale.coordinators[0].id
    confirmed = scale.ago(120)
    round_id = scale.ids.one(MatchRound.__table__)
    scale.out.add(MatchRound.__table__, {
        "id": round_id, "state": "confirmed", "started_by_id": coordinator,
        "started_at": confirmed - timedelta(hours=2), "solved_at": confirmed - timedelta(hours=2),
        "confirmed_by_id": coordinator, "confirmed_at": confirmed,
        "total_score": 0, "unmatched": {}})
    # Each mentor takes up to their capacity; the vetted ones are kept for teams with minors.
    room = {mentor.id: rng.choice((1, 2, 2, 3)) for mentor in scale.mentors}
    vetted = [m.id for m in scale.mentors if m.id in scale.vetted]
    anyone = [m.id for m in scale.mentors]
    for team in scale.teams:
        draw = rng.random()
        if draw >= 0.40:
            if draw < 0.55:
                add_team_needs(scale, team)
            continue
        pool = vetted if team.has_minor else anyone
        mentor_id = None
        for _attempt in range(4):
            candidate = rng.choice(pool) if pool else None
            if candidate is not None and room[candidate] > 0:
                mentor_id = candidate
                break
        if mentor_id is None:
            add_team_needs(scale, team)
            continue
        room[mentor_id] -= 1
        state = rng.choices(("active", "ended", "offered"), weights=(0.82, 0.13, 0.05))[0]
        offered = confirmed if state != "offered" else scale.ago(rng.randint(1, 6))
        if state == "active":
            team.mentor_id = mentor_id
        reasons = ["video and storytelling", "same time zone", "both speak French"]
        scale.out.add(Mentorship.__table__, {
            "id": scale.ids.one(Mentorship.__table__), "team_id": team.id, "mentor_id": mentor_id,
            "round_id": round_id if state != "offered" else None, "state": state, "offered_at": offered,
            "offered_by_id": coordinator, "reasons": reasons,
            "accepted_at": offered + timedelta(days=1) if state != "offered" else None,
            "ended_at": scale.ago(rng.randint(5, 60)) if state == "ended" else None,
            "ended_by_id": mentor_id if state == "ended" else None,
            "end_reason": "The project ended." if state == "ended" else None})
        if state != "offered":
            scale.out.add(ProposedMatch.__table__, {
                "id": scale.ids.one(ProposedMatch.__table__), "round_id": round_id, "team_id": team.id,
                "mentor_id": mentor_id, "score": rng.randint(20, 60), "reasons": reasons, "locked": False,
                "alternates": []})
