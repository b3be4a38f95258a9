"""Trust and safety: reports and their triage queue, moderation decisions with statements of reasons, appeals,
flagged terms, how moderated content is shown, and the public transparency report."""

from flask import Flask


def register_safety(app: Flask) -> None:
    from app.safety import moderation_views, transparency_views, views
    from app.safety.cli import safety_cli
    from app.safety.visibility import moderation_view, warned

    app.register_blueprint(views.bp)
    app.register_blueprint(moderation_views.bp)
    app.register_blueprint(transparency_views.bp)
    app.jinja_env.globals["moderation_view"] = moderation_view
    app.jinja_env.globals["warned"] = warned
    app.cli.add_command(safety_cli)
