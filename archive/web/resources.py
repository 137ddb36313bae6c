"""One searcher and one catalog connection per request, closed on teardown.

A searcher sees the index as it was when opened, so opening one per request means every import the CLI
committed before the request is visible, without restarting the site.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g

from archive.config import archive_home
from archive.errors import ArchiveError, IndexMissing
from archive.search.engine import open_searcher
from archive.store import Catalog


def home() -> Path:
    return archive_home(current_app.config.get("ARCHIVE_HOME"))


def get_searcher():
    """The request's searcher, sharing the request's catalog connection.

    :raises IndexMissing: when there is no archive at the home.
    """
    if "searcher" not in g:
        g.searcher = new_searcher(catalog=get_catalog())
    return g.searcher


def new_searcher(catalog: Catalog | None = None):
    """A searcher the caller closes (exports stream after the request's teardown)."""
    try:
        searcher = open_searcher(home(), catalog=catalog)
    except ArchiveError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged index is "no archive", never an empty one
        current_app.logger.exception("Cannot open the index at %s", home())
        raise IndexMissing(
            f"The archive's index cannot be opened ({type(exc).__name__}). Run `archive check --repair`, "
            "or `archive reindex` to rebuild it from the catalog."
        ) from exc
    budget = current_app.config.get("SEARCH_TIME_BUDGET")
    if budget:
        searcher.time_budget = budget
    return searcher


def get_catalog() -> Catalog:
    """The request's catalog connection (read only). :raises IndexMissing: when there is no catalog."""
    if "catalog" not in g:
        g.catalog = Catalog(home())
    return g.catalog


def close_resources(exc: BaseException | None = None) -> None:
    for name in ("searcher", "catalog"):
        resource = g.pop(name, None)
        if resource is not None:
            resource.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_resources)
