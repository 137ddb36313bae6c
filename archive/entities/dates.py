"""Dates mentioned in an article, normalised to ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

One compiled regular expression finds the written forms a date takes in English news ("October
24, 2023", "24 October 2023", "Oct. 19", "March 1987", "in 2020", "2023-10-24"), and the parts it
captures are normalised directly: no general date parser runs over the text, which keeps this
cheap. What is not a date you can put on a calendar is skipped on purpose:

- a month name alone ("May" is also a verb) unless a preposition makes it one ("in October");
- a bare number that only looks like a year: it needs a preposition before it ("in 2020",
  "since 1986") or punctuation after it ("2020: Putin's reserves"); "1,000" and "2020 people" fail.

A date without a year ("October 19") takes the year that puts it nearest the explicit dates of its
passage (see :func:`_passage_anchor`); else the publication date; else the article's own dates.

Relative dates ("on Monday", "yesterday", "last week", "last month") resolve against a publication
date with a day and keep their text: a weekday is the last such day on or before publication, a
week its Monday. dateparser is not used for them: it takes 1.7 ms a call (against microseconds),
and reads "Friday" in an article published on a Friday as the Friday before.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

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
#: How far from a date without a year its passage's explicit dates may be, in characters.
PASSAGE_CHARS = 1500
_PARAGRAPH = re.compile(r"\n\s*\n")
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_RELATIVE = re.compile(
    r"(?<![\w-])(?:"
    r"(?P<word>[Yy]esterday|[Tt]oday|[Tt]omorrow)"
    r"|(?P<lead>on|last|this|next|since|until|by|from|early|late)\s+(?P<wd>(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)"
    r"|(?P<unit_lead>[Ll]ast|[Tt]his|[Nn]ext)\s+(?P<unit>week|month|year)"
    r")(?![\w-])"
)


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
    explicit = [(start, end, y, mo, d) for start, end, y, mo, d in found if y]
    paragraphs = [0, *(m.end() for m in _PARAGRAPH.finditer(text)), len(text) + 1]
    fallback = [a for _, _, y, mo, d in explicit if (a := _as_day(y, mo, d))]
    dates = []
    for start, end, year, month, day in found:
        if year is None:
            near = _passage_anchor(start, explicit, paragraphs)
            anchors = [near] if near else [anchor] if anchor else fallback
            year = _nearest_year(month, day or 15, anchors)
            if year is None:
                continue
        value = _value(year, month, day)
        if value:
            dates.append(
                DateMention(value=value[0], precision=value[1], text=text[start:end], start=start, end=end)
            )
    if anchor and published and len(published) >= len("2023-10-27"):
        dates += _relative(text, anchor)
        dates.sort(key=lambda d: d.start)
    return dates


def _passage_anchor(
    pos: int, explicit: list[tuple[int, int, int, int | None, int | None]], paragraphs: list[int]
) -> date | None:
    """The explicit date of the passage around ``pos``: the nearest with a month in its paragraph,
    else within :data:`PASSAGE_CHARS`, else a year its paragraph names ("in 2020": often a look back,
    so only when nothing nearer has a month)."""
    i = next(i for i, p in enumerate(paragraphs) if p > pos) - 1
    lo, hi = paragraphs[i], paragraphs[i + 1]
    with_month = [e for e in explicit if e[3]]
    near = (
        [e for e in with_month if lo <= e[0] < hi]
        or [e for e in with_month if abs(e[0] - pos) <= PASSAGE_CHARS]
        or [e for e in explicit if lo <= e[0] < hi]
    )
    if not near:
        return None
    _, _, y, mo, d = min(near, key=lambda e: abs(e[0] - pos))
    return _as_day(y, mo, d)


def _relative(text: str, published: date) -> list[DateMention]:
    """Relative dates resolved against the publication day (see the module docstring)."""
    out = []
    for m in _RELATIVE.finditer(text):
        if m.group("word"):
            shift = {"yesterday": -1, "today": 0, "tomorrow": 1}[m.group("word").lower()]
            value, precision = (published + timedelta(days=shift)).isoformat(), "day"
            span = m.span("word")
        elif m.group("wd"):
            back = (published.weekday() - _WEEKDAYS[m.group("wd").lower()]) % 7
            lead = m.group("lead")
            if lead == "next":
                back = back - 7 if back else -7
            elif lead == "last" and back == 0:
                back = 7
            value, precision = (published - timedelta(days=back)).isoformat(), "day"
            span = m.span("wd") if lead in ("on", "by", "until", "since", "from") else m.span()
        else:
            step = {"last": -1, "this": 0, "next": 1}[m.group("unit_lead").lower()]
            unit = m.group("unit")
            if unit == "week":
                monday = published - timedelta(days=published.weekday()) + timedelta(weeks=step)
                value, precision = monday.isoformat(), "day"
            elif unit == "month":
                months = published.year * 12 + published.month - 1 + step
                value, precision = f"{months // 12:04d}-{months % 12 + 1:02d}", "month"
            else:
                value, precision = f"{published.year + step:04d}", "year"
            span = m.span()
        out.append(
            DateMention(
                value=value, precision=precision, text=text[span[0] : span[1]], start=span[0], end=span[1]
            )
        )
    return out
