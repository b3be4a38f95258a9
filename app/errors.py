"""Error pages (HTML, or JSON for clients that ask for it); no request answers with a traceback."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger("passerelle")

MESSAGES = {
    400: (_l("Something in the request was not right"),
          _l("The page could not understand what was sent. Go back, check the form and try again.")),
    403: (_l("You are not allowed to do this"),
          _l("Your account does not have permission for this page or action. If you think it should, "
             "ask a coordinator.")),
    404: (_l("Page not found"),
          _l("There is nothing at this address. It may have moved, or the link may be mistyped.")),
    405: (_l("This action is not possible here"),
          _l("The page does not accept this kind of request.")),
    429: (_l("Too many attempts"),
          _l("You tried this too often in a short time. Wait a few minutes, then try again.")),
    500: (_l("Something went wrong on our side"),
          _l("We could not finish your request. Nothing you did caused this. Please try again in a moment.")),
}
CSRF_MESSAGE = _l("Your form expired or was sent from another site. Go back, reload the page and send it again.")


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def render_error(status: int, detail=None):
    title, text = MESSAGES.get(status, MESSAGES[500] if status >= 500 else MESSAGES[400])
    if detail is not None:
        text = detail
    if _wants_json():
        return jsonify(error={"status": status, "title": str(title), "message": str(text)}), status
    try:
        return render_template("errors/error.html", status=status, title=title, text=text), status
    except Exception:  # a broken template must not turn an error page into a crash
        log.exception("error page failed to render")
        return f"{status} {title}", status, {"Content-Type": "text/plain; charset=utf-8"}


def register_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        response = make_response(render_error(status))
        # A 405 must say which methods the page accepts (RFC 9110, 15.5.6).
        for name, value in error.get_headers():
            if name.lower() == "allow":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        log.exception("unhandled error on %s %s", request.method, request.path)
        from app import db

        try:
            db.session.rollback()
        except Exception:
            log.exception("rollback after error failed")
        return render_error(500)

    app.register_error_handler(InternalServerError, lambda error: render_error(500))
