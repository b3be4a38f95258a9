"""On PostgreSQL, many people releasing the same tranches and awarding from the same pool at the same moment:
no tranche is paid twice and the pool is never committed beyond what it received."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app import db
from app.accounts.models import User
from app.calls.models import Call
from app.ledger import services as ledger
from app.ledger.models import Tranche
from app.payments import disbursements, payees
from app.payments.models import Disbursement
from app.proposals.models import Proposal
from app.reviews import services as reviews
from app.validation import ValidationFailed
from tests.databases import postgres_base_url
from tests.factories import create_call, create_proposal, create_team, create_user, sign_agreement

pytestmark = pytest.mark.skipif(postgres_base_url() is None,
                                reason="row locks are a PostgreSQL matter; SQLite runs one writer")


def _seed():
    coordinators = [create_user("coordinator") for _ in range(6)]
    contact = create_user("guardian", age=40)
    call = create_call(pool=500_000, max_award=500_000)
    team = create_team(name="Paid Team")
    grant = sign_agreement(ledger.grant_of(create_proposal(team, call, state="awarded", amount=300_000,
                                                           tranches=[100_000, 200_000])))
    payee = payees.choose(team.lead, team, kind="organisation", organisation="Maison des jeunes", email=contact.email)
    payees.record_bank_reference(coordinators[0], payee, "Caisse, account ending 9921")
    # 2,000.00 left in the pool; three proposals of 1,500.00 race for it.
    waiting = [create_proposal(create_team(), call, state="in_review", amount=150_000) for _ in range(3)]
    db.commit()
    return ([c.id for c in coordinators], [t.id for t in grant.tranches], [p.id for p in waiting], call.owner_id,
            call.id)


def test_simultaneous_releases_and_awards_pay_once_and_never_over_commit(racing_app):
    with racing_app.app_context():
        coordinator_ids, tranche_ids, proposal_ids, owner_id, call_id = _seed()

    work = [("release", tranche_ids[i % 2], coordinator_ids[i]) for i in range(6)]
    work += [("award", proposal_id, owner_id) for proposal_id in proposal_ids]
    barrier = threading.Barrier(len(work))
    outcomes: list[tuple[str, str]] = []
    lock = threading.Lock()

    def act(kind: str, target_id: int, actor_id: int) -> None:
        with racing_app.app_context():
            actor = db.session.get(User, actor_id)
            barrier.wait()
            try:
                if kind == "release":
                    disbursements.release(actor, db.session.get(Tranche, target_id))
                else:
                    reviews.award(actor, db.session.get(Proposal, target_id), 150_000, "Strong")
                db.commit()
                result = "done"
            except ValidationFailed:
                db.session.rollback()
                result = "refused"
            with lock:
                outcomes.append((kind, result))

    threads = [threading.Thread(target=act, args=item) for item in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(r for k, r in outcomes if k == "release") == ["done", "done", "refused", "refused", "refused",
                                                               "refused"]
    assert sorted(r for k, r in outcomes if k == "award") == ["done", "refused", "refused"]
    with racing_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Disbursement)) == 2
        money = ledger.balances(db.session.get(Call, call_id))
        assert (money.contributed, money.awarded, money.disbursed, money.available) == \
            (500_000, 450_000, 300_000, 50_000)
