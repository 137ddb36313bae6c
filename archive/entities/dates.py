"""Dates mentioned in an article, normalised to ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

One compiled regular expression finds the written forms a date takes in English news ("October
24, 2023", "24 October 2023", "Oct. 19", "March 1987", "in 2020", "2023-10-24"), and the parts it
captures are normalised directly: no general date parser runs over the text, which keeps this
cheap. What is not a date you can put on a calendar is skipped on purpose:

- a month name alone ("May" is also a verb) unless a preposition makes it one ("in October");
- a weekday alone ("on Monday"): resolving it needs the publication week, and a wrong day is worse
  than none;
- a bare number that only looks like a year: it needs a preposition before it ("in 2020",
  "since 1986") or punctuation after it ("2020: Putin's reserves"); "1,000" and "2020 people" fail.

A date without a year ("October 19") takes the year that puts it nearest the publication date, or,
without one, nearest the article's own dates that state a year; with neither it is dropped.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from archive.models import DateMention

#: Years accepted as dates: older or later numbers in news are amounts, not years.
MIN_YEAR, MAX_YEAR = 1800, 2099

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
#: Words that make a following year or month a date ("in 2020", "since October", "mid-1986").
_LEAD = (
    r"(?:in|In|since|Since|until|till|by|By|during|During|from|From|through|before|Before|after|After"
    r"|early|late|mid|end of|beginning of|fiscal|calendar|year"
    r"|summer|winter|spring|autumn|fall|last|next|this)"
)

_DATE = re.compile(
    rf"""
    (?<![\w$£€.,])
    (?:
        (?P<iso>(?P<iy>{_YEAR})-(?P<im>0[1-9]|1[0-2])-(?P<id>0[1-9]|[12]\d|3[01]))(?![\d-])
      | (?P<dmy>(?P<d1>{_DAY})\s+(?:of\s+)?(?P<m1>{_MONTH})(?:,?\s+(?P<y1>{_YEAR}))?)(?![\w,]\d)
      | (?P<mdy>(?P<m2>{_MONTH})\s+(?P<d2>{_DAY})(?!\d|\s*(?:%|pct|percent|per\b|billion|million))
            (?:,?\s+(?P<y2>{_YEAR})(?!\d))?)
      | (?P<my>(?P<m3>{_MONTH}),?\s+(?P<y3>{_YEAR}))(?![\d,]\d)
      | {_LEAD}[\s-]+(?P<mo>(?P<m4>{_MONTH}))(?!,?\s*\d)\b
      | {_LEAD}[\s-]+(?:the\s+year\s+)?(?P<yr>{_YEAR})(?![\d,.]\d|\s*%|\s*(?:pct|percent)\b)
      | (?P<yp>{_YEAR})(?=\s*(?:[:;)!?]|[.,](?!\d)|$))
    )
    """,
    re.VERBOSE | re.MULTILINE,
)
_ORDINAL_SUFFIX = re.compile(r"(?:st|nd|rd|th)$")


def _as_day(year: int, month: int | None, day: int | None) -> date | None:
    """A partial date as a day: its middle (``2023`` -> 1 July, ``2023-10`` -> 15 October)."""
    try:
        return date(year, month or 7, day or (15 if month else 1))
    except ValueError:
        return None


def _anchor(published: str | None) -> date | None:
    """The publication date as a day."""
    m = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", published or "")
    return (
        _as_day(int(m.group(1)), m.group(2) and int(m.group(2)), m.group(3) and int(m.group(3)))
        if m
        else None
    )


def _nearest_year(month: int, day: int, anchors: list[date]) -> int | None:
    """The year that puts ``month``/``day`` nearest one of ``anchors``."""
    best, best_gap = None, None
    for anchor in anchors:
        for year in (anchor.year - 1, anchor.year, anchor.year + 1):
            try:
                gap = abs((date(year, month, day) - anchor).days)
            except ValueError:  # 29 February
                continue
            if best_gap is None or gap < best_gap:
                best, best_gap = year, gap
    return best


def _value(year: int, month: int | None = None, day: int | None = None) -> tuple[str, str] | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    if month is None:
        return f"{year:04d}", "year"
    if day is None:
        return f"{year:04d}-{month:02d}", "month"
    try:
        date(year, month, day)
    except ValueError:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}", "day"


def _month(text: str) -> int:
    return _MONTHS[text.rstrip(".").lower()]


def _day(text: str) -> int:
    return int(_ORDINAL_SUFFIX.sub("", text))


def dates_in(text: str, published: str | None = None) -> list[DateMention]:
    """The dates written in ``text``, in order, each normalised with its precision.

    :param text: the article text (offsets index into it).
    :param published: the publication date (ISO 8601, possibly partial): the anchor for dates
        written without a year.
    """
    found: list[tuple[int, int, int | None, int | None, int | None]] = []  # start, end, y, m, d
    for m in _DATE.finditer(text):
        g = m.groupdict()
        if g["iso"]:
            found.append((*m.span("iso"), int(g["iy"]), int(g["im"]), int(g["id"])))
        elif g["dmy"]:
            found.append((*m.span("dmy"), g["y1"] and int(g["y1"]), _month(g["m1"]), _day(g["d1"])))
        elif g["mdy"]:
            found.append((*m.span("mdy"), g["y2"] and int(g["y2"]), _month(g["m2"]), _day(g["d2"])))
        elif g["my"]:
            found.append((*m.span("my"), int(g["y3"]), _month(g["m3"]), None))
        elif g["mo"]:
            found.append((*m.span("mo"), None, _month(g["m4"]), None))
        elif g["yr"]:
            found.append((*m.span("yr"), int(g["yr"]), None, None))
        elif g["yp"]:
            found.append((*m.span("yp"), int(g["yp"]), None, None))

    anchor = _anchor(published)
    if anchor:
        anchors = [anchor]
    else:  # the article's own dates that state a year
        anchors = [a for _, _, y, mo, d in found if y and (a := _as_day(y, mo, d))]
    dates = []
    for start, end, year, month, day in found:
        if year is None:
            year = _nearest_year(month, day or 15, anchors)
            if year is None:
                continue
        value = _value(year, month, day)
        if value:
            dates.append(
                DateMention(value=value[0], precision=value[1], text=text[start:end], start=start, end=end)
            )
    return dates
