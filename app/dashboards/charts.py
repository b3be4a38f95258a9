"""Horizontal bar charts drawn as SVG on the server: readable without JavaScript, named for screen readers.

Pure: no database and no request. The numbers behind each chart are also shown as a table by the template
(templates/dashboards/_chart.html), so nobody depends on seeing the bars.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

WIDTH = 640
LABEL_WIDTH = 210
VALUE_WIDTH = 80
ROW_HEIGHT = 30
BAR_HEIGHT = 18
PADDING = 8
LABEL_CHARACTERS = 28
# Colours from the site's palette: ink on white is 15.9:1, the bar 6.6:1 and the outline 7.5:1 against white,
# above the 3:1 that WCAG 1.4.11 asks of the graphical parts of a chart.
INK = "#1d2330"
BAR = "#0b5cad"
OUTLINE = "#4a5366"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    limit: int | None = None  # drawn as an outline behind the bar, e.g. a mentor's capacity


@dataclass(frozen=True)
class Chart:
    """A titled list of bars; `key` makes the element ids unique on the page."""

    key: str
    title: str
    bars: tuple[Bar, ...] = field(default_factory=tuple)
    label_heading: str = ""
    value_heading: str = ""
    limit_heading: str = ""
    description: str = ""

    @property
    def has_limits(self) -> bool:
        return any(bar.limit is not None for bar in self.bars)

    @property
    def total(self) -> int:
        return sum(bar.value for bar in self.bars)

    @property
    def svg(self) -> Markup:
        return render_svg(self)


def shorten(label: str, characters: int = LABEL_CHARACTERS) -> str:
    """A label cut to fit the label column; the table beside the chart keeps it whole."""
    return label if len(label) <= characters else label[:characters - 1].rstrip() + "…"


def _number_text(bar: Bar) -> str:
    return f"{bar.value} / {bar.limit}" if bar.limit is not None else str(bar.value)


def summary(chart: Chart) -> str:
    """The numbers in words, read out with the title: "draft: 2; submitted: 5"."""
    return "; ".join(f"{bar.label}: {_number_text(bar)}" for bar in chart.bars)


def render_svg(chart: Chart) -> Markup:
    """The chart as an <svg role="img"> whose name is its title and whose description lists the numbers."""
    scale_top = max([1] + [bar.value for bar in chart.bars] + [bar.limit or 0 for bar in chart.bars])
    track = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = PADDING * 2 + ROW_HEIGHT * max(len(chart.bars), 1)
    title_id, desc_id = f"{chart.key}-title", f"{chart.key}-desc"
    description = " ".join(part for part in (chart.description, summary(chart)) if part)
    # Markup.format escapes every value it is given, so no text reaches the SVG unescaped.
    parts = [
        Markup('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
               'aria-labelledby="{}" aria-describedby="{}" viewBox="0 0 {} {}" width="{}" height="{}" '
               'font-family="system-ui, sans-serif" font-size="14">').format(
            title_id, desc_id, WIDTH, height, WIDTH, height),
        Markup('<title id="{}">{}</title>').format(title_id, chart.title),
        Markup('<desc id="{}">{}</desc>').format(desc_id, description),
    ]
    for index, bar in enumerate(chart.bars):
        top = PADDING + index * ROW_HEIGHT
        middle = top + ROW_HEIGHT / 2
        bar_top = top + (ROW_HEIGHT - BAR_HEIGHT) / 2
        width = round(track * bar.value / scale_top, 1)
        limit_width = round(track * bar.limit / scale_top, 1) if bar.limit is not None else 0
        parts.append(Markup('<text x="{}" y="{}" dy="0.35em" text-anchor="end" fill="{}">{}</text>').format(
            LABEL_WIDTH - 8, middle, INK, shorten(bar.label)))
        if bar.limit is not None:
            parts.append(Markup('<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="{}" '
                                'stroke-width="2"/>').format(LABEL_WIDTH, bar_top, limit_width, BAR_HEIGHT, OUTLINE))
        if width > 0:
            parts.append(Markup('<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>').format(
                LABEL_WIDTH, bar_top, width, BAR_HEIGHT, BAR))
        parts.append(Markup('<text x="{}" y="{}" dy="0.35em" fill="{}">{}</text>').format(
            LABEL_WIDTH + max(width, limit_width) + 6, middle, INK, _number_text(bar)))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
