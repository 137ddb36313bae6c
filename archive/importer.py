"""Batch import: read -> clean -> chunk -> extract (in worker processes) -> catalog + index (one writer).

An article counts as imported only once the index commit that holds it has returned. Each batch goes
through three steps, each durable on its own, so a kill at any moment leaves a state the next writer
completes: (1) the catalog stages the batch as ``pending``; (2) the index deletes and re-adds the batch's
passages and commits; (3) the catalog marks the batch ``indexed``. A writer first re-indexes whatever a
killed run left ``pending`` and finishes what it left ``deleting``.
"""

from __future__ import annotations

import ctypes
import errno
import multiprocessing
import os
import signal
import sqlite3
import sys
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from archive import config, copies, entities
from archive.chunk import chunk_text
from archive.curation import correct_batch
from archive.errors import ArchiveError, DiskFull
from archive.home import Archive
from archive.models import Article, ImportReport, ImportWarning, ItemOutcome, Record
from archive.normalize import article_from_record
from archive.readers import iter_records
from archive.store import Catalog, raw_sha1

#: Records per task sent to a worker: spaCy's ``nlp.pipe`` batches inside a task, and the pickling cost
#: per task stays small against the work.
TASK_RECORDS = 64
#: Tasks in flight per worker: keeps both cores busy without reading a whole huge input into memory.
TASKS_IN_FLIGHT_PER_WORKER = 12

Progress = Callable[[int], None]


def prepare(
    records: list[Record], with_entities: bool = True, confirmed: frozenset[str] = frozenset()
) -> list[tuple[Article | None, str | None]]:
    """Clean, chunk and extract entities for a batch of records; one bad record never fails the others.

    :param confirmed: surnames the archive already knows by a full name (see :func:`entities.extract`).
    :return: for each record, ``(article, None)`` or ``(None, reason)``.
    """
    out: list[tuple[Article | None, str | None]] = []
    for rec in records:
        try:
            article = article_from_record(rec)
            article.passages = chunk_text(article.text)
            out.append((article, None))
        except ArchiveError as exc:
            out.append((None, str(exc)))
        except Exception as exc:  # noqa: BLE001 - an unexpected bug on one record must not stop the batch
            out.append((None, f"internal error: {type(exc).__name__}: {exc}"))
    if with_entities:
        ok = [a for a, _ in out if a is not None]
        try:
            entities.extract(ok, confirmed)
        except Exception:  # noqa: BLE001 - find the record that breaks extraction, keep the rest
            for i, (article, _) in enumerate(out):
                if article is None:
                    continue
                try:
                    entities.extract([article], confirmed)
                except Exception as exc:  # noqa: BLE001
                    traceback.print_exc(file=sys.stderr)
                    out[i] = (None, f"entity extraction failed: {type(exc).__name__}: {exc}")
    return out


def _prepare_task(args: tuple[list[Record], bool, frozenset[str]]) -> list[tuple[Article | None, str | None]]:
    return prepare(*args)


def _chunks(items: Iterable[Record], size: int) -> Iterator[list[Record]]:
    batch: list[Record] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _prepared(
    records: Iterable[Record],
    pool,
    workers: int,
    with_entities: bool,
    confirmed: frozenset[str] = frozenset(),
) -> Iterator[tuple[Record, Article | None, str | None]]:
    """Prepare records in order, in the ``pool``'s processes (or here when there is none), with a bounded
    number of tasks in flight."""
    tasks = _chunks(records, TASK_RECORDS)
    if pool is None:
        for batch in tasks:
            for rec, (article, reason) in zip(batch, prepare(batch, with_entities, confirmed), strict=True):
                yield rec, article, reason
        return
    pending: deque = deque()
    for batch in tasks:
        pending.append((batch, pool.apply_async(_prepare_task, ((batch, with_entities, confirmed),))))
        while len(pending) >= workers * TASKS_IN_FLIGHT_PER_WORKER:
            yield from _drain(pending.popleft(), with_entities, confirmed)
    while pending:
        yield from _drain(pending.popleft(), with_entities, confirmed)


def _drain(
    task, with_entities: bool, confirmed: frozenset[str] = frozenset()
) -> Iterator[tuple[Record, Article | None, str | None]]:
    batch, result = task
    try:
        prepared = result.get()
    except Exception:  # noqa: BLE001 - e.g. a record that cannot be sent to a worker: prepare the task here
        traceback.print_exc(file=sys.stderr)
        prepared = prepare(batch, with_entities, confirmed)
    for rec, (article, reason) in zip(batch, prepared, strict=True):
        yield rec, article, reason


@contextmanager
def worker_pool(workers: int, with_entities: bool):
    """The import's worker processes (``None`` for one worker): they prepare records, and for a large
    batch each writes a segment of the index."""
    if workers <= 1:
        yield None
        return
    if with_entities:
        entities.warm_up()  # once, before forking: the workers share the model and the place lookup
    with multiprocessing.get_context("fork").Pool(
        workers, initializer=_die_with_parent, initargs=(os.getpid(),)
    ) as pool:
        yield pool


#: Linux's prctl option that signals a process when its parent dies.
PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Have a worker killed with its importer: an orphan would go on writing a segment into the index
    folder after the next writer has cleaned it. Linux only; elsewhere the next writer still cleans up."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the importer died before the call took effect
        os._exit(1)


class _Batch:
    """Articles waiting for the next commit, de-duplicated by id (the last version wins)."""

    def __init__(self) -> None:
        self.articles: dict[str, Article] = {}
        self.originals: list[tuple[str, str, Record]] = []  # (sha1, article id, record)
        self.items: list[tuple[ItemOutcome, Article]] = []

    def __len__(self) -> int:
        return len(self.articles)


class Importer:
    """Imports records into one archive home; use :func:`import_paths` for the common case."""

    def __init__(
        self,
        home: Path,
        workers: int = 1,
        with_entities: bool = True,
        progress: Progress | None = None,
        url: str | None = None,
    ):
        self.archive = Archive(home, url)
        self.home = self.archive.home
        self.workers = workers
        self.pool = None
        self.writer = None
        self.with_entities = with_entities
        self.progress = progress or (lambda n: None)
        self.report = ImportReport()
        self._unsaved: list[ItemOutcome] = []

    def run(self, records: Iterable[Record], paths: list[str], wait: float = 0.0) -> ImportReport:
        """Import ``records`` under the archive's write lock (waiting up to ``wait`` seconds for it)."""
        with self.archive.locked(wait=wait, create=True) as catalog:
            batch = _Batch()
            commit_every = config.commit_every()
            # Commits run in a thread of their own, one at a time, so that the workers keep receiving
            # records (and stay busy) while a batch is written to the index.
            with (
                worker_pool(self.workers, self.with_entities) as self.pool,
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive-commit") as committer,
            ):
                self.writer = self.archive.writer(self.pool, self.workers)
                self.archive.recover(catalog, self.writer)
                run_id = catalog.start_run(paths)
                known = catalog.known_originals()
                confirmed = catalog.known_surnames() if self.with_entities else frozenset()
                running: Future | None = None
                for rec, article, reason in _prepared(
                    self._skip_known(records, known), self.pool, self.workers, self.with_entities, confirmed
                ):
                    if article is None:
                        self._outcome(ItemOutcome(rec.source, rec.line, None, "failed", reason))
                        continue
                    self.report.warnings.extend(
                        ImportWarning(rec.source, rec.line, article.id, m) for m in article.warnings
                    )
                    self._add(batch, rec, article)
                    if len(batch) >= commit_every:
                        running = self._commit_after(committer, running, catalog, run_id, batch)
                        batch = _Batch()
                self._commit_after(committer, running, catalog, run_id, batch).result()
            catalog.finish_run(run_id, self.report)
        return self.report

    def _skip_known(self, records: Iterable[Record], known: dict[str, str]) -> Iterator[Record]:
        """Pass on the records to prepare; report read errors and unchanged inputs without preparing them."""
        for rec in records:
            if rec.error is not None or rec.data is None:
                self._outcome(ItemOutcome(rec.source, rec.line, None, "failed", rec.error or "no data"))
                continue
            article_id = known.get(raw_sha1(rec.kind, rec.raw))
            if article_id is not None:
                self._outcome(ItemOutcome(rec.source, rec.line, article_id, "duplicate"))
                continue
            yield rec

    def _outcome(self, item: ItemOutcome) -> None:
        """Report an outcome now; it reaches the catalog's run log with the next commit."""
        self.report.items.append(item)
        self._unsaved.append(item)
        self.progress(1)

    def _commit_after(
        self,
        committer: ThreadPoolExecutor,
        running: Future | None,
        catalog: Catalog,
        run_id: int,
        batch: _Batch,
    ) -> Future:
        """Start committing ``batch`` once the commit before it has finished (and raise its error, if any)."""
        if running is not None:
            running.result()
        unsaved, self._unsaved = self._unsaved, []
        return committer.submit(self._commit, catalog, run_id, batch, unsaved)

    def _add(self, batch: _Batch, rec: Record, article: Article) -> None:
        item = ItemOutcome(rec.source, rec.line, article.id, "pending")
        previous = batch.articles.get(article.id)
        if previous is not None and previous.content_hash == article.content_hash:
            item.status = "duplicate"
        batch.articles[article.id] = article
        batch.originals.append((raw_sha1(rec.kind, rec.raw), article.id, rec))
        batch.items.append((item, article))

    def _commit(self, catalog: Catalog, run_id: int, batch: _Batch, unsaved: list[ItemOutcome]) -> None:
        """Write one batch: catalog as pending, index commit, catalog as indexed; then count outcomes."""
        states = catalog.article_states(batch.articles)
        changed: dict[str, Article] = {}
        seen_in_batch: set[str] = set()
        for item, article in batch.items:
            if item.status == "duplicate":
                continue
            old = states.get(article.id)
            if article.id in seen_in_batch:
                item.status = "updated"
            elif old is None:
                item.status = "imported"
            elif old[0] == article.content_hash and old[1] == "indexed":
                item.status = "duplicate"
            else:
                item.status = "updated"
            seen_in_batch.add(article.id)
            if item.status != "duplicate":
                changed[article.id] = batch.articles[article.id]
        moved: dict[str, Article] = {}
        if changed:
            link_surnames(catalog, changed.values())
            correct_batch(catalog, changed.values())  # editors' corrections, after all extraction
            # stories: an updated article may leave copies behind that now form stories of their own;
            # their passages are written again with the batch (not reported: they did not arrive)
            moved = restory(catalog, copies.assign(catalog, changed.values()).moved)
            changed.update(moved)
            # The index starts on the batch now (the workers on its segments; a refused batch raises
            # DiskFull here): nothing is visible before its commit, so it starts before the catalog
            # stages the batch.
            self.writer.write(
                list(changed.values()), delete={i for i in changed if i in states or i in moved}
            )
        try:
            if changed:
                catalog.stage_articles(changed.values())
            for sha1, article_id, rec in batch.originals:
                catalog.store_original(sha1, article_id, rec.kind, rec.source, rec.line, rec.raw)
            catalog.commit()
        except BaseException:
            self.writer.abandon()
            raise
        if changed:
            self.writer.commit(catalog)
            catalog.mark_indexed(changed)
        for item, _ in batch.items:
            self.report.items.append(item)
            self.progress(1)
        catalog.record_items(run_id, [*unsaved, *(item for item, _ in batch.items)])
        catalog.commit()


#: A surname-only mention ("Reagan") takes the key of a full name already in the archive when that
#: person holds at least this share of the articles among full names with the surname.
SURNAME_LINK_SHARE = 0.8


def link_surnames(catalog: Catalog, articles: Iterable[Article]) -> None:
    """Give surname-only persons the key of the one well-known full name with that surname.

    Within an article, a surname is already tied to the full name; across articles an article that only
    says "Reagan" would otherwise be a person of its own. Ambiguous surnames stay as they are.
    """
    articles = list(articles)
    in_batch: dict[str, int] = {}
    for article in articles:
        for person in article.persons:
            if "_" in person.key:
                in_batch[person.key] = in_batch.get(person.key, 0) + 1
    cache: dict[str, str | None] = {}
    for article in articles:
        for person in article.persons:
            surname = person.key
            if "_" in surname:
                continue
            if surname not in cache:
                counts = catalog.full_name_counts(surname)
                for key, n in in_batch.items():
                    if key.startswith(surname + "_"):
                        counts[key] = counts.get(key, 0) + n
                total = sum(counts.values())
                best = max(counts, key=counts.get) if counts else None
                cache[surname] = best if best and counts[best] >= SURNAME_LINK_SHARE * total else None
            if cache[surname] and not any(p.key == cache[surname] for p in article.persons):
                person.key = cache[surname]


def restory(catalog: Catalog, moved: dict[str, str]) -> dict[str, Article]:
    """The stored articles whose story changed, with their new story set (to be indexed again)."""
    out: dict[str, Article] = {}
    for article_id, story in moved.items():
        article = catalog.get_article(article_id)
        if article is not None:
            article.story = story
            out[article_id] = article
    return out


def import_paths(
    paths: list[str],
    home: Path,
    workers: int = 1,
    with_entities: bool = True,
    progress: Progress | None = None,
    stdin=None,
    wait: float = 0.0,
    url: str | None = None,
) -> ImportReport:
    """Import files, folders or ``-`` (JSON Lines on stdin) into the archive at ``home``.

    :param workers: processes for cleaning and entity extraction (the index has one writer).
    :param wait: seconds to wait for another writer to finish.
    :param url: the search cluster to index into (default ``ARCHIVE_SEARCH_URL``; unset: the home's index).
    :return: the outcome of every input record.
    """
    with disk_full_is_an_archive_error(home):
        importer = Importer(home, workers=workers, with_entities=with_entities, progress=progress, url=url)
        return importer.run(iter_records(paths, stdin=stdin), [str(p) for p in paths], wait=wait)


@contextmanager
def disk_full_is_an_archive_error(home: Path):
    """Turn "no space left" from Whoosh or SQLite into a :class:`DiskFull` that says what to do.

    Both write so that a failed write leaves the last commit intact (Whoosh writes a new TOC last, SQLite
    rolls the transaction back), so the message can promise that.
    """
    try:
        yield
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        raise DiskFull(_disk_full_message(home)) from exc
    except sqlite3.OperationalError as exc:
        if "full" not in str(exc).lower():
            raise
        raise DiskFull(_disk_full_message(home)) from exc


def _disk_full_message(home: Path) -> str:
    return (
        f"The disk holding {home} is full. Everything committed before this point is kept and searchable; "
        "free some space, then run the import again to finish it."
    )


def delete(ids: list[str], home: Path, wait: float = 0.0, url: str | None = None) -> list[str]:
    """Delete articles by id; returns the ids that were not in the archive."""
    archive = Archive(home, url)
    with archive.writing(wait=wait) as held:
        catalog = held.catalog
        found = catalog.existing_ids(ids)
        if found:
            catalog.ensure_stories()
            # copies joined through a deleted article are regrouped and indexed again (as pending)
            catalog.stage_articles(restory(catalog, copies.regroup(catalog, found).moved).values())
            catalog.set_state(found, "deleting")
            catalog.commit()
            archive.recover(catalog, held.writer)
    return [i for i in ids if i not in set(found)]
