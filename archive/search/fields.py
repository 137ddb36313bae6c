"""What both engines index about an article beyond its text: date ranges, time of day, place keys."""

from __future__ import annotations

import re
from datetime import date

from archive.models import Article

_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ](\d{2}):(\d{2})(?::(\d{2}))?")


def date_range(value: str | None) -> tuple[int, int] | None:
    """The first and last day a partial ISO date covers, as YYYYMMDD integers ("2023-10" -> October)."""
    if not value:
        return None
    parts = value[:10].split("-")
    try:
        year = int(parts[0])
        if len(parts) == 1:
            return year * 10000 + 101, year * 10000 + 1231
        month = int(parts[1])
        if len(parts) == 2:
            return year * 10000 + month * 100 + 1, year * 10000 + month * 100 + 31
        day = date(year, month, int(parts[2]))
    except (ValueError, IndexError):
        return None
    ordinal = day.year * 10000 + day.month * 100 + day.day
    return ordinal, ordinal


def time_of_day(value: str | None) -> int:
    """Seconds since midnight + 1 of an ISO datetime's time as written ("...T15:01:01"); 0 without one."""
    match = _TIME.match(value or "")
    if match is None:
        return 0
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    if hours > 23 or minutes > 59 or seconds > 60:
        return 0
    return hours * 3600 + minutes * 60 + min(seconds, 59) + 1


def place_keys(article: Article) -> list[str]:
    """Each place key and the keys it lies in (a city's country, a US city's state): a country or state
    filter then includes its cities."""
    from archive.entities.places import parent_keys  # the gazetteer loads only where articles are indexed

    keys: list[str] = []
    for place in article.places:
        keys.append(place.key)
        keys.extend(parent_keys(place.key))
    return sorted(set(keys))
