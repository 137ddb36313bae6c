"""Rebuild the index from the catalog: the drill for a lost or corrupted index."""

from __future__ import annotations

import shutil
from pathlib import Path

from whoosh import index as whoosh_index

from archive import config, copies
from archive.check import BUILD_DIRNAME, OLD_DIRNAME, finish_reindex
from archive.errors import DiskFull
from archive.importer import worker_pool
from archive.locking import write_lock
from archive.reextract import reapply
from archive.reextract import reextract as reextract_articles
from archive.search.whoosh.index import FREE_SPACE_MARGIN, INDEX_DIRNAME
from archive.search.whoosh.schema import SCHEMA
from archive.search.whoosh.segments import start_segments, write_batch
from archive.store import Catalog


def _ensure_room_for_a_copy(home: Path) -> None:
    """The new index is built beside the live one: refuse before writing if the disk cannot hold both."""
    live = home / INDEX_DIRNAME
    size = sum(p.stat().st_size for p in live.iterdir() if p.is_file()) if live.is_dir() else 0
    free = shutil.disk_usage(home).free
    if free < size + FREE_SPACE_MARGIN:
        raise DiskFull(
            f"Not enough free disk space to rebuild the index at {home}: it needs about "
            f"{(size + FREE_SPACE_MARGIN) / 1e6:.0f} MB and {free / 1e6:.0f} MB are free."
        )


def reindex(home: Path, wait: float = 0.0, workers: int = 1, reextract: bool = False) -> int:
    """Rebuild the Whoosh index from every article in the catalog; returns the number of articles.

    :param workers: processes that each write a segment of the new index (one segment per worker).
    :param reextract: read the stored originals again and extract their entities again first.
    """
    home = Path(home)
    with write_lock(home, wait=wait):
        return rebuild(home, workers, reextract)


def rebuild(home: Path, workers: int = 1, reextract: bool = False) -> int:
    """:func:`reindex` for a caller that already holds the write lock (``check --repair``)."""
    finish_reindex(home)  # a killed reindex's complete build is the live index, not a leftover
    catalog = Catalog(home)
    try:
        build = home / BUILD_DIRNAME
        shutil.rmtree(build, ignore_errors=True)
        _ensure_room_for_a_copy(home)
        build.mkdir()
        ix = whoosh_index.create_in(str(build), SCHEMA)
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
            building = start_segments(pool, ix, articles, workers, config.min_segment_articles())
            write_batch(ix, articles, building, delete=set())  # a new index: nothing to delete
        ix.close()
        # The swap: a kill between the two renames leaves no live index and two complete ones; the next
        # writer finishes it (archive.check.finish_reindex).
        live, old = home / INDEX_DIRNAME, home / OLD_DIRNAME
        shutil.rmtree(old, ignore_errors=True)
        if live.exists():
            live.rename(old)
        build.rename(live)
        shutil.rmtree(old, ignore_errors=True)
        catalog.mark_indexed(a.id for a in articles)
        catalog.commit()
    finally:
        catalog.close()
    return len(articles)
