"""Comments and notices: add a comment, notify people in-app and (by their choice) by email.

Nothing here commits; the request does, and the emails leave after it through the outbox.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from app import audit, db, policy
from app.accounts.models import User
from app.accounts.services import link
from app.db import utcnow
from app.mail.services import queue_email
from app.notices.forms import COMMENT_LIMIT
from app.notices.models import Notification, NotificationPreference, ProposalComment
from app.proposals.models import Proposal
from app.validation import ValidationFailed

# Every kind of notice, with the name the preferences page gives it and the sentence a notice reads as.
KIND_NAMES = {
    "comment": _l("A new comment on a proposal"),
    "proposal_submitted": _l("A proposal is submitted"),
    "proposal_screening": _l("A proposal is in screening"),
    "proposal_in_review": _l("A proposal is in review"),
    "proposal_changes_requested": _l("Changes are requested on a proposal"),
    "proposal_awarded": _l("A proposal is awarded"),
    "proposal_declined": _l("A proposal is declined"),
    "proposal_withdrawn": _l("A proposal is withdrawn"),
    "mentorship_offered": _l("A mentor is proposed for a team"),
    "mentorship_accepted": _l("A mentor accepts a team"),
    "mentorship_declined": _l("A mentor declines a team"),
    "mentorship_ended": _l("A mentorship ends"),
    "team_message": _l("A new message in a team's space"),
    "meeting_logged": _l("A mentor logs a meeting"),
    "concern_reported": _l("Someone reports a concern"),
    "moderation_statement": _l("A moderation decision affects you (always sent by email too)"),
    "appeal_decided": _l("Your appeal against a moderation decision is decided"),
    "appeal_filed": _l("Someone appeals a moderation decision"),
    "payee_chosen": _l("You are named to receive a team's grant money"),
    "agreement_to_countersign": _l("A grant agreement waits for your countersignature"),
    "project_active": _l("A project's grant agreement is signed"),
    "milestone_submitted": _l("A team sends evidence for a milestone"),
    "milestone_feedback": _l("A mentor signs off or raises concerns on a milestone"),
    "milestone_approved": _l("A milestone is approved"),
    "milestone_changes_requested": _l("Changes are requested on a milestone"),
    "due_date_requested": _l("A team asks to move a due date"),
    "due_date_decided": _l("A request to move a due date is answered"),
    "milestone_due_soon": _l("A milestone is due soon"),
    "milestone_overdue": _l("A milestone is overdue"),
    "mentoring_consent_withdrawn": _l("Consent to mentoring is withdrawn for a team's member"),
    "showcase_consent_withdrawn": _l("A project leaves the showcase because consent is withdrawn"),
}
KIND_SENTENCES = {
    "comment": _l("%(actor)s commented on “%(title)s”."),
    "proposal_submitted": _l("%(actor)s submitted “%(title)s”."),
    "proposal_screening": _l("“%(title)s” is in screening."),
    "proposal_in_review": _l("“%(title)s” is in review."),
    "proposal_changes_requested": _l("Changes are requested on “%(title)s”."),
    "proposal_awarded": _l("“%(title)s” is awarded."),
    "proposal_declined": _l("“%(title)s” is declined."),
    "proposal_withdrawn": _l("%(actor)s withdrew “%(title)s”."),
    "mentorship_offered": _l("%(mentor)s is proposed as the mentor of “%(team)s”."),
    "mentorship_accepted": _l("%(mentor)s is now the mentor of “%(team)s”."),
    "mentorship_declined": _l("%(mentor)s declined to mentor “%(team)s”; the team goes into the next round."),
    "mentorship_ended": _l("%(actor)s ended the mentorship of %(mentor)s with “%(team)s”."),
    "team_message": _l("%(actor)s wrote in “%(thread)s” (%(team)s)."),
    "meeting_logged": _l("%(actor)s logged a meeting with “%(team)s”."),
    "concern_reported": _l("%(actor)s reported a concern: %(category)s."),
    "moderation_statement": _l("A coordinator took a moderation decision that affects you: %(decision)s. Read "
                               "why, and how to appeal."),
    "appeal_decided": _l("Your appeal is decided: %(outcome)s."),
    "appeal_filed": _l("An appeal against a moderation decision waits for a coordinator who did not take it."),
    "payee_chosen": _l("%(actor)s named you to receive the grant money of “%(team)s”."),
    "agreement_to_countersign": _l("%(actor)s accepted the grant agreement of “%(title)s”; it needs your "
                                   "countersignature."),
    "project_active": _l("The grant agreement of “%(title)s” is signed: the project is under way."),
    "milestone_submitted": _l("%(actor)s sent evidence for “%(milestone)s” (%(title)s)."),
    "milestone_feedback": _l("%(actor)s gave feedback on “%(milestone)s” (%(title)s)."),
    "milestone_approved": _l("“%(milestone)s” (%(title)s) is approved."),
    "milestone_changes_requested": _l("Changes are requested on “%(milestone)s” (%(title)s)."),
    "due_date_requested": _l("%(actor)s asks to move the due date of “%(milestone)s” (%(title)s)."),
    "due_date_decided": _l("The request to move the due date of “%(milestone)s” (%(title)s) is answered."),
    "milestone_due_soon": _l("“%(milestone)s” (%(title)s) is due on %(due)s."),
    "milestone_overdue": _l("“%(milestone)s” (%(title)s) was due on %(due)s and is overdue."),
    "mentoring_consent_withdrawn": _l("Consent to mentoring was withdrawn for a member of “%(team)s”: its "
                                      "mentor cannot open the team's space, drafts or milestones until it is "
                                      "given again."),
    "showcase_consent_withdrawn": _l("Consent to appear in the showcase was withdrawn for a member of "
                                     "“%(team)s”: “%(title)s” is no longer in the public showcase."),
}
NOTICE_KINDS = tuple(KIND_NAMES)
ACTION_KINDS = {
    "submit": "proposal_submitted",
    "resubmit": "proposal_submitted",
    "start_screening": "proposal_screening",
    "pass_to_review": "proposal_in_review",
    "decline": "proposal_declined",
    "request_changes": "proposal_changes_requested",
    "award": "proposal_awarded",
    "withdraw": "proposal_withdrawn",
}
# The services behind these moves already email the team about them: the team's notice stays in-app only.
TEAM_ALREADY_EMAILED = ("submit", "resubmit", "decline", "request_changes", "award")
# Moves the call's owner and funders hear about.
MANAGER_ACTIONS = ("submit", "resubmit", "withdraw")


def sentence(notification: Notification) -> str:
    """The notice as a sentence in the current language."""
    template = KIND_SENTENCES.get(notification.kind)
    if template is None:
        return notification.kind
    params = {"actor": "", "title": "", **(notification.params or {})}
    if isinstance(params.get("due"), str):
        params["due"] = _reader_date(params["due"])
    return str(template) % params


def _reader_date(iso: str) -> str:
    """Dates are stored once for every recipient (ISO); each reads them in their own language."""
    from datetime import date

    from flask_babel import format_date

    try:
        return format_date(date.fromisoformat(iso), "long")
    except ValueError:
        return iso


# -- comments ---------------------------------------------------------------------------------------
def add_comment(author: User, proposal: Proposal, visibility: str, body: str) -> ProposalComment:
    """Post a comment and notify everyone else who can read that thread; raises ValidationFailed."""
    if not policy.can_comment(author, proposal, visibility):
        raise ValidationFailed([(None, _l("You cannot comment in this thread."))])
    body = (body or "").strip()
    if not body:
        raise ValidationFailed([("body", _l("Write a comment first."))])
    if len(body) > COMMENT_LIMIT:
        raise ValidationFailed([("body", _l("Use at most %(num)d characters.", num=COMMENT_LIMIT))])
    comment = ProposalComment(proposal_id=proposal.id, author_id=author.id, visibility=visibility, body=body)
    db.session.add(comment)
    db.session.flush()
    audit.record(author, "proposal.comment", proposal, visibility=visibility, comment=comment.id)
    from app.safety.terms import flag_if_matching  # flagged terms send it to review; it stays visible

    flag_if_matching("proposal_comment", comment.id, body, proposal.team_id)
    readers = [user for user in _people_around(proposal) if policy.can_read_comments(user, proposal, visibility)]
    notify(readers, "comment", proposal, actor=author)
    return comment


def comments(proposal: Proposal, visibility: str) -> list[ProposalComment]:
    from sqlalchemy.orm import selectinload

    return list(db.session.scalars(
        select(ProposalComment).options(selectinload(ProposalComment.author))
        .where(ProposalComment.proposal_id == proposal.id, ProposalComment.visibility == visibility)
        .order_by(ProposalComment.created_at, ProposalComment.id)))


def _people_around(proposal: Proposal) -> list[User]:
    """Everyone who may read some thread of the proposal; the policy then filters by visibility."""
    from app.reviews.models import ReviewAssignment

    people: dict[int, User] = {user.id: user for user in proposal.team.members}
    people.update({user.id: user for user in _managers(proposal)})
    reviewers = db.session.scalars(select(User).join(ReviewAssignment, ReviewAssignment.reviewer_id == User.id)
                                   .where(ReviewAssignment.proposal_id == proposal.id,
                                          ReviewAssignment.state.in_(("accepted", "submitted"))))
    people.update({user.id: user for user in reviewers})
    commenters = db.session.scalars(select(User).join(ProposalComment, ProposalComment.author_id == User.id)
                                    .where(ProposalComment.proposal_id == proposal.id).distinct())
    people.update({user.id: user for user in commenters})
    return list(people.values())


def _managers(proposal: Proposal) -> list[User]:
    call = proposal.call
    ids = {funder.user_id for funder in call.funders}
    if call.owner_id:
        ids.add(call.owner_id)
    return list(db.session.scalars(select(User).where(User.id.in_(ids)))) if ids else []


# -- notifications ------------------------------------------------------------------------------------
def wants_email(user: User, kind: str) -> bool:
    choice = db.session.scalar(select(NotificationPreference.email).where(
        NotificationPreference.user_id == user.id, NotificationPreference.kind == kind))
    return True if choice is None else bool(choice)


def notify(users, kind: str, proposal: Proposal | None, *, actor: User | None = None, email: bool = True,
           path: str | None = None, **params) -> list[Notification]:
    """A notice for each person (never the actor); an email too when they want one and `email` allows it.

    ``path`` is where the notice leads when it is not about a proposal (a team's space, a mentoring offer)."""
    params = {"title": proposal.title if proposal is not None else "",
              "actor": actor.first_name if actor is not None else "", **params}
    if path is not None:
        url = current_app.config["BASE_URL"].rstrip("/") + path
    elif proposal is not None:
        url = link("proposals.show", proposal_id=proposal.id)
    else:
        url = link("notices.index")
    made, seen = [], set()
    for user in users:
        if user is None or user.id in seen or (actor is not None and user.id == actor.id):
            continue
        seen.add(user.id)
        notification = Notification(user_id=user.id, kind=kind, proposal_id=getattr(proposal, "id", None),
                                    params=params, link=path)
        db.session.add(notification)
        made.append(notification)
        if email and wants_email(user, kind):
            queue_email(user.email, "notice", user.locale, user=user, notification=notification, url=url,
                        sentence=sentence, settings_url=link("notices.preferences"))
    db.session.flush()
    return made


PENDING = "passerelle.pending_notices"


def notify_state_change(proposal: Proposal, action: str, actor: User | None) -> None:
    """Called by workflow.transition right after a move; the notices go out just before the commit.

    The caller still has the move's own work to do (submission time, awarded amount), which the database's
    checks want done before the row is written, so nothing is flushed here.
    """
    actor = actor._get_current_object() if hasattr(actor, "_get_current_object") else actor
    db.session.info.setdefault(PENDING, []).append((proposal, action, actor))


def send_pending_notices(session=None) -> None:
    """Write the notices of the moves made in this transaction (the commit does it; tests may call it)."""
    session = session or db.session
    pending = session.info.pop(PENDING, [])
    for proposal, action, actor in pending:
        _send_state_change(proposal, action, actor)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if session.info.get(PENDING):
        send_pending_notices(session)


@event.listens_for(Session, "after_soft_rollback")
def _drop(session: Session, _previous_transaction) -> None:
    session.info.pop(PENDING, None)


def _send_state_change(proposal: Proposal, action: str, actor: User | None) -> None:
    kind = ACTION_KINDS.get(action)
    if kind is None:
        return
    notify(proposal.team.members, kind, proposal, actor=actor, email=action not in TEAM_ALREADY_EMAILED)
    if action in MANAGER_ACTIONS:
        notify(_managers(proposal), kind, proposal, actor=actor)


def preferences(user: User) -> dict[str, bool]:
    rows = db.session.execute(select(NotificationPreference.kind, NotificationPreference.email)
                              .where(NotificationPreference.user_id == user.id))
    return {kind: bool(email) for kind, email in rows}


def save_preferences(user: User, choices: dict[str, bool]) -> None:
    current = {row.kind: row for row in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    for kind in NOTICE_KINDS:
        wanted = bool(choices.get(kind, False))
        if kind in current:
            current[kind].email = wanted
        else:
            db.session.add(NotificationPreference(user_id=user.id, kind=kind, email=wanted))
    db.session.flush()


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def mark_all_read(user: User) -> int:
    result = db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=utcnow()))
    return result.rowcount or 0


def notifications_query(user: User):
    return (select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))
