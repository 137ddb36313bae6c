"""The archive's home: one object that owns its folder, its catalog, its search engine and its one writer.

Every write (import, delete, reindex, corrections, ``check --repair``) goes through :meth:`Archive.writing`:
it takes the one-writer lock, readies the engine's files (an embedded index: a killed reindex finished,
leftovers deleted), opens the catalog and the engine's writer (with the import's worker processes, when
given) and first finishes what a killed writer left (:meth:`Archive.recover`). Readers never take the
lock: the CLI and the site ask :meth:`Archive.reader` for a search engine. Which engine serves the
archive is decided here: the cluster at ``url`` (``--search-url``, ``ARCHIVE_SEARCH_URL``) or, unset,
the embedded index in the home.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive import config
from archive.locking import write_lock
from archive.search import engines
from archive.search.engines import IndexWriter, SearchEngine
from archive.store import Catalog


@dataclass
class Writing:
    """What a writer holds under the lock: the catalog and the engine's writer."""

    catalog: Catalog
    writer: IndexWriter
    #: what readying the engine's files did, in words (``archive check --repair`` reports it)
    readied: list[str]


class Archive:
    """The archive at ``home``, searched by the cluster at ``url`` or (unset) by its embedded index."""

    def __init__(
        self, home: Path | str | None = None, url: str | None = None, embedded: bool = False
    ) -> None:
        """:param embedded: the home's own index even when ``ARCHIVE_SEARCH_URL`` names a cluster."""
        self.home = config.archive_home(home)
        self.url = None if embedded else engines.search_url(url)
        #: what readying the engine's files did under the lock, in words (``archive check --repair``)
        self.readied: list[str] = []

    @property
    def embedded(self) -> bool:
        """Whether the archive's index is the embedded one in the home (no cluster configured)."""
        return not self.url

    # -- reading -------------------------------------------------------------------------------------

    def reader(
        self,
        catalog: Catalog | None = None,
        pooled: bool = False,
        whole_set: bool = False,
        time_budget: float | None = None,
    ) -> SearchEngine:
        """A search engine on the archive; close it when done.

        :param catalog: an open catalog the embedded engine reads (a cluster holds its own copy).
        :param pooled: the site's: a searcher kept open between requests (embedded engine).
        :param whole_set: the CLI's, exports', batches' and watches' budget, not the site's.
        :param time_budget: seconds one search may take, overriding both.
        :raises IndexMissing: no archive. :raises SearchUnavailable: the cluster cannot be reached.
        """
        if self.url:
            budget = time_budget or (engines.WHOLE_SET_TIME_BUDGET_SECONDS if whole_set else None)
            return engines.open_reader(self.home, self.url, **({"time_budget": budget} if budget else {}))
        return engines.open_reader(
            self.home, catalog=catalog, pooled=pooled, whole_set=whole_set, time_budget=time_budget
        )

    def warm_up(self, requests) -> None:
        """Load the engine's caches and run ``requests`` (a web worker, before traffic), without the
        site's budget: a cold dictionary may take longer than one search may."""
        engine = self.reader(pooled=True)
        engine.time_budget = engines.WHOLE_SET_TIME_BUDGET_SECONDS
        try:
            warm = getattr(engine, "warm_up", None)
            if warm is not None:
                warm(requests)
            else:
                for req in requests:
                    engine.search(req)
        finally:
            engine.close()

    # -- writing -------------------------------------------------------------------------------------

    def lock(self, wait: float = 0.0):
        """The one-writer lock alone (``archive check`` looks under it without writing)."""
        return write_lock(self.home, wait=wait)

    @contextmanager
    def locked(self, wait: float = 0.0, create: bool = False, rebuild: bool = False) -> Iterator[Catalog]:
        """Hold the one-writer lock with the catalog open and the engine's files ready for a writer
        (what that did, in words, is in :attr:`readied`); open the writer with :meth:`writer`.

        :param create: an import: create the catalog and the index when the home has none.
        :param rebuild: the index is about to be rebuilt: it need not open.
        :raises IndexLocked: when another writer holds the lock past ``wait``.
        :raises IndexMissing: without ``create``, when there is no archive at the home.
        """
        with write_lock(self.home, wait=wait):
            catalog = Catalog(self.home, create=create)
            try:
                self.readied = self.ready_files(create=create, rebuild=rebuild)
                yield catalog
            finally:
                catalog.close()

    @contextmanager
    def writing(self, wait: float = 0.0) -> Iterator[Writing]:
        """:meth:`locked`, with the engine's writer open and a killed writer's work finished
        (:meth:`recover`); the writer's uncommitted writes are abandoned if the block raises. For
        deletes and corrections: an archive made before the curation tables gains them first (finishing
        a killed delete clears their rows too)."""
        with self.locked(wait=wait) as catalog:
            catalog.ensure_curation()
            writer = self.writer()
            try:
                self.recover(catalog, writer)
                yield Writing(catalog, writer, self.readied)
            except BaseException:
                writer.abandon()
                raise

    def ready_files(self, create: bool = False, rebuild: bool = False) -> list[str]:
        """Under the lock: the embedded index's files made ready for a writer (see
        :func:`archive.search.whoosh.maintenance.prepare`); nothing for a cluster."""
        if not self.embedded:
            return []
        return engines.embedded().prepare(self.home, create=create, rebuild=rebuild)

    def writer(self, pool: Any = None, workers: int = 1) -> IndexWriter:
        """The engine's writer; use it only under the lock (:meth:`writing`)."""
        if self.url:
            return engines.open_writer(self.home, self.url)
        return engines.open_writer(self.home, pool=pool, workers=workers)

    def recover(self, catalog: Catalog, writer: IndexWriter) -> int:
        """Finish what a killed writer left: index the ``pending`` articles, drop the ``deleting`` ones.

        :return: how many articles it touched.
        """
        pending = list(catalog.iter_articles(state="pending"))
        deleting = catalog.ids_in_state("deleting")
        if not pending and not deleting:
            return 0
        held = getattr(writer, "acknowledged", None)  # a cluster: what it acknowledged is not sent again
        whole = held(catalog, [a.id for a in pending]) if held else set()
        writer.write([a for a in pending if a.id not in whole], delete=deleting)
        writer.commit(catalog)
        catalog.mark_indexed(a.id for a in pending)
        catalog.delete_articles(deleting)
        catalog.commit()
        return len(pending) + len(deleting)
