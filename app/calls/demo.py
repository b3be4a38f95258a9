"""Demo calls: one open call with a real rubric, owned by the demo funder, and one draft."""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from app.calls import services, workflow
from app.calls.models import Call
from app.calls.services import CallFields, CriterionFields
from app.db import utcnow

VOICES_DESCRIPTION = """\
Online hate grows where nobody answers it. **Voices Against Hate 2027** funds projects by young people that
answer hateful and extremist content with stories, humour, facts and dialogue.

## What we fund
- podcasts, short videos and social media series that offer counter-narratives;
- workshops that help classmates spot manipulation and check sources;
- projects that bring communities together online and offline.

## What we expect
A clear audience, a plan in milestones, and a way to tell whether the project reached people. Teams are
coached by a Passerelle mentor during the project.
"""

VOICES_RUBRIC = [
    CriterionFields(
        title="Relevance to the call",
        description="Does the project answer hate or extremism online, with a clear idea of how?",
        weight=3, level_descriptors=[
            "Not connected to hate or extremism online.",
            "Loosely connected; the link to the call's themes is unclear.",
            "Connected to the themes, but the approach is generic.",
            "Clearly answers a real problem of hate or extremism online.",
            "Answers a precise, well-documented problem with a convincing approach.",
        ]),
    CriterionFields(
        title="Youth leadership",
        description="Are young people designing and leading the project, not only taking part in it?",
        weight=2, level_descriptors=[
            "Adults lead; young people only appear in it.",
            "Young people are consulted but adults decide.",
            "Young people lead parts of the project.",
            "Young people lead the project, with adults supporting.",
            "Young people lead every step and share decisions across the team.",
        ]),
    CriterionFields(
        title="Reach and audience",
        description="Who will see the project, and how will the team reach them?",
        weight=2, allow_not_applicable=False, level_descriptors=[
            "No audience is named.",
            "An audience is named but there is no plan to reach it.",
            "A realistic plan to reach a local audience.",
            "A clear plan with channels, partners and numbers to aim for.",
            "A strong plan with partners, measurable goals and a way to check them.",
        ]),
    CriterionFields(
        title="Budget and feasibility",
        description="Is the budget realistic for the plan and the milestones?",
        weight=1, allow_not_applicable=True, level_descriptors=[
            "The budget does not match the plan.",
            "Several costs are missing or unclear.",
            "Mostly realistic, with a few gaps.",
            "Realistic and linked to the milestones.",
            "Precise, realistic, and every milestone has a clear deliverable.",
        ]),
]


def _local(moment, zone: str, hour: int, minute: int = 0):
    """That day, at a round wall-clock time in the zone, as UTC: deadlines read like ones people set."""
    local = moment.astimezone(ZoneInfo(zone)).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return local.astimezone(UTC)


def load_demo_calls(users: dict) -> dict[str, Call]:
    """Create the demo calls; `users` maps app.demo.PEOPLE keys to the people just created."""
    funder = users["funder"]
    now = utcnow()
    toronto, paris = "America/Toronto", "Europe/Paris"
    voices = services.create_call(funder, CallFields(
        title="Voices Against Hate 2027", description=VOICES_DESCRIPTION,
        themes=["counter_narratives", "hate_speech", "digital_literacy"], min_age=13, max_age=25, countries=[],
        min_team_size=2, max_team_size=8, currency="CAD", pool_amount=2_000_000, max_award=500_000,
        timezone=toronto, opens_at=_local(now - timedelta(days=1), toronto, 9),
        closes_at=_local(now + timedelta(weeks=8), toronto, 23, 59),
        review_deadline=_local(now + timedelta(weeks=11), toronto, 17), min_reviews=2, criteria=VOICES_RUBRIC,
    ))
    workflow.transition(voices, "publish", funder, now=now)

    bridges = services.create_call(funder, CallFields(
        title="Bridges: Intercultural Dialogue Online", currency="EUR", pool_amount=1_200_000, max_award=300_000,
        description="A call in preparation for projects that connect young people across languages and cultures.",
        themes=["intercultural_dialogue", "inclusion"], min_age=15, max_age=25, countries=["FR", "BE", "CA"],
        min_team_size=2, max_team_size=6, timezone=paris, opens_at=_local(now + timedelta(weeks=10), paris, 9),
        closes_at=_local(now + timedelta(weeks=20), paris, 18), criteria=[CriterionFields(
            title="Dialogue between cultures", weight=1,
            description="Does the project bring together young people from different backgrounds?")],
    ))
    return {"voices": voices, "bridges": bridges}
