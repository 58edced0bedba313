"""Small charts as inline SVG: no image files, no JavaScript, printable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 420, 120, 22


def daily_bars(days: Iterable[tuple[str, int]], *, today: dt.date, window: int = 28) -> Markup:
    """Pages archived per day over the last `window` days, one bar a day, today rightmost."""
    pages = dict(days)
    dates = [today - dt.timedelta(days=n) for n in range(window - 1, -1, -1)]
    values = [pages.get(d.isoformat(), 0) for d in dates]
    top = max(values) or 1
    bar = (WIDTH - 2 * PAD) / window
    bars = []
    for i, (day, value) in enumerate(zip(dates, values)):
        h = (HEIGHT - 2 * PAD) * value / top
        x, y = PAD + i * bar, HEIGHT - PAD - h
        bars.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar * 0.8:.1f}" height="{h:.1f}">'
                    f"<title>{escape(day.isoformat())}: {value} pages</title></rect>")
    total = sum(values)
    label = f"{total} pages in the last {window} days; busiest day {max(values)}"
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(label)}">'
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" class="axis"/>'
        + "".join(bars)
        + f'<text x="{PAD}" y="{HEIGHT - 6}">{escape(dates[0].isoformat())}</text>'
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 6}" text-anchor="end">{escape(today.isoformat())}</text>'
        f'<text x="{PAD}" y="14">max {max(values)}/day</text></svg>'
    )


def split_bar(digitised: int, not_needed: int, outstanding: int | None) -> Markup:
    """The three-way split as one horizontal bar (outstanding unknown: digitised only)."""
    parts = [("digitised", digitised), ("not-needed", not_needed), ("outstanding", outstanding or 0)]
    total = sum(n for _, n in parts) or 1
    x = 0.0
    rects = []
    for name, n in parts:
        w = 100 * n / total
        rects.append(f'<rect class="{name}" x="{x:.2f}" y="0" width="{w:.2f}" height="10">'
                     f"<title>{name.replace('-', ' ')}: {n} pages</title></rect>")
        x += w
    return Markup(f'<svg class="split" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" '
                  f'aria-label="digitised {digitised}, not needed {not_needed}, outstanding '
                  f'{"unknown" if outstanding is None else outstanding}">' + "".join(rects) + "</svg>")
