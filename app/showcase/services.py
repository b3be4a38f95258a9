"""Showcase verbs: publish, update, unpublish. They flush and record the audit entry; the request commits."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import audit, db
from app.db import utcnow
from app.projects.models import Publication
from app.showcase.privacy import private_word_in, private_words
from app.validation import ValidationFailed

PUBLIC_GRANT_STATES = ("active", "completed")
MAX_LINKS = 5
MAX_SUMMARY = 2000
MAX_LABEL = 80
MAX_URL = 500


def url_problem(url: str) -> object | None:
    """Why an output link cannot be shown, or None: http(s) only, a real host, no spaces, no user name."""
    if len(url) > MAX_URL:
        return _l("Use at most %(num)d characters.", num=MAX_URL)
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is not None and parts.scheme.lower() not in ("http", "https"):
        return _l("Use an address that starts with https:// or http://.")
    if parts is None or not host or "." not in host.strip(".") or any(c.isspace() for c in url) \
            or parts.username is not None:
        return _l("Enter a full web address, like https://example.org/our-video.")
    return None


def _clean_links(links) -> list[dict]:
    return [{"label": (link.get("label") or "").strip(), "url": (link.get("url") or "").strip()} for link in links
            if (link.get("label") or "").strip() or (link.get("url") or "").strip()]


def check_publication(grant, summary: str, links: list[dict]) -> list[dict]:
    """The cleaned links, or ValidationFailed naming each field to fix (form ids: summary, links-0-url...)."""
    problems = []
    if grant.state not in PUBLIC_GRANT_STATES:
        problems.append((None, _l("Only an active or completed project can be shown in the showcase.")))
    if not summary.strip():
        problems.append(("summary", _l("Write a few sentences about the project for the public.")))
    elif len(summary) > MAX_SUMMARY:
        problems.append(("summary", _l("Use at most %(num)d characters.", num=MAX_SUMMARY)))
    cleaned = _clean_links(links)
    if len(cleaned) > MAX_LINKS:
        problems.append(("links", _l("Add at most %(num)d links.", num=MAX_LINKS)))
    words = private_words(grant.team.memberships)
    found = private_word_in(summary, words)
    if found:
        problems.append(("summary", _l("Remove “%(word)s”: %(reason)s.", word=found[0], reason=found[1])))
    for index, link in enumerate(links):
        label, url = (link.get("label") or "").strip(), (link.get("url") or "").strip()
        if not label and not url:
            continue
        if not label:
            problems.append((f"links-{index}-label", _l("Give the link a short text, like “Our video”.")))
        elif len(label) > MAX_LABEL:
            problems.append((f"links-{index}-label", _l("Use at most %(num)d characters.", num=MAX_LABEL)))
        elif found := private_word_in(label, words):
            problems.append((f"links-{index}-label",
                             _l("Remove “%(word)s”: %(reason)s.", word=found[0], reason=found[1])))
        if not url:
            problems.append((f"links-{index}-url", _l("Enter the web address the link opens.")))
        elif problem := url_problem(url):
            problems.append((f"links-{index}-url", problem))
    if problems:
        raise ValidationFailed(problems)
    return cleaned


def publication_of(grant) -> Publication | None:
    return db.session.scalar(select(Publication).where(Publication.grant_id == grant.id))


def publish(actor, grant, *, summary: str, links: list[dict]) -> Publication:
    """Show the project in the showcase (again), with this summary and these links."""
    cleaned = check_publication(grant, summary, links)
    publication = publication_of(grant)
    if publication is None:
        publication = Publication(grant_id=grant.id, summary=summary.strip(), links=cleaned)
        try:
            with db.session.begin_nested():  # a double click on "Publish"
                db.session.add(publication)
        except IntegrityError:
            publication = publication_of(grant)
    now = utcnow()
    publication.summary, publication.links = summary.strip(), cleaned
    publication.published, publication.published_by_id = True, actor.id
    publication.published_at = publication.updated_at = now
    db.session.flush()
    audit.record(actor, "showcase.published", publication, grant=grant.id, links=len(cleaned))
    _flag_if_matching(publication)
    return publication


def update(actor, publication: Publication, *, summary: str, links: list[dict]) -> Publication:
    """Change what a published project says; its place in the gallery (the publication date) stays."""
    cleaned = check_publication(publication.grant, summary, links)
    publication.summary, publication.links = summary.strip(), cleaned
    publication.updated_at = utcnow()
    db.session.flush()
    audit.record(actor, "showcase.updated", publication, grant=publication.grant_id, links=len(cleaned))
    _flag_if_matching(publication)
    return publication


def _flag_if_matching(publication: Publication) -> None:
    """Flagged terms send the public text to a coordinator's review; the page stays public."""
    from app.safety.terms import flag_if_matching

    text = "\n".join([publication.summary, *(f"{item['label']} {item['url']}" for item in publication.links or [])])
    flag_if_matching("showcase_page", publication.grant_id, text, publication.grant.team_id)


def unpublish(actor, publication: Publication, reason: str | None = None) -> None:
    """Take the project out of the showcase at once; what was written stays for a later publication."""
    if not publication.published:
        return
    publication.published = False
    publication.updated_at = utcnow()
    db.session.flush()
    audit.record(actor, "showcase.unpublished", publication, grant=publication.grant_id, reason=reason or None)
