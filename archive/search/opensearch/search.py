"""A search as one OpenSearch request: articles whose passage (or title) holds every word, exact totals,
highlighted passages with their numbers, and facet counts that equal the filtered totals.

Facets are terms aggregations on the article documents. Across shards a terms aggregation is exact when
no shard had to leave terms out (each returned fewer than ``shard_size`` buckets): OpenSearch then
reports ``doc_count_error_upper_bound`` 0. :func:`search` asks for a generous ``shard_size`` and checks
that bound on every facet; a facet that reports a possible error is counted again with a composite
aggregation, which pages through every value and is exact by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from opensearchpy import OpenSearch

from archive.search.opensearch.client import call
from archive.search.opensearch.layout import ARTICLE, DEFAULT_LAYOUT, JOIN, NESTED, PASSAGE

#: Values per person/place facet, as the embedded engine shows them (archive.search.facets).
FACET_SIZE = 20
#: Months in the publication facet: 20 years of monthly bars (as archive.search.facets).
MAX_MONTHS = 240
#: Terms each shard returns per facet. Below it every shard returns all its values, which makes the
#: merged counts exact; Reuters has ~300 people and ~180 places in all, a 1M-article archive more, and
#: then the composite fallback keeps them exact at a cost (measured in benchmarks/opensearch_layout.py).
SHARD_SIZE = 2_000
#: Buckets per page of the composite fallback.
COMPOSITE_PAGE = 1_000
#: Passages shown per result and the length of a snippet, in characters.
SNIPPETS = 3
SNIPPET_CHARS = 200
#: The facets: name -> (field, size, order).
FACETS = {
    "person": ("person", FACET_SIZE, [{"_count": "desc"}, {"_key": "asc"}]),
    "place": ("place", FACET_SIZE, [{"_count": "desc"}, {"_key": "asc"}]),
    "published": ("month", MAX_MONTHS, [{"_key": "desc"}]),
}


@dataclass
class Hit:
    id: str
    title: str
    score: float
    #: (passage number, highlighted fragment with <mark> tags)
    snippets: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Results:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    #: facets that the terms aggregation could not count exactly and the composite one counted again
    recounted: list[str] = field(default_factory=list)
    #: milliseconds the cluster spent on the search request (its "took")
    took: int = 0


def filters(**values: str | list[str] | None) -> list[dict]:
    """Filter clauses on the article document: ``person``, ``place``, ``month`` (a value or a list of
    values that must all hold)."""
    clauses = []
    for name, value in values.items():
        if name not in ("person", "place", "month"):
            raise TypeError(f"no filter {name!r}")
        for v in [value] if isinstance(value, str) else value or []:
            clauses.append({"term": {name: v}})
    return clauses


def query(words: str, layout: str = DEFAULT_LAYOUT, clauses: list[dict] | None = None) -> dict[str, Any]:
    """Articles with every word of ``words`` in one passage or in the title, with passage snippets."""
    match = {"simple_query_string": {"query": words, "default_operator": "and"}}
    highlight = {
        "pre_tags": ["<mark>"],
        "post_tags": ["</mark>"],
        "fields": {},
    }
    if layout == NESTED:
        match["simple_query_string"]["fields"] = ["passages.text"]
        highlight["fields"]["passages.text"] = {"number_of_fragments": 1, "fragment_size": SNIPPET_CHARS}
        passages = {
            "nested": {
                "path": "passages",
                "query": match,
                "score_mode": "max",
                "inner_hits": {"size": SNIPPETS, "_source": ["passages.n"], "highlight": highlight},
            }
        }
        kind: list[dict] = []
    else:
        match["simple_query_string"]["fields"] = ["text"]
        highlight["fields"]["text"] = {"number_of_fragments": 1, "fragment_size": SNIPPET_CHARS}
        passages = {
            "has_child": {
                "type": PASSAGE,
                "query": match,
                "score_mode": "max",
                "inner_hits": {"size": SNIPPETS, "_source": ["n"], "highlight": highlight},
            }
        }
        kind = [{"term": {JOIN: ARTICLE}}]
    title = {"simple_query_string": {"query": words, "fields": ["title"], "default_operator": "and"}}
    return {
        "bool": {
            "should": [passages, title] if words.strip() else [],
            "minimum_should_match": 1 if words.strip() else 0,
            "filter": kind + (clauses or []),
        }
    }


def body(q: dict[str, Any], size: int = 10) -> dict[str, Any]:
    aggs = {
        name: {
            "terms": {
                "field": fld,
                "size": n,
                "shard_size": max(SHARD_SIZE, n),
                "order": order,
                "show_term_doc_count_error": False,
            }
        }
        for name, (fld, n, order) in FACETS.items()
    }
    return {
        "query": q,
        "size": size,
        "track_total_hits": True,
        "_source": ["id", "title"],
        "aggs": aggs,
    }


def search(
    client: OpenSearch, index: str, words: str, layout: str = DEFAULT_LAYOUT, size: int = 10, **filter_values
) -> Results:
    """One page of results with exact total and facets (see the module docstring for why they are exact)."""
    q = query(words, layout, filters(**filter_values))
    response = call(lambda: client.search(index=index, body=body(q, size)))
    total = response["hits"]["total"]  # relation "eq": track_total_hits counts every match
    facets, recounted = {}, []
    for name, agg in response["aggregations"].items():
        if agg.get("doc_count_error_upper_bound", 0):
            facets[name] = composite_facet(client, index, q, name)
            recounted.append(name)
        else:
            facets[name] = [(b["key"], b["doc_count"]) for b in agg["buckets"]]
    hits = [_hit(h) for h in response["hits"]["hits"]]
    return Results(total["value"], hits, facets, recounted, response["took"])


def composite_facet(client: OpenSearch, index: str, q: dict[str, Any], name: str) -> list[tuple[str, int]]:
    """Every value of a facet for the query's articles, paged with a composite aggregation (exact)."""
    fld, size, order = FACETS[name]
    counts: list[tuple[str, int]] = []
    after = None
    while True:
        composite: dict[str, Any] = {"size": COMPOSITE_PAGE, "sources": [{"v": {"terms": {"field": fld}}}]}
        if after:
            composite["after"] = after
        agg = {"f": {"composite": composite}}
        response = call(lambda a=agg: client.search(index=index, body={"query": q, "size": 0, "aggs": a}))
        result = response["aggregations"]["f"]
        counts += [(b["key"]["v"], b["doc_count"]) for b in result["buckets"]]
        after = result.get("after_key")
        if not result["buckets"] or not after:
            break
    if "_count" in order[0]:
        counts.sort(key=lambda kv: (-kv[1], kv[0]))
    else:
        counts.sort(key=lambda kv: kv[0], reverse=True)
    return counts[:size]


def _hit(h: dict[str, Any]) -> Hit:
    snippets = []
    for inner in h.get("inner_hits", {}).values():
        for passage in inner["hits"]["hits"]:
            n = passage["_source"]["n"]  # a nested inner hit's source is the passage itself
            for fragment in passage.get("highlight", {}).values():
                snippets.append((n, fragment[0]))
    return Hit(h["_source"]["id"], h["_source"]["title"], h["_score"] or 0.0, snippets)
