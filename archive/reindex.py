"""Rebuild the index from the catalog: the drill for a lost or corrupted index."""

from __future__ import annotations

from pathlib import Path

from archive import copies
from archive.home import Archive
from archive.importer import worker_pool
from archive.reextract import reapply
from archive.reextract import reextract as reextract_articles
from archive.search import engines
from archive.store import Catalog


def reindex(home: Path, wait: float = 0.0, workers: int = 1, reextract: bool = False) -> int:
    """Rebuild the home's index from every article in the catalog; returns the number of articles.

    :param workers: processes that each write a segment of the new index (one segment per worker).
    :param reextract: read the stored originals again and extract their entities again first.
    """
    archive = Archive(home, embedded=True)
    with archive.locked(wait=wait, rebuild=True) as catalog:
        return rebuild(archive, catalog, workers, reextract)


def rebuild(archive: Archive, catalog: Catalog, workers: int = 1, reextract: bool = False) -> int:
    """:func:`reindex` for a caller that already holds the write lock (``check --repair``).

    The new index is built beside the live one and swapped in (a kill before the swap leaves the live
    one untouched; a kill between the two renames is finished by the next writer).
    """
    catalog.delete_articles(catalog.ids_in_state("deleting"))  # a killed delete, finished here
    catalog.ensure_stories()
    articles = list(catalog.iter_articles())
    if reextract:  # before anything else reads the articles: the stored originals, read again
        with worker_pool(workers, with_entities=True) as pool:
            articles = reextract_articles(catalog, articles, pool, workers)
    copies.attach(catalog, articles)  # stories kept; an archive made before them gets them here
    if not reextract:
        articles = reapply(catalog, articles)  # the editors' corrections, as they stand now
    with worker_pool(workers, with_entities=False) as pool:
        engines.embedded().rebuild(archive.home, articles, pool, workers)
    catalog.mark_indexed(a.id for a in articles)
    catalog.commit()
    return len(articles)
