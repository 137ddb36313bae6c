"""Opening the Whoosh index and writing passages to it: the only place that touches the index files."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import LockError
from whoosh.writing import SegmentWriter

from archive.errors import DiskFull, IndexLocked, IndexMissing
from archive.models import Article
from archive.search.whoosh.schema import SCHEMA, passage_documents

INDEX_DIRNAME = "whoosh"
#: A commit renames the TOC file; a reader opening at that instant can miss it. Retry a few times.
OPEN_RETRIES = 5
OPEN_RETRY_DELAY = 0.05
#: Whoosh reads a compound segment through mmap *and copies each sub-file into a BytesIO* on every
#: searcher open (0.25 s per searcher on Reuters, growing with the index); without mmap it opens each
#: sub-file as a window on the file (17 ms), and reads cost about the same.
USE_MMAP = False
#: RAM the writer may buffer before it flushes a segment to disk.
WRITER_LIMIT_MB = 256


def index_dir(home: Path) -> Path:
    return Path(home) / INDEX_DIRNAME


def create_index(home: Path) -> None:
    """Create an empty index. Only an import does this, and only when the folder holds no index files:
    ``exists_in`` can report False on a healthy index (e.g. out of file descriptors), so we never
    create over files that are there."""
    folder = index_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.glob("*.toc")):
        return
    whoosh_index.create_in(str(folder), SCHEMA)


def open_index(home: Path):
    """Open the existing index for reading or writing; never create one.

    :raises IndexMissing: when there is no index at ``home``.
    """
    folder = index_dir(home)
    if not folder.is_dir() or not any(folder.glob("*.toc")):
        raise IndexMissing(f"No archive at {home}. Run `archive import PATH` to create one.")
    for attempt in range(OPEN_RETRIES):
        try:
            ix = whoosh_index.open_dir(str(folder))
            ix.storage.supports_mmap = USE_MMAP
            return ix
        except FileNotFoundError:
            if attempt == OPEN_RETRIES - 1:
                raise
            time.sleep(OPEN_RETRY_DELAY)
        except Exception as exc:  # noqa: BLE001 - a damaged TOC or segment: say so, never "empty"
            _close_files_of(exc.__traceback__)
            raise IndexMissing(
                f"The index at {folder} cannot be opened ({type(exc).__name__}: {exc}). Run `archive check "
                "--repair`, or `archive reindex` to rebuild it from the catalog."
            ) from exc
    raise AssertionError("unreachable")


def _close_files_of(tb) -> None:
    """Close the index files a failed open left open: Whoosh's ``TOC.read`` does not close its file when
    the TOC does not parse, which would leak one descriptor per request on a damaged index."""
    from whoosh.filedb.structfile import StructFile

    while tb is not None:
        for value in list(tb.tb_frame.f_locals.values()):
            if isinstance(value, StructFile):
                try:
                    value.close()
                except Exception:  # noqa: BLE001
                    pass
        tb = tb.tb_next


def open_writer(ix, timeout: float = 0.0) -> SegmentWriter:
    """The index's single writer; waits up to ``timeout`` seconds for another writer to finish.

    :raises IndexLocked: when another process holds the write lock.
    """
    try:
        return ix.writer(timeout=timeout, limitmb=WRITER_LIMIT_MB)
    except LockError as exc:
        raise IndexLocked(
            f"Another import is writing to {ix.storage.folder}. Wait for it to finish, then run this command "
            "again (or pass --wait). Search keeps working meanwhile."
        ) from exc


#: Every search pays per segment (term lookups, per-segment caches), so a writer keeps their number
#: bounded: past MAX_SEGMENTS it merges the smallest ones into one, leaving MERGED_SEGMENTS. Big
#: segments are left alone, so a small import never rewrites the whole index.
MAX_SEGMENTS = 6
MERGED_SEGMENTS = 3


def bounded_merge(writer, segments, arriving: int = 1):
    """Whoosh merge policy: merge the smallest segments once there are more than ``MAX_SEGMENTS``.

    :param arriving: segments this commit adds (the writer's own, or those workers built).
    """
    from whoosh.reading import SegmentReader

    if len(segments) + arriving - 1 <= MAX_SEGMENTS:
        return segments
    by_size = sorted(segments, key=lambda seg: seg.doc_count_all())
    cut = max(2, len(segments) + arriving - MERGED_SEGMENTS)
    merge, keep = by_size[:cut], by_size[cut:]
    for seg in merge:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return keep


def commit(writer, built: Sequence = ()) -> None:
    """Commit with the bounded merge policy; a failed commit (e.g. disk full) still frees the writer.

    :param built: finished segments that worker processes wrote for this commit
        (:mod:`archive.search.whoosh.segments`); the new TOC names them beside the writer's own.
    """
    try:
        if not built:
            writer.commit(mergetype=bounded_merge)
            return
        # SegmentWriter.commit, with the built segments added to the TOC (whoosh is pinned to 2.7.4).
        writer._check_state()
        final = bounded_merge(writer, writer.segments, arriving=len(built) + int(writer._added))
        if writer._added:
            final.append(writer._finalize_segment())
        else:
            writer._close_segment()
        writer._commit_toc([*final, *built])
        writer._finish()
    except BaseException:
        try:
            writer.cancel()
        except Exception:  # noqa: BLE001 - the first error is the one to report
            pass
        lock = getattr(writer, "writelock", None)
        if lock is not None:
            try:
                lock.release()
            except Exception:  # noqa: BLE001
                pass
        raise


#: Room a commit keeps free beyond its estimate (SQLite's WAL, the TOC, rounding).
FREE_SPACE_MARGIN = 2 * 1024 * 1024
#: Bytes on disk per byte of article text: stored body, folded and exact postings, vectors of names.
INDEX_BYTES_PER_TEXT_BYTE = 3


def _segment_bytes(ix, segment) -> int:
    folder = Path(ix.storage.folder)
    prefix = segment.segment_id() + "."
    return sum(p.stat().st_size for p in folder.iterdir() if p.name.startswith(prefix) and p.is_file())


def space_needed(ix, text_bytes: int) -> int:
    """Bytes a commit of ``text_bytes`` of new text needs: its segment, plus a copy of the segments the
    bounded merge would rewrite (the old ones stay on disk until the new TOC is written)."""
    segments = ix._segments()
    merged = 0
    if len(segments) + 1 > MAX_SEGMENTS:
        by_size = sorted(segments, key=lambda seg: seg.doc_count_all())
        merged = sum(_segment_bytes(ix, seg) for seg in by_size[: len(segments) + 1 - MERGED_SEGMENTS + 1])
    return text_bytes * INDEX_BYTES_PER_TEXT_BYTE + merged + FREE_SPACE_MARGIN


def ensure_free_space(ix, text_bytes: int) -> None:
    """Refuse a commit the disk cannot hold, before writing anything.

    :raises DiskFull: with how much is needed and free.
    """
    needed = space_needed(ix, text_bytes)
    free = shutil.disk_usage(ix.storage.folder).free
    if free < needed:
        raise DiskFull(
            f"Not enough free disk space for the index at {ix.storage.folder}: this commit needs about "
            f"{needed / 1e6:.1f} MB and {free / 1e6:.1f} MB are free. Free some space, then run the import "
            "again; everything committed so far is kept."
        )


def replace_articles(writer, articles: Iterable[Article]) -> int:
    """Delete each article's passages, then add the new ones; returns the number of passages added.

    ``update_document`` twice for one id in one writer leaves two documents, so the caller passes each
    article once per writer and we delete by article id then add.
    """
    articles = list(articles)
    delete_articles(writer, [a.id for a in articles])
    return add_articles(writer, articles)


def add_articles(writer, articles: Iterable[Article]) -> int:
    """Add the passages of articles the index does not hold; returns the number of passages added."""
    added = 0
    # an index made before a field was added (``skey``, ``published_time``, ``language``) takes the
    # others until ``archive reindex``: searches say so (``OLD_INDEX_NOTICE``) and read the field as absent
    known = set(writer.schema.names())
    for article in articles:
        for doc in passage_documents(article):
            writer.add_document(**{name: value for name, value in doc.items() if name in known})
            added += 1
    return added


def delete_articles(writer, article_ids: Iterable[str]) -> None:
    """Delete every passage of the given articles, through one searcher.

    ``delete_by_term`` without a searcher opens a new one per call, which costs as much as the rest of an
    import put together; one searcher for the whole batch makes deleting cheap.
    """
    article_ids = list(article_ids)
    if not article_ids:
        return
    with writer.searcher() as searcher:
        for article_id in article_ids:
            writer.delete_by_term("article_id", article_id, searcher=searcher)
