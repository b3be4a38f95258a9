"""Authorization matrix rows for the screening, assignment and reviewing routes.

build() adds a closed call managed by the "call_funder" (world.review_call) with three proposals of
world.team: one submitted (to screen), two in review. The reviewer of both in-review proposals is the
requester when they are a plain mentor (a reviewer who manages nothing), and otherwise the call_funder (a
funder reviewing a call they manage): one assignment is waiting for the conflict question, the other is
accepted and ready to score, with an attached file. Everyone else, coordinators included, is refused the
reviewer's own pages; the team is refused everything.
"""

from __future__ import annotations

import io

from app import db
from app.proposals.models import Attachment
from app.storage import get_storage
from tests.authz import SIGNIN, cells, row
from tests.factories import create_assignment, create_call, create_proposal, create_user


def build(world) -> None:
    funder = world.relations.get("call_funder") or create_user("funder", name="Rob Reviewfunder")
    world.relations.setdefault("call_funder", funder)
    if world.role == "mentor":
        reviewer = world.relations["mentor"] = create_user("mentor", name="Remy Reviewer")
    else:
        reviewer = funder
    call = create_call(funder, title="Matrix Review Call", state="closed", opens_in_days=-30, closes_in_days=-1)
    world.review_call = call
    world.screening_proposal = create_proposal(world.team, call, state="submitted", title="Matrix To Screen")
    world.review_proposal = create_proposal(world.team, call, state="in_review", title="Matrix In Review")
    world.scoring_proposal = create_proposal(world.team, call, state="in_review", title="Matrix Scoring")
    world.assignment = create_assignment(world.review_proposal, reviewer)
    world.accepted_assignment = create_assignment(world.scoring_proposal, reviewer, state="accepted")
    stored = get_storage().save(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), filename="deck.pdf", content_type="application/pdf")
    world.review_attachment = Attachment(proposal_id=world.scoring_proposal.id, kind="pitch_deck", filename="deck.pdf",
                                         content_type="application/pdf", size=stored.size, sha256=stored.sha256,
                                         storage_key=stored.key)
    db.session.add(world.review_attachment)
    db.session.flush()


def _coordinators(status):
    """Screening and assignment: coordinators only; the call's own funders and the team are refused."""
    return cells(SIGNIN, 403, 403, 403, 403, status, lead=403, member=403, call_funder=403)


def _reviewer(status):
    """The assignment's own reviewer (a plain mentor, or the call's funder); nobody else, coordinators included."""
    return cells(SIGNIN, 403, 403, status, 403, 403, lead=403, member=403, call_funder=status)


ROWS = [
    row("reviews.queue", "GET", "/reviews/", cells(SIGNIN, 403, 403, 200, 200, 200, lead=403, member=403,
                                                   call_funder=200)),
    row("reviews.screening", "GET", lambda c: f"/reviews/calls/{c.review_call.id}/screening", _coordinators(200)),
    # Empty: declining needs a reason, so the page comes back with the problem beside the field.
    row("reviews.screen", "POST",
        lambda c: f"/reviews/calls/{c.review_call.id}/screening/{c.screening_proposal.id}/decline", _coordinators(400)),
    row("reviews.assignments", "GET", lambda c: f"/reviews/calls/{c.review_call.id}/assignments", _coordinators(200)),
    # Empty: nothing to assign, back to the page.
    row("reviews.apply_suggestion", "POST", lambda c: f"/reviews/calls/{c.review_call.id}/assignments/suggested",
        _coordinators(302)),
    # Empty: no reviewer chosen.
    row("reviews.add_reviewer", "POST", lambda c: f"/reviews/proposals/{c.review_proposal.id}/reviewers",
        _coordinators(400)),
    row("reviews.remove_assignment", "POST", lambda c: f"/reviews/assignments/{c.assignment.id}/remove",
        _coordinators(302)),
    row("reviews.show", "GET", lambda c: f"/reviews/{c.assignment.id}", _reviewer(200)),
    row("reviews.accept", "POST", lambda c: f"/reviews/{c.assignment.id}/accept", _reviewer(302)),
    # Empty: a conflict needs a reason.
    row("reviews.declare_conflict", "POST", lambda c: f"/reviews/{c.assignment.id}/conflict", _reviewer(400)),
    # Empty: every criterion and the recommendation are missing.
    row("reviews.score", "POST", lambda c: f"/reviews/{c.accepted_assignment.id}/score", _reviewer(400)),
    row("reviews.attachment", "GET",
        lambda c: f"/reviews/{c.accepted_assignment.id}/attachments/{c.review_attachment.id}", _reviewer(200)),
    # Every review of a proposal: managers only (a reviewer sees them once their own is in); never the team.
    row("reviews.proposal_reviews", "GET", lambda c: f"/reviews/proposals/{c.review_proposal.id}",
        cells(SIGNIN, 403, 403, 403, 403, 200, lead=403, member=403, call_funder=200)),
]
