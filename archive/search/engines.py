"""The engine seam: what the CLI, the site, the importer and the watches ask of a search engine.

Two engines stand behind it: the embedded Whoosh index in the archive's home (``archive.search.whoosh``,
the default) and an OpenSearch cluster (``archive.search.opensearch``, selected by ``ARCHIVE_SEARCH_URL``
or ``--search-url``). Nothing outside ``archive/search/`` imports either engine's modules; it asks
:func:`open_reader` and :func:`open_writer` for one, and speaks only the two protocols below, whose
answers are the same dictionaries on both engines (the conformance suite, ``tests/conformance/``,
holds both to that).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from archive.search.limits import MAX_SNIPPETS, TIME_BUDGET_SECONDS, WHOLE_SET_TIME_BUDGET_SECONDS

__all__ = [
    "MAX_SNIPPETS",
    "TIME_BUDGET_SECONDS",
    "WHOLE_SET_TIME_BUDGET_SECONDS",
    "IndexWriter",
    "SearchEngine",
    "open_reader",
    "open_writer",
]

if TYPE_CHECKING:
    from archive.models import Article
    from archive.search.request import SearchRequest
    from archive.store import Catalog


@runtime_checkable
class SearchEngine(Protocol):
    """The read side: one open view of the archive, used by one thread at a time; ``close`` when done."""

    #: Seconds one search may take before it raises :class:`~archive.errors.SearchTimeout`.
    time_budget: float

    def search(self, req: SearchRequest, facets: bool = True) -> dict[str, Any]:
        """One page of results: the ``/api/search`` JSON (README "HTTP API"), facets and snippets included.

        :raises BadQuery: a query that cannot run as asked. :raises SearchTimeout: past ``time_budget``.
        :raises SearchUnavailable: the engine cannot be reached (the site answers 503).
        """

    def iter_all(self, req: SearchRequest, max_snippets: int = 1) -> Iterator[dict[str, Any]]:
        """Every result of ``req`` in order (exports): ``id, title, published, source, url, author, text,
        persons, places, snippet, passage, snippets``; snippets as plain text."""

    def ids(self, req: SearchRequest, limit: int) -> tuple[int, list[str]]:
        """The total and the ids of the first ``limit`` results, without snippets or facets (batch search)."""

    def matching(self, req: SearchRequest, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` are in the result set of ``req`` (watches: which new arrivals it matches)."""

    def marked_terms(self, req: SearchRequest) -> set[str]:
        """The index terms ``req`` matched (name spellings, prefix and fuzzy expansions included), for
        marking them in an article's text as the results page marked them."""

    def article(self, article_id: str) -> Article | None:
        """The article as readers see it, ``None`` when unknown or not yet committed."""

    def story_and_copies(self, article_id: str) -> tuple[str | None, list[dict[str, Any]]]:
        """The article's story key and its other copies (``id, title, source, published``)."""

    def registry_listing(self, kind: str, query: str = "", offset: int = 0, limit: int | None = None) -> dict:
        """The person (``kind="person"``) or place directory, as ``archive.registry.listing`` returns it."""

    def registry_entity(self, kind: str, key: str) -> dict | None:
        """One person or place in detail, as ``archive.registry.entity`` returns it."""

    def health(self) -> dict[str, Any]:
        """``{"engine": "whoosh"|"opensearch", "status": "green"|"yellow"|"red", "articles": N, ...}``."""

    def close(self) -> None: ...


@runtime_checkable
class IndexWriter(Protocol):
    """The write side, used only under the archive's one-writer lock; nothing is visible before ``commit``."""

    def write(self, articles: Sequence[Article], delete: Collection[str] = ()) -> None:
        """Index ``articles`` (replacing any with the same ids) and remove the articles ``delete`` names."""

    def commit(self, catalog: Catalog) -> None:
        """Make every write visible and durable. An engine that serves the registry, corrections and
        stories itself (the cluster) copies them from ``catalog`` here."""

    def abandon(self) -> None:
        """Drop every uncommitted write (an import that fails or is interrupted)."""


def search_url(url: str | None = None) -> str | None:
    """The cluster to use: ``url`` if given, else ``ARCHIVE_SEARCH_URL``; ``None`` means the embedded engine."""
    from archive import config

    return url or config.search_url()


def open_reader(home: Path | None, url: str | None = None, **options: Any) -> SearchEngine:
    """A :class:`SearchEngine` on the archive at ``home`` (embedded) or on the cluster at ``url``.

    Options every engine takes: ``time_budget``. The embedded engine's own: ``catalog`` (an open catalog
    to read), ``whole_set`` (the CLI's budget) and ``pooled`` (the site's searchers, kept open between
    requests: ``close`` gives one back); others ignore what they do not know.

    :raises IndexMissing: no archive there. :raises SearchUnavailable: the cluster cannot be reached.
    """
    url = search_url(url)
    if url:
        from archive.search.opensearch.engine import OpenSearchEngine

        return OpenSearchEngine(url, **options)
    if options.pop("pooled", False):  # the site's: searchers kept open between requests
        from archive.search.whoosh.kept import acquire

        return acquire(Path(home), **options)
    from archive.search.whoosh.engine import open_searcher

    return open_searcher(Path(home), **options)


def open_writer(home: Path, url: str | None = None, **options: Any) -> IndexWriter:
    """An :class:`IndexWriter` for the archive at ``home``, writing to the cluster at ``url`` if set."""
    url = search_url(url)
    if url:
        from archive.search.opensearch.writer import OpenSearchWriter

        return OpenSearchWriter(url, **options)
    from archive.search.whoosh.writer import WhooshWriter

    return WhooshWriter(Path(home), **options)


def embedded() -> ModuleType:
    """The embedded engine's upkeep of its files in the home (:mod:`archive.search.whoosh.maintenance`:
    ``prepare``, ``rebuild``, ``leftover_files``, ``index_passages``, ``killed_swap``), for the archive's
    one writer (:class:`archive.home.Archive`) and ``archive check``; a cluster keeps its own files."""
    from archive.search.whoosh import maintenance

    return maintenance


def release_before_fork() -> None:
    """Close the embedded engine's kept searchers (a gunicorn master, before it forks its workers: the
    cached arrays are shared with them, open files and SQLite connections are not)."""
    import sys

    kept = sys.modules.get("archive.search.whoosh.kept")
    if kept is not None:  # nothing was opened if the module was never imported
        kept.close_all()
