"""Places: resolve place names to gazetteer entries with their country, in an article or typed.

Keys are ``"XX"`` (ISO 3166 alpha-2) for a country and ``"XX/<geonameid>"`` for a city or US
state, so a country filter includes its cities by key prefix. Demonyms count as their country
("Belarusian" -> ``BY``); historical states as their successor (USSR -> ``RU``, West Germany -> ``DE``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from archive.entities.folding import fold
from archive.entities.gazetteer import Entry, gazetteer
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
        matches = [e for es in g.cities.values() for e in es if e.key == name]
        matches += [e for e in g.states.values() if e.key == name]
        return _place(matches[0]) if matches else None
    start, end = _trim(name, 0, len(name))
    entry = g.resolve(fold(name[start:end]))
    return _place(entry) if entry else None


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
            city = gazetteer().city(fold(text[s:e]), context, primary_only=True)
            if city and city.population >= CITY_IN_NAME_POPULATION:
                return city, (s, e)
    return None, ()


def places_in(
    text: str, entities: Iterable[tuple[str, int, int]], extra: Iterable[tuple[str, str]] = ()
) -> list[Place]:
    """Resolve the place entities of an article, plus country names NER missed.

    Countries are resolved first, so that an ambiguous city is read in the light of the countries
    the article names ("Victoria" near "Canada"). Country names and demonyms are also looked up in
    the text outside any entity but organisations, because the small model misses or mislabels
    many of them.

    :param text: the article text the spans index into.
    :param entities: ``(label, start, end)`` of every NER entity; non-place labels mark text that is
        not a place (a person's name).
    :param extra: ``(label, text)`` of place entities found outside the text (title, captions).
    """
    g = gazetteer()
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

    resolved: list[tuple[Entry, tuple[int, int] | None]] = []
    later = []
    for label, folded, span in found:
        entry = g.country(folded)
        if entry:
            resolved.append((entry, span))
        elif PLACE_LABELS[label] != "country":
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
        if PLACE_LABELS[label] == "primary":
            entry = g.city(folded, context, primary_only=True)
        else:
            entry = g.resolve(folded, context)
        if entry:
            resolved.append((entry, span))

    by_key: dict[str, tuple[Entry, list[Mention]]] = {}
    for entry, span in resolved:
        _, mentions = by_key.setdefault(entry.key, (entry, []))
        if span and all((m.start, m.end) != span for m in mentions):
            mentions.append(Mention(*span))
    places = [_place(entry, sorted(mentions, key=lambda m: m.start)) for entry, mentions in by_key.values()]
    places.sort(key=lambda p: p.mentions[0].start if p.mentions else len(text))
    return places
