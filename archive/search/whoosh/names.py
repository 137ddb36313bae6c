"""Registry lookups for one search: person and place keys, spellings and labels, memoised per index
generation so repeated queries for the same names cost nothing after the first."""

from __future__ import annotations

from typing import Any

from archive.search.whoosh.cache import ReaderCache
from archive.search.whoosh.rewrite import analyze
from archive.search.widening import widened_spellings


class Names:
    """Person/place lookups over the catalog, with a vocabulary check in front of the catalog.

    A query word can only name a known person if its folded form occurs in the index's
    ``person_names`` field, so most words never reach SQLite.

    :param catalog: an open :class:`archive.store.Catalog`, or ``None`` (then nothing is expanded and
        labels are the keys).
    """

    def __init__(self, catalog: Any, cache: ReaderCache, reader) -> None:
        self.catalog = catalog
        self.cache = cache
        self.reader = reader

    def _memo(self, name: str) -> dict:
        return self.cache.memo.setdefault(name, {})

    def _known_name_words(self, text: str) -> bool:
        terms = analyze(text, exact=False)
        if not terms or "person_names" not in self.reader.schema:
            return False
        return all(self.reader.doc_frequency("person_names", t) > 0 for t in terms)

    def person_keys(self, value: str) -> list[str]:
        """Keys of the persons ``value`` names: the registry's answer, else the spelling-robust key.

        The registry knows the spellings seen in articles; :func:`person_key` also reads spellings
        never seen ("Lukashenko" for an archive that only wrote "Lukashenka"). A surname alone matches
        every indexed person key with that surname (keys are ``surname_given``).
        """
        memo = self._memo("person_keys")
        if value not in memo:
            found = self.catalog.find_persons(value) if self.catalog is not None else []
            indexed = [k for k in found if self.cache.has_term("person", k)]
            memo[value] = indexed or self._keys_by_skeleton(value)
        return memo[value]

    def _keys_by_skeleton(self, value: str) -> list[str]:
        if self.cache.has_term("person", value):
            return [value]
        key = _person_key(value)
        if not key:
            return []
        if self.cache.has_term("person", key):
            return [key]
        if "_" in key:
            return []
        # from the term list: a query word need not read every person of the archive (CLI start-up)
        return self.cache.terms_with_prefix("person", key + "_")

    def place_keys(self, value: str) -> list[str]:
        memo = self._memo("place_keys")
        if value not in memo:
            keys = self.catalog.find_places(value) if self.catalog is not None else []
            if not keys and value in self.cache.place.positions:
                keys = [value]
            if not keys:  # a name in another language or case (Москва, Warszawa): the gazetteer's place
                from archive.entities.ner_slavic import resolve

                place = resolve(value)
                keys = [place.key] if place is not None and place.key in self.cache.place.positions else []
            memo[value] = keys
        return memo[value]

    def person_spellings(self, text: str) -> list[tuple[str, str, list[str]]]:
        memo = self._memo("spellings")
        if text in memo:
            return memo[text]
        found: list[tuple[str, str, list[str]]] = []
        if self._known_name_words(text) or self._keys_by_skeleton(text):
            keys = self.person_keys(text)
            info = self.persons(keys)
            for key in keys:
                if key in info:
                    entry = info[key]
                    spellings = sorted({entry["name"], *entry.get("variants", [])})
                    widened = widened_spellings(text, key, spellings)
                    if widened is not None:
                        found.append((key, entry["name"], widened))
        memo[text] = found
        return found

    def persons(self, keys) -> dict[str, dict]:
        """``{key: {"name", "variants"}}`` for known keys (memoised)."""
        memo = self._memo("persons")
        missing = [k for k in keys if k not in memo]
        if missing:
            found = self.catalog.persons(missing) if self.catalog is not None else {}
            for key in missing:
                memo[key] = found.get(key)
        return {k: memo[k] for k in keys if memo.get(k) is not None}

    def places(self, keys) -> dict[str, dict]:
        """``{key: {"name", "country", "lat", "lon"}}`` for known keys (memoised)."""
        memo = self._memo("places")
        missing = [k for k in keys if k not in memo]
        if missing:
            found = self.catalog.places(missing) if self.catalog is not None else {}
            for key in missing:
                memo[key] = found.get(key)
        return {k: memo[k] for k in keys if memo.get(k) is not None}

    def person_label(self, key: str) -> str:
        entry = self.persons([key]).get(key)
        return entry["name"] if entry else key

    def place_entry(self, key: str) -> dict[str, Any]:
        """``{"name", "country"}`` of a place key; a country key unknown to the gazetteer shows as itself."""
        entry = self.places([key]).get(key)
        if entry:
            return {"name": entry.get("name") or key, "country": entry.get("country") or ""}
        if "/" in key:  # a US state only its cities' articles name: the gazetteer knows it
            from archive.entities.places import unregistered_label

            label = unregistered_label(key)
            if label is not None:
                return {"name": label[0], "country": label[1]}
        return {"name": key, "country": ""}


def _person_key(name: str) -> str | None:
    try:
        from archive.entities.persons import person_key
    except ImportError:  # the entities package is optional for a bare index
        return None
    return person_key(name)
