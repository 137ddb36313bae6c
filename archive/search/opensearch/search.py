"""One search request as cluster requests: filters, sort, exact facets, pattern expansion, did-you-mean.

Exact facets: a terms aggregation merges each shard's top ``shard_size`` values, so it is exact when
every shard returned all its values (``doc_count_error_upper_bound`` 0); otherwise the facet is counted
again with a composite aggregation, which pages through every value (exact, slower).
"""

from __future__ import annotations

import re
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import RequestError, TransportError

from archive.errors import BadQuery
from archive.search.fields import date_range
from archive.search.opensearch.client import call
from archive.search.opensearch.layout import ARTICLE, JOIN
from archive.search.opensearch.translate import FIELDS, MAX_EXPANSIONS, pattern_label
from archive.search.request import SearchRequest

#: Values shown per person/place facet by default, and the language facet's size (as the embedded
#: engine's archive.search.whoosh.facets).
FACET_SIZE = 20
#: Months in the publication facet: 20 years of monthly bars (the most recent ones).
MAX_MONTHS = 240
#: Terms each shard returns per facet. Below it every shard returns all its values, which makes the
#: merged counts exact; past it the composite recount keeps them exact at a cost (a request per 1,000
#: values). Reuters has ~10,000 person keys: at 2,000, "said" was recounted in 12 requests (+300 ms).
SHARD_SIZE = 20_000
#: Buckets per page of the composite recount.
COMPOSITE_PAGE = 1_000
#: Sort orders: the embedded engine's (archive.search.whoosh.engine._order), ties broken by id.
SORTS = {
    "relevance": [{"_score": "desc"}, {"day": {"order": "desc", "missing": "_last"}}, {"id": "asc"}],
    "newest": [
        {"day": {"order": "desc", "missing": "_last"}},
        {"time": "desc"},
        {"_score": "desc"},
        {"id": "asc"},
    ],
    "oldest": [
        {"day": {"order": "asc", "missing": "_last"}},
        {"time": "asc"},
        {"_score": "desc"},
        {"id": "asc"},
    ],
}
_TERM = re.compile(r"(?<![\w^=])(\w+):(\S+)")
_PATTERN_SYNTAX = re.compile(r"[*?~]")


def filters(req: SearchRequest, names) -> list[dict[str, Any]]:
    """The request's filters as clauses on the article document (``names``: a ClusterNames)."""
    clauses: list[dict[str, Any]] = [{"term": {JOIN: ARTICLE}}]
    for value in req.persons:
        clauses.append({"terms": {"person": names.person_keys(value)}})
    for value in req.places:
        clauses.append({"terms": {"place": names.place_keys(value)}})
    if req.source:
        clauses.append({"term": {"source": req.source.strip().lower()}})
    if req.language:
        clauses.append({"term": {"language": req.language}})
    if req.date_from or req.date_to:
        low = date_range(req.date_from)[0] if req.date_from else 1
        high = date_range(req.date_to)[1] if req.date_to else 99991231
        clauses.append({"range": {"day": {"gte": low, "lte": high}}})
    if req.mentioned_from or req.mentioned_to:
        low = date_range(req.mentioned_from)[0] if req.mentioned_from else 0
        high = date_range(req.mentioned_to)[1] if req.mentioned_to else 99991231
        clauses.append({"range": {"mentioned": {"gte": low, "lte": high, "relation": "intersects"}}})
    return clauses


def _terms(fld: str, size: int, order: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "terms": {
            "field": fld,
            "size": size,
            "shard_size": max(SHARD_SIZE, size),
            "order": order,
            "show_term_doc_count_error": True,
        }
    }


def facet_aggs(facet_size: int, stories: list[str]) -> dict[str, Any]:
    """The facets (name -> aggregation) and what counts the stories (:func:`story_aggs`)."""
    by_count = [{"_count": "desc"}, {"_key": "asc"}]
    return {
        "person": _terms("person", facet_size, by_count),
        "place": _terms("place", facet_size, by_count),
        "published": _terms("month", MAX_MONTHS, [{"_key": "desc"}]),
        "language": _terms("language", FACET_SIZE, by_count),
        **story_aggs(stories),
    }


def copy_stories(client: OpenSearch, index: str) -> list[str]:
    """Every story that has copies in the archive (the story its copies name; exact, paged)."""
    return sorted(k for k, _ in composite_facet(client, index, {"term": {"copy": True}}, {"field": "story"}))


def story_aggs(stories: list[str]) -> dict[str, Any]:
    """The matching copies' stories, and which of those stories' first articles match (``stories``:
    :func:`copy_stories`). Both are exact terms aggregations: no shard holds more values than asked."""
    size = len(stories) + 1
    terms = {"terms": {"field": "story", "size": size, "shard_size": size}}
    heads = {"bool": {"filter": [{"term": {"copy": False}}, {"terms": {"story": stories}}]}}
    return {
        "story_copies": {"filter": {"term": {"copy": True}}, "aggs": {"s": terms}},
        "story_heads": {"filter": heads, "aggs": {"s": terms}},
    }


def read_stories(total: int, aggregations: dict[str, Any]) -> int:
    """How many stories the ``total`` matching articles make: every article that is no copy is one
    (its own, or the first of its copies), plus each story of a matching copy whose first article
    does not match."""
    copies = aggregations["story_copies"]
    named = {b["key"] for b in copies["s"]["buckets"]}
    heads = {b["key"] for b in aggregations["story_heads"]["s"]["buckets"]}
    return total - copies["doc_count"] + len(named - heads)


def read_facets(
    client: OpenSearch, index: str, query: dict[str, Any], aggs: dict[str, Any], response: dict[str, Any]
) -> dict[str, list[tuple[str, int]]]:
    """``{facet: [(value, count)]}`` in the embedded engine's order (months oldest first)."""
    out = {}
    for name, agg in response["aggregations"].items():
        if name.startswith("story_"):
            continue
        buckets = [(b["key"], b["doc_count"]) for b in agg["buckets"]]
        if agg.get("doc_count_error_upper_bound", 0) or any(
            b.get("doc_count_error_upper_bound", 0) for b in agg["buckets"]
        ):
            buckets = composite_facet(client, index, query, aggs[name]["terms"])
        out[name] = buckets[::-1] if name == "published" else buckets
    return out


def composite_facet(
    client: OpenSearch, index: str, query: dict[str, Any], terms: dict[str, Any]
) -> list[tuple[str, int]]:
    """Every value of a facet for the query's articles, paged with a composite aggregation (exact), in
    the terms aggregation's order and size (``terms``: its parameters; all values by key without)."""
    counts: list[tuple[str, int]] = []
    after = None
    while True:
        composite: dict[str, Any] = {
            "size": COMPOSITE_PAGE,
            "sources": [{"v": {"terms": {"field": terms["field"]}}}],
        }
        if after:
            composite["after"] = after
        body = {"query": query, "size": 0, "aggs": {"f": {"composite": composite}}}
        result = call(lambda b=body: client.search(index=index, body=b))["aggregations"]["f"]
        counts += [(b["key"]["v"], b["doc_count"]) for b in result["buckets"]]
        after = result.get("after_key")
        if not result["buckets"] or not after:
            break
    if "_count" in terms.get("order", [{}])[0]:
        counts.sort(key=lambda kv: (-kv[1], kv[0]))
    elif "order" in terms:
        counts.sort(key=lambda kv: kv[0], reverse=True)
    return counts[: terms.get("size")]


def expand_pattern(
    client: OpenSearch, index: str, pattern: tuple[str, str, str, int, int], names=()
) -> dict[str, set[str]]:
    """The index terms a pattern stands for in its field and the fields ``names`` (the embedded
    engine's field names), by the cluster's own rewrite of it on every shard, in one request:
    ``{index field: terms}``.

    :raises BadQuery: for more than ``MAX_EXPANSIONS`` in a field, as the embedded engine refuses them.
    """
    _, kind, text, maxdist, prefix = pattern
    fields = [FIELDS[n][0] for n in dict.fromkeys([pattern[0], *names])]
    if kind == "fuzzy":
        options = {
            "value": text,
            "fuzziness": maxdist,
            "prefix_length": prefix,
            "transpositions": True,  # as the embedded engine (whoosh/fuzzy.py)
            "max_expansions": MAX_EXPANSIONS + 1,  # one more than allowed: a broader word is refused
        }
    else:
        options = {"value": text, "rewrite": "scoring_boolean"}
    leaf = {"bool": {"should": [{kind: {fld: options}} for fld in fields]}}
    too_broad = BadQuery(
        f"{pattern_label(kind, text)} stands for more than {MAX_EXPANSIONS} words; make it more specific."
    )
    try:
        response = call(
            lambda: client.indices.validate_query(
                index=index, body={"query": leaf}, params={"rewrite": "true", "all_shards": "true"}
            )
        )
    except (RequestError, TransportError) as exc:
        if _too_many(exc):
            raise too_broad from exc
        raise
    if any(_too_many(f) for f in response.get("_shards", {}).get("failures", [])):
        raise too_broad
    terms: dict[str, set[str]] = {fld: set() for fld in fields}
    for explanation in response.get("explanations", []):
        if not explanation.get("valid", True):
            if _too_many(explanation.get("error")):
                raise too_broad
            continue
        for found_field, term in _TERM.findall(explanation.get("explanation", "")):
            term = re.sub(r"\^[\d.]+$", "", term).rstrip(")")
            # a pattern that stands for nothing on a shard stays itself (index terms have no * ? ~)
            if found_field in terms and not _PATTERN_SYNTAX.search(term):
                terms[found_field].add(term)
    if any(len(found) > MAX_EXPANSIONS for found in terms.values()):
        raise too_broad
    return terms


def _too_many(error: object) -> bool:
    """Whether a cluster error says a query expanded to more clauses than it takes."""
    return "too_many_clauses" in str(error) or "maxClauseCount" in str(error)
