"""Health checks for load balancers and process managers, one log line per request, and trust in the proxy's
forwarded headers only when a proxy is configured."""

from flask import Flask


def register_health(app: Flask) -> None:
    from app.health.requestlog import register_request_log
    from app.health.views import bp

    app.register_blueprint(bp)
    register_request_log(app)
    proxies = app.config.get("TRUSTED_PROXIES") or 0
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
