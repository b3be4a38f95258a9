"""The SVG bar chart: named for screen readers, numbers in its description, text escaped, no script."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from app.dashboards.charts import BAR, INK, OUTLINE, Bar, Chart, render_svg, shorten

SVG = "{http://www.w3.org/2000/svg}"


def _contrast(foreground: str, background: str = "#ffffff") -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_chart_is_an_image_named_by_its_title_and_described_by_its_numbers():
    chart = Chart(key="pipeline", title="Proposals by state", bars=(Bar("draft", 2), Bar("submitted", 5)))

    svg = ET.fromstring(str(render_svg(chart)))

    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "pipeline-title"
    assert svg.find(f"{SVG}title").get("id") == "pipeline-title"
    assert svg.find(f"{SVG}title").text == "Proposals by state"
    assert svg.find(f"{SVG}desc").text == "draft: 2; submitted: 5"
    assert svg.get("aria-describedby") == "pipeline-desc"


def test_bars_are_as_long_as_their_values_and_a_zero_draws_no_bar():
    chart = Chart(key="c", title="T", bars=(Bar("a", 4), Bar("b", 2), Bar("c", 0)))

    svg = ET.fromstring(str(render_svg(chart)))

    widths = [float(rect.get("width")) for rect in svg.iter(f"{SVG}rect")]
    assert len(widths) == 2 and widths[0] == 2 * widths[1]
    labels = [text.text for text in svg.iter(f"{SVG}text")]
    assert labels == ["a", "4", "b", "2", "c", "0"]


def test_a_limit_is_an_outline_and_the_value_reads_value_over_limit():
    chart = Chart(key="load", title="Load", bars=(Bar("Ana", 1, 3),), description="Filled: active.")

    svg = ET.fromstring(str(render_svg(chart)))

    outline, filled = list(svg.iter(f"{SVG}rect"))
    assert outline.get("fill") == "none" and outline.get("stroke") == OUTLINE
    assert abs(float(outline.get("width")) - 3 * float(filled.get("width"))) < 0.5
    assert "1 / 3" in [text.text for text in svg.iter(f"{SVG}text")]
    assert svg.find(f"{SVG}desc").text == "Filled: active. Ana: 1 / 3"


def test_text_is_escaped_and_long_labels_are_shortened():
    chart = Chart(key="x", title="<script>alert(1)</script>", bars=(Bar("A & B <i>" + "x" * 40, 1),))

    markup = str(render_svg(chart))

    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert "<i>" not in markup
    assert shorten("y" * 40).endswith("…") and len(shorten("y" * 40)) == 28
    ET.fromstring(markup)  # still well-formed


def test_an_empty_chart_is_still_valid_svg():
    svg = ET.fromstring(str(render_svg(Chart(key="e", title="Nothing"))))
    assert svg.find(f"{SVG}title").text == "Nothing"
    assert not list(svg.iter(f"{SVG}rect"))


def test_colours_contrast_with_white_as_wcag_asks():
    assert _contrast(INK) >= 4.5  # text
    assert _contrast(BAR) >= 3 and _contrast(OUTLINE) >= 3  # graphical objects (WCAG 1.4.11)


def test_no_script_or_event_handler_in_the_markup():
    markup = str(render_svg(Chart(key="s", title="T", bars=(Bar("a", 1),))))
    assert not re.search(r"<script|\son\w+=", markup)
