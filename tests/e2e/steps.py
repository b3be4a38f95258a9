"""Steps a person takes in the browser, found by label and role only; each page visited is checked by axe."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD, check_accessibility


def visit(page: Page, path: str) -> None:
    page.goto(path)
    check_accessibility(page)


def heading(page: Page, text: str, level: int = 1):
    return page.get_by_role("heading", name=text, level=level, exact=True)


def flash(page: Page, text: str):
    return page.get_by_role("status").get_by_text(text, exact=True)


def fill_sign_up(page: Page, *, name: str, email: str | None, birth_date: str = "1998-04-12",
                 country: str = "Canada", region: str | None = None, guardian_email: str | None = None,
                 password: str = PASSWORD) -> None:
    """Fill the English sign-up form (a None email keeps the one already there) and send it."""
    expect(heading(page, "Create your account")).to_be_visible()
    page.get_by_label("Your name").fill(name)
    if email is not None:
        page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Date of birth").fill(birth_date)
    page.get_by_label("Country where you live").select_option(label=country)
    if region:
        page.get_by_label("Province or region").select_option(label=region)
    if guardian_email:
        page.get_by_label("Your parent or guardian's email address").fill(guardian_email)
    page.get_by_label("I have read and accept the code of conduct").check()
    page.get_by_role("button", name="Create account").click()


def sign_up_and_confirm(page: Page, email_link, *, name: str, email: str, **fields) -> None:
    """Sign up from the home page, then open the confirmation link from the outbox."""
    visit(page, "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up").click()
    expect(heading(page, "Create your account")).to_be_visible()
    check_accessibility(page)
    fill_sign_up(page, name=name, email=email, **fields)
    expect(heading(page, "Check your email")).to_be_visible()
    check_accessibility(page)
    visit(page, email_link(email, "confirm_email"))
    expect(flash(page, "Your email address is confirmed.")).to_be_visible()
    expect(heading(page, "Sign in")).to_be_visible()


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in from the sign-in page the browser is on."""
    expect(heading(page, "Sign in")).to_be_visible()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def expect_dashboard(page: Page, first_name: str) -> None:
    expect(heading(page, f"Hello, {first_name}")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/dashboard(#main)?$"))
    check_accessibility(page)


def signed_in(new_page, email: str, locale: str = "en-US") -> Page:
    """A new browser context in that language, signed in as the person (factories' password)."""
    from tests import factories
    from tests.e2e.french import FR

    page = new_page(locale)
    visit(page, "/signin")
    if locale.startswith("fr"):
        page.get_by_label(FR["Email address"]).fill(email)
        page.get_by_label(FR["Password"]).fill(factories.PASSWORD)
        page.get_by_role("button", name=FR["Sign in"]).click()
        expect(page.get_by_role("navigation", name=FR["Main"])).to_be_visible()
    else:
        sign_in(page, email, factories.PASSWORD)
        expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    return page
