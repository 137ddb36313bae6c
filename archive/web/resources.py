"""One searcher and one catalog connection per request, given back or closed on teardown.

A request's searcher comes from the worker's pool (:mod:`archive.search.whoosh.kept`): kept open between
requests and reused only while the archive is unchanged, so every import the CLI committed before the
request is visible without restarting the site, and requests do not pay for opening the index.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g

from archive.config import archive_home
from archive.errors import ArchiveError, IndexMissing
from archive.search.whoosh import kept
from archive.search.whoosh.engine import TIME_BUDGET_SECONDS, open_searcher
from archive.store import Catalog


def home() -> Path:
    return archive_home(current_app.config.get("ARCHIVE_HOME"))


def get_searcher():
    """The request's searcher, sharing the request's catalog connection.

    :raises IndexMissing: when there is no archive at the home.
    """
    if "searcher" not in g:
        searcher = _opened(lambda: kept.pool(home()).acquire())
        g.searcher = searcher
        _apply_budget(searcher)
    return g.searcher


def new_searcher(catalog: Catalog | None = None):
    """A searcher the caller closes (exports stream after the request's teardown)."""
    searcher = _opened(lambda: open_searcher(home(), catalog=catalog))
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
        kept.pool(home()).release(searcher)
    catalog = g.pop("catalog", None)
    if catalog is not None:
        catalog.close()


def warm_up(app: Flask) -> None:
    """Load the archive's caches now (a gunicorn hook, before a worker takes traffic); no archive yet
    is not an error: the first import's first request pays instead."""
    with app.app_context():
        try:
            kept.pool(home()).warm_up()
        except ArchiveError as exc:
            app.logger.info("No warm-up: %s", exc)


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_resources)
