"""The whole grant journey in one run, as the people who live it take it, each in their own browser:

a funder writes and publishes a call; an English-speaking team drafts, fails a submission (its text is kept),
fixes it and submits; a French-speaking team does the same in French; the coordinator screens both and assigns
two reviewers each; one reviewer declares a conflict, so the coordinator adds another; the reviewers score; the
funder's bank transfer is recorded in the pool; the funder awards one proposal and requests changes on the
other; the French team resubmits, the reviewer sees what changed, and each proposal's history shows every step.
Only the accounts are made beforehand; everything else happens through the pages. Elements are found by label
and role; axe checks every page visited."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from app import db
from tests import factories
from tests.e2e.conftest import check_accessibility
from tests.e2e.french import FR
from tests.e2e.steps import flash, heading, visit
from tests.e2e.steps import signed_in as _signed_in

pytestmark = pytest.mark.e2e

LEVELS = ("Not at all", "A little", "Fairly well", "Well", "Remarkably well")
ZONE = ZoneInfo("America/Toronto")


def _accounts(live_server, tag: str) -> dict[str, dict]:
    """The people of the journey: a funder, a coordinator, three reviewers and two teams of two."""
    people = {
        "funder": ("funder", f"Fatima Funder{tag}", "en"),
        "coordinator": ("coordinator", f"Camille Coord{tag}", "en"),
        "alex": ("mentor", f"Alex Reviewer{tag}", "en"),
        "bea": ("mentor", f"Béa Reviewer{tag}", "en"),
        "chen": ("mentor", f"Chen Reviewer{tag}", "en"),
        "lead_en": (None, f"Ines Lead{tag}", "en"),
        "mate_en": (None, f"Omar Mate{tag}", "en"),
        "lead_fr": (None, f"Léa Cheffe{tag}", "fr"),
        "mate_fr": (None, f"Sami Coéquipier{tag}", "fr"),
    }
    with live_server.app.app_context():
        users = {}
        for key, (role, name, locale) in people.items():
            roles = (role,) if role else ()
            users[key] = factories.create_user(*roles, email=f"{key}-{tag}@example.org", name=name, locale=locale)
        factories.create_team(users["lead_en"], users["mate_en"], name=f"Respect Lab {tag}")
        factories.create_team(users["lead_fr"], users["mate_fr"], name=f"Labo Dialogue {tag}")
        db.commit()
        return {key: {"email": user.email, "name": user.display_name} for key, user in users.items()}




def _local(moment: datetime) -> str:
    return moment.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M")


def _in_days(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def _proposal_id(page: Page) -> int:
    return int(re.search(r"/proposals/(\d+)", page.url).group(1))


def _publish_call(funder: Page, title: str) -> int:
    funder.get_by_role("navigation", name="Main").get_by_role("link", name="Manage calls").click()
    expect(heading(funder, "Manage calls")).to_be_visible()
    check_accessibility(funder)
    funder.get_by_role("link", name="Create a call").click()
    expect(heading(funder, "Create a funding call")).to_be_visible()
    check_accessibility(funder)
    now = datetime.now(ZONE)
    funder.get_by_label("Title of the call").fill(title)
    funder.get_by_label("Description").fill("Youth-led projects that **answer** online hate with dialogue.")
    funder.get_by_role("group", name="Themes").get_by_role("checkbox", name="Counter-narratives").check()
    funder.get_by_label("Currency").select_option("CAD")
    funder.get_by_label("Total pool").fill("10 000")
    funder.get_by_label("Largest award to one team").fill("5 000")
    funder.get_by_label("Time zone of the dates").select_option("America/Toronto")
    funder.get_by_label("Opening time").fill(_local(now - timedelta(days=1)))
    funder.get_by_label("Closing time").fill(_local(now + timedelta(days=10)))
    funder.get_by_label("Review deadline (optional)").fill(_local(now + timedelta(days=20)))
    expect(funder.get_by_label("Reviews needed per proposal")).to_have_value("2")
    for number, (name, weight) in enumerate((("Relevance", "2"), ("Feasibility", "1")), start=1):
        if number > 1:
            funder.get_by_role("button", name="Add a criterion").click()
        criterion = funder.get_by_role("group", name=f"Criterion {number}", exact=True)
        criterion.get_by_label("Name of the criterion").fill(name)
        criterion.get_by_label("What reviewers look for").fill(f"How well the project does on {name.lower()}.")
        criterion.get_by_label("Weight").fill(weight)
        for level, text in enumerate(LEVELS, start=1):
            criterion.get_by_label(f"Level {level}").fill(text)
    funder.get_by_role("button", name="Save the draft", exact=True).click()
    expect(heading(funder, f"Manage “{title}”")).to_be_visible()
    check_accessibility(funder)
    funder.get_by_role("button", name="Publish").click()
    expect(flash(funder, "The call is published: everyone can read it, and teams can propose projects once it "
                         "opens.")).to_be_visible()
    check_accessibility(funder)
    return int(re.search(r"/calls/(\d+)", funder.url).group(1))


def _draft_fail_fix_and_submit_in_english(lead: Page, call_title: str) -> int:
    lead.get_by_role("navigation", name="Main").get_by_role("link", name="Funding calls").click()
    check_accessibility(lead)
    lead.get_by_role("link", name=call_title).click()
    expect(heading(lead, call_title)).to_be_visible()
    check_accessibility(lead)
    lead.get_by_role("link", name="Start a proposal").click()
    check_accessibility(lead)
    lead.get_by_role("button", name="Start the draft").click()
    expect(heading(lead, "Edit the proposal")).to_be_visible()
    check_accessibility(lead)
    lead.get_by_label("Project title").fill("Counter-Meme Studio")
    lead.get_by_label("Summary").fill("Students answer hateful memes with funny, factual ones.")
    lead.get_by_label("The problem").fill("Hateful memes spread faster than answers.")
    lead.get_by_label("Your approach").fill("Weekly workshops where students remix memes with facts.")
    lead.get_by_label("Audience").fill("Students aged 14 to 17 in three Toronto schools.")
    lead.get_by_role("group", name="Themes").get_by_role("checkbox", name="Counter-narratives").check()
    lead.get_by_label("Amount requested").fill("4000")
    lead.get_by_role("button", name="Add a budget line").click()
    line = lead.get_by_role("group", name="Budget line 1")
    line.get_by_label("Category").select_option(label="Equipment")
    line.get_by_label("What it pays for").fill("Two laptops for the workshops")
    line.get_by_label("Amount", exact=True).fill("4000")
    lead.get_by_role("button", name="Add a milestone").click()
    milestone = lead.get_by_role("group", name="Milestone 1")
    milestone.get_by_label("Milestone", exact=True).fill("Twenty memes online")
    milestone.get_by_label("What you will deliver").fill("Twenty answer memes published")
    milestone.get_by_label("Due date").fill(_in_days(120))
    milestone.get_by_label("Tranche paid when it is approved").fill("3000")  # a thousand short of the request
    check_accessibility(lead)

    lead.get_by_role("button", name="Submit the proposal").click()
    problems = lead.get_by_role("alert").filter(has_text="There is 1 problem to fix")
    expect(problems.get_by_role("link", name="Milestone plan: The tranches add up to CA$3,000.00, but you ask for "
                                             "CA$4,000.00. They must be equal.")).to_be_visible()
    check_accessibility(lead)
    expect(lead.get_by_label("Summary")).to_have_value("Students answer hateful memes with funny, factual ones.")
    expect(lead.get_by_label("Audience")).to_have_value("Students aged 14 to 17 in three Toronto schools.")
    milestone = lead.get_by_role("group", name="Milestone 1")
    expect(milestone.get_by_label("What you will deliver")).to_have_value("Twenty answer memes published")
    milestone.get_by_label("Tranche paid when it is approved").fill("4000")
    lead.get_by_role("button", name="Submit the proposal").click()
    expect(heading(lead, "Counter-Meme Studio")).to_be_visible()
    expect(flash(lead, "Your proposal is submitted. Your team has been told by email.")).to_be_visible()
    check_accessibility(lead)
    return _proposal_id(lead)


def _draft_and_submit_in_french(lead: Page, call_id: int) -> int:
    visit(lead, f"/calls/{call_id}")
    expect(lead.locator("html")).to_have_attribute("lang", "fr")
    lead.get_by_role("link", name=FR["Start a proposal"]).click()
    check_accessibility(lead)
    lead.get_by_role("button", name=FR["Start the draft"]).click()
    expect(heading(lead, FR["Edit the proposal"])).to_be_visible()
    check_accessibility(lead)
    lead.get_by_label(FR["Project title"]).fill("Cercles de parole")
    lead.get_by_label(FR["Summary"]).fill("Des cercles de parole en ligne entre élèves de cultures différentes.")
    lead.get_by_label(FR["The problem"]).fill("Les préjugés grandissent là où l'on ne se parle pas.")
    lead.get_by_label(FR["Your approach"]).fill("Six rencontres filmées, puis un balado.")
    lead.get_by_label(FR["Audience"]).fill("Des élèves de Montréal.")
    lead.get_by_role("group", name=FR["Themes"]).get_by_role("checkbox", name=FR["Counter-narratives"]).check()
    lead.get_by_label(FR["Amount requested"]).fill("3 000")
    lead.get_by_role("button", name=FR["Add a budget line"]).click()
    line = lead.get_by_role("group", name=FR["Budget line 1"])
    line.get_by_label(FR["Category"]).select_option(label=FR["Equipment"])
    line.get_by_label(FR["What it pays for"]).fill("Micros et caméra")
    line.get_by_label(FR["Amount"], exact=True).fill("3 000")
    lead.get_by_role("button", name=FR["Add a milestone"]).click()
    milestone = lead.get_by_role("group", name=FR["Milestone 1"])
    milestone.get_by_label(FR["Milestone"], exact=True).fill("Six cercles tenus")
    milestone.get_by_label(FR["What you will deliver"]).fill("Six vidéos publiées")
    milestone.get_by_label(FR["Due date"]).fill(_in_days(100))
    milestone.get_by_label(FR["Tranche paid when it is approved"]).fill("3 000")
    check_accessibility(lead)
    lead.get_by_role("button", name=FR["Submit the proposal"]).click()
    expect(heading(lead, "Cercles de parole")).to_be_visible()
    expect(flash(lead, FR["Your proposal is submitted. Your team has been told by email."])).to_be_visible()
    check_accessibility(lead)
    return _proposal_id(lead)


def _screen_and_assign(coordinator: Page, call_title: str, titles: list[str], people: dict) -> None:
    coordinator.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
    check_accessibility(coordinator)
    coordinator.get_by_role("link", name=f"Screen 2 proposals — {call_title}").click()
    expect(heading(coordinator, f"Screening: {call_title}")).to_be_visible()
    check_accessibility(coordinator)
    for title in titles:
        screened = coordinator.get_by_role("region", name=title)
        expect(screened.get_by_text("All checks pass.")).to_be_visible()
        screened.get_by_role("button", name="Pass to review").click()
        expect(flash(coordinator, f"“{title}” is passed to review. Assign its reviewers on the assignments page."))\
            .to_be_visible()
        check_accessibility(coordinator)
    expect(coordinator.get_by_text("No proposal waits for screening in this call.")).to_be_visible()

    coordinator.get_by_role("link", name="Assign reviewers to the proposals in review").click()
    expect(heading(coordinator, f"Reviewers: {call_title}")).to_be_visible()
    check_accessibility(coordinator)
    pool = coordinator.get_by_role("group", name=re.compile("^Reviewers to share the work"))
    for key in ("alex", "bea"):
        pool.get_by_role("checkbox", name=re.compile(f"^{people[key]['name']} ")).check()
    coordinator.get_by_role("button", name="Suggest assignments").click()
    suggested = coordinator.get_by_role("table", name="New reviewers suggested for each proposal")
    for title in titles:
        row = suggested.get_by_role("row").filter(has_text=title)
        expect(row).to_contain_text(people["alex"]["name"])
        expect(row).to_contain_text(people["bea"]["name"])
    check_accessibility(coordinator)
    coordinator.get_by_role("button", name="Assign as suggested").click()
    expect(flash(coordinator, "4 reviews are assigned. The reviewers have been told by email.")).to_be_visible()
    check_accessibility(coordinator)


def _declare_conflict(reviewer: Page, proposal_id: int, team_name: str) -> None:
    reviewer.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
    check_accessibility(reviewer)
    reviewer.get_by_role("link", name=f"Proposal #{proposal_id}").click()
    expect(heading(reviewer, "Do you have a conflict of interest with this team?", level=2)).to_be_visible()
    expect(reviewer.get_by_text(team_name, exact=True)).to_be_visible()
    check_accessibility(reviewer)
    reviewer.get_by_label("What is the conflict?").fill("My niece is in this team.")
    reviewer.get_by_role("button", name="I have a conflict").click()
    expect(flash(reviewer, "Thank you for telling us. You will not see this proposal; the coordinators will ask "
                           "someone else.")).to_be_visible()
    check_accessibility(reviewer)


def _score(reviewer: Page, proposal_id: int, title: str, levels: tuple[int, int], recommendation: str) -> None:
    reviewer.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
    check_accessibility(reviewer)
    reviewer.get_by_role("link", name=f"Proposal #{proposal_id}").click()
    expect(heading(reviewer, f"Review: Proposal #{proposal_id}")).to_be_visible()
    reviewer.get_by_role("button", name="I have no conflict, show me the proposal").click()
    expect(heading(reviewer, f"Review: {title}")).to_be_visible()
    check_accessibility(reviewer)
    for name, level in zip(("Relevance", "Feasibility"), levels, strict=True):
        criterion = reviewer.get_by_role("group", name=re.compile(f"^{name}"))
        criterion.get_by_role("radio", name=f"{level} — {LEVELS[level - 1]}").check()
    advice = reviewer.get_by_role("group", name=re.compile("^Your recommendation"))
    advice.get_by_role("radio", name=recommendation, exact=True).check()
    reviewer.get_by_label("Overall comment (optional)").fill(f"My review of “{title}”.")
    reviewer.get_by_role("button", name="Submit the review").click()
    expect(flash(reviewer, "Your review is submitted. Thank you.")).to_be_visible()
    check_accessibility(reviewer)


def _decide(funder: Page, call_id: int, call_title: str, awarded: str, changes: str) -> None:
    visit(funder, f"/calls/{call_id}/manage")
    funder.get_by_role("link", name="Ranking and decisions").click()
    expect(heading(funder, f"Ranking and decisions: {call_title}")).to_be_visible()
    check_accessibility(funder)
    table = funder.get_by_role("table", name=f"Proposals of “{call_title}”, best calibrated score first")
    expect(table.get_by_role("row")).to_have_count(3)  # the header and the two proposals

    decide = funder.get_by_role("region", name=awarded)
    decide.get_by_role("radio", name="Award").check()
    expect(decide.get_by_label("Amount to award")).to_have_value("4000")
    decide.get_by_label("Justification").fill("Clear plan, strong reviews.")
    decide.get_by_role("button", name=f"Record the decision on “{awarded}”").click()
    expect(flash(funder, f"“{awarded}” is awarded CA$4,000.00. The team has been told by email.")).to_be_visible()
    check_accessibility(funder)

    decide = funder.get_by_role("region", name=changes)
    decide.get_by_role("radio", name="Request changes").check()
    decide.get_by_label("Justification").fill("Tell us who the pupils are: which schools, how many.")
    decide.get_by_label("Reason for departing from the suggestion").fill("The audience is too vague to fund.")
    decide.get_by_role("button", name=f"Record the decision on “{changes}”").click()
    expect(flash(funder, f"Changes are requested on “{changes}”. The team has been told what to change by email."))\
        .to_be_visible()
    table = funder.get_by_role("table", name=f"Proposals of “{call_title}”, best calibrated score first")
    expect(table.get_by_role("row").filter(has_text=awarded)).to_contain_text("awarded CA$4,000.00")
    expect(table.get_by_role("row").filter(has_text=changes)).to_contain_text("changes requested")
    check_accessibility(funder)


def _resubmit_in_french(lead: Page, proposal_id: int) -> None:
    visit(lead, f"/proposals/{proposal_id}")
    expect(lead.get_by_text(FR["changes requested"]).first).to_be_visible()
    expect(lead.get_by_text("Tell us who the pupils are: which schools, how many.").first).to_be_visible()
    lead.get_by_role("link", name=FR["Edit the proposal"]).click()
    expect(heading(lead, FR["Edit the proposal"])).to_be_visible()
    check_accessibility(lead)
    lead.get_by_label(FR["Audience"]).fill("120 élèves de trois écoles secondaires de Montréal-Nord.")
    lead.get_by_role("button", name=FR["Resubmit the proposal"]).click()
    expect(flash(lead, FR["Your proposal is submitted. Your team has been told by email."])).to_be_visible()
    expect(lead.get_by_text(FR["in review"]).first).to_be_visible()
    expect(lead.locator("html")).to_have_attribute("lang", "fr")
    check_accessibility(lead)


def test_a_call_from_publication_to_award_and_resubmission(live_server, new_page):
    tag = uuid.uuid4().hex[:6]
    people = _accounts(live_server, tag)
    call_title = f"Bridges Not Walls {tag}"

    funder = _signed_in(new_page, people["funder"]["email"])
    call_id = _publish_call(funder, call_title)

    english = _signed_in(new_page, people["lead_en"]["email"])
    english_id = _draft_fail_fix_and_submit_in_english(english, call_title)
    french = _signed_in(new_page, people["lead_fr"]["email"], "fr-FR")
    french_id = _draft_and_submit_in_french(french, call_id)
    titles = {english_id: "Counter-Meme Studio", french_id: "Cercles de parole"}

    coordinator = _signed_in(new_page, people["coordinator"]["email"])
    _screen_and_assign(coordinator, call_title, list(titles.values()), people)

    # Alex declares a conflict with the English team, and reviews the French team's proposal.
    alex = _signed_in(new_page, people["alex"]["email"])
    _declare_conflict(alex, english_id, f"Respect Lab {tag}")
    _score(alex, french_id, titles[french_id], (3, 3), "Fund with changes")

    # The coordinator sees the conflict and asks Chen instead.
    visit(coordinator, f"/reviews/calls/{call_id}/assignments")
    english_reviewers = coordinator.get_by_role("table", name=f"Reviewers of “{titles[english_id]}”")
    expect(english_reviewers.get_by_role("row").filter(has_text=people["alex"]["name"])) \
        .to_contain_text("My niece is in this team.")
    panel = coordinator.get_by_role("region", name=titles[english_id])
    panel.get_by_label("Reviewer to add").select_option(label=people["chen"]["name"])
    panel.get_by_role("button", name="Add reviewer").click()
    english_reviewers = coordinator.get_by_role("table", name=f"Reviewers of “{titles[english_id]}”")
    expect(english_reviewers.get_by_role("row").filter(has_text=people["chen"]["name"])).to_be_visible()
    check_accessibility(coordinator)

    bea = _signed_in(new_page, people["bea"]["email"])
    _score(bea, english_id, titles[english_id], (5, 4), "Fund")
    _score(bea, french_id, titles[french_id], (3, 2), "Fund with changes")
    chen = _signed_in(new_page, people["chen"]["email"])
    _score(chen, english_id, titles[english_id], (4, 5), "Fund")

    # The funder's bank transfer reaches the pool; the coordinator records it.
    visit(coordinator, f"/calls/{call_id}/manage")
    coordinator.get_by_role("link", name="Money: contributions, grants and payments").click()
    expect(heading(coordinator, f"Money: {call_title}")).to_be_visible()
    check_accessibility(coordinator)
    coordinator.get_by_label("Amount received").fill("10 000")
    coordinator.get_by_label("Received from").fill("Fondation Passerelle")
    coordinator.get_by_label("Reference of the transfer").fill("VIR-2027-001")
    coordinator.get_by_role("button", name="Credit the pool").click()
    expect(flash(coordinator, "CA$10,000.00 from Fondation Passerelle is credited to the pool.")).to_be_visible()
    check_accessibility(coordinator)

    _decide(funder, call_id, call_title, awarded=titles[english_id], changes=titles[french_id])
    funder.get_by_role("link", name="Money: contributions, grants and payments").click()
    expect(heading(funder, f"Money: {call_title}")).to_be_visible()
    grants = funder.get_by_role("table", name="Grants of this call, oldest first")
    expect(grants.get_by_role("row").filter(has_text=titles[english_id])).to_contain_text("CA$4,000.00")
    check_accessibility(funder)
    _resubmit_in_french(french, french_id)

    # Béa opens the resubmitted proposal and sees what changed since she read it.
    visit(bea, "/reviews/")
    bea.get_by_role("link", name=titles[french_id]).click()
    changed = bea.get_by_role("region", name=re.compile("^What changed since you read version 1"))
    expect(changed).to_contain_text("Audience")
    expect(changed.locator("ins").filter(has_text="trois écoles secondaires de")).to_be_visible()
    expect(changed.locator("del").filter(has_text="Des")).to_be_visible()
    check_accessibility(bea)

    # Each proposal's history shows every step, with who made it.
    visit(english, f"/proposals/{english_id}")
    history = english.get_by_role("table", name="Who changed what, and when, oldest first")
    for step in ("started the draft", "From draft to submitted.", "From submitted to in review.",
                 "From in review to awarded."):
        expect(history.get_by_role("row").filter(has_text=step)).to_have_count(1)
    expect(history.get_by_role("row").filter(has_text="From in review to awarded.")) \
        .to_contain_text(people["funder"]["name"])
    english.get_by_role("link", name="the grant's tranches and payments").click()
    expect(heading(english, "Grant: Counter-Meme Studio")).to_be_visible()
    expect(english.get_by_role("table", name="Tranches in the order of the milestones")).to_contain_text(
        "Twenty memes online")
    check_accessibility(english)
    visit(coordinator, f"/proposals/{french_id}")
    history = coordinator.get_by_role("table", name="Who changed what, and when, oldest first")
    for step in ("From draft to submitted.", "From submitted to in review.", "From in review to changes requested.",
                 "From changes requested to in review."):
        expect(history.get_by_role("row").filter(has_text=step)).to_have_count(1)
    expect(history.get_by_role("row").filter(has_text="From in review to changes requested.")) \
        .to_contain_text("Tell us who the pupils are")
