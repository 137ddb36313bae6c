"""Rebuild the index from the catalog: the drill for a lost or corrupted index."""

from __future__ import annotations

import shutil
from pathlib import Path

from whoosh import index as whoosh_index

from archive.locking import write_lock
from archive.search.index import INDEX_DIRNAME, WRITER_LIMIT_MB, replace_articles
from archive.search.schema import SCHEMA
from archive.store import Catalog

#: The new index is built beside the live one, then swapped in, so search keeps answering meanwhile.
BUILD_DIRNAME = INDEX_DIRNAME + ".rebuild"
OLD_DIRNAME = INDEX_DIRNAME + ".old"


def reindex(home: Path, wait: float = 0.0) -> int:
    """Rebuild the Whoosh index from every article in the catalog; returns the number of articles."""
    home = Path(home)
    with write_lock(home, wait=wait):
        catalog = Catalog(home)
        try:
            build = home / BUILD_DIRNAME
            shutil.rmtree(build, ignore_errors=True)
            build.mkdir()
            ix = whoosh_index.create_in(str(build), SCHEMA)
            writer = ix.writer(limitmb=WRITER_LIMIT_MB)
            catalog.delete_articles(catalog.ids_in_state("deleting"))  # a killed delete, finished here
            articles = list(catalog.iter_articles())
            replace_articles(writer, articles)
            writer.commit(optimize=True)
            ix.close()
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
