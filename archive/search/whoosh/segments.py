"""Segments built by the import's worker processes: the index writing of a large batch, spread over cores.

Whoosh's writer analyses and writes every posting in one process; on a bulk import that one process is
the bottleneck while the workers sit idle. For a large batch each worker instead writes a complete
segment holding a share of the new passages, and the one writer (which holds the lock and applies the
deletions) adds those segments to the index's table of contents in its commit
(:class:`archive.search.whoosh.writer.WhooshWriter`). The batch still becomes
visible all at once or not at all: a segment no TOC names is a leftover the next writer deletes.

Whoosh merges are costly (re-reading and re-writing every posting), so a batch is split only when each
share is large: many small segments would soon have to be merged again.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from archive.models import Article
from archive.search.whoosh.index import USE_MMAP, WRITER_LIMIT_MB, add_articles


def shares(articles: Sequence[Article], workers: int, min_articles: int) -> list[list[Article]]:
    """Split a batch into at most ``workers`` contiguous shares of about equal text length.

    :return: one share when the batch is too small to be worth more than one segment.
    """
    count = max(1, min(workers, len(articles) // max(1, min_articles)))
    if count == 1:
        return [list(articles)]
    total = sum(len(a.text) for a in articles) or 1
    out: list[list[Article]] = [[] for _ in range(count)]
    seen = 0
    for article in articles:
        out[min(count - 1, seen * count // total)].append(article)
        seen += len(article.text)
    return [share for share in out if share]


def build_segment(folder: str, articles: Sequence[Article]):
    """Write the passages of ``articles`` as one new, finished segment of the index in ``folder``.

    Runs in a worker process while the importer's writer holds the index lock, so it takes no lock of
    its own. The segment is invisible until a commit names it in the TOC.

    :return: Whoosh's segment object, for :func:`archive.search.whoosh.index.commit`.
    """
    ix = whoosh_index.open_dir(folder)
    ix.storage.supports_mmap = USE_MMAP
    writer = SegmentWriter(ix, _lk=False, limitmb=WRITER_LIMIT_MB)
    # Not writer.commit/cancel: those end by deleting the temporary folder every writer of the index
    # shares (the importer's writer's posting pool is in it); closing the segment cleans our own files.
    try:
        add_articles(writer, articles)
        return writer._finalize_segment()
    except BaseException:
        try:
            writer._close_segment()
        except Exception:  # noqa: BLE001 - the first error is the one to report
            pass
        raise


def discard_segments(folder: str, segments: Sequence) -> None:
    """Delete the files of built segments a failed commit never named (else the next writer would)."""
    prefixes = tuple(seg.segment_id() + "." for seg in segments)
    if not prefixes:
        return
    for path in Path(folder).iterdir():
        if path.name.startswith(prefixes):
            path.unlink(missing_ok=True)


def start_segments(pool, ix, articles: list[Article], workers: int, min_articles: int) -> list:
    """Have the ``pool``'s workers write the segments of a batch, when it is large enough to split.

    :return: the running tasks; none when the writer should write the batch itself.
    """
    parts = shares(articles, workers if pool is not None else 1, min_articles)
    if len(parts) == 1:
        return []
    return [pool.apply_async(build_segment, (ix.storage.folder, part)) for part in parts]


def gather_segments(folder: str, tasks: list) -> list:
    """The segments the tasks built, once all have finished; if one failed, the others' are deleted and
    its error raised (waiting first, so no worker is still writing a segment we clean up)."""
    built, error = [], None
    for task in tasks:
        try:
            built.append(task.get())
        except Exception as exc:  # noqa: BLE001 - raised below, once every task is done
            error = error or exc
    if error is not None:
        discard_segments(folder, built)
        raise error
    return built


def abandon_segments(folder: str, tasks: list) -> None:
    """Wait for the segment tasks of a batch that will not be committed, and delete what they wrote."""
    try:
        discard_segments(folder, gather_segments(folder, tasks))
    except Exception:  # noqa: BLE001 - the caller is already raising the error that matters
        pass
