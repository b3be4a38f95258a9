"""Markdown written by users (proposals, feedback, messages), turned into HTML that is safe to show.

Two layers, so that a bug in one is not a hole: markdown-it never emits raw HTML or links it does not trust,
and nh3 then keeps only an allow-list of tags and attributes whatever came out.
"""

from __future__ import annotations

import nh3
from flask import Flask
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h2", "h3", "h4", "hr",
    "table", "thead", "tbody", "tr", "th", "td",
}
# `start` keeps "3. ..." numbered from 3, as written.
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener ugc"
# The page's own title is the h1; user headings start one level below it and stop at h4.
_TOP_HEADING, _BOTTOM_HEADING = 2, 4


def _is_allowed_link(url: str) -> bool:
    """Absolute http(s) and mailto only: relative links would point into the portal under the user's words."""
    return url.lower().startswith(("http://", "https://", "mailto:"))


def _make_parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    # An image would make every reader's browser fetch a URL chosen by the writer; `![alt](url)` becomes a link.
    parser.disable("image")
    parser.validateLink = _is_allowed_link
    return parser


_parser = _make_parser()


def _shift_headings_and_rename_strikethrough(tokens) -> None:
    """markdown-it writes strikethrough as <s>; <del> is the one tag the sanitiser keeps for it."""
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = int(token.tag[1]) + _TOP_HEADING - 1
            token.tag = f"h{min(level, _BOTTOM_HEADING)}"
        elif token.type in ("s_open", "s_close"):
            token.tag = "del"
        if token.children:
            _shift_headings_and_rename_strikethrough(token.children)


def render_markdown(text: str | None) -> Markup:
    if not text:
        return Markup("")
    env: dict = {}
    tokens = _parser.parse(text, env)
    _shift_headings_and_rename_strikethrough(tokens)
    html = _parser.renderer.render(tokens, _parser.options, env)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
    # Safe to mark as HTML: nh3 just above kept only an allow-list of tags, attributes and URL schemes.
    return Markup(clean)  # noqa: S704  # nosec B704


def register_markdown(app: Flask) -> None:
    app.add_template_filter(render_markdown, "markdown")
