"""Charts for printed reports, drawn as inline SVG in Python.

WeasyPrint renders inline ``<svg>`` as vector graphics, so charts stay sharp when printed and
need neither JavaScript nor a browser. Every text is escaped; the functions return safe markup
to place in a template with ``{{ chart }}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = "Bapas Sans"
PALETTE = ("#0b3d6b", "#c8a23a", "#2e7d32", "#8e24aa", "#c62828", "#00838f", "#6d4c41")
AXIS = "#555"
GRID = "#ddd"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    color: str = PALETTE[0]


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _count_max(value: float) -> int:
    """An axis maximum for counts whose four gridlines fall on whole numbers (4, 8, 20, 100...)."""
    target = value / 4
    magnitude = 1
    while True:
        for step in (1, 2, 2.5, 5):
            candidate = step * magnitude
            if candidate >= target and candidate == int(candidate):
                return int(candidate * 4)
        magnitude *= 10


def _number(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")  # Indonesian decimal comma


def _text(x: float, y: float, text: str, *, size: float = 7, anchor: str = "middle",
          color: str = "#000", rotate: float | None = None, bold: bool = False) -> str:
    transform = f' transform="rotate({rotate} {x:.1f} {y:.1f})"' if rotate else ""
    weight = ' font-weight="bold"' if bold else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" '
            f'text-anchor="{anchor}" fill="{color}"{weight}{transform}>{escape(text)}</text>')


def _svg(width: int, height: int, body: list[str], title: str) -> SafeString:
    return mark_safe(  # noqa: S308 (every text inside is escaped by _text)
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        + "".join(body) + "</svg>"
    )


def _legend(series: Sequence[Series], x: float, y: float) -> list[str]:
    parts = []
    for item in series:
        parts.append(f'<rect x="{x:.1f}" y="{y - 6:.1f}" width="7" height="7" '
                     f'fill="{item.color}"/>')
        parts.append(_text(x + 10, y, item.name, anchor="start"))
        x += 14 + 4.2 * len(item.name)
    return parts


def _y_axis(left: float, top: float, bottom: float, right: float, maximum: float,
            suffix: str = "") -> list[str]:
    parts = []
    for step in range(5):
        value = maximum * step / 4
        y = bottom - (bottom - top) * step / 4
        parts.append(f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" '
                     f'stroke="{GRID}" stroke-width="0.5"/>')
        parts.append(_text(left - 3, y + 2.5, _number(value) + suffix, anchor="end",
                           color=AXIS, size=6.5))
    parts.append(f'<line x1="{left:.1f}" y1="{top:.1f}" x2="{left:.1f}" y2="{bottom:.1f}" '
                 f'stroke="{AXIS}" stroke-width="0.7"/>')
    return parts


def bar_chart(categories: Sequence[str], series: Sequence[Series], *, title: str = "",
              width: int = 460, height: int = 200, stacked: bool = True) -> SafeString:
    """Vertical bars of counts per category; several series are stacked (or side by side)."""
    left, right, top, bottom = 34, width - 8, 22, height - 42
    totals = [
        sum(s.values[i] or 0 for s in series) if stacked
        else max((s.values[i] or 0 for s in series), default=0)
        for i in range(len(categories))
    ]
    maximum = _count_max(max(totals, default=0))
    body = [_text(left, 10, title, anchor="start", size=8, bold=True)] if title else []
    body += _y_axis(left, top, bottom, right, maximum)
    slot = (right - left) / max(len(categories), 1)
    bar_width = slot * (0.6 if stacked else 0.7 / max(len(series), 1))
    for i, category in enumerate(categories):
        x0 = left + slot * i + slot * (0.2 if stacked else 0.15)
        base = bottom
        for j, item in enumerate(series):
            value = item.values[i] or 0
            h = (bottom - top) * value / maximum
            x = x0 if stacked else x0 + j * bar_width
            y = base - h if stacked else bottom - h
            if value:
                body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_width:.1f}" '
                            f'height="{h:.1f}" fill="{item.color}"/>')
            if stacked:
                base -= h
        if totals[i]:
            body.append(_text(left + slot * (i + 0.5), (base if stacked else bottom - (bottom - top)
                              * totals[i] / maximum) - 2, _number(totals[i]), size=6.5))
        body.append(_text(left + slot * (i + 0.5), bottom + 9, category, size=6.5))
    body.append(f'<line x1="{left:.1f}" y1="{bottom:.1f}" x2="{right:.1f}" y2="{bottom:.1f}" '
                f'stroke="{AXIS}" stroke-width="0.7"/>')
    if len(series) > 1:
        body += _legend(series, left, height - 8)
    return _svg(width, height, body, title)


def line_chart(labels: Sequence[str], values: Sequence[float | None], *, title: str = "",
               width: int = 460, height: int = 180, maximum: float | None = 100,
               suffix: str = "%", color: str = PALETTE[0]) -> SafeString:
    """A line through the known values; a gap where a value is None (no data that month)."""
    left, right, top, bottom = 34, width - 12, 22, height - 26
    known = [v for v in values if v is not None]
    maximum = maximum if maximum is not None else _nice_max(max(known, default=0))
    body = [_text(left, 10, title, anchor="start", size=8, bold=True)] if title else []
    body += _y_axis(left, top, bottom, right, maximum, suffix)
    step = (right - left) / max(len(labels) - 1, 1)
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + step * i if len(labels) > 1 else (left + right) / 2
        body.append(_text(x, bottom + 10, label, size=6.5))
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        y = bottom - (bottom - top) * min(value, maximum) / maximum
        segment.append(f"{x:.1f},{y:.1f}")
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.8" fill="{color}"/>')
        body.append(_text(x, y - 4, _number(value), size=6))
    if segment:
        segments.append(segment)
    for points in segments:
        if len(points) > 1:
            body.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{color}" '
                        f'stroke-width="1.2"/>')
    return _svg(width, height, body, title)


def hbar_chart(items: Sequence[tuple[str, float]], *, title: str = "", width: int = 460,
               bar_height: int = 12, color: str = PALETTE[1], label_width: int = 170
               ) -> SafeString:
    """Horizontal bars with a label each (partners, PKs): long names stay readable."""
    items = list(items)
    top = 20 if title else 6
    height = top + bar_height * 1.5 * max(len(items), 1) + 6
    left, right = label_width, width - 28
    maximum = _count_max(max((value for _label, value in items), default=0))
    body = [_text(4, 10, title, anchor="start", size=8, bold=True)] if title else []
    for i, (label, value) in enumerate(items):
        y = top + bar_height * 1.5 * i
        short = label if len(label) <= 42 else label[:40] + "…"
        body.append(_text(left - 4, y + bar_height * 0.75, short, anchor="end", size=6.5))
        w = (right - left) * value / maximum
        if value:
            body.append(f'<rect x="{left}" y="{y:.1f}" width="{w:.1f}" height="{bar_height}" '
                        f'fill="{color}"/>')
        body.append(_text(left + w + 3, y + bar_height * 0.75, _number(value), anchor="start",
                          size=6.5))
    body.append(f'<line x1="{left}" y1="{top - 2}" x2="{left}" y2="{height - 4:.1f}" '
                f'stroke="{AXIS}" stroke-width="0.7"/>')
    return _svg(width, int(height), body, title)
