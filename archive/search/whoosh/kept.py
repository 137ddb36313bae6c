"""Searchers kept open between requests, each reused only while the archive is unchanged.

Opening a Whoosh searcher and the catalog on every request cost the site ~9 ms per request (issue 16);
a web worker instead takes a searcher from its pool and gives it back after the request. Before reuse,
a searcher's *stamp* (which committed index and catalog it opened) is compared with the archive's
current one, a directory listing and two ``stat`` calls, so a request still sees every import
committed before it: after a commit the stale searchers are closed and a new one is opened. The
per-generation arrays behind it are shared by the whole process (:mod:`archive.search.whoosh.cache`).

A pooled searcher is used by one request at a time (Whoosh readers and SQLite cursors are not shared
between threads); a process holds at most as many as it serves requests at once.
"""

from __future__ import annotations

import atexit
import os
import re
import threading
from pathlib import Path
from typing import Any

from archive.errors import IndexMissing
from archive.search.whoosh.engine import ArchiveSearcher, budget, open_searcher
from archive.search.whoosh.index import index_dir

#: Free searchers a pool keeps per archive (a gunicorn worker serves at most its thread count at once).
MAX_FREE = 8
#: Listings of the index folder tried when its newest table of contents is gone before it is read (an
#: import's next commit removes the one before it; an import commits every few seconds at most).
STAMP_RESCANS = 20
#: Whoosh names each commit's table of contents ``_MAIN_<generation>.toc``.
TOC_NAME = re.compile(r"^_MAIN_(\d+)\.toc$")
_pools_lock = threading.Lock()
_pools: dict[str, SearcherPool] = {}
#: Pools a forked child inherited: kept referenced, never used or closed there (SQLite forbids using
#: or closing a connection in a child; the parent's gunicorn master closes its own before forking).
_inherited: list[SearcherPool] = []


def archive_stamp(home: Path) -> tuple:
    """What identifies the archive's committed state: the index folder (``reindex`` swaps it), its newest
    table of contents (one per commit; its inode and time tell a recreated index from the old one) and
    the catalog file.

    :raises IndexMissing: when the home holds no index.
    """
    folder = index_dir(home)
    for attempt in range(STAMP_RESCANS + 1):
        try:
            folder_stat = os.stat(folder)
            tocs = [(int(m.group(1)), e) for e in os.scandir(folder) if (m := TOC_NAME.match(e.name))]
        except FileNotFoundError:
            tocs = []
        if not tocs:
            raise IndexMissing(f"No archive at {home}. Run `archive import PATH` to create one.")
        generation, toc = max(tocs, key=lambda t: t[0])
        try:
            toc_stat = toc.stat()
            break
        except FileNotFoundError:  # a commit made since the listing removed that table: list again
            if attempt == STAMP_RESCANS:
                raise IndexMissing(f"The index at {folder} keeps changing; try again.") from None
    try:
        catalog_stat = os.stat(Path(home) / "catalog.sqlite")
        catalog = (catalog_stat.st_dev, catalog_stat.st_ino)
    except FileNotFoundError:
        catalog = None
    return (
        folder_stat.st_dev,
        folder_stat.st_ino,
        generation,
        toc_stat.st_ino,
        toc_stat.st_mtime_ns,
        catalog,
    )


class SearcherPool:
    """Open searchers of one archive home, handed out one request at a time."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self._lock = threading.Lock()
        self._free: list[tuple[tuple, ArchiveSearcher]] = []
        self._stamps: dict[int, tuple] = {}  # id(searcher) -> stamp, for the searchers handed out

    def acquire(self) -> ArchiveSearcher:
        """A searcher that sees every commit made before this call; give it back with :meth:`release`.

        :raises IndexMissing: when there is no archive at the home.
        """
        try:
            stamp = archive_stamp(self.home)
        except IndexMissing:
            self.close()  # the archive is gone: its files are not worth holding open
            raise
        stale = []
        found = None
        with self._lock:
            while self._free:
                kept_stamp, searcher = self._free.pop()
                if kept_stamp == stamp:
                    found = searcher
                    break
                stale.append(searcher)
            if found is None:
                # a stale searcher left in the pool is older than this one: drop them all
                stale += [s for _, s in self._free]
                self._free.clear()
        for searcher in stale:
            searcher.close()
        if found is None:
            # labelled with the stamp read *before* opening: it sees at least that commit
            found = open_searcher(self.home)
        with self._lock:
            self._stamps[id(found)] = stamp
        found.pool = self  # its close gives it back
        return found

    def release(self, searcher: ArchiveSearcher) -> None:
        """Give a searcher back after its request; it is closed when the pool is full."""
        searcher.pool = None
        with self._lock:
            stamp = self._stamps.pop(id(searcher), None)
            if stamp is not None and searcher.searcher is not None and len(self._free) < MAX_FREE:
                self._free.append((stamp, searcher))
                return
        searcher.close()

    def close(self) -> None:
        """Close every free searcher (those handed out are closed when they come back)."""
        with self._lock:
            free, self._free = self._free, []
            self._stamps.clear()
        for _, searcher in free:
            searcher.close()


def pool(home: Path) -> SearcherPool:
    """The process's pool for ``home``."""
    key = str(Path(home).resolve())
    with _pools_lock:
        found = _pools.get(key)
        if found is None:
            found = _pools[key] = SearcherPool(Path(home))
        return found


def acquire(
    home: Path, time_budget: float | None = None, whole_set: bool = False, **_: Any
) -> ArchiveSearcher:
    """A searcher from the process's pool for ``home`` (the site's); its ``close`` gives it back. It reads
    the home's own catalog (a ``catalog`` option is ignored)."""
    searcher = pool(home).acquire()
    searcher.time_budget = budget(time_budget, whole_set)
    return searcher


def close_all() -> None:
    """Close every pool's free searchers (a gunicorn master does this before it forks its workers)."""
    with _pools_lock:
        pools = list(_pools.values())
    for p in pools:
        p.close()


def _forget_after_fork() -> None:
    """A forked child must not read through its parent's file offsets: it starts with empty pools (the
    cached arrays, which are plain memory, stay shared)."""
    global _pools_lock
    _pools_lock = threading.Lock()
    _inherited.extend(_pools.values())
    _pools.clear()


os.register_at_fork(after_in_child=_forget_after_fork)
atexit.register(close_all)
