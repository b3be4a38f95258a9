"""Guardian consent for minors, through the pages a minor and a guardian actually use."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import db, policy
from app.accounts.models import AuditEntry, GuardianConsent, User
from app.accounts.services import consent_token
from app.db import utcnow
from tests.accounts.helpers import reloaded, signup_data
from tests.conftest import link_in, post, sign_in
from tests.factories import PASSWORD
from tests.pages import checked_values, field_error, input_value, text

GIVE = {"decision": "give", "confirm_guardian": "y"}
REFUSE = {"decision": "refuse", "confirm_guardian": "y", "reason": "Not this year."}
WAITING = "Waiting for your guardian's consent"


def minor_signs_up(client, outbox, *, email="lea@example.org", guardian="parent@example.org", age=14,
                   country="FR", region="") -> tuple[User, str]:
    """A minor signs up and confirms their address; returns them and the link their guardian got."""
    response = post(client, "/signup", signup_data(display_name="Léa Martin", email=email, age=age,
                                                   country=country, region=region, guardian_email=guardian))
    assert response.status_code == 302
    [confirmation] = outbox(email, kind="confirm_email")
    assert client.get(link_in(confirmation)).status_code == 302
    [request] = outbox(guardian, kind="consent_request")
    minor = db.session.scalar(select(User).where(User.email == email))
    return minor, link_in(request)


def test_the_whole_journey_from_sign_up_to_consent(client, new_client, outbox):
    minor, link = minor_signs_up(client, outbox)
    assert minor.is_confirmed
    assert policy.can_submit(minor) is False
    assert policy.can_appear_publicly(minor) is False
    assert policy.can_request_consent(minor) is True
    assert post(client, "/signin", {"email": "lea@example.org", "password": PASSWORD}).status_code == 302
    assert WAITING in text(client.get("/dashboard"))

    # The guardian opens the link without an account: they are offered to sign in or sign up.
    guardian_browser = new_client()
    landing = guardian_browser.get(link)
    assert landing.status_code == 200
    token = link.rsplit("/", 1)[1]
    page = landing.get_data(as_text=True)
    assert f'href="/signup?consent={token}"' in page
    assert f'href="/signin?next=/consent/{token}"' in page
    assert "Léa asked you, as their parent or guardian, to consent" in text(landing)

    # Signing up from the link: the form is ready for a guardian with the address the request went to.
    form = guardian_browser.get(f"/signup?consent={token}")
    assert input_value(form, "email") == "parent@example.org"
    assert checked_values(form, "account_type") == ["guardian"]
    assert "Léa asked you to consent to their taking part." in text(form)

    response = post(guardian_browser, f"/signup?consent={token}", signup_data(
        display_name="Claire Martin", email="parent@example.org", age=45, country="FR", account_type="guardian",
        timezone="Europe/Paris"))

    # The link proved the address: confirmed at once, signed in, and taken to the request.
    assert response.status_code == 302
    assert response.headers["Location"] == f"/consent/{token}"
    guardian = db.session.scalar(select(User).where(User.email == "parent@example.org"))
    assert guardian.is_confirmed
    assert outbox("parent@example.org", kind="confirm_email") == []
    request_page = guardian_browser.get(f"/consent/{token}")
    assert request_page.status_code == 200
    assert "Consent for Léa Martin" in text(request_page)
    assert "I agree that Léa Martin, born on" in text(request_page)

    answer = post(guardian_browser, f"/consent/{token}", {**GIVE, "mentoring": "y", "showcase": "y"})

    assert answer.status_code == 302
    assert answer.headers["Location"] == "/dashboard"
    consent = reloaded(GuardianConsent, minor.consent_requests[0].id)
    assert consent.state == "given"
    assert consent.guardian_id == guardian.id
    assert consent.decided_at is not None
    assert consent.text_version == "2026-12"
    assert consent.text_agreed.startswith("I agree that Léa Martin, born on ")
    assert "may be coached by a vetted adult mentor" in consent.text_agreed
    assert reloaded(User, guardian.id).roles == {"guardian"}
    [given] = outbox("lea@example.org", kind="consent_given")
    assert "Hello Léa," in given.body
    minor = reloaded(User, minor.id)
    assert policy.can_submit(minor) is True
    # Named in public once Léa agrees too: her guardian's yes does not speak for her.
    assert policy.has_purpose_consent(minor, "showcase") is False
    assert policy.can_request_consent(minor) is False
    assert post(client, "/consents/showcase/give").status_code == 302
    assert policy.can_appear_publicly(reloaded(User, minor.id)) is True
    guardian_dashboard = text(guardian_browser.get("/dashboard"))
    assert "Thank you. Your consent is recorded." in guardian_dashboard
    assert "Young people in your care" in guardian_dashboard and "Léa Martin" in guardian_dashboard
    minor_dashboard = text(client.get("/dashboard"))
    assert WAITING not in minor_dashboard and "Your guardian has given consent." in minor_dashboard
    assert db.session.scalar(select(AuditEntry.actor_id).where(AuditEntry.action == "consent.given")) == guardian.id


def test_the_minor_sees_on_the_dashboard_what_is_pending(client, login, create_user):
    minor = create_user(age=14, country="FR", consent="requested", guardian_email="parent@example.org")
    login(minor)
    page = text(client.get("/dashboard"))
    assert WAITING in page
    assert "We asked parent@example.org to agree that you take part." in page
    assert "you cannot submit anything or appear on public pages until they agree" in page


def test_a_minor_with_consent_sees_that_it_is_given(client, login, create_user):
    minor = create_user(age=14, country="FR", consent="given")
    login(minor)
    page = text(client.get("/dashboard"))
    assert WAITING not in page
    assert "Your guardian has given consent." in page
    assert policy.can_submit(minor) is True


def test_an_existing_guardian_signs_in_from_the_link(client, new_client, create_user, outbox):
    guardian = create_user("guardian", email="parent@example.org", age=45)
    minor, link = minor_signs_up(client, outbox)
    browser = new_client()
    signin_url = f"/signin?next=/consent/{link.rsplit('/', 1)[1]}"

    response = post(browser, signin_url, {"email": "parent@example.org", "password": PASSWORD})

    assert response.headers["Location"] == link
    assert post(browser, link, GIVE).status_code == 302
    consent = reloaded(GuardianConsent, minor.consent_requests[0].id)
    assert (consent.state, consent.guardian_id) == ("given", guardian.id)


def test_a_youth_account_with_the_guardian_address_becomes_a_guardian_by_consenting(client, login, create_user):
    adult = create_user("youth", email="sibling@example.org", age=24)
    minor = create_user(age=13, country="CA", region="CA-QC", consent="requested",
                        guardian_email="sibling@example.org")
    login(adult)
    assert post(client, f"/consent/{consent_token(minor.consent_requests[0])}", GIVE).status_code == 302
    assert reloaded(User, adult.id).roles == {"youth", "guardian"}


def test_the_guardian_can_refuse(client, login, create_user, outbox):
    guardian = create_user("guardian", email="parent@example.org", age=45)
    minor = create_user(age=14, country="FR", consent="requested", guardian_email="parent@example.org")
    consent_id = minor.consent_requests[0].id
    login(guardian)

    response = post(client, f"/consent/{consent_token(minor.consent_requests[0])}", REFUSE)

    assert response.status_code == 302
    consent = reloaded(GuardianConsent, consent_id)
    assert consent.state == "refused"
    assert consent.guardian_id == guardian.id
    assert consent.reason == "Not this year."
    assert consent.text_agreed.startswith("I agree that")  # the text they were shown is kept with the answer
    assert "Your answer is recorded: you did not give consent." in text(client.get("/dashboard"))
    [message] = outbox(minor.email)
    assert message.kind == "consent_refused"
    assert policy.can_submit(reloaded(User, minor.id)) is False


def test_refusal_leaves_the_minor_waiting_with_a_way_forward(client, login, create_user):
    minor = create_user(age=14, country="FR", consent="refused")
    login(minor)
    page = text(client.get("/dashboard"))
    assert WAITING in page
    assert "Your guardian did not give consent." in page
    assert policy.can_submit(minor) is False and policy.can_request_consent(minor) is True


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"decision": "give"}, "confirm_guardian", "Confirm that you are their guardian."),
    ({"confirm_guardian": "y"}, "decision", "Choose whether you give your consent."),
    ({**GIVE, "reason": "x" * 1001}, "reason", "Use at most 1000 characters."),
])
def test_an_incomplete_answer_is_shown_beside_the_field(client, login, create_user, data, field, message):
    guardian = create_user("guardian", email="parent@example.org", age=45)
    minor = create_user(age=14, country="FR", consent="requested", guardian_email="parent@example.org")
    login(guardian)
    response = post(client, f"/consent/{consent_token(minor.consent_requests[0])}", data)
    assert response.status_code == 200
    assert field_error(response, field) == message
    assert reloaded(GuardianConsent, minor.consent_requests[0].id).state == "requested"


def test_another_account_cannot_answer(client, login, create_user):
    minor = create_user(age=14, country="FR", consent="requested", guardian_email="parent@example.org")
    login(create_user("guardian", email="someone.else@example.org", age=45))
    url = f"/consent/{consent_token(minor.consent_requests[0])}"

    assert client.get(url).status_code == 403
    response = post(client, url, GIVE)

    assert response.status_code == 403
    assert "This request was sent to another email address." in text(response)
    assert reloaded(GuardianConsent, minor.consent_requests[0].id).state == "requested"


def test_the_minor_cannot_answer_their_own_request(client, login, create_user):
    minor = create_user(age=14, country="FR", consent="requested", guardian_email="parent@example.org")
    login(minor)
    response = post(client, f"/consent/{consent_token(minor.consent_requests[0])}", GIVE)
    assert response.status_code == 403
    consent = reloaded(GuardianConsent, minor.consent_requests[0].id)
    assert consent.state == "requested" and consent.guardian_id is None


def test_a_minor_with_the_guardian_address_cannot_answer(client, login, create_user):
    # The address matches, but only an adult may give consent.
    teen = create_user(email="parent@example.org", age=16)
    minor = create_user(age=14, country="FR", consent="requested", guardian_email="parent@example.org")
    login(teen)
    response = post(client, f"/consent/{consent_token(minor.consent_requests[0])}", GIVE)
    assert response.status_code == 403
    assert reloaded(GuardianConsent, minor.consent_requests[0].id).state == "requested"


def test_an_answered_request_says_so(client, login, create_user):
    guardian = create_user("guardian", email="parent@example.org", age=45)
    minor = create_user(age=14, country="FR", consent="requested", guardian_email="parent@example.org")
    url = f"/consent/{consent_token(minor.consent_requests[0])}"
    login(guardian)
    assert post(client, url, GIVE).status_code == 302

    again = client.get(url)
    assert again.status_code == 200
    assert "This request has already been answered" in text(again)
    changed_mind = post(client, url, REFUSE)
    assert "This request has already been answered" in text(changed_mind)
    assert reloaded(GuardianConsent, minor.consent_requests[0].id).state == "given"


@pytest.mark.parametrize("token", ["garbage", "x.y.z"])
def test_a_forged_consent_link_is_refused(client, token):
    response = client.get(f"/consent/{token}")
    assert response.status_code == 400
    assert "This consent link is not valid or has been replaced by a newer one." in text(response)


def test_an_expired_consent_link_is_refused(client, create_user, backdated_token):
    minor = create_user(age=14, country="FR", consent="requested")
    consent = minor.consent_requests[0]
    token = backdated_token("consent", {"consent": consent.id, "n": consent.nonce},
                            timedelta(days=30, minutes=1).total_seconds())
    response = client.get(f"/consent/{token}")
    assert response.status_code == 400
    assert "This consent link has expired." in text(response)


# -- sending the request again ---------------------------------------------------------------------
def test_the_request_cannot_be_sent_again_within_ten_minutes(client, login, create_user, outbox):
    minor = create_user(age=14, country="FR", consent="requested", guardian_email="parent@example.org")
    login(minor)

    response = post(client, "/consent/resend", {"guardian_email": ""})

    assert response.status_code == 400
    page = text(response)
    assert "The request was sent a few minutes ago. Please wait before sending it again." in page
    assert WAITING in page
    assert outbox() == []


def test_the_request_can_be_sent_again_later_and_old_links_stop_working(client, new_client, login, create_user,
                                                                       outbox):
    minor = create_user(age=14, country="FR", consent="requested", guardian_email="parent@example.org")
    consent = minor.consent_requests[0]
    consent.last_sent_at = utcnow() - timedelta(minutes=11)
    db.session.flush()
    old_url = f"/consent/{consent_token(consent)}"
    login(minor)

    response = post(client, "/consent/resend", {"guardian_email": ""})

    assert response.status_code == 302
    assert "We sent the request to parent@example.org." in text(client.get("/dashboard"))
    [message] = outbox("parent@example.org", kind="consent_request")
    guardian_browser = new_client()
    assert guardian_browser.get(link_in(message)).status_code == 200
    assert guardian_browser.get(old_url).status_code == 400
    assert len(reloaded(User, minor.id).consent_requests) == 1


def test_a_corrected_address_gets_a_new_request_and_the_old_link_stops_working(client, new_client, login,
                                                                             create_user, outbox):
    wrong = create_user("guardian", email="wrong@example.org", age=50)
    minor = create_user(age=14, country="FR", consent="requested", guardian_email="wrong@example.org")
    old_url = f"/consent/{consent_token(minor.consent_requests[0])}"
    login(minor)

    response = post(client, "/consent/resend", {"guardian_email": "Right@Example.org"})

    assert response.status_code == 302
    [message] = outbox("right@example.org", kind="consent_request")
    new_url = link_in(message)
    assert new_url != old_url
    page = text(client.get("/dashboard"))
    assert "We asked right@example.org to agree" in page
    [consent] = reloaded(User, minor.id).consent_requests  # the unanswered request now goes to the new address
    assert consent.guardian_email == "right@example.org" and consent.state == "requested"
    # The audit log keeps ids, never addresses: the entry names the request (its subject), not the old address.
    assert db.session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "consent.redirected")) == {}

    # The first address can no longer answer, by the old link or from its dashboard.
    wrong_browser = new_client()
    sign_in(wrong_browser, wrong)
    assert wrong_browser.get(old_url).status_code == 400
    assert post(wrong_browser, old_url, GIVE).status_code == 400
    assert "Consent requests waiting for you" not in text(wrong_browser.get("/dashboard"))
    assert policy.can_submit(reloaded(User, minor.id)) is False

    # The new address can.
    right = create_user("guardian", email="right@example.org", age=50)
    right_browser = new_client()
    sign_in(right_browser, right)
    assert post(right_browser, new_url, GIVE).status_code == 302
    assert policy.can_submit(reloaded(User, minor.id)) is True


def test_the_minor_cannot_name_themselves_as_guardian(client, login, create_user, outbox):
    minor = create_user(email="lea@example.org", age=14, country="FR", consent="requested")
    login(minor)
    response = post(client, "/consent/resend", {"guardian_email": "LEA@example.org"})
    assert response.status_code == 400
    assert "Enter your guardian's own email address, not yours." in text(response)
    assert outbox() == []


def test_after_a_refusal_another_guardian_can_be_asked(client, login, create_user, outbox):
    minor = create_user(age=14, country="FR", consent="refused", guardian_email="dad@example.org")
    login(minor)
    response = post(client, "/consent/resend", {"guardian_email": "mum@example.org"})
    assert response.status_code == 302
    states = [(c.guardian_email, c.state) for c in reloaded(User, minor.id).consent_requests]
    assert sorted(states) == [("dad@example.org", "refused"), ("mum@example.org", "requested")]
    assert [m.kind for m in outbox("mum@example.org")] == ["consent_request"]


@pytest.mark.parametrize("kwargs", [
    {"age": 25},  # an adult needs nobody's consent
    {"age": 14, "country": "FR", "consent": "given"},  # consent already given
])
def test_only_a_minor_waiting_for_consent_can_send_requests(client, login, create_user, outbox, kwargs):
    login(create_user(**kwargs))
    response = post(client, "/consent/resend", {"guardian_email": "parent@example.org"})
    assert response.status_code == 403
    assert outbox() == []


def test_the_guardian_sees_requests_waiting_on_their_dashboard(client, login, create_user):
    guardian = create_user("guardian", email="parent@example.org", age=45)
    create_user(name="Léa Martin", age=14, country="FR", consent="requested",
                        guardian_email="parent@example.org")
    login(guardian)
    response = client.get("/dashboard")
    assert "Consent requests waiting for you" in text(response)
    links = re.findall(r'href="(/consent/[^"]+)"', response.get_data(as_text=True))
    assert links and client.get(links[0]).status_code == 200
    assert "Consent for Léa Martin" in text(client.get(links[0]))


def test_a_minor_who_moves_under_a_stricter_rule_is_told_and_can_ask(client, new_client, login, create_user,
                                                                       outbox):
    # 13 in Canada needs no consent; 13 in Québec does. Changing the region on the profile makes it so.
    minor = create_user(age=13, country="CA")
    login(minor)
    assert WAITING not in text(client.get("/dashboard"))
    assert post(client, "/account", {"display_name": minor.display_name, "country": "CA", "region": "CA-QC",
                                     "locale": "en", "timezone": "America/Toronto"}).status_code == 302
    minor = reloaded(User, minor.id)
    assert policy.can_submit(minor) is False

    page = text(client.get("/dashboard"))

    assert WAITING in page
    assert "a parent or guardian must agree before you take part. Enter their email address." in page
    assert post(client, "/consent/resend", {"guardian_email": "parent@example.org"}).status_code == 302
    [request] = outbox("parent@example.org", kind="consent_request")
    assert new_client().get(link_in(request)).status_code == 200
    assert "We asked parent@example.org to agree" in text(client.get("/dashboard"))


def test_a_guardian_who_signs_up_from_the_link_with_another_address_must_confirm_it(client, create_user, outbox):
    minor = create_user(age=14, country="FR", consent="requested", guardian_email="parent@example.org")
    token = consent_token(minor.consent_requests[0])

    response = post(client, f"/signup?consent={token}", signup_data(
        display_name="Claire Martin", email="claire.work@example.org", age=45, account_type="guardian"))

    assert response.status_code == 302
    assert response.headers["Location"] == "/signup/check-email"
    guardian = db.session.scalar(select(User).where(User.email == "claire.work@example.org"))
    assert guardian.is_confirmed is False
    assert [m.kind for m in outbox("claire.work@example.org")] == ["confirm_email"]
    assert client.get("/dashboard").status_code == 302  # not signed in
    assert reloaded(GuardianConsent, minor.consent_requests[0].id).state == "requested"
