"""Places: resolve place names to gazetteer entries with their country, in an article or typed.

Keys are ``"XX"`` (ISO 3166 alpha-2) for a country and ``"XX/<geonameid>"`` for a city or US
state, so a country filter includes its cities by key prefix; a US city also carries its state's key
(:func:`parent_keys`), so a state includes its cities too. Demonyms count as their country
("Belarusian" -> ``BY``); historical states as their successor (USSR -> ``RU``, West Germany -> ``DE``).

A name is read in the light of the article: the countries and cities it names and its words decide
between namesakes ("Georgia" beside Atlanta or a senator is the US state, beside Tbilisi the
country); a town abroad that the article gives no other reason for, and whose name is also a given
name, is dropped ("Newton"); continents are not places. City names NER missed are found where the
text says them plainly: a dateline ("BONN 1996-08-22") or after "in", "from", "to" ("paratroopers
from Pskov").
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable

from archive.entities.folding import fold
from archive.entities.gazetteer import Entry, gazetteer
from archive.entities.places_data import (
    BIG_CITY,
    NOT_PLACES,
    STATE_WORDS_AFTER,
    STATE_WORDS_BEFORE,
    US_CONTEXT_WORDS,
)
from archive.models import Mention, Place

#: NER labels read as places, and how far each may resolve: GPE (countries, cities, states) is the
#: label for places; LOC ("the Volga", "Europe") only resolves through a city's main name; NORP
#: (nationalities) and ORG (the small model calls "U.S." an ORG at times) only as countries.
PLACE_LABELS = {"GPE": "any", "LOC": "primary", "NORP": "country", "ORG": "country"}
#: Longest run of capitalised words looked up as one country name ("United Arab Emirates").
MAX_SCAN_WORDS = 3
#: Labels of names that often open with their city ("London Stock Exchange", "Geneva Motor Show").
NAMED_AFTER_CITY = frozenset({"ORG", "FAC", "EVENT"})
#: A city opening such a name counts only when it is this big and called so by its main name:
#: smaller places are too often a surname or a word ("Jackson Hewitt", "Mobile Oil").
CITY_IN_NAME_POPULATION = 250_000

_LEADING_THE = re.compile(r"^(?:the|The)\s+")
_TRAILING = re.compile(r"(?:['’]s?|[.,;:!?)\]\"”’'])+$")
_LEADING = re.compile(r"^[(\[\"“‘']+")
#: A capitalised word, keeping inner dots ("U.S.") and hyphens.
_CAP_WORD = re.compile(r"(?<![\w.])[A-Z][\w.’'-]*")
#: Capitalised words one space apart: the runs a multi-word country name can hide in.
_CAP_RUN = re.compile(r"(?<![\w.])[A-Z][\w.’'-]*(?: [A-Z][\w.’'-]*)*")
_CODE = re.compile(r"^[A-Z]{2}(?:/\d+)?$")
#: A city named plainly in running text: capitalised words after a preposition of place.
_PLAIN = re.compile(
    r"(?<![\w-])(?:in|from|to|near|outside|into|around|at)\s+(?P<name>[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?)"
)
#: A dateline: a name in capitals opening a line, before a date, "(Reuters)" or a dash.
_DATELINE = re.compile(
    r"^(?P<name>[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){0,2})(?:,[^\n]{0,30}?)?\s+(?=\d|\(|[-–—])", re.M
)
#: A city found only by :data:`_PLAIN` needs this many people, or its country named in the article.
PLAIN_CITY_POPULATION = 100_000
_WORD = re.compile(r"[a-z]+")
_CALENDAR_WORDS = frozenset(
    w.lower() for w in [*calendar.month_name, *calendar.month_abbr, *calendar.day_name] if w
)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim "the", a possessive and edge punctuation off a span, keeping ``"U.S."`` whole."""
    s = text[start:end]
    m = _LEADING_THE.match(s) or _LEADING.match(s)
    if m:
        start += m.end()
        s = s[m.end() :]
    m = _TRAILING.search(s)
    if m and not (m.group() == "." and s.count(".") > 1):
        end -= len(m.group())
    return start, end


def _place(entry: Entry, mentions: list[Mention] | None = None) -> Place:
    return Place(
        key=entry.key,
        name=entry.name,
        country=gazetteer().country_names[entry.country_code],
        lat=entry.lat,
        lon=entry.lon,
        mentions=mentions or [],
    )


def country_of(key: str) -> str:
    """The English name of the country a place key lies in (``"BY/625144"`` -> ``"Belarus"``)."""
    return gazetteer().country_names.get(key[:2].upper(), "")


def resolve_place(name: str) -> Place | None:
    """The place a typed name (or key) stands for, without article context; ``None`` if unknown."""
    g = gazetteer()
    name = name.strip()
    if _CODE.match(name) and name[:2] in g.countries:
        if "/" not in name:
            return _place(g.countries[name])
        entry = g.by_key.get(name)
        return _place(entry) if entry else None
    start, end = _trim(name, 0, len(name))
    folded = fold(name[start:end])
    entry = None if folded in NOT_PLACES else g.resolve(folded)
    return _place(entry) if entry else None


def unregistered_label(key: str) -> tuple[str, str] | None:
    """``(name, country)`` of a place key no article names itself (a US state only its cities' articles
    name), from the 50 states alone when it is one (milliseconds), else from the whole gazetteer."""
    from archive.entities.gazetteer import us_state

    state = us_state(key)
    if state is not None:
        return state
    place = resolve_place(key)
    return (place.name, place.country) if place is not None else None


def parent_keys(key: str) -> list[str]:
    """The keys a place lies in: its country's and, for a US city, its state's (``"US/5128581"``
    -> ``["US", "US/5128638"]``); a filter or facet by either includes the place."""
    country = key.split("/", 1)[0]
    entry = gazetteer().by_key.get(key) if "/" in key else None
    return [k for k in (country if country != key else None, entry and entry.region) if k]


def _scan_countries(text: str, skip: list[tuple[int, int]]) -> Iterable[tuple[Entry, int, int]]:
    """Country names and demonyms in running text, in runs of capitalised words NER left alone."""
    g = gazetteer()
    for run in _CAP_RUN.finditer(text):
        words = [(m.start() + run.start(), m.end() + run.start()) for m in _CAP_WORD.finditer(run.group())]
        i = 0
        while i < len(words):
            for n in range(min(MAX_SCAN_WORDS, len(words) - i), 0, -1):
                start, end = _trim(text, words[i][0], words[i + n - 1][1])
                code = g.scan_names.get(fold(text[start:end]), "")
                if code != "":
                    if code and not any(s < end and start < e for s, e in skip):
                        yield g.countries[code], start, end
                    i += n - 1
                    break
            i += 1


def _leading_city(text: str, start: int, end: int, context: frozenset[str]) -> tuple[Entry | None, tuple]:
    """The big city an organisation or event is named after, from its first one or two words."""
    words = [m for m in _CAP_WORD.finditer(text, start, end)][:2]
    for n in (2, 1):
        if len(words) >= n and (n == 1 or words[1].start() - words[0].end() == 1):
            s, e = _trim(text, words[0].start(), words[n - 1].end())
            folded = fold(text[s:e])
            city = (
                None if gazetteer().country(folded) else gazetteer().city(folded, context, primary_only=True)
            )
            if city and city.population >= CITY_IN_NAME_POPULATION:
                return city, (s, e)
    return None, ()


def _plain_names(
    text: str, entities: list[tuple[str, int, int]]
) -> Iterable[tuple[str, str, tuple[int, int]]]:
    """``(kind, folded, span)`` of names NER missed or called an organisation: datelines and names
    after a preposition of place, outside every other entity."""
    other = [(s, e) for label, s, e in entities if label not in ("ORG", *PLACE_LABELS)]
    taken = [(s, e) for label, s, e in entities if label in PLACE_LABELS and label != "ORG"]

    def free(s: int, e: int) -> bool:
        return not any(a < e and s < b for a, b in [*other, *taken])

    for m in _DATELINE.finditer(text):  # a dateline is a place whatever NER made of it
        s, e = _trim(text, *m.span("name"))
        yield "DATELINE", fold(text[s:e]), (s, e)
    for m in _PLAIN.finditer(text):
        s, e = _trim(text, *m.span("name"))
        folded = fold(text[s:e])
        if free(s, e) and folded.split()[0] not in _CALENDAR_WORDS:  # "in March", "on Monday"
            yield "PLAIN", folded, (s, e)


def _is_state(text: str, span: tuple[int, int] | None) -> bool:
    """Whether the words around a mention make it a US state ("the state of Georgia", "New York State")."""
    if span is None:
        return False
    before = " ".join(_WORD.findall(text[max(0, span[0] - 20) : span[0]].lower()))
    after = " ".join(_WORD.findall(text[span[1] : span[1] + 15].lower()))
    return before.endswith(STATE_WORDS_BEFORE) or after.startswith(STATE_WORDS_AFTER)


def _in_us(text: str, context: set[str]) -> bool:
    """Whether the article is set in the United States: a US place or a word of US politics."""
    return "US" in context or any(w in US_CONTEXT_WORDS for w in _WORD.findall(text.lower()))


def places_in(
    text: str,
    entities: Iterable[tuple[str, int, int]],
    extra: Iterable[tuple[str, str]] = (),
    person_words: frozenset[str] = frozenset(),
) -> list[Place]:
    """Resolve the place entities of an article, plus country and city names NER missed.

    Countries are resolved first, so that an ambiguous city is read in the light of the countries
    the article names ("Victoria" near "Canada"), then cities, then the names that are both a
    country and a US state ("Georgia"). Country names and demonyms are also looked up in the text
    outside any entity but organisations, because the small model misses or mislabels many of them.

    :param text: the article text the spans index into.
    :param entities: ``(label, start, end)`` of every NER entity; non-place labels mark text that is
        not a place (a person's name).
    :param extra: ``(label, text)`` of place entities found outside the text (title, captions).
    :param person_words: folded words of the article's person names: no town is read in them
        ("Kennedy").
    """
    g = gazetteer()
    entities = list(entities)
    found: list[tuple[str, str, tuple[int, int] | None]] = []
    skip: list[tuple[int, int]] = []
    for label, start, end in entities:
        if label != "ORG":  # "Bank of Japan" names Japan; a person or a city span names no country
            skip.append((start, end))
        if label in PLACE_LABELS:
            s, e = _trim(text, start, end)
            if s > start and fold(text[start:e]) in g.cities:  # "The Hague" is its name
                s = start
            found.append((label, fold(text[s:e]), (s, e)))
    for label, name in extra:
        if label in PLACE_LABELS:
            s, e = _trim(name, 0, len(name))
            found.append((label, fold(name[s:e]), None))
    found += _plain_names(text, entities)
    found = [(label, folded, span) for label, folded, span in found if folded not in NOT_PLACES]

    resolved: list[tuple[Entry, tuple[int, int] | None]] = []
    later, both = [], []
    for label, folded, span in found:
        entry = g.country(folded)
        if entry and folded in g.states:  # "Georgia": decided once the rest of the article is known
            both.append((entry, folded, span))
        elif entry:
            resolved.append((entry, span))
        elif PLACE_LABELS.get(label) != "country":
            later.append((label, folded, span))
    for entry, start, end in _scan_countries(text, skip):
        resolved.append((entry, (start, end)))
    context = frozenset(e.country_code for e, _ in resolved)
    for label, start, end in entities:
        if label in NAMED_AFTER_CITY:
            entry, span = _leading_city(text, start, end, context)
            if entry:
                resolved.append((entry, span))
    for label, folded, span in later:
        entry = _resolve_city(text, label, folded, span, context, person_words)
        if entry:
            resolved.append((entry, span))
    context = frozenset(e.country_code for e, _ in resolved)
    for entry, folded, span in both:
        elsewhere = {e.country_code for e, _ in resolved if e.key != entry.key}
        state = entry.country_code not in elsewhere and (_is_state(text, span) or _in_us(text, elsewhere))
        resolved.append((g.states[folded] if state else entry, span))

    by_key: dict[str, tuple[Entry, list[Mention]]] = {}
    for entry, span in resolved:
        _, mentions = by_key.setdefault(entry.key, (entry, []))
        if span and all((m.start, m.end) != span for m in mentions):
            mentions.append(Mention(*span))
    places = [_place(entry, sorted(mentions, key=lambda m: m.start)) for entry, mentions in by_key.values()]
    places.sort(key=lambda p: p.mentions[0].start if p.mentions else len(text))
    return places


def _resolve_city(
    text: str,
    label: str,
    folded: str,
    span: tuple[int, int] | None,
    context: frozenset[str],
    person_words: frozenset[str],
) -> Entry | None:
    """A city or US state for a name that is no country, or ``None`` when the article gives no
    reason to read it as one (see the module docstring)."""
    from archive.entities.persons import is_given_name  # a small cycle: persons needs no places

    g = gazetteer()
    if label == "PLAIN":  # any of its names ("in Grozny", "to Calcutta"), as it must be big
        entry = g.city(folded, context) or g.states.get(folded)
    elif label == "LOC":
        entry = g.city(folded, context, primary_only=True)
    elif folded in g.states and _is_state(text, span):
        entry = g.states[folded]
    else:
        entry = g.resolve(folded, context)
    if entry is None or entry.kind != "city" or entry.country_code in context:
        return entry
    if label == "PLAIN" and entry.population < PLAIN_CITY_POPULATION:
        return None
    words = set(folded.split())
    if words & person_words or (entry.population < BIG_CITY and is_given_name(folded)):
        return None  # "Newton", "Kennedy": a name far likelier than a town abroad
    return entry
