"""The audit log: coordinators read, filter and export every entry; nothing in the portal changes or removes one."""

from flask import Flask


def register_auditlog(app: Flask) -> None:
    from app.auditlog import append_only
    from app.auditlog.views import bp

    append_only.install()
    app.register_blueprint(bp)
