"""Moderation in a real browser: a young member reports a mentor's message; a coordinator limits it with a
reason; the author (whose account is in French) reads the statement of reasons and appeals; the coordinator who
decided is offered no way to decide the appeal; a second coordinator upholds it and the message is back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app import db
from tests import factories
from tests.e2e.conftest import check_accessibility
from tests.e2e.french import FR
from tests.e2e.steps import flash, heading, sign_in, visit

pytestmark = pytest.mark.e2e

MESSAGE = "Voici ce que les recruteurs écrivent, mot pour mot : « rejoins-nous »."
REASON = "It quotes recruitment propaganda without answering it."


def _signed_in(new_page, email: str):
    """Signed in from the English sign-in page; the pages then follow the account's own language."""
    page = new_page()
    visit(page, "/signin")
    sign_in(page, email, factories.PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard(#main)?$"))
    return page


def test_report_limit_statement_appeal_decided_by_another_coordinator(live_server, new_page, unique_email):
    emails = {who: unique_email(who) for who in ("first", "second", "minor", "author")}
    suffix = emails["author"][7:12]
    team_name, author_name = f"Echo {suffix}", f"Tess Moreau{suffix}"

    def build():
        from app.teamspace import services as space

        factories.create_user("coordinator", email=emails["first"], name="Camille Roy")
        factories.create_user("coordinator", email=emails["second"], name="Noé Tremblay")
        lead = factories.create_user("youth", name="Inès Bouchard")
        minor = factories.create_user("youth", email=emails["minor"], name="Léa Martin", age=15, consent="given")
        team = factories.create_team(lead, minor, name=team_name)
        author = factories.create_mentor(factories.create_user("mentor", email=emails["author"], name=author_name,
                                                               locale="fr"))
        factories.create_mentorship(team, author)
        thread = space.start_thread(author, team, "Ce que disent les recruteurs", MESSAGE)
        db.commit()
        return team.id, thread.id

    with live_server.app.app_context():
        team_id, thread_id = build()
    thread_path = f"/teams/{team_id}/space/threads/{thread_id}"

    # A young member reports the message.
    minor = _signed_in(new_page, emails["minor"])
    visit(minor, thread_path)
    minor.get_by_role("link", name=re.compile(rf"^Report the message by {author_name}")).click()
    expect(heading(minor, "Report a concern")).to_be_visible()
    check_accessibility(minor)
    minor.get_by_role("radio", name="Violent extremism").check()
    minor.get_by_role("button", name="Send the report").click()
    expect(flash(minor, "Thank you: the coordinators have been told.")).to_be_visible()

    # The first coordinator triages it and limits the message: the reason is required.
    first = _signed_in(new_page, emails["first"])
    main_nav = first.get_by_role("navigation", name="Main")
    main_nav.get_by_role("link", name=re.compile(r"^Concerns \(\d+ open\)$")).click()
    expect(heading(first, "Concerns reported")).to_be_visible()
    check_accessibility(first)
    row = first.get_by_role("row").filter(has_text=team_name)
    row.get_by_role("link", name=re.compile("^Violent extremism")).click()
    expect(heading(first, re.compile(r"^Report \d+: Violent extremism$"))).to_be_visible()
    check_accessibility(first)
    first.get_by_role("radio", name="Visibility is limited").check()
    first.get_by_role("button", name="Take the decision").click()
    expect(first.get_by_role("alert")).to_contain_text(
        "Give the reason: the person affected reads it in the statement of reasons.")
    check_accessibility(first)
    first.get_by_role("radio", name="Visibility is limited").check()
    first.get_by_label("Reason", exact=True).fill(REASON)
    first.get_by_role("button", name="Take the decision").click()
    expect(flash(first, "Decided: Visibility is limited. The statement of reasons is sent.")).to_be_visible()
    expect(heading(first, "Statement of reasons")).to_be_visible()
    decision_path = first.url.split(live_server.url, 1)[1].split("#")[0]
    check_accessibility(first)

    # The other members now see that the message is hidden.
    visit(minor, thread_path)
    expect(minor.get_by_text("This content is hidden by moderation.")).to_be_visible()
    expect(minor.get_by_text(MESSAGE)).to_have_count(0)

    # The author reads the statement in French, from the notice, and appeals (forgetting the grounds first).
    author = _signed_in(new_page, emails["author"])
    visit(author, "/notices")
    sentence = FR["A coordinator took a moderation decision that affects you: %(decision)s. Read why, and how to "
                  "appeal."] % {"decision": FR["Visibility is limited"]}
    author.get_by_role("link", name=sentence).click()
    expect(heading(author, FR["Statement of reasons"])).to_be_visible()
    expect(author.get_by_text(REASON)).to_be_visible()
    check_accessibility(author)
    author.get_by_role("button", name=FR["Send the appeal"]).click()
    expect(author.get_by_role("alert")).to_contain_text(FR["Say why you think the decision is wrong."])
    check_accessibility(author)
    author.get_by_label(FR["Why the decision should be reversed"]).fill(
        "Nous citons ces mots pour y répondre : c'est le but de notre projet.")
    author.get_by_role("button", name=FR["Send the appeal"]).click()
    expect(flash(author, FR["Your appeal is sent. Another coordinator will decide it, and you will be told why."])
           ).to_be_visible()
    expect(author.get_by_role("button", name=FR["Send the appeal"])).to_have_count(0)
    check_accessibility(author)

    # The coordinator who decided is not offered the appeal.
    visit(first, decision_path)
    expect(first.get_by_text("You took this decision: another coordinator decides the appeal.")).to_be_visible()
    expect(first.get_by_role("button", name="Decide the appeal")).to_have_count(0)

    # A second coordinator upholds it from the appeals queue.
    second = _signed_in(new_page, emails["second"])
    visit(second, "/moderation/appeals")
    expect(heading(second, "Appeals")).to_be_visible()
    second.get_by_role("row").filter(has_text=author_name).get_by_role("link", name=re.compile("^Limited visibility")
                                                                        ).click()
    expect(heading(second, "Statement of reasons")).to_be_visible()
    check_accessibility(second)
    second.get_by_role("radio", name="Uphold the appeal: reverse the decision").check()
    second.get_by_label("Reason for your decision").fill("Quoted in order to answer it: a warning would be enough.")
    second.get_by_role("button", name="Decide the appeal").click()
    expect(flash(second, "The appeal is decided and the person is told.")).to_be_visible()
    expect(second.get_by_text("Upheld: the decision is reversed")).to_be_visible()
    check_accessibility(second)

    # The author reads the outcome in French; the message is back for the team.
    visit(author, decision_path)
    expect(author.get_by_text(FR["Upheld: the decision is reversed"])).to_be_visible()
    expect(author.get_by_text("Quoted in order to answer it: a warning would be enough.")).to_be_visible()
    visit(minor, thread_path)
    expect(minor.get_by_text(MESSAGE)).to_be_visible()


def test_flagged_terms_flags_and_the_public_transparency_report(live_server, new_page, page_fr, unique_email):
    emails = {who: unique_email(who) for who in ("coordinator", "lead")}
    term = f"croisade{emails['lead'][5:10]}"

    def build():
        factories.create_user("coordinator", email=emails["coordinator"], name="Camille Roy")
        lead = factories.create_user("youth", email=emails["lead"], name="Inès Bouchard")
        team = factories.create_team(lead, name=f"Flags {term}")
        grant = factories.create_project(team, published=True, title=f"Voix {term}")
        db.commit()
        return team.id, grant.id

    with live_server.app.app_context():
        team_id, grant_id = build()

    # A coordinator adds a term to the list (a mistake first).
    coordinator = _signed_in(new_page, emails["coordinator"])
    visit(coordinator, "/moderation/terms")
    expect(heading(coordinator, "Flagged terms")).to_be_visible()
    coordinator.get_by_role("button", name="Add the term").click()
    expect(coordinator.get_by_role("alert")).to_contain_text("Write the word or phrase to watch for.")
    check_accessibility(coordinator)
    coordinator.get_by_label("Word or phrase").fill(term.upper())
    coordinator.get_by_label("Language").select_option(label="French")
    coordinator.get_by_role("button", name="Add the term").click()
    expect(flash(coordinator, f"“{term.upper()}” is on the list: new content that uses it goes to review.")
           ).to_be_visible()
    check_accessibility(coordinator)

    # The team's lead writes it: the message is posted and stays visible.
    lead = _signed_in(new_page, emails["lead"])
    visit(lead, f"/teams/{team_id}/space")
    lead.get_by_label("Subject of the thread").fill("Notre script")
    lead.get_by_label("First message").fill(f"Ils parlent de {term}, nous leur répondons.")
    lead.get_by_role("button", name="Start the thread").click()
    expect(flash(lead, "Your thread is started.")).to_be_visible()
    expect(lead.get_by_text(f"Ils parlent de {term}, nous leur répondons.")).to_be_visible()

    # The coordinator finds it in the queue, reads the flag and marks it reviewed: nothing changes for the team.
    visit(coordinator, "/reports")
    flags = coordinator.get_by_role("region", name=re.compile(r"^Flagged by the term list"))
    flags.get_by_role("listitem").filter(has_text=term).get_by_role("link").click()
    expect(heading(coordinator, re.compile(r"^Flag \d+: A message in a team's space$"))).to_be_visible()
    check_accessibility(coordinator)
    coordinator.get_by_role("button", name="Mark as reviewed").click()
    expect(flash(coordinator, "Marked as reviewed. The content stays as it is.")).to_be_visible()
    visit(coordinator, "/moderation/flags?state=reviewed")
    expect(coordinator.get_by_role("listitem").filter(has_text=term)).to_have_count(1)

    # A visitor who is not signed in reports the public page, and reads the transparency report in French.
    visitor = new_page()
    visit(visitor, f"/showcase/{grant_id}")
    visitor.get_by_role("link", name="Report this page").click()
    expect(heading(visitor, "Report a concern")).to_be_visible()
    check_accessibility(visitor)
    visitor.get_by_role("radio", name="Someone's personal details are exposed").check()
    visitor.get_by_role("button", name="Send the report").click()
    expect(flash(visitor, "Thank you: the coordinators have been told.")).to_be_visible()
    visit(page_fr, "/reports/transparency?period=year")
    expect(heading(page_fr, FR["Transparency report"])).to_be_visible()
    expect(page_fr.get_by_role("link", name=FR["Download these figures as a spreadsheet (CSV)"])).to_be_visible()
    visit(page_fr, "/reports/transparency?period=month")
