"""The consent pages as people use them: the guardian answering a request purpose by purpose, the young person's
own page, the guardian's page for their child, and the coordinators' history."""

from __future__ import annotations

from sqlalchemy import select

from app import db, policy
from app.accounts.models import ConsentRecord, GuardianConsent, User
from app.accounts.services import consent_token
from tests.conftest import post, sign_in
from tests.consents.conftest import audit_of, family
from tests.factories import create_user
from tests.pages import field_error, text


def _records(person, given_as: str | None = None) -> dict[str, ConsentRecord]:
    query = select(ConsentRecord).where(ConsentRecord.subject_id == person.id, ConsentRecord.withdrawn_at.is_(None))
    if given_as:
        query = query.where(ConsentRecord.given_as == given_as)
    return {record.purpose: record for record in db.session.scalars(query)}


# -- answering a request ------------------------------------------------------------------------------------------
def _request():
    minor = create_user(name="Léa Martin", age=14, country="FR", consent="requested",
                        guardian_email="parent@example.org")
    guardian = create_user("guardian", email="parent@example.org", name="Claire Martin", age=45)
    db.commit()
    return minor, guardian, f"/consent/{consent_token(minor.consent_requests[0])}"


def test_the_guardian_gives_each_purpose_on_its_own(client):
    minor, guardian, url = _request()
    sign_in(client, guardian)
    page = client.get(url)
    body = text(page)
    assert "Being mentored" in body and "Appearing in the public showcase" in body and "Photos and videos" in body
    assert "I agree that Léa Martin may be coached by a vetted adult mentor" in body
    assert 'aria-describedby="showcase-help"' in page.get_data(as_text=True)

    response = post(client, url, {"decision": "give", "confirm_guardian": "y", "mentoring": "y", "photos": "y"})

    assert response.status_code == 302
    records = _records(minor, "guardian")
    assert set(records) == {"participation", "mentoring", "photos"}
    assert all((r.given_by_id, r.method, r.wording_version) == (guardian.id, "online", "2026-12")
               for r in records.values())
    assert records["participation"].wording.startswith("I agree that Léa Martin, born on ")
    assert {(e.detail["purpose"], e.detail["given_as"]) for e in audit_of("consent.given")} == {
        ("participation", "guardian"), ("mentoring", "guardian"), ("photos", "guardian")}
    db.session.expire_all()
    minor = db.session.get(User, minor.id)
    assert policy.can_submit(minor) and not policy.can_appear_publicly(minor)


def test_refusing_records_no_consent_whatever_was_ticked(client):
    minor, guardian, url = _request()
    sign_in(client, guardian)
    response = post(client, url, {"decision": "refuse", "confirm_guardian": "y", "showcase": "y"})
    assert response.status_code == 302
    assert _records(minor) == {}
    assert db.session.scalar(select(GuardianConsent.state).where(GuardianConsent.minor_id == minor.id)) == "refused"
    assert len(audit_of("consent.refused")) == 1 and audit_of("consent.given") == []


def test_the_dashboard_leads_the_guardian_to_each_childs_consents(client):
    guardian, minor = family()
    db.commit()
    sign_in(client, guardian)
    page = client.get("/dashboard").get_data(as_text=True)
    assert f'href="/consents/young-people/{minor.id}"' in page


# -- the young person's own page -----------------------------------------------------------------------------------
def test_the_young_person_gives_and_withdraws_their_own_agreement(client):
    _guardian, minor = family(own=())
    db.commit()
    sign_in(client, minor)
    assert 'href="/consents/"' in client.get("/account").get_data(as_text=True)
    page = text(client.get("/consents/"))
    assert "your guardian's consent and your own agreement" in page
    assert "I agree that my first name may appear" in page and "Not agreed yet." in page

    assert post(client, "/consents/showcase/give").status_code == 302
    assert set(_records(minor, "self")) == {"showcase"}
    assert "Agreed on" in text(client.get("/consents/"))

    confirm = client.get("/consents/showcase/withdraw")
    assert confirm.status_code == 200 and "leaves the public showcase" in text(confirm)
    too_long = post(client, "/consents/showcase/withdraw", {"reason": "x" * 1001})
    assert too_long.status_code == 400 and field_error(too_long, "reason") == "Use at most 1000 characters."
    assert set(_records(minor, "self")) == {"showcase"}
    assert post(client, "/consents/showcase/withdraw", {"reason": "Not now."}).status_code == 302
    assert _records(minor, "self") == {}
    assert "Withdrawn on" in text(client.get("/consents/"))


def test_an_adult_member_sees_only_what_they_can_still_refuse(client):
    person = create_user(age=20)
    db.commit()
    sign_in(client, person)
    page = text(client.get("/consents/"))
    assert "Appearing in the public showcase" in page and "Being mentored" not in page
    assert "Agreed by joining Passerelle." in page
    assert client.get("/consents/mentoring/withdraw").status_code == 404
    assert client.get("/consents/nonsense/withdraw").status_code == 404


def test_people_who_are_not_young_people_manage_no_agreement(client):
    mentor = create_user("mentor", age=40)
    db.commit()
    sign_in(client, mentor)
    assert client.get("/consents/").status_code == 200
    assert post(client, "/consents/showcase/give").status_code == 403


# -- the guardian's page for a child -------------------------------------------------------------------------------
def test_the_guardian_gives_and_withdraws_from_the_childs_page(client):
    guardian, minor = family(purposes=())
    db.commit()
    sign_in(client, guardian)
    page = text(client.get(f"/consents/young-people/{minor.id}"))
    assert "Consents for Zoé Gagnon" in page and "Agreement of Zoé" in page

    assert post(client, f"/consents/young-people/{minor.id}/showcase/give").status_code == 302
    assert set(_records(minor, "guardian")) == {"participation", "showcase"}
    assert "Your consent is recorded: Appearing in the public showcase." in text(client.get(
        f"/consents/young-people/{minor.id}"))

    confirm = client.get(f"/consents/young-people/{minor.id}/participation/withdraw")
    assert "every other consent you gave for them is withdrawn with this one" in text(confirm)
    assert post(client, f"/consents/young-people/{minor.id}/participation/withdraw").status_code == 302
    assert _records(minor, "guardian") == {}
    page = text(client.get(f"/consents/young-people/{minor.id}"))
    assert "Give consent to taking part first" in page


def test_nothing_left_to_withdraw_goes_back_with_a_word(client):
    guardian, minor = family(purposes=())
    db.commit()
    sign_in(client, guardian)
    response = client.get(f"/consents/young-people/{minor.id}/showcase/withdraw")
    assert response.status_code == 302
    assert "There is no consent to withdraw" in text(client.get(response.headers["Location"]))


def test_once_the_child_is_old_enough_the_guardian_only_reads(client):
    guardian, minor = family(age=16)  # 15 is the consent age in France
    db.commit()
    sign_in(client, guardian)
    page = text(client.get(f"/consents/young-people/{minor.id}"))
    assert "old enough to decide alone" in page and "Withdraw consent" not in page
    assert post(client, f"/consents/young-people/{minor.id}/showcase/withdraw").status_code == 403


def test_an_unknown_child_is_404(client):
    guardian, _minor = family()
    db.commit()
    sign_in(client, guardian)
    assert client.get("/consents/young-people/99999").status_code == 404


# -- coordinators -------------------------------------------------------------------------------------------------
def test_coordinators_read_a_persons_consent_history(client, new_client):
    guardian, minor = family()
    db.commit()
    other = new_client()
    sign_in(other, guardian)
    post(other, f"/consents/young-people/{minor.id}/photos/withdraw", {"reason": "Too public."})
    coordinator = create_user("coordinator")
    db.commit()
    sign_in(client, coordinator)
    page = text(client.get(f"/consents/people/{minor.id}"))
    assert "Consent history of Zoé Gagnon" in page
    assert "Reason: Too public." in page and "Nadia Gagnon" in page and "version test" in page
    assert page.count("standing") == 6  # the guardian's three and Zoé's three; photos (guardian) withdrawn
    sign_in(client, guardian)
    assert client.get(f"/consents/people/{minor.id}").status_code == 403


def test_the_history_page_reads_a_fixed_number_of_queries(client, count_queries):
    coordinator = create_user("coordinator")
    _g1, small = family(purposes=(), own=(), name="Sam Small")
    _g2, large = family(name="Lou Large")
    db.commit()
    sign_in(client, coordinator)
    client.get(f"/consents/people/{small.id}")
    few = count_queries(lambda: client.get(f"/consents/people/{small.id}"))
    many = count_queries(lambda: client.get(f"/consents/people/{large.id}"))
    assert many <= few + 1  # the people who withdrew, once, when someone did
