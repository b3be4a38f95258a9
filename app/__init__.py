"""The Passerelle application factory."""

from __future__ import annotations

from flask import Flask

from config import BASE_DIR, Config, config_from_env


def create_app(config: type[Config] | None = None, **overrides) -> Flask:
    config = config or config_from_env()
    config.check()
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
        instance_path=str(BASE_DIR / "instance"),
    )
    app.config.from_object(config)
    app.config.update(overrides)

    from app import cli, errors, i18n, jobs, security
    from app.accounts import register_accounts
    from app.admin import register_admin
    from app.auditlog import register_auditlog
    from app.calls import register_calls
    from app.consents import register_consents
    from app.core import register_core
    from app.db import register_database
    from app.decisions import register_decisions
    from app.health import register_health
    from app.impact import register_impact
    from app.ledger import register_ledger
    from app.markdown import register_markdown
    from app.mentoring import register_mentoring
    from app.mentors import register_mentors
    from app.notices import register_notices
    from app.payments import register_payments
    from app.privacy import register_privacy
    from app.projects import register_projects
    from app.proposals import register_proposals
    from app.reviews import register_reviews
    from app.safety import register_safety
    from app.search import register_search
    from app.showcase import register_showcase
    from app.teams import register_teams
    from app.teamspace import register_teamspace
    from app.twofactor import register_twofactor

    _register_logging(app)
    register_database(app)
    register_health(app)
    jobs.register_jobs(app)
    security.register_security(app)
    i18n.register_i18n(app)
    register_markdown(app)
    register_accounts(app)
    register_twofactor(app)
    register_teams(app)
    register_calls(app)
    register_proposals(app)
    register_reviews(app)
    register_decisions(app)
    register_ledger(app)
    register_impact(app)
    register_payments(app)
    register_projects(app)
    register_notices(app)
    register_mentors(app)
    register_mentoring(app)
    register_teamspace(app)
    register_consents(app)
    register_safety(app)
    register_privacy(app)
    register_search(app)
    register_showcase(app)
    register_admin(app)
    register_auditlog(app)
    register_core(app)
    errors.register_errors(app)
    cli.register_cli(app)
    return app


def _register_logging(app: Flask) -> None:
    """Our own loggers write INFO to stderr; with no SMTP server that is where emails appear."""
    import logging

    logger = logging.getLogger("passerelle")
    if not logger.handlers:
        handler = logging.StreamHandler()
        # The process id tells which of several workers wrote a line.
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s[%(process)d]: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO if not app.testing else logging.WARNING)
