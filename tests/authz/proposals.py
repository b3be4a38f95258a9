"""Authorization matrix rows for the proposals routes.

build() reuses the open call the calls module adds (world.call) when there is one, as world.proposal_call,
and adds a draft and a submitted proposal of world.team to it, each with an attached file. The "call_funder"
column manages that call; the plain "funder" column is a funder who does not.
"""

from __future__ import annotations

import io

from app import db
from app.calls.models import CallFunder
from app.db import utcnow
from app.proposals.models import Attachment
from app.storage import get_storage
from tests.authz import SIGNIN, cells, row, signed_in
from tests.factories import create_call, create_proposal, create_user

PDF = b"%PDF-1.4\n%%EOF\n"


def _attachment(proposal) -> Attachment:
    stored = get_storage().save(io.BytesIO(PDF), filename="deck.pdf", content_type="application/pdf")
    attachment = Attachment(proposal_id=proposal.id, kind="pitch_deck", filename="deck.pdf",
                            content_type="application/pdf", size=stored.size, sha256=stored.sha256,
                            storage_key=stored.key)
    db.session.add(attachment)
    db.session.flush()
    return attachment


def build(world) -> None:
    call = getattr(world, "call", None)
    funder = world.relations.get("call_funder")
    if call is None or not call.is_open(utcnow()):
        funder = funder or create_user("funder", name="Pat Proposalfunder")
        call = create_call(funder, title="Matrix Proposal Call")
    if funder is None:
        funder = world.relations["call_funder"] = create_user("funder", name="Pat Proposalfunder")
    if not call.is_managed_by(funder):
        call.funders.append(CallFunder(user_id=funder.id))
        db.session.flush()
    world.relations.setdefault("call_funder", funder)
    world.proposal_call = call
    world.draft_proposal = create_proposal(world.team, call, title="Matrix Draft")
    world.submitted_proposal = create_proposal(world.team, call, state="submitted", title="Matrix Submitted")
    world.draft_attachment = _attachment(world.draft_proposal)
    world.submitted_attachment = _attachment(world.submitted_proposal)


def _team(status):
    """Members of the proposal's team; everyone else, coordinators and the call's funders included, is refused."""
    return cells(SIGNIN, 403, 403, 403, 403, 403, lead=status, member=status, call_funder=403)


def _viewers(status):
    """The team, coordinators and (once submitted) the call's funders."""
    return cells(SIGNIN, 403, 403, 403, 403, status, lead=status, member=status, call_funder=status)


ROWS = [
    row("proposals.index", "GET", "/proposals/", signed_in(200, lead=200, member=200, call_funder=200)),
    row("proposals.start", "GET", lambda c: f"/proposals/new?call_id={c.proposal_call.id}",
        signed_in(200, lead=200, member=200, call_funder=200)),
    # Empty: the team is not chosen (400) for people with a team that can start; no such team → 403.
    row("proposals.start", "POST", lambda c: f"/proposals/new?call_id={c.proposal_call.id}", _team(400)),
    row("proposals.show", "GET", lambda c: f"/proposals/{c.submitted_proposal.id}", _viewers(200)),
    row("proposals.edit", "GET", lambda c: f"/proposals/{c.draft_proposal.id}/edit", _team(200)),
    # Empty: no lock version, so the page cannot know what the person saw: a conflict, nothing saved.
    row("proposals.edit", "POST", lambda c: f"/proposals/{c.draft_proposal.id}/edit", _team(409)),
    row("proposals.withdraw", "POST", lambda c: f"/proposals/{c.submitted_proposal.id}/withdraw", _team(302)),
    row("proposals.upload_attachment", "POST", lambda c: f"/proposals/{c.draft_proposal.id}/attachments",
        _team(400)),
    row("proposals.download_attachment", "GET",
        lambda c: f"/proposals/{c.submitted_proposal.id}/attachments/{c.submitted_attachment.id}", _viewers(200)),
    # Empty: no new value for the mark (400); the team and coordinators may set it, the call's funders may not.
    row("proposals.mark_sensitive", "POST",
        lambda c: f"/proposals/{c.submitted_proposal.id}/attachments/{c.submitted_attachment.id}/sensitive",
        cells(SIGNIN, 403, 403, 403, 403, 400, lead=400, member=400, call_funder=403)),
    row("proposals.delete_attachment", "POST",
        lambda c: f"/proposals/{c.draft_proposal.id}/attachments/{c.draft_attachment.id}/delete", _team(302)),
]
