"""The demo projects load through the same verbs as the pages: signed agreements, evidence, sign-offs, approvals."""

from __future__ import annotations

from sqlalchemy import select

from app import db
from app.demo import load_demo_data
from app.ledger import services as ledger
from app.ledger.models import Grant
from app.payments.models import Disbursement
from app.projects.models import GrantAgreement, MilestoneFeedback, Publication


def test_demo_projects():
    load_demo_data()
    grants = {g.proposal.title: g for g in db.session.scalars(select(Grant))}
    voices, memes = grants["Balados du quartier"], grants["Meme Lab"]
    assert (voices.state, memes.state) == ("active", "completed")
    agreement = db.session.scalar(select(GrantAgreement).where(GrantAgreement.grant_id == voices.id))
    assert agreement.countersign_required and agreement.countersigner_kind == "guardian"
    from app.projects.services import milestones_of

    assert [m.state for m in milestones_of(voices)] == ["approved", "submitted", "planned"]
    assert [m.state for m in milestones_of(memes)] == ["approved", "approved"]
    paid = db.session.scalars(select(Disbursement)).all()
    assert [(d.grant_id, d.state) for d in paid] == [(voices.id, "paid")]
    assert [t.state for t in memes.tranches] == ["payable", "payable"]  # no payee named yet: on the payouts page
    assert db.session.scalar(select(MilestoneFeedback.verdict).limit(1)) == "sign_off"
    assert {p.grant_id for p in db.session.scalars(select(Publication))} == {voices.id, memes.id}
    # Sami (13, in Québec) is named in the showcase and may be mentored: his mother and he both agreed.
    from app import policy
    from app.accounts.models import User
    from app.demo import demo_email

    sami = db.session.scalar(select(User).where(User.email == demo_email("sami")))
    assert policy.can_appear_publicly(sami) and policy.team_may_be_mentored(voices.team)
    assert not policy.can_appear_in_photos(sami)  # nobody asked about photos
    money = ledger.balances(voices.call)
    assert money.contributed == 1_200_000 and money.awarded == 900_000 and money.disbursed == 200_000
