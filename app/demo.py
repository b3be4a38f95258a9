"""`flask demo load`: people, teams and consent a newcomer can explore right after `make run`."""

from __future__ import annotations

from datetime import date, timedelta

import click
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from app import db

demo_cli = AppGroup("demo", help="Demonstration data.")

DEMO_PASSWORD = "passerelle-demo"  # noqa: S105 - printed for the demo on purpose
DEMO_DOMAIN = "demo.passerelle.org"


def _years_ago(years: int, days: int = 40) -> date:
    today = date.today()
    return today.replace(year=today.year - years) - timedelta(days=days)


PEOPLE = [
    # key, name, roles, age, country, region, locale, timezone
    ("coordinator", "Camille Tremblay", ["coordinator"], 38, "CA", "CA-QC", "fr", "America/Toronto"),
    ("funder", "Fatima Benali", ["funder"], 45, "FR", None, "fr", "Europe/Paris"),
    ("mentor1", "Marc Gagnon", ["mentor"], 31, "CA", "CA-QC", "fr", "America/Toronto"),
    ("mentor2", "Ana Souza", ["mentor"], 29, "US", None, "en", "America/New_York"),
    ("mentor3", "Karim Mansour", ["mentor"], 36, "CA", "CA-QC", "fr", "America/Toronto"),
    ("lea", "Léa Nguyen", ["youth"], 17, "CA", "CA-QC", "fr", "America/Toronto"),
    ("sami", "Sami Haddad", ["youth"], 13, "CA", "CA-QC", "fr", "America/Toronto"),
    ("guardian", "Nadia Haddad", ["guardian"], 44, "CA", "CA-QC", "fr", "America/Toronto"),
    ("jordan", "Jordan Lee", ["youth"], 19, "US", None, "en", "America/Chicago"),
    ("priya", "Priya Patel", ["youth"], 20, "US", None, "en", "America/Chicago"),
]


# Coordinators and funders must sign in with two factors (TWO_FACTOR_REQUIRED_ROLES): their demo accounts
# have it on with these published keys, so add one to an authenticator app or run `flask demo code <key>`.
DEMO_TOTP_SECRETS = {
    "coordinator": "PASSERELLEDEMOCOORDINATORKEYAAAA",  # noqa: S105 - printed for the demo on purpose
    "funder": "PASSERELLEDEMOFUNDERKEYAAAAAAAAA",  # noqa: S105 - printed for the demo on purpose
}


def demo_email(key: str) -> str:
    return f"{key}@{DEMO_DOMAIN}"


@demo_cli.command("load")
@with_appcontext
def load():
    """Load the demo data into an empty database, then print the sign-ins."""
    from app.accounts.models import User

    if db.session.scalar(select(func.count()).select_from(User)):
        click.echo("The database already holds accounts; demo data not loaded.")
    else:
        load_demo_data()
        db.commit()
        click.echo("Demo data loaded.")
    print_sign_ins()


@demo_cli.command("scale")
@click.option("--proposals", type=click.IntRange(min=20), default=1_000, show_default=True,
              help="How many proposals; everything else is in proportion.")
@click.option("--seed", type=int, default=2016, show_default=True, help="The same seed gives the same data.")
@with_appcontext
def scale(proposals: int, seed: int):
    """Fill the database with a whole programme of synthetic data (bulk inserts), then print sign-ins."""
    import time

    from app import scaledata

    started = time.perf_counter()
    loaded = scaledata.load(proposals, seed=seed)
    db.commit()
    scaledata.analyze()
    click.echo(f"Loaded {sum(loaded.rows.values()):,} rows for {loaded.sizes.proposals:,} proposals "
               f"in {time.perf_counter() - started:.1f} s:")
    for table, count in sorted(loaded.rows.items()):
        click.echo(f"  {table:<28} {count:>9,}")
    click.echo("")
    click.echo(f"Sign-ins (password for all: {scaledata.PASSWORD}):")
    for sign_in in loaded.sign_ins:
        click.echo(f"  {sign_in.role:<12} {sign_in.email:<40} {sign_in.name:<22} {sign_in.note}")


def load_demo_data() -> None:
    from app.accounts import services as accounts
    from app.accounts.models import RoleGrant, User
    from app.accounts.passwords import hash_password
    from app.calls.demo import load_demo_calls
    from app.db import utcnow
    from app.ledger.demo import load_demo_ledger
    from app.mentoring.demo import load_demo_mentoring
    from app.projects.demo import load_demo_projects
    from app.proposals.demo import load_demo_proposals
    from app.reviews.demo import load_demo_reviews
    from app.teams import services as teams

    password_hash = hash_password(DEMO_PASSWORD)
    users: dict[str, User] = {}
    for key, name, roles, age, country, region, locale, timezone in PEOPLE:
        user = User(email=demo_email(key), display_name=name, password_hash=password_hash,
                    birth_date=_years_ago(age), country=country, region=region, locale=locale,
                    timezone=timezone, conduct_accepted_at=utcnow(), email_confirmed_at=utcnow())
        user.role_grants.extend(RoleGrant(role=role) for role in roles)
        if key in DEMO_TOTP_SECRETS:
            user.totp_secret, user.totp_enabled_at = DEMO_TOTP_SECRETS[key], utcnow()
        db.session.add(user)
        users[key] = user
    db.session.flush()

    # Sami is 13 in Québec: his mother Nadia has consented to his taking part, being mentored and appearing in
    # the showcase (not to photos), and Sami has agreed to the same himself.
    from app.consents import services as consents

    consent = accounts.request_consent(users["sami"], users["guardian"].email)
    accounts.decide_consent(consent, users["guardian"], give=True, purposes=("mentoring", "showcase"),
                            text="Demo consent recorded when the demo data was loaded.")
    for purpose in ("mentoring", "showcase"):
        consents.give(users["sami"], users["sami"], purpose, given_as="self")

    voices = teams.create_team(users["lea"], name="Les Voix du Quartier", country="CA", languages=["fr", "en"],
                               description="Des balados où des jeunes de Montréal racontent comment ils "
                                           "répondent aux discours haineux en ligne.")
    invitation = teams.invite(users["lea"], voices, users["sami"].email)
    teams.accept_invitation(users["sami"], invitation)

    collective = teams.create_team(users["jordan"], name="Counter-Narrative Collective", country="US",
                                   languages=["en", "es"],
                                   description="Short videos that take apart extremist memes, made with "
                                               "students from three high schools.")
    invitation = teams.invite(users["jordan"], collective, users["priya"].email)
    teams.accept_invitation(users["priya"], invitation)
    teams.invite(users["jordan"], collective, f"newcomer@{DEMO_DOMAIN}")

    calls = load_demo_calls(users)
    load_demo_ledger(users, calls, {"voices": voices, "collective": collective})
    proposals = load_demo_proposals(users, [voices, collective], calls)
    load_demo_reviews(users, proposals)
    load_demo_mentoring(users, {"voices": voices, "collective": collective})
    load_demo_projects(users, {"voices": voices, "collective": collective})


def print_sign_ins() -> None:
    click.echo("")
    click.echo(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
    for key, name, roles, age, *_rest in PEOPLE:
        click.echo(f"  {demo_email(key):<34} {name:<18} {', '.join(roles)}, {age} years old")
    click.echo("")
    click.echo("Two-factor sign-in is on for these; add the key to an authenticator app, or print the code of "
               "the moment with `flask demo code coordinator` (or funder):")
    for key, secret in DEMO_TOTP_SECRETS.items():
        click.echo(f"  {demo_email(key):<34} key {secret}")
    click.echo("")


@demo_cli.command("code")
@click.argument("key", type=click.Choice(sorted(DEMO_TOTP_SECRETS)))
def code(key: str):
    """Print the current two-factor code of a demo account, as its authenticator app would show it."""
    import pyotp

    click.echo(pyotp.TOTP(DEMO_TOTP_SECRETS[key]).now())
