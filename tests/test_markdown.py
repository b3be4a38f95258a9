"""User Markdown: formatting survives, anything that could run or load in a reader's browser does not."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from flask import Flask, render_template_string
from markupsafe import Markup

from app.markdown import register_markdown, render_markdown


def html(text: str) -> str:
    return str(render_markdown(text))


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(text: str) -> list[tuple[str, dict[str, str | None]]]:
    """The tags a browser would build from the output, with their attributes; escaped text is not a tag."""
    parser = _Elements()
    parser.feed(html(text))
    parser.close()
    return parser.found


def test_returns_markup_so_templates_do_not_escape_it_twice():
    assert isinstance(render_markdown("**hi**"), Markup)
    assert render_markdown("") == Markup("")
    assert render_markdown(None) == Markup("")


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "hello <script src=https://evil.example/x.js></script> world",
        "<SCRIPT>alert(1)</SCRIPT>",
        "```\n</code></pre><script>alert(1)</script>\n```",
        "<div>\n<script>alert(1)</script>\n</div>",
    ],
)
def test_script_tags_never_come_out(text):
    assert "script" not in [tag for tag, _ in elements(text)]
    assert "<script" not in html(text).lower()


@pytest.mark.parametrize(
    "text",
    [
        '<img src=x onerror="alert(1)">',
        '<a href="https://example.org" onclick="alert(1)">x</a>',
        '<p onmouseover="alert(1)">hover</p>',
        '[link](https://example.org "title\\" onmouseover=\\"alert(1)")',
        "<svg onload=alert(1)>",
    ],
)
def test_event_handler_attributes_never_come_out(text):
    found = elements(text)
    assert not [tag for tag, _ in found if tag in ("img", "svg")]
    assert not [name for _, attributes in found for name in attributes if name.startswith("on")]


@pytest.mark.parametrize(
    "text",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](java\tscript:alert(1))",
        "[click](&#106;avascript:alert(1))",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<javascript:alert(1)>",
        "[click][ref]\n\n[ref]: javascript:alert(1)",
        '<a href="javascript:alert(1)">click</a>',
    ],
)
def test_dangerous_urls_never_become_links(text):
    assert not [attributes for _, attributes in elements(text) if "href" in attributes]


def test_relative_links_are_not_made_into_links():
    assert "href" not in html("[admin](/admin/users) [up](../x) [frag](#top) [proto](//evil.example)")


def test_images_are_not_loaded_but_the_address_stays_visible():
    out = html("![a tracking pixel](https://evil.example/pixel.gif)")

    assert "<img" not in out
    assert 'href="https://evil.example/pixel.gif"' in out
    assert "a tracking pixel" in out


def test_allowed_formatting_is_kept():
    out = html(
        "Some **bold**, *italic*, ~~struck~~ and `code`.  \nNew line.\n\n"
        "> a quote\n\n"
        "- one\n- two\n\n"
        "3. three\n4. four\n\n"
        "---\n\n"
        "```python\nprint('<hi>')\n```\n\n"
        "| Name | Score |\n| :--- | ---: |\n| Ana | 9 |\n"
    )

    for fragment in (
        "<strong>bold</strong>",
        "<em>italic</em>",
        "<del>struck</del>",
        "<code>code</code>",
        "<br>",
        "<blockquote>\n<p>a quote</p>\n</blockquote>",
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>",
        '<ol start="3">\n<li>three</li>',
        "<hr>",
        "<pre><code>print('&lt;hi&gt;')\n</code></pre>",
        "<table>",
        "<thead>",
        "<tbody>",
        "<th>Name</th>",
        "<td>9</td>",
    ):
        assert fragment in out, fragment
    assert "style=" not in out
    assert "class=" not in out


def test_raw_html_is_shown_as_text_not_interpreted():
    assert html("<b>bold?</b>") == "<p>&lt;b&gt;bold?&lt;/b&gt;</p>\n"


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("# Title", "h2"),
        ("## Part", "h3"),
        ("### Section", "h4"),
        ("#### Deep", "h4"),
        ("###### Deepest", "h4"),
        ("Title\n=====", "h2"),
        ("Part\n----", "h3"),
    ],
)
def test_headings_start_below_the_page_title(text, tag):
    out = html(text)

    assert out.startswith(f"<{tag}>")
    assert out.rstrip().endswith(f"</{tag}>")
    assert "<h1" not in out


def test_links_are_marked_as_user_content():
    out = html('[our site](https://example.org/a?b=1&c=2 "Visit") and <mailto:team@example.org>')

    assert (
        '<a href="https://example.org/a?b=1&amp;c=2" title="Visit" rel="nofollow noopener ugc">our site</a>' in out
    )
    assert '<a href="mailto:team@example.org" rel="nofollow noopener ugc">' in out


def test_the_template_filter_renders_safely():
    app = Flask(__name__)
    register_markdown(app)

    with app.app_context():
        out = render_template_string("{{ text|markdown }}", text="**hi** <script>x</script>")

    assert out == "<p><strong>hi</strong> &lt;script&gt;x&lt;/script&gt;</p>\n"
