"""Two-factor sign-in in a real browser: a funder (whose role requires it) signs in and is sent to its setup,
scans the key (read off the page), confirms a code, keeps the recovery codes as a file, signs out and back in
with a code; then, from a French-speaking browser, signs in with a recovery code, sees where the account is
signed in and signs out everywhere else."""

from __future__ import annotations

import time

import pyotp
import pytest
from playwright.sync_api import expect

from app import db
from app.twofactor import totp
from tests import factories
from tests.e2e.conftest import check_accessibility
from tests.e2e.french import FR
from tests.e2e.steps import flash, heading, sign_in, visit

pytestmark = pytest.mark.e2e


@pytest.fixture
def two_factor_required(live_server):
    """The live server is shared by every journey of this worker: require two-factor for this one only."""
    config = live_server.app.config
    saved = config["TWO_FACTOR_REQUIRED_ROLES"]
    config["TWO_FACTOR_REQUIRED_ROLES"] = ("coordinator", "funder")
    yield
    config["TWO_FACTOR_REQUIRED_ROLES"] = saved


def _next_code(secret: str) -> str:
    """The code the app shows in the next 30 seconds: newer than any used so far, and still accepted now."""
    return totp.code_at(secret, totp.step_at(time.time()) + 1)


def test_a_funder_sets_up_two_factor_and_signs_in_with_a_code(live_server, new_page, unique_email,
                                                                two_factor_required):
    email = unique_email("funder")
    with live_server.app.app_context():
        factories.create_user("funder", email=email, name="Fatima Benali")
        db.commit()

    # Signing in with the password alone leads to the setup, whatever page is asked for.
    laptop = new_page()
    visit(laptop, "/signin")
    sign_in(laptop, email, factories.PASSWORD)
    expect(heading(laptop, "Set up two-factor sign-in")).to_be_visible()
    expect(laptop.get_by_text("Your role on Passerelle requires two-factor sign-in.")).to_be_visible()
    expect(laptop.get_by_role("img", name="QR code to scan with your authenticator app")).to_be_visible()
    check_accessibility(laptop)
    laptop.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(heading(laptop, "Set up two-factor sign-in")).to_be_visible()

    # The phone's app gets the key typed by hand and shows a code.
    secret = laptop.locator("code.setup-key").inner_text().replace(" ", "")
    laptop.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    laptop.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(heading(laptop, "Your recovery codes")).to_be_visible()
    expect(flash(laptop, "Two-factor sign-in is on. Other devices were signed out: sign in there with a code.")
           ).to_be_visible()
    codes = [code.strip() for code in laptop.locator("ol.recovery-codes code").all_inner_texts()]
    assert len(codes) == 10
    check_accessibility(laptop)
    with laptop.expect_download() as download_info:
        laptop.get_by_role("button", name="Download them as a text file").click()
    download = download_info.value
    assert download.suggested_filename == "passerelle-recovery-codes.txt"
    with open(download.path(), encoding="utf-8") as saved:
        kept = saved.read()
    assert all(code in kept for code in codes)
    laptop.get_by_role("link", name="I have saved my codes").click()
    expect(heading(laptop, "Hello, Fatima")).to_be_visible()
    check_accessibility(laptop)

    # Signing out and back in: the password, then a code.
    laptop.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out").click()
    expect(flash(laptop, "You are signed out.")).to_be_visible()
    visit(laptop, "/signin")
    sign_in(laptop, email, factories.PASSWORD)
    expect(heading(laptop, "Enter your code")).to_be_visible()
    check_accessibility(laptop)
    laptop.get_by_label("Code", exact=True).fill("000000")
    laptop.get_by_role("button", name="Sign in").click()
    expect(laptop.get_by_text("That code is not right.").first).to_be_visible()
    check_accessibility(laptop)
    laptop.get_by_label("Code", exact=True).fill(_next_code(secret))
    laptop.get_by_role("button", name="Sign in").click()
    expect(heading(laptop, "Hello, Fatima")).to_be_visible()

    # A French-speaking browser, the phone left at home: a recovery code.
    phone = new_page("fr-FR")
    visit(phone, "/signin")
    expect(heading(phone, FR["Sign in"])).to_be_visible()
    phone.get_by_label(FR["Email address"]).fill(email)
    phone.get_by_label(FR["Password"]).fill(factories.PASSWORD)
    phone.get_by_role("button", name=FR["Sign in"]).click()
    expect(heading(phone, FR["Enter your code"])).to_be_visible()
    check_accessibility(phone)
    phone.get_by_label(FR["Code"], exact=True).fill(codes[0])
    phone.get_by_role("button", name=FR["Sign in"]).click()
    expect(phone.get_by_role("status")).to_contain_text("recovery code")  # her account speaks English
    phone.get_by_role("banner").get_by_role("button", name="Français").click()

    # The account page lists both browsers; the French one signs out everywhere else.
    phone.get_by_role("navigation", name=FR["Main"]).get_by_role("link", name=FR["My account"]).click()
    expect(heading(phone, FR["Where you are signed in"], level=2)).to_be_visible()
    sessions_table = phone.get_by_role("region", name=FR["Where you are signed in"])
    expect(sessions_table.get_by_role("row")).to_have_count(3)  # the header and two sessions
    expect(sessions_table.get_by_text(FR["this device"])).to_have_count(1)
    check_accessibility(phone)
    phone.get_by_role("button", name=FR["Sign out everywhere else"]).click()
    expect(flash(phone, FR["You are signed out everywhere else. This device stays signed in."])).to_be_visible()
    expect(phone.get_by_role("region", name=FR["Where you are signed in"]).get_by_role("row")).to_have_count(2)
    check_accessibility(phone)

    laptop.reload()
    expect(heading(laptop, "Sign in")).to_be_visible()
