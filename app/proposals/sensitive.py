"""Files a team marked sensitive: a warning page first, the file only once the person chooses to open it.

Shared by the three routes that serve a team's files: a proposal's attachments (the team, its mentors and the
call's managers), the same attachments for an assigned reviewer, and a milestone's evidence.
"""

from __future__ import annotations

from flask import render_template, request, url_for

from app.storage import send_stored

# The parameter the "Open the file" link carries: without it a sensitive file is never served.
CONFIRM = "open"


def serve_or_warn(item, *, back: str):
    """The stored file; for a sensitive one, first the warning page, whose link comes back with the confirmation."""
    if item.sensitive and request.args.get(CONFIRM) != "1":
        open_url = url_for(request.endpoint, **(request.view_args or {}), **{CONFIRM: "1"})
        return render_template("proposals/sensitive_file.html", item=item, open_url=open_url, back=back)
    return send_stored(item.storage_key, filename=item.filename, content_type=item.content_type)
