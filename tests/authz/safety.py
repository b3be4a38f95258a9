"""Authorization matrix rows for trust and safety: reports, decisions, appeals, flags, terms and transparency.

build(world) adds an open report by world.member on the first message of world.team_thread (which
tests/authz/teamspace.py builds, written by world.lead), two decisions about that message by a coordinator of
its own (so a coordinator requester is never the one who decided): world.decision (no appeal yet) and
world.appealed (with world.appeal, open), a flag on the message and a flagged term. Anyone who can read a
message may report it; the empty POST names no subject (400). Queues, decisions, flags and terms are for
coordinators; a decision's statement is read by the person it affects (the lead) and coordinators, and only
that person appeals it. The transparency report is public.
"""

from __future__ import annotations

from tests.authz import SIGNIN, cells, everyone, row, signed_in


def build(world) -> None:
    from app import db
    from app.safety import appeals, moderation, services
    from app.safety.models import ContentFlag, FlaggedTerm
    from tests.factories import create_user

    subject = services.find_subject(f"team_message:{world.team_message.id}")
    world.report = services.report(world.member, subject, "harassment", "Matrix concern.")
    decider = create_user("coordinator", name="Dana Decider")
    world.decision = moderation.decide(decider, kind="limit_visibility", reason="Matrix reason.", rule="respect",
                                       subject=subject)
    world.appealed = moderation.decide(decider, kind="content_warning", reason="Matrix reason.", rule="respect",
                                       warning="Matrix warning", subject=subject)
    world.appeal = appeals.file_appeal(world.lead, world.appealed, "Matrix grounds.")
    world.flag = ContentFlag(subject_type="team_message", subject_id=world.team_message.id, team_id=world.team.id,
                             terms=["matrix"])
    world.flagged_term = FlaggedTerm(term="matrix term", language="en")
    db.session.add_all([world.flag, world.flagged_term])
    db.session.flush()


def _readers(status):
    return cells(SIGNIN, 403, 403, 403, 403, status, lead=status, member=status, team_mentor=status)


def _staff(status):
    return cells(SIGNIN, 403, 403, 403, 403, status, lead=403, member=403, team_mentor=403)


def _affected_and_staff(affected, staff):
    """The person the decision affects (the lead, who wrote the message) and coordinators."""
    return cells(SIGNIN, 403, 403, 403, 403, staff, lead=affected, member=403, team_mentor=403)


ROWS = [
    row("safety.new", "GET", lambda c: f"/reports/new?subject=team_message:{c.team_message.id}", _readers(200)),
    row("safety.create", "POST", "/reports", signed_in(400, lead=400, member=400, team_mentor=400)),
    row("safety.index", "GET", "/reports", _staff(200)),
    row("safety.show", "GET", lambda c: f"/reports/{c.report.id}", _staff(200)),
    row("safety.close", "POST", lambda c: f"/reports/{c.report.id}/close", _staff(400)),
    # An empty decision: no kind, no reason (400).
    row("safety.act", "POST", lambda c: f"/reports/{c.report.id}/act", _staff(400)),
    row("moderation.flags", "GET", "/moderation/flags", _staff(200)),
    row("moderation.flag", "GET", lambda c: f"/moderation/flags/{c.flag.id}", _staff(200)),
    row("moderation.act_on_flag", "POST", lambda c: f"/moderation/flags/{c.flag.id}/act", _staff(400)),
    row("moderation.flag_reviewed", "POST", lambda c: f"/moderation/flags/{c.flag.id}/reviewed", _staff(302)),
    row("moderation.decision", "GET", lambda c: f"/moderation/decisions/{c.decision.id}",
        _affected_and_staff(200, 200)),
    # Only the person affected appeals (empty grounds: 400); a coordinator reads the statement but may not.
    row("moderation.appeal", "POST", lambda c: f"/moderation/decisions/{c.decision.id}/appeal",
        _affected_and_staff(400, 403)),
    row("moderation.appeal_queue", "GET", "/moderation/appeals", _staff(200)),
    # A coordinator other than the decider: an empty answer (no outcome, no reason) is 400.
    row("moderation.decide_appeal", "POST", lambda c: f"/moderation/appeals/{c.appeal.id}/decide", _staff(400)),
    row("moderation.terms_list", "GET", "/moderation/terms", _staff(200)),
    row("moderation.terms_list", "POST", "/moderation/terms", _staff(400)),
    row("moderation.delete_term", "POST", lambda c: f"/moderation/terms/{c.flagged_term.id}/delete", _staff(302)),
    row("transparency.index", "GET", "/reports/transparency", everyone(200, lead=200, member=200)),
    row("transparency.export", "GET", "/reports/transparency.csv", everyone(200, lead=200, member=200)),
]
