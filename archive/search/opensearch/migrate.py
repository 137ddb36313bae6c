"""``archive reindex --to URL``: copy an archive's articles from its catalog into a search cluster.

Bulk and parallel (:class:`~.writer.OpenSearchWriter` with several bulk requests in flight), resumable:
after each batch the catalog records which article versions the cluster acknowledged, so a move that was
killed continues with the articles it had not sent yet (and an article changed since is sent again).
The articles go as a reindex writes them: with their stories and the editors' corrections as they stand.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from archive.curation import Rules, reapplied
from archive.locking import write_lock
from archive.search.opensearch.writer import OpenSearchWriter
from archive.store import Catalog

#: Articles read from the catalog and sent per batch: each batch is one checkpoint of a resumable move.
BATCH_ARTICLES = 500
#: Bulk requests in flight: the cluster's two nodes each index one while the next is being built.
THREADS = 2

Progress = Callable[[int, int], None]


def move(
    home: Path,
    url: str | None = None,
    prefix: str | None = None,
    wait: float = 0.0,
    threads: int = THREADS,
    batch: int = BATCH_ARTICLES,
    fresh: bool = False,
    progress: Progress | None = None,
) -> int:
    """Copy the archive at ``home`` into the cluster at ``url``; returns how many articles were sent.

    :param fresh: start over in empty indexes instead of continuing an earlier move.
    :param progress: called with (articles sent so far, articles to send) after each batch.
    """
    with write_lock(Path(home), wait=wait):
        catalog = Catalog(Path(home))
        try:
            writer = OpenSearchWriter(url, prefix=prefix, threads=threads, fresh=fresh)
            return copy(catalog, writer, batch, progress)
        finally:
            catalog.close()


def copy(catalog: Catalog, writer: OpenSearchWriter, batch: int = BATCH_ARTICLES, progress=None) -> int:
    """:func:`move` for a caller that holds the lock and the catalog."""
    catalog.ensure_curation()
    catalog.ensure_stories()
    todo = catalog.unacknowledged(writer.cluster)
    rules = Rules.from_rows(catalog.corrections())
    for start in range(0, len(todo), batch):
        articles = catalog.load_articles(todo[start : start + batch])
        stories = catalog.stories_of(a.id for a in articles)
        articles = [reapplied(catalog, a, rules) for a in articles]
        for article in articles:
            article.story = stories.get(article.id)
        writer.write(articles)
        writer.acknowledge(catalog)  # the checkpoint: a killed move continues after this batch
        if progress:
            progress(min(start + batch, len(todo)), len(todo))
    gone = catalog.acknowledged_gone(writer.cluster)
    if gone:
        writer.write([], delete=gone)
    writer.sync_registry(catalog, full=True)
    writer.commit(catalog)
    return len(todo)


def printer(out: Callable[[str], None]) -> Progress:
    """A progress callback that prints the count and the rate."""
    started = time.monotonic()

    def show(done: int, total: int) -> None:
        rate = done / max(time.monotonic() - started, 1e-9)
        out(f"Sent {done:,}/{total:,} articles ({rate:.0f}/s)")

    return show
