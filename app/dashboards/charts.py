"""Horizontal bar charts drawn as SVG on the server: readable without JavaScript, named for screen readers.

Pure: no database and no request. The numbers behind each chart are also shown as a table by the template
(templates/dashboards/_chart.html), so nobody depends on seeing the bars.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup, escape

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
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-labelledby="{escape(title_id)}" aria-describedby="{escape(desc_id)}" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'font-family="system-ui, sans-serif" font-size="14">',
        f'<title id="{escape(title_id)}">{escape(chart.title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>',
    ]
    for index, bar in enumerate(chart.bars):
        top = PADDING + index * ROW_HEIGHT
        middle = top + ROW_HEIGHT / 2
        bar_top = top + (ROW_HEIGHT - BAR_HEIGHT) / 2
        width = round(track * bar.value / scale_top, 1)
        limit_width = round(track * bar.limit / scale_top, 1) if bar.limit is not None else 0
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{middle}" dy="0.35em" text-anchor="end" fill="{INK}">'
                     f'{escape(shorten(bar.label))}</text>')
        if bar.limit is not None:
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{bar_top}" width="{limit_width}" height="{BAR_HEIGHT}" '
                         f'fill="none" stroke="{OUTLINE}" stroke-width="2"/>')
        if width > 0:
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{bar_top}" width="{width}" height="{BAR_HEIGHT}" '
                         f'fill="{BAR}"/>')
        parts.append(f'<text x="{LABEL_WIDTH + max(width, limit_width) + 6}" y="{middle}" dy="0.35em" '
                     f'fill="{INK}">{escape(_number_text(bar))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every piece of text above is escaped
