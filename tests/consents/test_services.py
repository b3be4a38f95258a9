"""Giving and withdrawing consent: what each record keeps, what the audit trail says, and reading many people
at once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import db, policy
from app.accounts.models import ConsentRecord, User
from app.consents import services
from app.validation import ValidationFailed
from tests.consents.conftest import audit_of, family
from tests.factories import create_user


def test_giving_records_the_wording_its_version_the_method_and_the_time():
    guardian, minor = family(purposes=())
    record = services.give(guardian, minor, "showcase", given_as="guardian")
    assert (record.subject_id, record.purpose, record.given_as, record.given_by_id, record.method) == (
        minor.id, "showcase", "guardian", guardian.id, "online")
    assert record.wording_version == "2026-12" and record.given_at is not None and record.withdrawn_at is None
    assert record.wording.startswith(f"I agree that the first name of {minor.display_name} may appear")
    [entry] = audit_of("consent.given")
    assert (entry.actor_id, entry.subject_type, entry.subject_id) == (guardian.id, "consent_records", record.id)
    assert entry.detail == {"person": minor.id, "purpose": "showcase", "given_as": "guardian", "method": "online",
                            "version": "2026-12"}


def test_giving_what_already_stands_adds_nothing():
    guardian, minor = family(purposes=())
    first = services.give(guardian, minor, "mentoring", given_as="guardian")
    assert services.give(guardian, minor, "mentoring", given_as="guardian") is first
    assert len(audit_of("consent.given")) == 1


def test_a_guardian_gives_taking_part_before_anything_else():
    minor = create_user(age=14, country="FR", consent="requested")
    guardian = create_user("guardian", age=40)
    with pytest.raises(ValidationFailed, match="taking part first"):
        services.give(guardian, minor, "showcase", given_as="guardian")


def test_taking_part_is_not_the_young_persons_own_to_give():
    _guardian, minor = family()
    with pytest.raises(ValidationFailed):
        services.give(minor, minor, "participation", given_as="self")


def test_withdrawing_keeps_the_record_and_says_who_when_and_why():
    guardian, minor = family()
    [record] = services.withdraw(guardian, minor, "photos", given_as="guardian", reason="  Too public.  ")
    assert record.withdrawn_by_id == guardian.id and record.withdrawn_at is not None
    assert record.withdrawal_reason == "Too public."
    [entry] = audit_of("consent.withdrawn")
    assert entry.detail == {"person": minor.id, "purpose": "photos", "given_as": "guardian"}  # the reason stays
    assert not policy.can_appear_in_photos(minor)  # at once, in the same session


def test_withdrawing_taking_part_withdraws_every_other_consent_of_the_guardian():
    guardian, minor = family()
    records = services.withdraw(guardian, minor, "participation", given_as="guardian")
    assert sorted(record.purpose for record in records) == ["mentoring", "participation", "photos", "showcase"]
    assert {entry.detail["purpose"] for entry in audit_of("consent.withdrawn")} == {
        "participation", "mentoring", "showcase", "photos"}
    own = db.session.scalars(select(ConsentRecord).where(ConsentRecord.subject_id == minor.id,
                                                         ConsentRecord.given_as == "self")).all()
    assert own and all(record.withdrawn_at is None for record in own)  # the young person's own answers are theirs
    assert not policy.can_submit(minor)


def test_withdrawing_nothing_is_refused():
    guardian, minor = family(purposes=())
    with pytest.raises(ValidationFailed, match="no consent to withdraw"):
        services.withdraw(guardian, minor, "showcase", given_as="guardian")


def test_an_adult_saying_no_records_the_agreement_of_joining_then_its_withdrawal():
    person = create_user(age=20)
    [record] = services.withdraw(person, person, "showcase", given_as="self")
    assert record.wording_version == "joined" and record.given_at == person.conduct_accepted_at
    assert record.withdrawn_at is not None
    with pytest.raises(ValidationFailed):  # said once: there is nothing left to withdraw
        services.withdraw(person, person, "showcase", given_as="self")


def test_one_query_reads_the_consents_of_everyone_on_a_page(count_queries):
    people = [family(name=f"Kid{n} Example")[1] for n in range(6)]
    ids = [person.id for person in people]
    db.session.expunge_all()

    def load():
        return db.session.scalars(select(User).where(User.id.in_(ids))).all()

    def load_and_ask():
        for person in load():
            policy.has_purpose_consent(person, "showcase")
            policy.has_purpose_consent(person, "mentoring")

    loading = count_queries(load)  # the people, with their roles and consent requests
    db.session.expunge_all()
    assert count_queries(load_and_ask) == loading + 1  # and one query for all their consent records


def test_the_bulk_reader_answers_for_many_people_at_once(count_queries):
    people = [family(name=f"Kid{n} Example")[1] for n in range(4)]
    services.forget()
    answers = {}
    assert count_queries(lambda: answers.update(services.consents_for(people))) == 1
    assert all(answers[person.id].guardian == {"participation", "mentoring", "showcase", "photos"}
               for person in people)


def test_a_reloaded_person_is_read_afresh():
    guardian, minor = family()
    assert policy.can_appear_publicly(minor)
    record = services.standing(minor, "showcase", "self")
    # Written behind the session's back (as another request would), then the person is read again.
    db.session.execute(ConsentRecord.__table__.update().where(ConsentRecord.id == record.id)
                       .values(withdrawn_at=record.given_at, withdrawn_by_id=minor.id))
    db.session.expire_all()
    assert not policy.can_appear_publicly(db.session.get(User, minor.id))
