"""Server-rendered SVG bar charts, built from a handful of already aggregated rows.

Each chart is an image with a title and a description (role="img", aria-labelledby);
the page always shows the same figures as a table beside it.
"""

from dataclasses import dataclass
from math import floor, log10

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

INK = "#1a1a1a"
MUTED = "#4a5560"
GRID = "#c9d1d6"
BRAND = "#0b4f6c"  # 8.6:1 on white
GREEN = "#1b6e35"  # 6.2:1 on white
WIDTH = 360  # small: the text stays readable when a phone scales the chart down


@dataclass(frozen=True)
class Bar:
    label: str  # under the bar (columns) or above it (rows)
    value: float
    text: str  # the value as people read it, e.g. "1 250 kg"
    sublabel: str = ""  # a second line under a column, e.g. the year
    name: str = ""  # the full name for the tooltip, e.g. "March 2026" (else the label)


def nice_max(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ that is at least value (1 for nothing)."""
    if value <= 0:
        return 1
    base = 10 ** floor(log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * base:
            return step * base
    return 10 * base  # pragma: no cover - the loop always returns


def _number(value: float) -> str:
    decimals = 0 if float(value).is_integer() else 1
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def _open(chart_id: str, title: str, desc: str, height: int) -> SafeString:
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg" '
        'preserveAspectRatio="xMinYMin meet">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>',
        w=WIDTH,
        h=height,
        id=chart_id,
        title=title,
        desc=desc,
    )


def column_chart(*, chart_id: str, title: str, desc: str, bars: list[Bar], colour: str = BRAND):
    """Vertical bars with a value axis: for months."""
    top_value = nice_max(max((bar.value for bar in bars), default=0))
    # Room on the left for the widest axis label (about 8 units per character).
    left = 14 + 8 * max(len(_number(top_value * f)) for f in (0, 0.5, 1))
    height, right, top, bottom = 220, 4, 12, 42
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    parts = [_open(chart_id, title, desc, height)]
    for fraction in (0, 0.5, 1):
        y = top + plot_h - fraction * plot_h
        parts.append(
            format_html(
                '<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{grid}" stroke-width="1"/>'
                '<text x="{tx}" y="{ty}" text-anchor="end" font-size="13" fill="{muted}">'
                "{label}</text>",
                x1=left,
                x2=WIDTH - right,
                y=round(y, 1),
                grid=GRID,
                tx=left - 6,
                ty=round(y + 4, 1),
                muted=MUTED,
                label=_number(top_value * fraction),
            )
        )
    count = max(len(bars), 1)
    slot = plot_w / count
    step = 1 if count <= 12 else 3 if count <= 36 else 6 if count <= 72 else 12
    for index, bar in enumerate(bars):
        bar_h = plot_h * bar.value / top_value if top_value else 0
        x = left + index * slot + slot * 0.15
        parts.append(
            format_html(
                '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}">'
                "<title>{name}: {text}</title></rect>",
                x=round(x, 1),
                y=round(top + plot_h - bar_h, 1),
                w=round(slot * 0.7, 1),
                h=round(bar_h, 1),
                fill=colour,
                name=bar.name or bar.label,
                text=bar.text,
            )
        )
        if index % step == 0:
            centre = round(left + index * slot + slot / 2, 1)
            parts.append(
                format_html(
                    '<text x="{x}" y="{y}" text-anchor="middle" font-size="13" fill="{ink}">'
                    "{label}</text>",
                    x=centre,
                    y=top + plot_h + 17,
                    ink=INK,
                    label=bar.label,
                )
            )
            if bar.sublabel:
                parts.append(
                    format_html(
                        '<text x="{x}" y="{y}" text-anchor="middle" font-size="12" '
                        'fill="{muted}">{label}</text>',
                        x=centre,
                        y=top + plot_h + 34,
                        muted=MUTED,
                        label=bar.sublabel,
                    )
                )
    parts.append(
        format_html(
            '<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{ink}" stroke-width="1"/>',
            x1=left,
            x2=WIDTH - right,
            y=top + plot_h,
            ink=INK,
        )
    )
    parts.append(mark_safe("</svg>"))  # a constant
    return mark_safe("".join(parts))  # every part is escaped above


def _shorten(text: str, limit: int = 44) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def bar_chart(*, chart_id: str, title: str, desc: str, bars: list[Bar], colour: str = BRAND):
    """Horizontal bars, a name above each: for departments and units."""
    row_h, top, value_room = 50, 6, 80
    height = top + row_h * max(len(bars), 1) + 4
    top_value = max((bar.value for bar in bars), default=0) or 1
    usable = WIDTH - value_room
    rows = format_html_join(
        "",
        '<text x="0" y="{ly}" font-size="14" fill="{ink}">{label}</text>'
        '<rect x="0" y="{by}" width="{bw}" height="18" fill="{fill}"/>'
        '<text x="{tx}" y="{ty}" font-size="14" font-weight="600" fill="{ink}">{text}</text>',
        (
            {
                "ly": top + n * row_h + 15,
                "by": top + n * row_h + 22,
                "bw": round(max(usable * bar.value / top_value, 1 if bar.value else 0), 1),
                "tx": round(max(usable * bar.value / top_value, 0) + 6, 1),
                "ty": top + n * row_h + 36,
                "ink": INK,
                "fill": colour,
                "label": _shorten(bar.label),
                "text": bar.text,
            }
            for n, bar in enumerate(bars)
        ),
    )
    return mark_safe(  # every part is escaped
        _open(chart_id, title, desc, height) + rows + "</svg>"
    )
