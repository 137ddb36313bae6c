"""The publication-date histogram: month (or year) bars drawn as server-side SVG, each bar a link.

Drawn on the server so it works without JavaScript; each bar narrows the search to its period with the
ordinary ``from``/``to`` parameters, so the back button undoes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: Above this many months the bars become years: a bar stays wide enough to click on a phone.
MAX_MONTH_BARS = 36
WIDTH = 300
HEIGHT = 80
GAP = 1.0


@dataclass
class Bar:
    key: str  # "2023-10" or "2023"
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float
    href: str | None  # None for an empty period: nothing to narrow to


def _month_index(key: str) -> int | None:
    try:
        year, month = int(key[:4]), int(key[5:7]) if len(key) >= 7 else 1
    except ValueError:
        return None
    if not 1 <= month <= 12:
        return None
    return year * 12 + month - 1


def periods(counts: list[dict]) -> tuple[str, list[tuple[str, int]]]:
    """Months from the first to the last (gaps filled with 0), or years when that is too many bars.

    :param counts: the ``published`` facet: ``[{"key": "2023-10", "count": 5}, ...]``.
    :return: ``("month" | "year", [(key, count), ...])`` in date order.
    """
    months: dict[int, int] = {}
    for item in counts:
        index = _month_index(str(item.get("key", "")))
        if index is not None:
            months[index] = months.get(index, 0) + int(item.get("count", 0))
    if not months:
        return "month", []
    first, last = min(months), max(months)
    if last - first + 1 <= MAX_MONTH_BARS:
        return "month", [
            (f"{i // 12:04d}-{i % 12 + 1:02d}", months.get(i, 0)) for i in range(first, last + 1)
        ]
    years: dict[int, int] = {}
    for index, count in months.items():
        years[index // 12] = years.get(index // 12, 0) + count
    return "year", [(f"{y:04d}", years.get(y, 0)) for y in range(first // 12, last // 12 + 1)]


MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def period_label(key: str) -> str:
    if len(key) == 7:
        return f"{MONTHS[int(key[5:7]) - 1]} {key[:4]}"
    return key


def bars(counts: list[dict], link: Callable[[str], str]) -> tuple[str, list[Bar]]:
    """Lay the bars out in a ``WIDTH`` x ``HEIGHT`` box; ``link(key)`` gives the narrowing URL."""
    unit, series = periods(counts)
    if not series:
        return unit, []
    top = max(count for _, count in series) or 1
    width = WIDTH / len(series)
    out = []
    for i, (key, count) in enumerate(series):
        height = 0.0 if count == 0 else max(2.0, HEIGHT * count / top)
        out.append(
            Bar(
                key=key,
                label=period_label(key),
                count=count,
                x=round(i * width, 2),
                y=round(HEIGHT - height, 2),
                width=round(max(width - GAP, 1.0), 2),
                height=round(height, 2),
                href=link(key) if count else None,
            )
        )
    return unit, out
