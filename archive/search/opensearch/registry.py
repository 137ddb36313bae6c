"""The person and place registry as the cluster holds it (``<prefix>-registry``, written at each commit).

:class:`ClusterNames` answers what the query rewrite and the results ask of the registry (the
embedded engine's :class:`archive.search.whoosh.names.Names`, read from the cluster instead of the
catalog), memoised per cluster generation (the ``<prefix>-meta`` document), so a web node that serves
many searches reads each name once per import.
"""

from __future__ import annotations

import threading
from typing import Any

from opensearchpy import OpenSearch

from archive.errors import NotFound
from archive.search.opensearch.client import call
from archive.search.opensearch.layout import ARTICLE, JOIN, META_ID, IndexNames
from archive.search.whoosh.rewrite import analyze
from archive.search.widening import widened_spellings

#: Memo tables kept per (indexes, generation); older generations are dropped.
_MEMOS: dict[tuple[str, int], dict[str, dict]] = {}
_MEMOS_LOCK = threading.Lock()
#: Registry entries read per request (a listing page, a facet's labels).
PAGE = 1_000


def generation(client: OpenSearch, names: IndexNames) -> int:
    """The cluster's generation (bumped by each commit); 0 before the first."""
    response = call(lambda: client.get(index=names.meta, id=META_ID, ignore=[404]))
    return int((response.get("_source") or {}).get("generation", 0))


def memo_for(names: IndexNames, gen: int) -> dict[str, dict]:
    with _MEMOS_LOCK:
        key = (names.articles, gen)
        if key not in _MEMOS:
            for old in [k for k in _MEMOS if k[0] == names.articles]:
                del _MEMOS[old]
            _MEMOS[key] = {}
        return _MEMOS[key]


class ClusterNames:
    """Person/place lookups over the cluster's registry and article fields (see the module docstring)."""

    def __init__(self, client: OpenSearch, names: IndexNames, memo: dict[str, dict]) -> None:
        self.client = client
        self.names = names
        self.memo = memo

    def _memo(self, name: str) -> dict:
        return self.memo.setdefault(name, {})

    # -- reads ---------------------------------------------------------------------------------------

    def _registry(self, query: dict[str, Any], size: int = PAGE) -> list[dict[str, Any]]:
        body = {"query": query, "size": size, "sort": [{"key": "asc"}]}
        response = call(lambda: self.client.search(index=self.names.registry, body=body, ignore=[404]))
        return [h["_source"] for h in response.get("hits", {}).get("hits", [])]

    def _count(self, query: dict[str, Any]) -> int:
        body = {"query": {"bool": {"filter": [{"term": {JOIN: ARTICLE}}, query]}}}
        return call(lambda: self.client.count(index=self.names.articles, body=body))["count"]

    def has_term(self, fieldname: str, value: str) -> bool:
        """Whether some article's ``fieldname`` holds ``value`` (a key, a name term)."""
        memo = self._memo("terms")
        if (fieldname, value) not in memo:
            memo[fieldname, value] = self._count({"term": {fieldname: value}}) > 0
        return memo[fieldname, value]

    def entries(self, kind: str, keys) -> dict[str, dict[str, Any]]:
        """``{key: registry document}`` of the known ``keys`` (memoised)."""
        memo = self._memo(kind)
        missing = [k for k in dict.fromkeys(keys) if k not in memo]
        for i in range(0, len(missing), PAGE):
            chunk = missing[i : i + PAGE]
            for key in chunk:
                memo[key] = None
            ids = [f"{kind}:{k}" for k in chunk]
            response = call(
                lambda ids=ids: self.client.mget(index=self.names.registry, body={"ids": ids}, ignore=[404])
            )
            for doc in response.get("docs", []):
                if doc.get("found"):
                    memo[doc["_source"]["key"]] = doc["_source"]
        return {k: memo[k] for k in keys if memo.get(k) is not None}

    # -- what the rewrite asks (archive.search.whoosh.rewrite.NameLookup) ----------------------------

    def find_persons(self, value: str) -> list[str]:
        """As :meth:`archive.store.Catalog.find_persons`: a key, a full name, a spelling or a surname."""
        from archive.store import fold_name

        value = value.strip()
        if not value:
            return []
        if self.entries("person", [value]):
            return [value]
        folded = fold_name(value)
        found = self._registry(
            {
                "bool": {
                    "filter": [{"term": {"kind": "person"}}],
                    "should": [{"term": {"folded": folded}}, {"term": {"endings": folded}}],
                    "minimum_should_match": 1,
                }
            }
        )
        return sorted(e["key"] for e in found)

    def person_keys(self, value: str) -> list[str]:
        memo = self._memo("person_keys")
        if value not in memo:
            indexed = [k for k in self.find_persons(value) if self.has_term("person", k)]
            memo[value] = indexed or self._keys_by_skeleton(value)
        return memo[value]

    def _keys_by_skeleton(self, value: str) -> list[str]:
        if self.has_term("person", value):
            return [value]
        try:
            from archive.entities.persons import person_key
        except ImportError:
            return []
        key = person_key(value)
        if not key:
            return []
        if self.has_term("person", key):
            return [key]
        if "_" in key:
            return []
        body = {
            "size": 0,
            "query": {"bool": {"filter": [{"term": {JOIN: ARTICLE}}, {"prefix": {"person": key + "_"}}]}},
            "aggs": {"k": {"terms": {"field": "person", "include": f"{_regex(key)}_.*", "size": PAGE}}},
        }
        response = call(lambda: self.client.search(index=self.names.articles, body=body))
        return sorted(b["key"] for b in response["aggregations"]["k"]["buckets"])

    def place_keys(self, value: str) -> list[str]:
        memo = self._memo("place_keys")
        if value not in memo:
            from archive.store import fold_name

            keys = []
            if value.strip():
                if self.entries("place", [value.strip()]):
                    keys = [value.strip()]
                else:
                    query = {
                        "bool": {
                            "filter": [{"term": {"kind": "place"}}, {"term": {"folded": fold_name(value)}}]
                        }
                    }
                    keys = sorted(e["key"] for e in self._registry(query))
            if not keys and self.has_term("place", value):
                keys = [value]
            if not keys:  # a name in another language or case (Москва, Warszawa): the gazetteer's place
                from archive.entities.ner_slavic import resolve

                place = resolve(value)
                keys = [place.key] if place is not None and self.has_term("place", place.key) else []
            memo[value] = keys
        return memo[value]

    def person_spellings(self, text: str) -> list[tuple[str, str, list[str]]]:
        memo = self._memo("spellings")
        if text in memo:
            return memo[text]
        found: list[tuple[str, str, list[str]]] = []
        terms = analyze(text, exact=False)
        known = bool(terms) and all(self.has_term("person_names", t) for t in terms)
        if known or self._keys_by_skeleton(text):
            keys = self.person_keys(text)
            info = self.entries("person", keys)
            for key in keys:
                if key in info:
                    entry = info[key]
                    spellings = sorted({entry["name"], *entry.get("variants", [])})
                    widened = widened_spellings(text, key, spellings)
                    if widened is not None:
                        found.append((key, entry["name"], widened))
        memo[text] = found
        return found

    # -- labels --------------------------------------------------------------------------------------

    def person_label(self, key: str) -> str:
        entry = self.entries("person", [key]).get(key)
        return entry["name"] if entry else key

    def place_entry(self, key: str) -> dict[str, Any]:
        """``{"name", "country"}`` of a place key, as :func:`archive.search.whoosh.facets.place_label`."""
        memo = self._memo("place_labels")
        if key in memo:
            return memo[key]
        entry = self.entries("place", [key]).get(key)
        if entry:
            out = {"name": entry.get("name") or key, "country": entry.get("country") or ""}
        elif "/" in key:  # a US state only its cities' articles name: the gazetteer knows it
            from archive.entities.places import unregistered_label

            label = unregistered_label(key)
            out = {"name": label[0], "country": label[1]} if label else {"name": key, "country": ""}
        else:
            out = {"name": key, "country": ""}
        if not out["country"] and "/" not in key:  # a country key: its name from one of its cities
            cities = self._registry(
                {"bool": {"filter": [{"term": {"kind": "place"}}, {"prefix": {"key": key + "/"}}]}}
            )
            country = next((c["country"] for c in cities if c.get("country")), "")
            if country:
                out = {"name": out["name"] if out["name"] != key else country, "country": country}
        memo[key] = out
        return out

    # -- directories ---------------------------------------------------------------------------------

    def listing(self, kind: str, query: str = "", offset: int = 0, limit: int | None = None) -> dict:
        """As :func:`archive.registry.listing`: ``{"total", "items"}``, most articles first."""
        from archive.store import fold_name

        filters: list[dict[str, Any]] = [{"term": {"kind": kind}}, {"range": {"articles": {"gt": 0}}}]
        folded = fold_name(query.strip()) if query.strip() else ""
        if folded:
            pattern = f"*{_wildcard(folded)}*"
            filters.append(
                {
                    "bool": {
                        "should": [{"wildcard": {"folded": pattern}}, {"wildcard": {"key": pattern}}],
                        "minimum_should_match": 1,
                    }
                }
            )
        body: dict[str, Any] = {
            "query": {"bool": {"filter": filters}},
            "sort": [{"articles": "desc"}, {"key": "asc"}],
            "track_total_hits": True,
            "from": offset,
            "size": PAGE if limit is None else limit,
        }
        response = call(lambda: self.client.search(index=self.names.registry, body=body, ignore=[404]))
        hits = response.get("hits", {})
        items = []
        for h in hits.get("hits", []):
            e = h["_source"]
            item: dict[str, Any] = {"key": e["key"], "name": e.get("name") or e["key"]}
            if kind == "person":
                item["variants"] = e.get("variants", [])
            else:
                item["variants"] = [item["name"]]
                item["country"] = e.get("country") or ""
            item["articles"] = e["articles"]
            items.append(item)
        return {"total": hits.get("total", {}).get("value", 0), "items": items}

    def entity(self, kind: str, key: str) -> dict[str, Any]:
        """As :func:`archive.registry.entity`. :raises NotFound: for a key the registry lacks."""
        e = self.entries(kind, [key]).get(key)
        if e is None:
            noun = "person" if kind == "person" else "place"
            raise NotFound(f"No {noun} with the key {key!r} in this archive.")
        out: dict[str, Any] = {"key": key, "name": e.get("name") or key, "variants": e.get("variants", [])}
        out["articles"] = e["articles"]
        if kind == "place":
            out.update(country=e.get("country"), lat=e.get("lat"), lon=e.get("lon"))
        out["hidden"] = bool(e.get("hidden"))
        out["corrections"] = e.get("corrections", [])
        return {k: out[k] for k in _ENTITY_ORDER[kind]}


_ENTITY_ORDER = {
    "person": ("key", "name", "variants", "articles", "hidden", "corrections"),
    "place": ("key", "name", "variants", "articles", "country", "lat", "lon", "hidden", "corrections"),
}


def _regex(text: str) -> str:
    """``text`` literal in a Lucene regular expression."""
    return "".join("\\" + c if not c.isalnum() else c for c in text)


def _wildcard(text: str) -> str:
    return "".join("\\" + c if c in "*?\\" else c for c in text)
