"""Demo mentoring: three mentor profiles (one not yet vetted), what both teams need, and Marc mentoring the
Counter-Narrative Collective; Les Voix du Quartier waits for the coordinator's next matching round."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app import db
from app.db import utcnow
from app.mentoring import services
from app.mentoring.models import MentorProfile, Mentorship, MentorVetting, TeamNeeds

PROFILES = {
    # key: expertise, languages, capacity, vetted, availability, bio
    "mentor1": (
        ["video", "research"],
        ["fr", "en"],
        1,
        True,
        "Weekday evenings",
        "Documentary editor; I help teams turn an idea into a first cut they are proud of.",
    ),
    "mentor2": (
        ["web", "social_media"],
        ["en", "es"],
        2,
        False,
        "Saturday mornings",
        "Community manager for a human-rights NGO; websites, campaigns and moderation.",
    ),
    "mentor3": (
        ["video", "organising"],
        ["fr", "ar"],
        1,
        True,
        "Tuesday and Thursday after 5 pm",
        "Youth worker in Montréal-Nord; I run storytelling workshops in French and Arabic.",
    ),
}


def load_demo_mentoring(users: dict, teams: dict) -> dict:
    coordinator, today = users["coordinator"], date.today()
    for key, (expertise, languages, capacity, vetted, availability, bio) in PROFILES.items():
        user = users[key]
        db.session.add(
            MentorProfile(
                user_id=user.id,
                expertise=expertise,
                languages=languages,
                timezone=user.timezone,
                capacity=capacity,
                availability=availability,
                bio=bio,
                conduct_accepted_at=utcnow(),
            )
        )
        if vetted:
            db.session.add(
                MentorVetting(
                    mentor_id=user.id,
                    kind="vulnerable_sector_check",
                    checked_on=today - timedelta(days=60),
                    expires_on=today + timedelta(days=670),
                    recorded_by_id=coordinator.id,
                    note="Demo vetting.",
                )
            )
    db.session.add(
        TeamNeeds(
            team_id=teams["voices"].id,
            needs=["video", "social_media"],
            timezone="America/Toronto",
            note="Nous voulons apprendre à monter nos balados.",
        )
    )
    db.session.add(
        TeamNeeds(
            team_id=teams["collective"].id,
            needs=["web", "video"],
            timezone="America/Chicago",
            note="We need help publishing our videos on a small website.",
        )
    )
    db.session.flush()
    offer = Mentorship(
        team_id=teams["collective"].id,
        mentor_id=users["mentor1"].id,
        offered_by_id=coordinator.id,
        reasons=[
            {"kind": "expertise", "values": ["video"], "hours": None},
            {"kind": "language", "values": ["en"], "hours": None},
            {"kind": "timezone", "values": [], "hours": 1},
        ],
    )
    db.session.add(offer)
    db.session.flush()
    services.move(offer, "accept", users["mentor1"])
    _demo_space(users, teams["collective"])
    return {"collective_mentorship": offer}


def _demo_space(users: dict, team) -> None:
    """A conversation and a meeting in the Collective's space, and Marc's comment on the team's draft."""
    from app.notices import services as notices
    from app.proposals.models import Proposal
    from app.teamspace import services as space

    marc, jordan = users["mentor1"], users["jordan"]
    thread = space.start_thread(marc, team, "Our first cut",
                                "Hi all! Send me the rough cut of the first video when it is ready; "
                                "**three minutes** is plenty.")
    space.post_message(jordan, thread, "Thanks Marc! Priya is editing it this week.")
    space.log_meeting(marc, team, met_on=date.today() - timedelta(days=3), minutes=45,
                      topics="Storyboard of the first video; who films what.",
                      next_steps="Priya sends the rough cut; Jordan drafts the budget.")
    draft = db.session.scalar(select(Proposal).where(Proposal.team_id == team.id, Proposal.state == "draft"))
    if draft is not None:
        notices.add_comment(marc, draft, "team", "The milestone plan is clear. Could the first tranche pay for the "
                                                 "microphones?")
