"""A horizontal bar chart as inline SVG, generated at build time (no chart library, no CDN).

Bars run left to right, one per unit, so long Vietnamese unit names stay readable as text labels
and hundreds of schools only make the chart taller. Accessible: ``role="img"`` with a
``<title>`` and a ``<desc>``, a text label and a value on every bar, and each bar's own
``<title>`` (the page also shows the same numbers as a table).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

LABEL_WIDTH = 250
BAR_AREA = 330
VALUE_WIDTH = 60
ROW = 26
BAR = 18
PAD = 8


def bar_length(value: int, maximum: int) -> float:
    """Length of a bar in px: proportional to ``value``, the longest bar filling the area."""
    return round(BAR_AREA * value / maximum, 2) if maximum > 0 else 0.0


def bar_chart(
    bars: Sequence[tuple[str, int]],
    *,
    title: str,
    desc: str,
    chart_id: str = "es-chart",
    unit: str = "tin",
    color: str = "#0b4f8a",
    label_limit: int = 34,
) -> str:
    """SVG markup: one ``<rect class="es-bar">`` per ``(label, value)``, in the given order."""
    width = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH
    height = PAD * 2 + ROW * max(1, len(bars))
    maximum = max((v for _, v in bars), default=0)
    t_id, d_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{t_id} {d_id}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'font-family="system-ui, sans-serif" font-size="13">',
        f'<title id="{t_id}">{escape(title)}</title>',
        f'<desc id="{d_id}">{escape(desc)}</desc>',
    ]
    for i, (label, value) in enumerate(bars):
        y = PAD + i * ROW
        shown = label if len(label) <= label_limit else label[: label_limit - 1] + "…"
        length = bar_length(value, maximum)
        text_y = y + ROW / 2 + 4
        parts.append(
            f"<g><title>{escape(label)}: {value} {escape(unit)}</title>"
            f'<text x="{LABEL_WIDTH - 8}" y="{text_y}" text-anchor="end" fill="#1f1f1f">'
            f"{escape(shown)}</text>"
            f'<rect class="es-bar" x="{LABEL_WIDTH}" y="{y + (ROW - BAR) / 2}" '
            f'width="{length}" height="{BAR}" fill="{escape(color)}" data-value="{value}"/>'
            f'<text x="{LABEL_WIDTH + length + 6}" y="{text_y}" fill="#1f1f1f">{value}</text>'
            "</g>"
        )
    if not bars:
        parts.append(
            f'<text x="{PAD}" y="{PAD + ROW / 2 + 4}" fill="#1f1f1f">Chưa có số liệu.</text>'
        )
    parts.append(
        f'<line x1="{LABEL_WIDTH}" y1="{PAD / 2}" x2="{LABEL_WIDTH}" y2="{height - PAD / 2}" '
        'stroke="#6b6b6b" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return "".join(parts)
