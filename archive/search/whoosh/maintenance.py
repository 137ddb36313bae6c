"""What only an embedded index needs besides reading and writing: its files in the archive's home.

A killed import can leave files that no commit refers to (a half-written segment, Whoosh's ``MAIN.tmp``
posting pool, a half-written TOC, a killed merge's output: up to ~3x the index size); a killed reindex
can leave its new index beside the live one, or (killed between its two renames) no live index at all.
The archive's one writer (:class:`archive.home.Archive`) calls :func:`prepare` before it writes;
``archive check`` reports what :func:`leftover_files` and :func:`index_passages` find.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from archive.errors import DiskFull
from archive.models import Article
from archive.search.whoosh.index import FREE_SPACE_MARGIN, INDEX_DIRNAME, create_index, open_index
from archive.search.whoosh.schema import SCHEMA
from archive.search.whoosh.writer import WhooshWriter

#: ``archive reindex`` builds the new index beside the live one, then swaps them: live -> old, build ->
#: live. Left behind only by a killed reindex.
BUILD_DIRNAME = INDEX_DIRNAME + ".rebuild"
OLD_DIRNAME = INDEX_DIRNAME + ".old"
REINDEX_LEFTOVERS = (BUILD_DIRNAME, OLD_DIRNAME)
WRITELOCK_SUFFIX = "_WRITELOCK"


def _has_index(folder: Path) -> bool:
    return folder.is_dir() and any(folder.glob("*.toc"))


def killed_swap(home: Path) -> bool:
    """Whether a reindex was killed between its two renames: no live index, a complete one beside it."""
    home = Path(home)
    return not _has_index(home / INDEX_DIRNAME) and _has_index(home / OLD_DIRNAME)


def finish_reindex(home: Path) -> str | None:
    """Finish the swap of a reindex killed between its two renames; call only under the write lock.

    The live index is renamed away only once the new one is complete, so with no live index the build
    becomes the live index (or, without a build, the old one comes back). Every writer calls this
    before it opens the index: creating an empty index there would hide every article.

    :return: what was done, or ``None`` when there was nothing to finish.
    """
    home = Path(home)
    live, build, old = home / INDEX_DIRNAME, home / BUILD_DIRNAME, home / OLD_DIRNAME
    if not killed_swap(home):
        return None
    if live.exists():
        remove([live])  # an empty folder (or an empty index a writer made over the gap)
    if _has_index(build):
        build.rename(live)
        remove([old])
        return "finished a killed reindex: its new index is now the live one"
    old.rename(live)
    return "finished a killed reindex: the previous index is live again"


def leftover_files(home: Path, ix=None) -> list[Path]:
    """Files and folders in the archive that the current index generation does not use.

    Safe to delete only under the write lock (no writer is making them right now).
    """
    home = Path(home)
    out = [home / name for name in REINDEX_LEFTOVERS if (home / name).exists()]
    own = ix is None
    ix = ix or open_index(home)
    try:
        name = ix.indexname
        generation = ix.latest_generation()
        keep = {f"_{name}_{generation}.toc", f"{name}{WRITELOCK_SUFFIX}"}
        segments = {seg.segment_id() for seg in ix._segments()}
        segment_file = re.compile(rf"({re.escape(name)}_[0-9a-z]+)[.][A-Za-z0-9_.]+$")
        for path in sorted(Path(ix.storage.folder).iterdir()):
            if path.name in keep:
                continue
            match = segment_file.match(path.name)
            if match and match.group(1) in segments and path.is_file():
                continue
            out.append(path)
    finally:
        if own:
            ix.close()
    return out


def remove(paths: list[Path]) -> None:
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def clean_leftovers(home: Path, ix=None) -> list[Path]:
    """Delete what killed writers left behind; call only while holding the write lock."""
    found = leftover_files(home, ix)
    remove(found)
    return found


def prepare(home: Path, create: bool = False, rebuild: bool = False) -> list[str]:
    """Make the index ready for a writer that holds the write lock: finish a killed reindex's swap,
    create the index (``create``: an import, and only where no index files are), delete leftovers
    (not for a ``rebuild``, which replaces the index whether or not it opens).

    :return: what was done, in words (for ``archive check --repair``).
    :raises IndexMissing: without ``create``, when there is no index that opens.
    """
    done = []
    finished = finish_reindex(home)  # before anything could create an empty index over the gap
    if finished:
        done.append(finished)
    if create:
        create_index(home)
    if rebuild:
        return done
    removed = clean_leftovers(home)
    if removed:
        done.append(f"removed {len(removed)} leftover files and folders")
    return done


def index_passages(home: Path) -> tuple[Counter, Counter]:
    """Passages per article id and how often each passage id occurs, from the index's live documents.

    :raises IndexMissing: when the index does not open.
    """
    per_article: Counter = Counter()
    pids: Counter = Counter()
    ix = open_index(home)
    try:
        with ix.searcher() as searcher:
            for fields in searcher.all_stored_fields():
                per_article[fields.get("article_id")] += 1
                pids[fields.get("pid")] += 1
    finally:
        ix.close()
    return per_article, pids


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


def rebuild(home: Path, articles: Sequence[Article], pool: Any = None, workers: int = 1) -> None:
    """Build a new index of ``articles`` beside the live one, then swap it in; under the write lock.

    A kill before the swap leaves the live index untouched (the build is a leftover); a kill between
    the two renames is finished by the next writer (:func:`finish_reindex`).
    """
    home = Path(home)
    build = home / BUILD_DIRNAME
    shutil.rmtree(build, ignore_errors=True)
    _ensure_room_for_a_copy(home)
    build.mkdir()
    ix = whoosh_index.create_in(str(build), SCHEMA)
    writer = WhooshWriter(home, pool=pool, workers=workers, ix=ix)
    try:
        writer.write(articles)
        writer.commit()
    except BaseException:
        writer.abandon()
        raise
    finally:
        ix.close()
    live, old = home / INDEX_DIRNAME, home / OLD_DIRNAME
    shutil.rmtree(old, ignore_errors=True)
    if live.exists():
        live.rename(old)
    build.rename(live)
    shutil.rmtree(old, ignore_errors=True)


def has_index(home: Path) -> bool:
    """Whether the home holds index files (an archive imported with the embedded engine)."""
    return _has_index(Path(home) / INDEX_DIRNAME)
