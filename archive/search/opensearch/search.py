"""One search request as cluster requests: filters, sort, exact facets, pattern expansion, did-you-mean.

Exact facets: a terms aggregation merges each shard's top ``shard_size`` values, so it is exact when
every shard returned all its values (``doc_count_error_upper_bound`` 0); otherwise the values that may be
shown are counted again (:func:`candidates`), or every shard's values, and as a last resort the facet is
counted with a composite aggregation, which pages through every value (exact, slower).
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
#: Person/place values each shard returns in the search itself. Building and sending a shard's top list
#: is what a broad facet costs: on Reuters "said" took 134 ms with 20,000 and 58 ms with 100 (load ~9),
#: and with 500 the values that may be shown are few enough to count again in one request (:func:`recount`).
FACET_SHARD_SIZE = 500
#: Values each shard returns when a facet is counted again: below it every shard returns all its values
#: (Reuters has ~10,000 person keys), which makes the merged counts exact; past it the composite recount
#: keeps them exact at a cost (a request per 1,000 values).
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


def _terms(fld: str, size: int, order: list[dict[str, str]], shard_size: int = SHARD_SIZE) -> dict[str, Any]:
    """A terms facet showing ``size`` values; every merged value up to ``shard_size`` comes back, with
    its count error, for :func:`exact_top`."""
    shard_size = max(shard_size, size)
    return {
        "terms": {
            "field": fld,
            "size": shard_size,
            "shard_size": shard_size,
            "order": order,
            "show_term_doc_count_error": True,
        },
        "meta": {"shown": size},
    }


def facet_aggs(facet_size: int, stories: list[str]) -> dict[str, Any]:
    """The facets (name -> aggregation) and what counts the stories (:func:`story_aggs`)."""
    by_count = [{"_count": "desc"}, {"_key": "asc"}]
    return {
        "person": _terms("person", facet_size, by_count, FACET_SHARD_SIZE),
        "place": _terms("place", facet_size, by_count, FACET_SHARD_SIZE),
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
    """``{facet: [(value, count)]}`` in the embedded engine's order (months oldest first); the facets a
    shard cut short are counted again, all in one request (:func:`recount`)."""
    out: dict[str, list[tuple[str, int]] | None] = {}
    for name, agg in response["aggregations"].items():
        if not name.startswith("story_"):
            out[name] = exact_top(agg, aggs[name]["meta"]["shown"])
    again = {n: recount(response["aggregations"][n], aggs[n]) for n, found in out.items() if found is None}
    if again:
        body = {"query": query, "size": 0, "aggs": {n: {"terms": t} for n, t in again.items()}}
        counted = call(lambda: client.search(index=index, body=body))["aggregations"]
        for name in again:
            shown = aggs[name]["meta"]["shown"]
            found = exact_top(counted[name], shown)
            if found is None:
                found = composite_facet(client, index, query, {**aggs[name]["terms"], "size": shown})
            out[name] = found
    return {
        name: found[::-1] if name == "published" else found
        for name, found in out.items()
        if found is not None
    }


def exact_top(agg: dict[str, Any], shown: int) -> list[tuple[str, int]] | None:
    """The first ``shown`` values of a terms aggregation with their counts, or None when a shard cut its
    list short (its count error is not 0: the counts and the order may be off)."""
    if agg.get("doc_count_error_upper_bound", 0):
        return None
    return [(b["key"], b["doc_count"]) for b in agg["buckets"][:shown]]


def candidates(agg: dict[str, Any], shown: int) -> list[str] | None:
    """The values of a facet ordered by count that may be among its first ``shown``, or None when a value
    the merge did not return could be.

    A shard that cut its list short left out only values it counts at most its last count; the sum over
    the shards is the aggregation's ``doc_count_error_upper_bound`` (OpenSearch's per-value errors are
    not reliable: 2.19 gives a value every shard returned an error). So a value's true count is between
    its merged count and that plus the error, and one the merge did not return counts at most the last
    returned count plus the error. The ``shown``-th merged count is a floor of the first ``shown`` true
    counts: a value whose bound stays below it cannot be one of them (nor tie with one).
    """
    buckets, error = agg["buckets"], agg.get("doc_count_error_upper_bound", 0)
    if len(buckets) < shown or error < 0:
        return None
    floor = buckets[shown - 1]["doc_count"]
    left_out = error + (buckets[-1]["doc_count"] if agg.get("sum_other_doc_count") else 0)
    if left_out >= floor:
        return None
    return [b["key"] for b in buckets if b["doc_count"] + error >= floor]


def recount(agg: dict[str, Any], facet: dict[str, Any]) -> dict[str, Any]:
    """The terms aggregation that counts a facet (``facet``: :func:`facet_aggs`' entry) a shard cut short
    again: only the values that may be shown when the merged answer ``agg`` rules out the rest
    (:func:`candidates`; every shard returns all of them, and no full list, which would count as cut),
    else :data:`SHARD_SIZE` values per shard (:func:`read_facets` falls back to the composite count)."""
    terms, shown = facet["terms"], facet["meta"]["shown"]
    keys = candidates(agg, shown) if "_count" in terms["order"][0] else None
    if keys is not None:
        return {**terms, "include": keys, "size": len(keys), "shard_size": len(keys) + 1}
    return {**terms, "size": max(SHARD_SIZE, shown), "shard_size": max(SHARD_SIZE, shown)}


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
            "transpositions": False,
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
