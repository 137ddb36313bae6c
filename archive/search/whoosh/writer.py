"""The embedded engine's write side: :class:`WhooshWriter` implements
:class:`archive.search.engines.IndexWriter` on the Whoosh index in the archive's home.

``write`` refuses a batch the disk cannot hold and, for a large batch, has the import's worker processes
start writing its segments (:mod:`.segments`); ``commit`` takes Whoosh's writer, deletes the replaced
articles' passages, adds the batch (or the workers' segments) and commits them all at once. Until then
nothing is visible: a segment no TOC names is a leftover the next writer deletes.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from archive import config
from archive.models import Article
from archive.search.whoosh.index import (
    add_articles,
    commit,
    delete_articles,
    ensure_free_space,
    open_index,
    open_writer,
)
from archive.search.whoosh.segments import abandon_segments, discard_segments, gather_segments, start_segments

#: Seconds ``commit`` waits for Whoosh's own write lock (held only by another writer of this index,
#: which the archive's one-writer lock already excludes: this covers a stale lock file's release).
COMMIT_LOCK_TIMEOUT = 60.0


class WhooshWriter:
    """Writes batches of articles to the index of ``home`` (or to an index ``ix`` opened elsewhere).

    :param pool: the import's worker processes (``archive.importer.worker_pool``); a batch of at least
        ``min_segment_articles`` per worker is written as one segment per worker.
    """

    def __init__(
        self,
        home: Path,
        pool: Any = None,
        workers: int = 1,
        min_segment_articles: int | None = None,
        ix: Any = None,
        timeout: float = COMMIT_LOCK_TIMEOUT,
    ) -> None:
        self.home = Path(home)
        self.ix = ix if ix is not None else open_index(self.home)
        self.pool = pool
        self.workers = workers
        self.min_segment_articles = min_segment_articles or config.min_segment_articles()
        self.timeout = timeout
        self._here: list[Article] = []  # written by this process at commit
        self._building: list = []  # segment tasks the workers are running
        self._replace: set[str] = set()  # ids whose passages the commit deletes first

    def write(self, articles: Sequence[Article], delete: Collection[str] = ()) -> None:
        """Stage ``articles`` (replacing any with the same ids) and the deletion of ``delete``.

        :raises DiskFull: before anything is written, when the disk cannot hold the commit.
        """
        articles = list(articles)
        if articles:
            ensure_free_space(self.ix, sum(len(a.text) for a in articles))
        tasks = start_segments(self.pool, self.ix, articles, self.workers, self.min_segment_articles)
        if tasks:
            self._building += tasks
        else:
            self._here += articles
        self._replace |= {a.id for a in articles} | set(delete)

    def commit(self, catalog: Any = None) -> None:
        """Make every staged write visible in one Whoosh commit (the catalog is not needed here).

        :raises IndexLocked: when another writer holds Whoosh's lock past the timeout.
        """
        here, building, replace = self._here, self._building, self._replace
        self._here, self._building, self._replace = [], [], set()
        if not here and not building and not replace:
            return
        folder = self.ix.storage.folder
        try:
            writer = open_writer(self.ix, timeout=self.timeout)
        except BaseException:
            abandon_segments(folder, building)
            raise
        built: list = []
        try:
            try:
                delete_articles(writer, replace)
                add_articles(writer, here)
            finally:
                built = gather_segments(folder, building)
        except BaseException:
            writer.cancel()
            discard_segments(folder, built)
            raise
        # A failed commit may leave built segments behind; the next writer deletes whatever no TOC names.
        commit(writer, built)

    def abandon(self) -> None:
        """Drop the staged writes; wait for the workers' segments and delete them."""
        building = self._building
        self._here, self._building, self._replace = [], [], set()
        abandon_segments(self.ix.storage.folder, building)

    def close(self) -> None:
        self.abandon()
        self.ix.close()
