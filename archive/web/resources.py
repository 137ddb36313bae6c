"""One search engine and one catalog connection per request, given back or closed on teardown.

The request's engine comes from the archive (:class:`archive.home.Archive`): the cluster at
``ARCHIVE_SEARCH_URL``, or the embedded index, whose searchers are kept open between requests and reused
only while the archive is unchanged, so every import the CLI committed before the request is visible
without restarting the site, and requests do not pay for opening the index.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g

from archive.config import archive_home
from archive.errors import ArchiveError, IndexMissing
from archive.home import Archive
from archive.search.engines import TIME_BUDGET_SECONDS, SearchEngine
from archive.search.request import SearchRequest
from archive.store import Catalog

#: Searches a warm-up runs: everything (facets over all articles), words in both modes, a pattern.
WARM_UP_QUERIES = (
    SearchRequest(),
    SearchRequest(q="the news said"),
    SearchRequest(q="the news said", mode="exact"),
    SearchRequest(q="new*"),
    # Cyrillic and Polish words load their dictionaries (~1.3 s for Ukrainian lemmas) before traffic
    SearchRequest(q="новости"),
    SearchRequest(q="Warszawie"),
)


def home() -> Path:
    return archive_home(current_app.config.get("ARCHIVE_HOME"))


def archive() -> Archive:
    """The site's archive: its home, and the cluster that serves it (``SEARCH_URL``, else
    ``ARCHIVE_SEARCH_URL``; unset: the home's embedded index)."""
    return Archive(home(), current_app.config.get("SEARCH_URL"))


def get_searcher() -> SearchEngine:
    """The request's search engine; closed (given back to its pool) on teardown.

    :raises IndexMissing: when there is no archive at the home.
    """
    if "searcher" not in g:
        searcher = _opened(lambda: archive().reader(pooled=True))
        g.searcher = searcher
        _apply_budget(searcher)
    return g.searcher


def new_searcher() -> SearchEngine:
    """A search engine the caller closes (exports stream after the request's teardown)."""
    searcher = _opened(lambda: archive().reader())
    _apply_budget(searcher)
    return searcher


def _opened(open_it):
    try:
        return open_it()
    except ArchiveError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged index is "no archive", never an empty one
        current_app.logger.exception("Cannot open the index at %s", home())
        raise IndexMissing(
            f"The archive's index cannot be opened ({type(exc).__name__}). Run `archive check --repair`, "
            "or `archive reindex` to rebuild it from the catalog."
        ) from exc


def _apply_budget(searcher) -> None:
    budget = current_app.config.get("SEARCH_TIME_BUDGET")
    searcher.time_budget = budget or TIME_BUDGET_SECONDS


def get_catalog() -> Catalog:
    """The request's catalog connection (read only). :raises IndexMissing: when there is no catalog."""
    if "catalog" not in g:
        g.catalog = Catalog(home())
    return g.catalog


def close_resources(exc: BaseException | None = None) -> None:
    searcher = g.pop("searcher", None)
    if searcher is not None:
        searcher.close()
    catalog = g.pop("catalog", None)
    if catalog is not None:
        catalog.close()


def warm_up(app: Flask) -> None:
    """Load the archive's caches now (a gunicorn hook, before a worker takes traffic); no archive yet
    is not an error: the first import's first request pays instead."""
    with app.app_context():
        try:
            archive().warm_up(WARM_UP_QUERIES)
        except ArchiveError as exc:
            app.logger.info("No warm-up: %s", exc)


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_resources)
