"""The portal in French: chosen by the browser's language, or with the switch in the header."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, check_accessibility
from tests.e2e.steps import flash, heading, visit

pytestmark = pytest.mark.e2e


def test_a_french_speaking_browser_gets_the_sign_up_journey_in_french(page_fr, email_link, unique_email):
    page, email = page_fr, unique_email("fr")
    visit(page, "/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(heading(page, "Des projets numériques menés par des jeunes pour la paix et la tolérance")).to_be_visible()

    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="S'inscrire").click()
    expect(heading(page, "Créer votre compte")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Votre nom").fill("Élodie Martin")
    page.get_by_label("Adresse courriel", exact=True).fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Date de naissance").fill("1997-02-14")
    page.get_by_label("Pays où vous habitez").select_option(label="France")
    expect(page.get_by_label("Langue préférée")).to_have_value("fr")
    page.get_by_label("J'ai lu le code de conduite et je l'accepte").check()
    page.get_by_role("button", name="Créer le compte").click()

    expect(heading(page, "Consultez vos courriels")).to_be_visible()
    check_accessibility(page)
    visit(page, email_link(email, "confirm_email"))
    expect(flash(page, "Votre adresse courriel est confirmée.")).to_be_visible()
    expect(heading(page, "Se connecter")).to_be_visible()
    page.get_by_label("Adresse courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(heading(page, "Bonjour, Élodie")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    check_accessibility(page)


def test_the_language_switch_in_the_header_changes_the_page_language(page):
    visit(page, "/signin")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(heading(page, "Sign in")).to_be_visible()

    page.get_by_role("banner").get_by_role("link", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(heading(page, "Se connecter")).to_be_visible()  # still on the same page
    expect(page.get_by_label("Adresse courriel")).to_be_visible()
    check_accessibility(page)

    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="S'inscrire").click()
    expect(heading(page, "Créer votre compte")).to_be_visible()  # the choice stays for the next pages
    check_accessibility(page)

    page.get_by_role("banner").get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(heading(page, "Create your account")).to_be_visible()
    check_accessibility(page)
