"""Consent per purpose in the browser: a young person agrees in French to being mentored and shown; their mother
consents to taking part and mentoring but not the showcase, so the public does not see the young person's name;
she gives showcase consent (named), then withdraws it (the project is gone from the public pages at once); and
she reads the team's thread without a way to reply. axe checks every page visited."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from app import db
from app.accounts.services import consent_token
from tests import factories
from tests.e2e.conftest import check_accessibility
from tests.e2e.french import FR
from tests.e2e.steps import flash, heading, visit
from tests.e2e.steps import signed_in as _signed_in

pytestmark = pytest.mark.e2e


def _world(live_server, tag: str) -> dict:
    """A published project of a team with an adult lead and a 14-year-old in France whose mother has not
    answered yet; the lead has started a thread in the team's space."""
    from app.teamspace import services as space

    with live_server.app.app_context():
        mother = factories.create_user("guardian", email=f"mother-{tag}@example.org", name=f"Nadia Roy{tag}", age=44)
        minor = factories.create_user(email=f"zoe-{tag}@example.org", name=f"Zoé Roy{tag}", age=14, country="FR",
                                      locale="fr", consent="requested", guardian_email=mother.email)
        lead = factories.create_user(email=f"lead-{tag}@example.org", name=f"Ines Lavoie{tag}")
        team = factories.create_team(lead, minor, name=f"Respect Lab {tag}")
        grant = factories.create_project(team, state="active", approved=1, title=f"Voices {tag}", published=True)
        thread = space.start_thread(lead, team, "Who records on Friday?", "I can bring the microphones.")
        db.commit()
        return {"mother": mother.email, "minor": minor.email, "minor_name": minor.display_name,
                "grant_id": grant.id, "title": grant.proposal.title, "team": team.name, "thread": thread.title,
                "consent_url": f"/consent/{consent_token(minor.consent_requests[0])}"}




def _public_project(public: Page, world: dict, status: int = 200):
    response = public.goto(f"/showcase/{world['grant_id']}")
    assert response is not None and response.status == status
    check_accessibility(public)


def test_consent_per_purpose_from_the_request_to_the_withdrawal(live_server, new_page):
    world = _world(live_server, uuid.uuid4().hex[:6])

    # The young person agrees, in French, to being mentored and to appearing in the showcase.
    zoe = _signed_in(new_page, world["minor"], "fr-FR")
    zoe.get_by_role("link", name=FR["My account"]).click()
    zoe.get_by_role("link", name=FR["Your consents"]).click()
    expect(heading(zoe, FR["Your consents"])).to_be_visible()
    check_accessibility(zoe)
    for purpose in ("Appearing in the public showcase", "Being mentored"):
        section = zoe.get_by_role("region", name=FR[purpose])
        section.get_by_role("button", name=FR["I agree"]).click()
        expect(flash(zoe, FR["Your agreement is recorded: %(purpose)s."] % {"purpose": FR[purpose]})).to_be_visible()
        expect(zoe.get_by_role("region", name=FR[purpose]).get_by_role(
            "link", name=FR["Withdraw my agreement"])).to_be_visible()
    check_accessibility(zoe)

    # Her mother answers the request: taking part and mentoring, not the showcase.
    mother = _signed_in(new_page, world["mother"])
    visit(mother, world["consent_url"])
    expect(heading(mother, f"Consent for {world['minor_name']}")).to_be_visible()
    mother.get_by_role("radio", name="I give my consent").check()
    mother.get_by_role("checkbox", name="Being mentored").check()
    expect(mother.get_by_role("checkbox", name="Appearing in the public showcase")).not_to_be_checked()
    mother.get_by_role("checkbox", name="I am this young person's parent or legal guardian").check()
    mother.get_by_role("button", name="Send my answer").click()
    expect(flash(mother, "Thank you. Your consent is recorded.")).to_be_visible()
    check_accessibility(mother)

    public = new_page()  # an anonymous visitor
    _public_project(public, world)
    expect(heading(public, world["title"])).to_be_visible()
    expect(public.get_by_text(re.compile(r"^Ines and 1 more member$"))).to_be_visible()
    assert "Zoé" not in public.content()

    # From her dashboard, she gives showcase consent: Zoé is named at once.
    mother.get_by_role("link", name=f"Consents for {world['minor_name']}").click()
    expect(heading(mother, f"Consents for {world['minor_name']}")).to_be_visible()
    check_accessibility(mother)
    mother.get_by_role("region", name="Appearing in the public showcase").get_by_role(
        "button", name="Give consent").click()
    expect(flash(mother, "Your consent is recorded: Appearing in the public showcase.")).to_be_visible()
    check_accessibility(mother)

    named = new_page()
    _public_project(named, world)
    expect(named.get_by_text(re.compile(r"^Ines, Zoé$"))).to_be_visible()

    # She withdraws it, with a reason: the project is gone from every public page at once.
    mother.get_by_role("region", name="Appearing in the public showcase").get_by_role(
        "link", name="Withdraw consent").click()
    expect(heading(mother, "Withdraw consent: Appearing in the public showcase")).to_be_visible()
    check_accessibility(mother)
    mother.get_by_label("Why (optional)").fill("We would rather keep her name private.")
    mother.get_by_role("button", name="Withdraw consent").click()
    expect(flash(mother, "Your consent is withdrawn: Appearing in the public showcase. It stopped counting at once."))\
        .to_be_visible()
    check_accessibility(mother)
    gone = new_page()
    _public_project(gone, world, status=404)
    visit(gone, "/showcase/")
    expect(gone.get_by_role("link", name=world["title"])).to_have_count(0)

    # She reads the team's thread, with no way to write in it.
    mother.get_by_role("link", name=f"Team space of {world['team']}").click()
    expect(heading(mother, f"Team space of {world['team']}")).to_be_visible()
    check_accessibility(mother)
    mother.get_by_role("link", name=world["thread"]).click()
    expect(heading(mother, world["thread"])).to_be_visible()
    expect(mother.get_by_text("I can bring the microphones.")).to_be_visible()
    expect(mother.get_by_role("heading", name="Reply")).to_have_count(0)
    expect(mother.get_by_label("Your reply")).to_have_count(0)
    check_accessibility(mother)
