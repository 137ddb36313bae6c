"""The embedded engine's read side: :class:`ArchiveSearcher` implements
:class:`archive.search.engines.SearchEngine` on the Whoosh index in the archive's home.

One searcher per web request or CLI call: it opens a Whoosh searcher (so it sees every import committed
before it) and reads the catalog it is given (or opens the home's), and must be closed. The heavy
per-index arrays are shared between searchers of the same index generation
(:mod:`archive.search.whoosh.cache`); the site's searchers come from a pool (:mod:`.kept`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import query as wq

from archive.errors import IndexMissing, SearchTimeout
from archive.models import Article
from archive.search.analysis import is_current
from archive.search.highlight import Snippet, snippet
from archive.search.limits import MAX_SNIPPETS, TIME_BUDGET_SECONDS, WHOLE_SET_TIME_BUDGET_SECONDS
from archive.search.query import fix_fields, parse
from archive.search.request import SearchRequest
from archive.search.whoosh import facets as facet_counts
from archive.search.whoosh import postings
from archive.search.whoosh.cache import ReaderCache, reader_cache
from archive.search.whoosh.cache import build as build_cache
from archive.search.whoosh.evaluate import TIMEOUT_MESSAGE, evaluate
from archive.search.whoosh.filters import article_mask
from archive.search.whoosh.index import index_dir, open_index
from archive.search.whoosh.names import Names
from archive.search.whoosh.rewrite import Expansion, rewrite
from archive.search.whoosh.suggest import suggestion

#: Notices (``notices`` in the result) for what the search could not do as typed.
NO_WORDS_NOTICE = "The query has no words that can be searched for, so it matches nothing."
EXACT_CASE_NOTICE = (
    "Exact mode matches capitals as typed: {q!r} does not find the same words capitalised. "
    "Use normal mode to ignore case."
)
OLD_INDEX_NOTICE = (
    "This archive's index was built by an older version, so some forms of words are not found: "
    "run `archive reindex`."
)
EMPTY_ARCHIVE_NOTICE = "There are no articles yet: import some with `archive import PATH`."
#: Publication date and time of day in one number: YYYYMMDD * SECONDS_SCALE + seconds of the day + 1.
SECONDS_SCALE = 100_000
#: Articles whose catalog rows the export loads per round trip.
EXPORT_CHUNK = 200


@dataclass
class Selection:
    """The whole result set of a request, before paging."""

    articles: np.ndarray  # article ordinals, in result order (the first ``limit`` of them when limited)
    total: int
    doc_mask: np.ndarray  # matching passages
    doc_scores: np.ndarray
    terms: set[str]  # index terms to mark in snippets
    expansions: list[Expansion]
    parsed: wq.Query | None
    selected: np.ndarray  # bool per article: in the result set
    notices: list[str]  # what the search could not do as typed (see ``ArchiveSearcher.search``)
    text: str  # the query text as parsed (field names in any case made lower case)


class ArchiveSearcher:
    """Searches one archive home.

    :param home: the archive home (holding ``whoosh/`` and the catalog).
    :param catalog: an open catalog to use (not closed by us); by default the home's catalog is opened
        and closed with the searcher. Without a catalog, names are not expanded, labels are keys and
        results carry only what the index stores.
    """

    def __init__(self, home: Path, catalog: Any = None, time_budget: float = TIME_BUDGET_SECONDS) -> None:
        self.home = Path(home)
        self.time_budget = time_budget
        #: the pool this searcher came from (:mod:`.kept`): ``close`` gives it back there
        self.pool: Any = None
        self._owns_catalog = catalog is None
        self.catalog = catalog
        self.ix = open_index(self.home)
        self.searcher = self.ix.searcher()
        try:
            if self.ix.is_empty():  # no article committed yet: an archive with nothing in it
                self.cache: ReaderCache = build_cache(self.searcher.reader())
            else:
                self.cache = reader_cache(self.searcher.reader(), str(index_dir(self.home).resolve()))
            if self.catalog is None:
                self.catalog = _open_catalog(self.home)
        except BaseException:
            self.searcher.close()
            raise
        self.cache.bind(self.searcher.reader())
        self.names = Names(self.catalog, self.cache, self.searcher.reader())

    # -- lifecycle -----------------------------------------------------------------------------------

    def close(self) -> None:
        """Release the Whoosh reader's file descriptors and the catalog connection (or, for a searcher
        from a pool, give it back to the pool)."""
        if self.pool is not None:
            pool, self.pool = self.pool, None
            pool.release(self)
            return
        if self.searcher is not None:
            self.searcher.close()
            self.searcher = None
        if self._owns_catalog and self.catalog is not None:
            self.catalog.close()
        self.catalog = None

    def __enter__(self) -> ArchiveSearcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- searching -----------------------------------------------------------------------------------

    def search(self, req: SearchRequest, facets: bool = True) -> dict[str, Any]:
        """One page of results with facets and snippets: the ``/api/search`` JSON (DESIGN 3.4).

        Besides the contract's keys: ``variants`` (the spellings a name in the query was expanded to),
        ``expansions`` (which words named whom), ``sort`` and ``mode`` (as applied), and ``notices``:
        sentences saying what the search could not do as typed (an unknown field, no searchable words,
        lower case in exact mode, an empty archive). A suggestion is offered only when nothing matched.
        With ``facets=False``, ``facets`` is empty and the keyword fields behind it are not read.

        :raises BadQuery: for a query that cannot be run as asked (too broad a pattern, too deep).
        :raises SearchTimeout: when the search runs past its time budget.
        """
        deadline = time.monotonic() + self.time_budget
        sel = self.select(req, deadline, limit=None if req.collapse else req.page * req.per_page)
        ordered = _story_heads(sel.articles, self.cache.story) if req.collapse else sel.articles
        start = (req.page - 1) * req.per_page
        page = ordered[start : start + req.per_page]
        results = self._results(page, sel, req)
        if req.collapse:
            self._add_copies(results, page, sel.articles)
        self._check(deadline)
        out = {
            "total": sel.total,
            "stories": int(np.count_nonzero(np.bincount(self.cache.story[sel.selected]))),
            "page": req.page,
            "per_page": req.per_page,
            "results": results,
            "facets": facet_counts.facets(self.cache, sel.selected, self.names, req.facet_size)
            if facets
            else {},
            "suggestion": None,
            "variants": list(dict.fromkeys(v for e in sel.expansions for v in e.variants)),
            "expansions": [e.to_dict() for e in sel.expansions],
            "sort": req.effective_sort,
            "mode": req.mode,
            "notices": sel.notices,
        }
        if sel.total == 0 and req.q and not req.exact and self.cache.article_count:
            out["suggestion"] = suggestion(self.searcher, sel.parsed, sel.text, deadline)
        return out

    def iter_all(self, req: SearchRequest, max_snippets: int = 1) -> Iterator[dict[str, Any]]:
        """Every result of the request (all pages), in order, for export.

        Each item: ``id, title, published, source, url, author, text, persons, places, snippet`` (the best
        passage's snippet as plain text), ``passage`` (its number) and ``snippets`` (the best
        ``max_snippets`` as plain text).
        """
        sel = self.select(req, time.monotonic() + WHOLE_SET_TIME_BUDGET_SECONDS)
        for i in range(0, len(sel.articles), EXPORT_CHUNK):
            chunk = sel.articles[i : i + EXPORT_CHUNK]
            yield from self._results(chunk, sel, req, max_snippets=max_snippets, plain=True)

    def ids(self, req: SearchRequest, limit: int) -> tuple[int, list[str]]:
        """The total and the ids of the first ``limit`` results, without snippets or facets."""
        sel = self.select(req, time.monotonic() + self.time_budget, limit=limit)
        return sel.total, self._article_ids(sel.articles[:limit])

    def matching(self, req: SearchRequest, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` are in the result set of ``req``, without loading any hit.

        Only those articles are searched (``select(among=...)``): the index segments that hold them are
        read, however large the archive, and nothing is scored or ordered beyond them.
        """
        ids = list(ids)
        if not ids:
            return set()
        ordinals = self.cache.ordinals(ids)
        known = ordinals[ordinals >= 0]
        if not len(known):
            return set()
        scope = np.zeros(self.cache.article_count, dtype=bool)
        scope[known] = True
        selected = self.select(req, time.monotonic() + self.time_budget, limit=1, among=scope).selected
        return {i for i, o in zip(ids, ordinals.tolist(), strict=True) if o >= 0 and selected[o]}

    def marked_terms(self, req: SearchRequest) -> set[str]:
        """The index terms ``req`` matched in titles, bodies and captions (to mark in an article)."""
        return self.select(req, time.monotonic() + self.time_budget, limit=1).terms

    def article(self, article_id: str) -> Article | None:
        """The article from the catalog, ``None`` when unknown (or the archive has no catalog)."""
        return self.catalog.get_article(article_id) if self.catalog is not None else None

    def story_and_copies(self, article_id: str) -> tuple[str | None, list[dict[str, Any]]]:
        """The article's story and its other indexed copies, from the catalog."""
        return self.catalog.story_and_copies(article_id) if self.catalog is not None else (None, [])

    def registry_listing(self, kind: str, query: str = "", offset: int = 0, limit: int | None = None) -> dict:
        """The person or place directory (:func:`archive.registry.listing` on the catalog)."""
        from archive import registry

        return registry.listing(self.catalog, kind, query, offset=offset, limit=limit)

    def registry_entity(self, kind: str, key: str) -> dict | None:
        """One person or place in detail (:func:`archive.registry.entity` on the catalog)."""
        from archive import registry

        return registry.entity(self.catalog, kind, key)

    def health(self) -> dict[str, Any]:
        """``green`` when the index opened and is current, ``yellow`` when an older version built it."""
        current = is_current(self.searcher.reader().schema)
        return {
            "engine": "whoosh",
            "status": "green" if current or not self.cache.article_count else "yellow",
            "articles": int(self.cache.article_count),
            "passages": int(np.count_nonzero(self.cache.live)),
            "segments": len(self.searcher.reader().leaf_readers()),
        }

    def warm_up(self, requests: Sequence[SearchRequest]) -> None:
        """Load the per-generation caches and run ``requests``, before a web worker takes traffic."""
        self.cache.warm_up(self.searcher.reader())
        for req in requests:
            self.search(req)

    def _article_ids(self, ordinals: np.ndarray) -> list[str]:
        """The ids of the given article ordinals (from each article's first live passage)."""
        out = []
        for ordinal in np.asarray(ordinals).tolist():
            doc = int(self.cache.article_doc[ordinal])
            if doc >= 0:
                out.append(self.searcher.stored_fields(doc).get("article_id"))
        return out

    def select(
        self, req: SearchRequest, deadline: float, limit: int | None = None, among: np.ndarray | None = None
    ) -> Selection:
        """The ordered result set of ``req`` (article ordinals), with what snippets need.

        :param limit: order only the first ``limit`` results (a page needs no more); ``None``: all.
        :param among: bool per article: search only these (a watch's new arrivals). Only the index
            segments holding them are read, and scores rank them among themselves.
        """
        cache = self.cache
        cache.bind(self.searcher.reader())  # this thread reads lazy fields through this open searcher
        scope = None if among is None else among[cache.doc_article] & cache.live
        text, notices = fix_fields(req.q) if req.q else ("", [])
        parsed = parse(text) if text else None
        expansions: list[Expansion] = []
        terms: set[str] = set()
        if not cache.article_count:
            notices.append(EMPTY_ARCHIVE_NOTICE)
        elif not is_current(self.searcher.reader().schema):
            notices.append(OLD_INDEX_NOTICE)
        if req.exact and text and text == text.lower() and text != text.upper():
            notices.append(EXACT_CASE_NOTICE.format(q=text))
        if parsed is not None:
            reader = self.searcher.reader()
            polish = "language" in reader.schema and reader.doc_frequency("language", "pl") > 0
            rewritten = rewrite(parsed, self.names, exact=req.exact, polish=polish)
            expansions = rewritten.expansions
            if rewritten.query is wq.NullQuery and cache.article_count:
                notices.append(NO_WORDS_NOTICE)
            hits, matched = evaluate(self.searcher, cache, rewritten.query, deadline, scope)
            doc_mask, doc_scores, selected = hits.mask, hits.scores, hits.articles
            for fieldname, texts in matched.items():
                if fieldname.split("_")[0] in ("title", "body", "captions"):
                    terms.update(texts)
        else:
            doc_mask = cache.live.copy() if scope is None else scope
            doc_scores = np.zeros(cache.doc_count, dtype=np.float32)
            selected = cache.article_doc >= 0
        if among is not None:
            selected = selected & among
        allowed = article_mask(req, cache, self.names)
        if allowed is not None:
            selected = selected & allowed
        doc_mask &= selected[cache.doc_article]
        self._check(deadline)
        docs = np.flatnonzero(doc_mask)
        article_scores = np.zeros(cache.article_count, dtype=np.float32)
        np.maximum.at(article_scores, cache.doc_article[docs], doc_scores[docs])
        matching = np.flatnonzero(selected)
        sort = req.effective_sort
        published = cache.published if sort == "relevance" else self._published_times()
        ordered = _order(matching, article_scores, published, sort, limit)
        self._check(deadline)
        return Selection(
            ordered, len(matching), doc_mask, doc_scores, terms, expansions, parsed, selected, notices, text
        )

    def _add_copies(self, results: list[dict[str, Any]], page: np.ndarray, ordered: np.ndarray) -> None:
        """Give each result its ``copies``: the other matching articles of its story, in result order."""
        story = self.cache.story
        position = {s: i for i, s in enumerate(story[page].tolist())}
        members: list[list[int]] = [[] for _ in range(len(page))]
        heads = set(page.tolist())
        in_page = ordered[np.isin(story[ordered], story[page])]
        for ordinal, s in zip(in_page.tolist(), story[in_page].tolist(), strict=True):
            if ordinal not in heads:
                members[position[s]].append(ordinal)
        stored = {
            o: self.searcher.stored_fields(int(self.cache.article_doc[o])) for group in members for o in group
        }
        rows = self.catalog.copy_rows(f.get("article_id") for f in stored.values()) if self.catalog else {}
        for result, group in zip(results, members, strict=True):
            result["copies"] = []
            for o in group:
                fields = stored[o]
                article_id = fields.get("article_id")
                row = rows.get(article_id) or {
                    "title": "",
                    "source": fields.get("source") or None,
                    "published": _iso(int(fields.get("published") or 0)),
                }
                result["copies"].append(
                    {
                        "id": article_id,
                        "title": row["title"],
                        "source": row["source"],
                        "published": row["published"],
                    }
                )

    def _published_times(self) -> np.ndarray:
        """Per article, its publication date and time of day as one sortable number (YYYYMMDD * 10^5 +
        seconds + 1; the time part 0 when unknown), read once per index generation."""
        memo = self.cache.memo
        if "published_times" not in memo:
            cache = self.cache
            times = np.zeros(cache.article_count, dtype=np.int64)
            if "published_time" in self.searcher.reader().schema:
                per_doc = postings.numeric_column(self.searcher.reader(), "published_time", ">u4")
                live = np.flatnonzero(cache.live)
                times[cache.doc_article[live]] = per_doc[live]
            memo["published_times"] = cache.published.astype(np.int64) * SECONDS_SCALE + times
        return memo["published_times"]

    def _check(self, deadline: float) -> None:
        if time.monotonic() > deadline:
            raise SearchTimeout(TIMEOUT_MESSAGE)

    # -- results -------------------------------------------------------------------------------------

    def _results(
        self,
        page: np.ndarray,
        sel: Selection,
        req: SearchRequest,
        max_snippets: int = MAX_SNIPPETS,
        plain: bool = False,
    ) -> list[dict[str, Any]]:
        self.cache.bind(self.searcher.reader())  # iter_all's chunks may run after another search here
        passages = self._best_passages(page, sel, max_snippets)
        out = []
        for ordinal, docs in zip(page.tolist(), passages, strict=True):
            stored = [self.searcher.stored_fields(d) for d in docs]
            snippets = [
                snippet(int(s.get("n") or 0), s.get("body") or "", sel.terms, req.exact) for s in stored
            ]
            out.append(self._result(ordinal, stored, snippets, plain))
        return out

    def _best_passages(self, page: np.ndarray, sel: Selection, limit: int) -> list[list[int]]:
        """For each article on the page, its best-scoring matching passages (document numbers)."""
        cache = self.cache
        position = np.full(cache.article_count, -1, dtype=np.int64)
        position[page] = np.arange(len(page))
        docs = np.flatnonzero(sel.doc_mask & (position[cache.doc_article] >= 0))
        owners = position[cache.doc_article[docs]]
        order = np.lexsort((docs, -sel.doc_scores[docs], owners))
        best: list[list[int]] = [[] for _ in range(len(page))]
        for doc, owner in zip(docs[order].tolist(), owners[order].tolist(), strict=True):
            if len(best[owner]) < limit:
                best[owner].append(doc)
        for i, ordinal in enumerate(page.tolist()):
            if not best[i] and cache.article_doc[ordinal] >= 0:
                best[i].append(int(cache.article_doc[ordinal]))
        return best

    def _result(
        self, ordinal: int, stored: list[dict], snippets: list[Snippet], plain: bool
    ) -> dict[str, Any]:
        first = stored[0] if stored else self.searcher.stored_fields(int(self.cache.article_doc[ordinal]))
        article_id = first.get("article_id")
        article = self.catalog.get_article(article_id) if self.catalog is not None else None
        if article is not None:
            person_keys = list(dict.fromkeys(p.key for p in article.persons))
            places = list(
                {p.key: {"key": p.key, "name": p.name, "country": p.country} for p in article.places}.values()
            )
            title, published, url, source = article.title, article.published, article.url, article.source
        else:
            person_keys = [k for k in (first.get("person") or "").split(",") if k]
            places = [
                {"key": k, **facet_counts.place_label(self.cache, self.names, k)}
                for k in (first.get("place") or "").split(",")
                if k
            ]
            title, url, source = "", None, first.get("source") or None
            published = _iso(int(first.get("published") or 0))
        result: dict[str, Any] = {
            "id": article_id,
            "title": title,
            "published": published,
            "url": url,
            "source": source,
        }
        if plain:
            result["author"] = list(article.author) if article is not None else []
            result["text"] = article.text if article is not None else ""
            result["snippet"] = snippets[0].text if snippets else ""
            result["passage"] = snippets[0].passage if snippets else None
            result["snippets"] = [s.text for s in snippets]
        else:
            result["snippets"] = [s.to_dict() for s in snippets]
        result["persons"] = [{"key": k, "name": self.names.person_label(k)} for k in person_keys]
        result["places"] = places
        return result


def _order(
    articles: np.ndarray, scores: np.ndarray, published: np.ndarray, sort: str, limit: int | None = None
) -> np.ndarray:
    """Articles in result order (the first ``limit``), every tie broken down to the article ordinal, so
    pages never overlap or skip. Undated articles come last in both date orders."""
    if not len(articles):
        return articles
    score = scores[articles]
    dates = published[articles].astype(np.int64)
    if sort == "newest":
        keys = [articles, -score, np.where(dates > 0, -dates, 1)]
    elif sort == "oldest":
        keys = [articles, -score, np.where(dates > 0, dates, np.iinfo(np.int64).max)]
    else:
        keys = [articles, -dates, -score]
    if limit is not None and limit < len(articles) // 2:
        # only the candidates for the first ``limit`` places: everything up to the limit-th primary key
        primary = keys[-1]
        cut = np.partition(primary, limit - 1)[limit - 1]
        keep = primary <= cut
        articles = articles[keep]
        keys = [k[keep] for k in keys]
        return articles[np.lexsort(keys)][:limit]
    return articles[np.lexsort(keys)]


def _story_heads(ordered: np.ndarray, story: np.ndarray) -> np.ndarray:
    """The first (best) article of each story, in result order: one result per story."""
    if not len(ordered):
        return ordered
    _, first = np.unique(story[ordered], return_index=True)
    return ordered[np.sort(first)]


def _iso(yyyymmdd: int) -> str | None:
    if not yyyymmdd:
        return None
    return f"{yyyymmdd // 10000:04d}-{yyyymmdd // 100 % 100:02d}-{yyyymmdd % 100:02d}"


def _open_catalog(home: Path):
    """The home's catalog, or ``None`` when the archive has none (an index built without the importer)."""
    try:
        from archive.store import Catalog
    except ImportError:
        return None
    try:
        return Catalog(home)
    except IndexMissing:
        return None


def budget(time_budget: float | None = None, whole_set: bool = False) -> float:
    """``time_budget``, else the site's :data:`TIME_BUDGET_SECONDS`, or with ``whole_set`` (the CLI,
    exports, batches, watches) :data:`WHOLE_SET_TIME_BUDGET_SECONDS`."""
    return time_budget or (WHOLE_SET_TIME_BUDGET_SECONDS if whole_set else TIME_BUDGET_SECONDS)


def open_searcher(
    home: Path, catalog: Any = None, time_budget: float | None = None, whole_set: bool = False
) -> ArchiveSearcher:
    """Open a searcher on the archive at ``home``; close it when done (``with open_searcher(h) as s:``).

    :param catalog: an open catalog to read (the caller closes it); by default the home's is opened.
    :param time_budget: seconds one search may take (see :func:`budget`).
    :raises IndexMissing: when there is no archive at ``home``.
    """
    return ArchiveSearcher(home, catalog=catalog, time_budget=budget(time_budget, whole_set))
