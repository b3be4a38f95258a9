"""The public showcase: the projects whose teams chose to publish them, open to everyone without signing in."""

from flask import Flask


def register_showcase(app: Flask) -> None:
    from app.showcase.privacy import hidden_reason
    from app.showcase.views import bp, excerpt, host_of

    app.register_blueprint(bp)
    # Globals, not a context processor: the templates' imported macros see globals only.
    app.jinja_env.globals.update(showcase_hidden_reason=hidden_reason, showcase_excerpt=excerpt,
                                 showcase_host=host_of)
