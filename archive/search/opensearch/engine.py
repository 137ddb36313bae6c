"""The OpenSearch engine: :class:`archive.search.engines.SearchEngine` on a cluster (``ARCHIVE_SEARCH_URL``).

The query is parsed and rewritten exactly as the embedded engine does it (names expanded from the
cluster's registry), translated to OpenSearch (:mod:`.translate`), and answered with the same
dictionaries: exact totals and facets, snippets made by :mod:`archive.search.highlight` from the best
matching passages (inner hits) and the matched terms.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from opensearchpy import OpenSearch
from opensearchpy.exceptions import RequestError, TransportError
from whoosh import query as wq

from archive.errors import ArchiveError, BadQuery, IndexMissing, SearchTimeout, SearchUnavailable
from archive.languages import language_name
from archive.models import Article
from archive.search.analysis import ANALYSIS_VERSION
from archive.search.highlight import snippet
from archive.search.limits import MAX_SNIPPETS, TIME_BUDGET_SECONDS, WHOLE_SET_TIME_BUDGET_SECONDS
from archive.search.opensearch import search as os_search
from archive.search.opensearch.client import call, connect, index_prefix, node_urls
from archive.search.opensearch.layout import (
    ARTICLE,
    JOIN,
    META_ID,
    PASSAGE,
    index_names,
    passage_id,
)
from archive.search.opensearch.registry import ClusterNames, generation, memo_for
from archive.search.opensearch.suggest import suggestion
from archive.search.opensearch.translate import ARTICLE_LEAF, FIELDS, MARKED_FIELDS, translate
from archive.search.query import fix_fields, parse
from archive.search.request import SearchRequest
from archive.search.whoosh.engine import (  # the embedded engine's notices, word for word
    EMPTY_ARCHIVE_NOTICE,
    EXACT_CASE_NOTICE,
    NO_WORDS_NOTICE,
    OLD_INDEX_NOTICE,
)
from archive.search.whoosh.evaluate import TIMEOUT_MESSAGE
from archive.search.whoosh.rewrite import rewrite

T = TypeVar("T")

#: Seconds the client waits beyond the budget for a node before it tries the other one.
NETWORK_SLACK = 5.0
#: A search whose shards failed because a node just died is sent again this many times, this many
#: seconds apart: the cluster notices the lost node within about a second and answers from the replicas
#: (a query phase retries on another copy, a fetch phase does not). A shard that fails for its query is
#: never retried: the same query fails again.
SHARD_RETRIES = 4
SHARD_RETRY_PAUSE = 0.5
#: Results per request of the whole-set paths (exports, batch ids, watches).
CHUNK = 500
#: How long an export's point in time lives between two of its requests.
PIT_KEEP_ALIVE = "5m"
#: Copies of a page's stories read to list each result's ``copies``.
MAX_COPIES = 10_000
#: What a result reads of the stored article.
RESULT_SOURCE = [
    "id",
    "data.id",
    "data.title",
    "data.published",
    "data.url",
    "data.source",
    "data.story",
    "data.passages",
    "data.persons.key",
    "data.places.key",
    "data.places.name",
    "data.places.country",
]
EXPORT_SOURCE = [*RESULT_SOURCE, "data.author", "data.text"]
#: A search that expands past the cluster's clause limit (a pattern's expansions are checked before).
TOO_BROAD_MESSAGE = "The search stands for too many words; make its patterns more specific."
#: Budget of the whole-set paths (exports, batch, watches), as the embedded engine's.
WHOLE_SET_BUDGET = WHOLE_SET_TIME_BUDGET_SECONDS


#: One client (its connection pool) per cluster and process: the site opens an engine per request.
_CLIENTS: dict[tuple[str | None, int], OpenSearch] = {}
#: The generation each archive (its articles index) was last seen at by this process: a search starts
#: from it and reads the current one with its answer (one round trip less), again when it moved on.
_SEEN: dict[str, int] = {}


def _client(url: str | None) -> OpenSearch:
    """The process's client for ``url`` (a forked worker makes its own: sockets are not shared)."""
    key = (",".join(node_urls(url)), os.getpid())
    if key not in _CLIENTS:
        _CLIENTS[key] = connect(url)
    return _CLIENTS[key]


class OpenSearchEngine:
    """A :class:`~archive.search.engines.SearchEngine` on the cluster at ``url`` (comma-separated node
    URLs; else ``ARCHIVE_SEARCH_URL``), on the indexes named by ``prefix`` (else ``ARCHIVE_SEARCH_PREFIX``,
    else ``archive``); one search may take ``time_budget`` seconds; exports read ``chunk`` results per
    request."""

    def __init__(
        self,
        url: str | None = None,
        prefix: str | None = None,
        time_budget: float = TIME_BUDGET_SECONDS,
        chunk: int = CHUNK,
        **_: Any,
    ) -> None:
        self.url = url
        self.client = _client(url)
        self.names = index_names(index_prefix(prefix))
        self.time_budget = time_budget
        self.chunk = chunk
        self._registry: ClusterNames | None = None
        self._generation: int | None = None

    # -- lifecycle -----------------------------------------------------------------------------------

    def close(self) -> None:
        """Nothing to release: the connections stay in the process's pool for the next search."""

    def __enter__(self) -> OpenSearchEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- shared --------------------------------------------------------------------------------------

    def registry(self, seen: int | None = None) -> ClusterNames:
        """The registry reader of the cluster's current generation (read once per search), or of the
        generation ``seen`` (which the caller checks)."""
        gen = generation(self.client, self.names) if seen is None else seen
        _SEEN[self.names.articles] = gen
        if self._registry is None or gen != self._generation:
            self._registry = ClusterNames(self.client, self.names, memo_for(self.names, gen))
            self._generation = gen
        return self._registry

    def _search(
        self, body: dict[str, Any], budget: float | None = None, index: str | None = ""
    ) -> dict[str, Any]:
        """One search request on the articles (``index=None``: the point in time ``body`` names)."""
        return _again_after_lost_shards(lambda: self._search_once(body, budget, index))

    def _search_once(self, body: dict[str, Any], budget: float | None, index: str | None) -> dict[str, Any]:
        budget = self.time_budget if budget is None else budget
        target = {} if index is None else {"index": index or self.names.articles}
        # an answer from some shards only would not be exact: a failed shard fails the search
        body = {**body, "timeout": f"{max(1, int(budget * 1000))}ms"}
        try:
            response = call(
                lambda: self.client.search(
                    **target,
                    body=body,
                    allow_partial_search_results=False,
                    request_timeout=budget + NETWORK_SLACK,
                )
            )
        except RequestError as exc:
            raise BadQuery(f"The cluster refused the search: {exc.error}") from exc
        except TransportError as exc:  # a shard failed: a query too broad for it, or a shard lost
            if os_search._too_many(exc):
                raise BadQuery(TOO_BROAD_MESSAGE) from exc
            raise _ShardsLost(f"The search cluster could not answer from every shard: {exc.error}") from exc
        if response.get("timed_out"):
            raise SearchTimeout(TIMEOUT_MESSAGE)
        return response

    def _search_now(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """:meth:`_search` and, in the same round trip, the cluster's generation."""
        return _again_after_lost_shards(lambda: self._search_now_once(body))

    def _search_now_once(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        budget = self.time_budget
        lines = [
            {"index": self.names.meta},
            {"query": {"ids": {"values": [META_ID]}}, "size": 1},
            {"index": self.names.articles, "allow_partial_search_results": False},
            {**body, "timeout": f"{max(1, int(budget * 1000))}ms"},
        ]
        responses = call(lambda: self.client.msearch(body=lines, request_timeout=budget + NETWORK_SLACK))
        meta, response = responses["responses"]
        if meta.get("status") == 404:  # no generation yet (as registry.generation reads it)
            meta = {"hits": {"hits": []}}
        for item in (response, meta):
            if "error" in item:
                raise _refused(item)
        if response.get("timed_out"):
            raise SearchTimeout(TIMEOUT_MESSAGE)
        gen = meta["hits"]["hits"][0]["_source"].get("generation", 0) if meta["hits"]["hits"] else 0
        return response, int(gen)

    def _names(self) -> ClusterNames:
        """The registry reader this search started with (:meth:`registry` reads the generation)."""
        return self._registry if self._registry is not None else self.registry()

    def _articles(self) -> int:
        names = self._names()
        memo = names.memo.setdefault("count", {})
        if "articles" not in memo:
            memo["articles"] = names._count({"match_all": {}})
        return memo["articles"]

    def _copy_stories(self) -> list[str]:
        memo = self._names().memo.setdefault("count", {})
        if "copy_stories" not in memo:
            memo["copy_stories"] = os_search.copy_stories(self.client, self.names.articles)
        return memo["copy_stories"]

    def _current(self) -> bool:
        memo = self._names().memo.setdefault("count", {})
        if "current" not in memo:
            mapping = call(lambda: self.client.indices.get_mapping(index=self.names.articles))
            meta = next(iter(mapping.values()))["mappings"].get("_meta", {})
            memo["current"] = meta.get("analysis") == ANALYSIS_VERSION
        return memo["current"]

    def select(self, req: SearchRequest, seen: int | None = None) -> dict[str, Any]:
        """The article query of ``req`` and what the results need: notices, expansions, marked terms
        (``seen``: the generation to read the registry at, else the current one)."""
        names = self.registry(seen)
        text, notices = fix_fields(req.q) if req.q else ("", [])
        parsed = parse(text) if text else None
        articles = self._articles()
        if not articles:
            notices.append(EMPTY_ARCHIVE_NOTICE)
        elif not self._current():
            notices.append(OLD_INDEX_NOTICE)
        if req.exact and text and text == text.lower() and text != text.upper():
            notices.append(EXACT_CASE_NOTICE.format(q=text))
        expansions: list = []
        translated = translate(None)
        if parsed is not None:
            polish = names.has_term("language", "pl")
            rewritten = rewrite(parsed, names, exact=req.exact, polish=polish)
            expansions = rewritten.expansions
            if rewritten.query is wq.NullQuery and articles:
                notices.append(NO_WORDS_NOTICE)
            translated = translate(rewritten.query)
        terms: set[str] = set().union(*translated.terms.values()) if translated.terms else set()
        patterns: dict[tuple, list[str]] = {}  # a pattern's fields, expanded in one request
        for pattern in translated.patterns:
            patterns.setdefault(pattern[1:], []).append(pattern[0])
        for (kind, *rest), fields in patterns.items():
            found = os_search.expand_pattern(
                self.client, self.names.articles, (fields[0], kind, *rest), fields
            )
            for name in fields:
                if name.split("_")[0] in MARKED_FIELDS:
                    terms |= found[FIELDS[name][0]]
        query = {"bool": {"filter": os_search.filters(req, names), "must": [translated.query]}}
        if translated.passage_leaves:
            leaves = translated.passage_leaves
            best = leaves[0] if len(leaves) == 1 else {"bool": {"should": leaves}}
            inner = {
                "size": MAX_SNIPPETS,
                "_source": ["n", "text"],
                "sort": [{"_score": "desc"}, {"n": "asc"}],
            }
            # the best passages, for snippets: an optional clause that adds nothing to the score
            query["bool"]["should"] = [
                {
                    "has_child": {
                        "type": PASSAGE,
                        "query": best,
                        "score_mode": "max",
                        "boost": 0,
                        "inner_hits": inner,
                    }
                }
            ]
        return {
            "query": query,
            "terms": terms,
            "expansions": expansions,
            "notices": notices,
            "parsed": parsed,
            "text": text,
            "articles": articles,
            "all_passages": translated.all_passages,
        }

    # -- searching -----------------------------------------------------------------------------------

    def search(self, req: SearchRequest, facets: bool = True) -> dict[str, Any]:
        sel = self.select(req, _SEEN.get(self.names.articles))
        seen = self._generation
        body: dict[str, Any] = {
            "query": sel["query"],
            "from": (req.page - 1) * req.per_page,
            "size": req.per_page,
            "sort": os_search.SORTS[req.effective_sort],
            "track_total_hits": True,
            "track_scores": True,
            "_source": RESULT_SOURCE,
        }
        aggs = os_search.facet_aggs(req.facet_size, self._copy_stories())
        body["aggs"] = aggs if facets else {k: v for k, v in aggs.items() if k.startswith("story_")}
        if req.collapse:
            body["collapse"] = {"field": "story"}
        response, current = self._search_now(body)
        if current != seen:  # a commit since this process last looked: the names may have changed
            _SEEN[self.names.articles] = current
            return self.search(req, facets)
        # a recount needs no snippets (the passage clause adds no article)
        matching = {"bool": {k: v for k, v in sel["query"]["bool"].items() if k != "should"}}
        hits = response["hits"]["hits"]
        total = response["hits"]["total"]["value"]
        results = self._results(hits, sel, req.exact)
        if req.collapse:
            self._add_copies(results, hits, sel, req)
        names = self._names()
        out = {
            "total": total,
            "stories": os_search.read_stories(total, response["aggregations"]),
            "page": req.page,
            "per_page": req.per_page,
            "results": results,
            "facets": self._facets(matching, aggs, response, names) if facets else {},
            "suggestion": None,
            "variants": list(dict.fromkeys(v for e in sel["expansions"] for v in e.variants)),
            "expansions": [e.to_dict() for e in sel["expansions"]],
            "sort": req.effective_sort,
            "mode": req.mode,
            "notices": sel["notices"],
        }
        if out["total"] == 0 and req.q and not req.exact and sel["articles"]:
            out["suggestion"] = suggestion(self.client, self.names.articles, sel["parsed"], sel["text"])
        return out

    def _facets(self, query, aggs, response, names: ClusterNames) -> dict[str, list[dict]]:
        raw = os_search.read_facets(self.client, self.names.articles, query, aggs, response)
        names.entries("person", [k for k, _ in raw["person"]])  # one request for all the labels
        names.entries("place", [k for k, _ in raw["place"]])
        places = []
        for key, count in raw["place"]:
            entry = names.place_entry(key)
            places.append({"key": key, "label": entry["name"], "country": entry["country"], "count": count})
        return {
            "person": [{"key": k, "label": names.person_label(k), "count": n} for k, n in raw["person"]],
            "place": places,
            "published": [{"key": k, "count": n} for k, n in raw["published"]],
            "language": [{"key": k, "label": language_name(k), "count": n} for k, n in raw["language"]],
        }

    def _passages(
        self, hits: list[dict[str, Any]], sel: dict[str, Any], limit: int
    ) -> list[list[tuple[int, str]]]:
        """Each hit's best passages ``(n, text)``, as the embedded engine picks them: the passages a word
        matched, best first, then (when a NOT, an article-level word or nothing selected the article)
        its other passages in order."""
        best: list[list[tuple[int, str]]] = []
        wanted: list[tuple[int, str, int]] = []
        for i, hit in enumerate(hits):
            inner = hit.get("inner_hits", {}).get(PASSAGE, {}).get("hits", {}).get("hits", [])
            best.append([(p["_source"]["n"], p["_source"]["text"]) for p in inner[:limit]])
            named = hit.get("matched_queries", [])
            fill = sel["all_passages"] or any(n.startswith(ARTICLE_LEAF) for n in named) or not best[i]
            if fill and len(best[i]) < limit:
                data = hit["_source"]["data"]
                numbers = [p["n"] for p in data.get("passages") or []] or [1]
                shown = {n for n, _ in best[i]}
                missing = [n for n in numbers if n not in shown][: limit - len(best[i])]
                wanted += [(i, data["id"], n) for n in missing]
        if wanted:
            docs = [{"_id": passage_id(a, n), "routing": a, "_source": ["n", "text"]} for _, a, n in wanted]
            response = call(lambda: self.client.mget(index=self.names.articles, body={"docs": docs}))
            for (i, _, _), doc in zip(wanted, response["docs"], strict=True):
                if doc.get("found"):
                    best[i].append((doc["_source"]["n"], doc["_source"]["text"]))
        return best

    def _results(
        self,
        hits: list[dict[str, Any]],
        sel: dict[str, Any],
        exact: bool,
        limit: int = MAX_SNIPPETS,
        plain=False,
    ) -> list[dict[str, Any]]:
        passages = self._passages(hits, sel, limit)
        keys = [p["key"] for h in hits for p in h["_source"]["data"].get("persons", [])]
        self._names().entries("person", keys)  # one request for all the names
        return [self._result(h, p, sel["terms"], exact, plain) for h, p in zip(hits, passages, strict=True)]

    def _result(
        self, hit: dict[str, Any], passages: list[tuple[int, str]], terms: set[str], exact: bool, plain: bool
    ) -> dict[str, Any]:
        data = hit["_source"]["data"]
        snippets = [snippet(n, text, terms, exact) for n, text in passages]
        result: dict[str, Any] = {
            "id": data["id"],
            "title": data["title"],
            "published": data.get("published"),
            "url": data.get("url"),
            "source": data.get("source"),
        }
        if plain:
            result["author"] = list(data.get("author") or [])
            result["text"] = data.get("text", "")
            result["snippet"] = snippets[0].text if snippets else ""
            result["passage"] = snippets[0].passage if snippets else None
            result["snippets"] = [s.text for s in snippets]
        else:
            result["snippets"] = [s.to_dict() for s in snippets]
        names = self._names()
        keys = list(dict.fromkeys(p["key"] for p in data.get("persons", [])))
        result["persons"] = [{"key": k, "name": names.person_label(k)} for k in keys]
        result["places"] = list(
            {
                p["key"]: {"key": p["key"], "name": p["name"], "country": p["country"]}
                for p in data.get("places", [])
            }.values()
        )
        return result

    def _add_copies(self, results: list[dict], hits: list[dict], sel: dict, req: SearchRequest) -> None:
        """Each result's ``copies``: the other matching articles of its story, in result order."""
        stories = [h["_source"]["data"].get("story") or h["_source"]["id"] for h in hits]
        query = {"bool": {"filter": [{"terms": {"story": stories}}], "must": [sel["query"]]}}
        body = {
            "query": query,
            "size": MAX_COPIES,
            "sort": os_search.SORTS[req.effective_sort],
            "track_scores": True,
            "_source": ["id", "story", "data.title", "data.source", "data.published"],
        }
        members = self._search(body)["hits"]["hits"]
        heads = {r["id"] for r in results}
        for result, story in zip(results, stories, strict=True):
            result["copies"] = [
                {
                    "id": m["_source"]["id"],
                    "title": m["_source"]["data"]["title"],
                    "source": m["_source"]["data"].get("source"),
                    "published": m["_source"]["data"].get("published"),
                }
                for m in members
                if m["_source"]["story"] == story and m["_source"]["id"] not in heads
            ]

    def _scan(self, body: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every hit of ``body`` in its sort order, a chunk at a time (``search_after``), all from one
        point in time: a commit during a long export neither adds nor moves its results."""
        pit = call(
            lambda: self.client.create_pit(index=self.names.articles, params={"keep_alive": PIT_KEEP_ALIVE})
        )
        body = {**body, "size": self.chunk, "track_total_hits": False}
        body["pit"] = {"id": pit["pit_id"], "keep_alive": PIT_KEEP_ALIVE}
        try:
            while True:
                hits = self._search(body, budget=WHOLE_SET_BUDGET, index=None)["hits"]["hits"]
                yield from hits
                if len(hits) < self.chunk:
                    return
                body["search_after"] = hits[-1]["sort"]
        finally:
            try:
                self.client.delete_pit(body={"pit_id": [pit["pit_id"]]})
            except TransportError:  # it expires by itself (PIT_KEEP_ALIVE)
                pass

    def iter_all(self, req: SearchRequest, max_snippets: int = 1) -> Iterator[dict[str, Any]]:
        sel = self.select(req)
        body = {
            "query": sel["query"],
            "sort": os_search.SORTS[req.effective_sort],
            "track_scores": True,
            "_source": EXPORT_SOURCE,
        }
        page: list[dict[str, Any]] = []
        for hit in self._scan(body):
            page.append(hit)
            if len(page) == self.chunk:
                yield from self._results(page, sel, req.exact, max_snippets, plain=True)
                page = []
        yield from self._results(page, sel, req.exact, max_snippets, plain=True)

    def ids(self, req: SearchRequest, limit: int) -> tuple[int, list[str]]:
        sel = self.select(req)
        body = {
            "query": sel["query"],
            "size": limit,
            "sort": os_search.SORTS[req.effective_sort],
            "track_total_hits": True,
            "track_scores": True,
            "_source": ["id"],
        }
        response = self._search(body, budget=WHOLE_SET_BUDGET)
        return response["hits"]["total"]["value"], [h["_source"]["id"] for h in response["hits"]["hits"]]

    def matching(self, req: SearchRequest, ids: Sequence[str]) -> set[str]:
        ids = list(ids)
        if not ids:
            return set()
        sel = self.select(req)
        found: set[str] = set()
        for i in range(0, len(ids), CHUNK):
            query = {"bool": {"filter": [{"ids": {"values": ids[i : i + CHUNK]}}], "must": [sel["query"]]}}
            body = {"query": query, "size": CHUNK, "_source": ["id"]}
            found |= {h["_source"]["id"] for h in self._search(body, budget=WHOLE_SET_BUDGET)["hits"]["hits"]}
        return found

    def marked_terms(self, req: SearchRequest) -> set[str]:
        return self.select(req)["terms"]

    # -- one article ---------------------------------------------------------------------------------

    def _data(self, article_id: str) -> dict[str, Any] | None:
        doc = call(
            lambda: self.client.get(
                index=self.names.articles,
                id=article_id,
                routing=article_id,
                _source=["data", JOIN],
                ignore=[404],
            )
        )
        if not doc.get("found") or doc["_source"].get(JOIN, {}).get("name") != ARTICLE:
            return None
        return doc["_source"]["data"]

    def article(self, article_id: str) -> Article | None:
        data = self._data(article_id)
        return Article.from_dict(data) if data is not None else None

    def story_and_copies(self, article_id: str) -> tuple[str | None, list[dict[str, Any]]]:
        data = self._data(article_id)
        story = data.get("story") if data else None
        if not story:
            return None, []
        body = {
            "query": {"bool": {"filter": [{"term": {JOIN: ARTICLE}}, {"term": {"story": story}}]}},
            "size": MAX_COPIES,
            "sort": [{"id": "asc"}],
            "_source": ["data.id", "data.title", "data.source", "data.published"],
        }
        hits = self._search(body, budget=WHOLE_SET_BUDGET)["hits"]["hits"]
        copies = [
            {k: h["_source"]["data"].get(k) for k in ("id", "title", "source", "published")}
            for h in hits
            if h["_source"]["data"]["id"] != article_id
        ]
        return story, copies

    # -- registry and health -------------------------------------------------------------------------

    def registry_listing(self, kind: str, query: str = "", offset: int = 0, limit: int | None = None) -> dict:
        return self.registry().listing(kind, query, offset, limit)

    def registry_entity(self, kind: str, key: str) -> dict | None:
        return self.registry().entity(kind, key)

    def health(self) -> dict[str, Any]:
        health = call(lambda: self.client.cluster.health())
        try:
            articles = self._articles()
        except TransportError:
            articles = 0
        return {
            "engine": "opensearch",
            "status": health["status"],
            "articles": articles,
            "nodes": health["number_of_nodes"],
            "generation": self._generation or 0,
        }


def _again_after_lost_shards(action: Callable[[], T]) -> T:
    """``action``, sent again while its shards fail (a node died under it) — see :data:`SHARD_RETRIES`."""
    for _ in range(SHARD_RETRIES):
        try:
            return action()
        except _ShardsLost:
            time.sleep(SHARD_RETRY_PAUSE)
    return action()


class _ShardsLost(SearchUnavailable):
    """Some shard copies could not answer (not the query's fault): worth sending the search again."""


def _refused(item: dict[str, Any]) -> ArchiveError:
    """The archive error of a failed search in a multi-search answer (as :meth:`_search` raises them)."""
    error, status = item["error"], item.get("status", 500)
    kind = error.get("type", error) if isinstance(error, dict) else error
    if status == 400:
        return BadQuery(f"The cluster refused the search: {kind}")
    if os_search._too_many(error):
        return BadQuery(TOO_BROAD_MESSAGE)
    if status == 404:
        return IndexMissing(f"the search cluster has no archive index: {kind}")
    return _ShardsLost(f"The search cluster could not answer from every shard: {kind}")
