"""Demo proposals: one submitted by Les Voix du Quartier and one draft by Counter-Narrative Collective.

Both go through the same verbs as the pages (start, save, submit), so their history reads like a real one.
"""

from __future__ import annotations

from datetime import date, timedelta

from app.calls.models import Call
from app.db import utcnow
from app.proposals import services
from app.proposals.models import Proposal
from app.proposals.services import BudgetLineData, MilestoneData
from app.teams.models import Team

VOICES_TEAM = "Les Voix du Quartier"
COLLECTIVE_TEAM = "Counter-Narrative Collective"


def _team(teams, name: str) -> Team:
    values = teams.values() if isinstance(teams, dict) else teams
    return next(team for team in values if team.name == name)


def _in_weeks(weeks: int) -> date:
    return date.today() + timedelta(weeks=weeks)


def load_demo_proposals(users: dict, teams, calls: dict[str, Call]) -> dict[str, Proposal]:
    """`users` maps app.demo.PEOPLE keys to people, `teams` holds the demo teams (a dict or a list: they are
    found by name), `calls` is what app.calls.demo.load_demo_calls returned (its "voices" call is open)."""
    call = calls["voices"]
    now = utcnow()

    lea = users["lea"]
    voices = services.start_proposal(lea, _team(teams, VOICES_TEAM), call, now)
    services.save_draft(lea, voices, {
        "title": "Micro ouvert : des ados répondent à la haine",
        "summary": "Une série de dix balados où des jeunes de Montréal racontent comment ils répondent aux "
                   "discours haineux qu'ils croisent en ligne, avec des invités qui les ont vécus.",
        "problem": "Dans nos écoles, les insultes racistes et les mèmes extrémistes circulent sur les téléphones "
                   "plus vite que les réponses. Les élèves qui les voient ne savent pas quoi dire, ou se taisent "
                   "par peur d'être la prochaine cible.",
        "approach": "Chaque épisode part d'une situation réelle, racontée par un ou une élève. On invite une "
                    "personne qui a su y répondre, puis on propose trois réponses possibles. Les épisodes sont "
                    "diffusés sur les plateformes de balados et en extraits sur les réseaux sociaux, et servent "
                    "de point de départ à des discussions en classe.",
        "audience": "Les 13 à 17 ans de Montréal-Nord et de Saint-Michel, et leurs enseignants.",
        "expected_reach": 3000,
        "themes": ["counter_narratives", "hate_speech"],
        "amount_requested": 450_000,
        "budget_lines": [
            BudgetLineData("equipment", "Deux micros, une interface audio et des casques", 120_000),
            BudgetLineData("software", "Hébergement des balados pendant un an", 30_000),
            BudgetLineData("services", "Montage des épisodes par une monteuse professionnelle", 200_000),
            BudgetLineData("communication", "Affiches et extraits vidéo pour les réseaux sociaux", 100_000),
        ],
        "milestones": [
            MilestoneData("Studio prêt et trois épisodes enregistrés", "Trois épisodes montés, prêts à diffuser",
                          _in_weeks(10), 150_000),
            MilestoneData("Saison complète en ligne", "Dix épisodes publiés et leurs extraits", _in_weeks(24),
                          200_000),
            MilestoneData("Tournée des classes", "Cinq discussions en classe et un bilan d'écoute", _in_weeks(34),
                          100_000),
        ],
    }, voices.lock_version)
    services.submit(lea, voices, now)

    jordan = users["jordan"]
    draft = services.start_proposal(jordan, _team(teams, COLLECTIVE_TEAM), call, now)
    services.save_draft(jordan, draft, {
        "title": "Meme Breakers",
        "summary": "Short videos that take apart extremist memes frame by frame, made with students from three "
                   "high schools.",
        "problem": "Extremist groups recruit with jokes. By the time a meme is explained, it has been shared a "
                   "thousand times.",
        "themes": ["counter_narratives", "digital_literacy"],
        "amount_requested": 250_000,
        "budget_lines": [BudgetLineData("equipment", "A camera and a microphone", 90_000)],
    }, draft.lock_version)
    return {"submitted": voices, "draft": draft}
