"""``archive check [--repair]``: does the index open, agree with the catalog, and hold no leftovers?

A killed import can leave files that no commit refers to (a half-written segment, Whoosh's ``MAIN.tmp``
posting pool, a half-written TOC, a killed merge's output: up to ~3x the index size) and catalog rows a
writer has not finished (``pending``/``deleting``). The next writer cleans and finishes these itself
(:func:`clean_leftovers`, :func:`archive.importer.recover`); ``check`` reports them and ``--repair`` fixes
them, plus anything the catalog and the index disagree on (an article missing from the index, passages
of an article the catalog does not know, duplicate passages).
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from archive import config
from archive.errors import ArchiveError, IndexLocked, IndexMissing
from archive.locking import write_lock
from archive.search.whoosh.index import INDEX_DIRNAME, open_index
from archive.store import CATALOG_NAME, Catalog

#: ``archive reindex`` builds the new index beside the live one, then swaps them: live -> old, build ->
#: live. Left behind only by a killed reindex.
BUILD_DIRNAME = INDEX_DIRNAME + ".rebuild"
OLD_DIRNAME = INDEX_DIRNAME + ".old"
REINDEX_LEFTOVERS = (BUILD_DIRNAME, OLD_DIRNAME)
WRITELOCK_SUFFIX = "_WRITELOCK"
#: How many ids of each problem the report lists.
SHOW_IDS = 10


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    leftovers: list[Path] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    articles: int = 0
    passages: int = 0
    #: a writer held the lock: its unfinished rows and temporary files are work in progress, not checked
    writer_running: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems and not self.leftovers


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


def _index_passages(ix) -> tuple[Counter, Counter]:
    """Passages per article id and how often each passage id occurs, from the index's live documents."""
    per_article: Counter = Counter()
    pids: Counter = Counter()
    with ix.searcher() as searcher:
        for fields in searcher.all_stored_fields():
            per_article[fields.get("article_id")] += 1
            pids[fields.get("pid")] += 1
    return per_article, pids


def _ids(ids) -> str:
    ids = sorted(ids)
    more = f" and {len(ids) - SHOW_IDS} more" if len(ids) > SHOW_IDS else ""
    return ", ".join(ids[:SHOW_IDS]) + more


def inspect(home: Path, writer_running: bool = False) -> tuple[CheckReport, dict]:
    """Find every problem; returns the report and the ids a repair needs.

    :param writer_running: another process holds the write lock: what a writer leaves in the middle
        of its work (pending rows, temporary files) is not reported as a killed writer's.
    """
    report = CheckReport(writer_running=writer_running)
    todo: dict = {"reindex": set(), "drop": set(), "unfinished": False}
    try:
        catalog = Catalog(home)
    except ArchiveError as exc:
        report.problems.append(str(exc))
        return report, todo
    if killed_swap(home) and not writer_running:
        report.problems.append(
            "a reindex was killed while swapping in the new index, so search finds nothing; "
            "`archive check --repair` (or the next import) finishes the swap"
        )
        catalog.close()
        return report, todo
    try:
        try:
            quick = catalog.db.execute("PRAGMA quick_check").fetchone()[0]
        except Exception as exc:  # noqa: BLE001 - any failure here is the finding
            quick = f"{type(exc).__name__}: {exc}"
        if quick != "ok":
            report.problems.append(f"the catalog is damaged: {quick}")
        try:
            ix = open_index(home)
        except Exception as exc:  # noqa: BLE001
            report.problems.append(
                f"the index does not open: {type(exc).__name__}: {exc} (run `archive reindex`)"
            )
            return report, todo
        try:
            report.leftovers = [] if writer_running else leftover_files(home, ix)
            per_article, pids = _index_passages(ix)
        finally:
            ix.close()
        report.passages = sum(pids.values())
        states = {r[0]: (r[1], r[2]) for r in catalog.db.execute("SELECT id, state, passages FROM articles")}
        report.articles = sum(1 for state, _ in states.values() if state == "indexed")
        unfinished = [i for i, (state, _) in states.items() if state != "indexed"]
        if writer_running:
            unfinished = []  # the running writer's own work in progress
        if unfinished:
            todo["unfinished"] = True
            report.problems.append(
                f"{len(unfinished)} articles left unfinished by a killed writer (pending or deleting): "
                + _ids(unfinished)
            )
        indexed = {i: n for i, (state, n) in states.items() if state == "indexed"}
        missing = [i for i in indexed if per_article.get(i, 0) == 0]
        if missing:
            report.problems.append(f"{len(missing)} catalog articles are not in the index: {_ids(missing)}")
        unknown = [i for i in per_article if i not in states]
        if unknown:
            report.problems.append(
                f"{len(unknown)} articles in the index are not in the catalog: {_ids(unknown)}"
            )
        dup_pids = [p for p, n in pids.items() if n > 1]
        if dup_pids:
            report.problems.append(
                f"{len(dup_pids)} passages are in the index more than once: {_ids(dup_pids)}"
            )
        wrong = [i for i, n in indexed.items() if per_article.get(i, 0) not in (0, max(n, 1))]
        if wrong:
            report.problems.append(
                f"{len(wrong)} articles have a different number of passages in the index: {_ids(wrong)}"
            )
        dup_articles = {p.rsplit("#", 1)[0] for p in dup_pids if p}
        todo["reindex"] = (set(missing) | set(wrong) | dup_articles) & set(indexed)
        todo["drop"] = set(unknown)
    finally:
        catalog.close()
    return report, todo


def check(home: Path, repair: bool = False, wait: float = 0.0) -> CheckReport:
    """Check the archive at ``home``; with ``repair``, fix what can be fixed, then check again.

    The check takes the write lock first, so no writer starts meanwhile. When a writer holds it, a
    check reports what it can without calling the writer's work in progress a killed writer's leftovers;
    a repair waits up to ``wait`` seconds for the lock.

    :raises IndexLocked: ``repair`` and another writer holds the lock past ``wait``.
    """
    home = Path(home)
    if not (home / CATALOG_NAME).exists():
        return inspect(home)[0]  # no archive: say so, and create nothing (the lock would)
    try:
        with write_lock(home, wait=wait if repair else 0.0):
            report, todo = inspect(home)
            if not repair or report.ok:
                return report
            repaired = _repair(home, todo)
            final, _ = inspect(home)
    except IndexLocked:
        if repair:
            raise
        return inspect(home, writer_running=True)[0]
    final.repaired = repaired
    return final


def _repair(home: Path, todo: dict) -> list[str]:
    """Fix what :func:`inspect` found; the caller holds the write lock. Returns what was done."""
    from archive.importer import recover
    from archive.reindex import rebuild
    from archive.search.whoosh.index import commit, delete_articles, open_writer, replace_articles

    repaired: list[str] = []
    finished = finish_reindex(home)
    if finished:
        repaired.append(finished)
    try:
        ix = open_index(home)
    except IndexMissing:  # no index, or one that does not open (a damaged TOC): rebuild it
        count = rebuild(home, workers=config.default_workers())
        repaired.append(f"rebuilt the index from the catalog ({count} articles)")
        clean_leftovers(home)
        return repaired
    with Catalog(home) as catalog:
        try:
            removed = clean_leftovers(home, ix)
            if removed:
                repaired.append(f"removed {len(removed)} leftover files and folders")
            if todo["unfinished"]:
                n = recover(catalog, ix)
                repaired.append(f"finished {n} articles a killed writer left")
            _, todo = inspect(home)
            if todo["reindex"] or todo["drop"]:
                articles = [a for a in catalog.iter_articles("indexed") if a.id in todo["reindex"]]
                writer = open_writer(ix, timeout=60.0)
                try:
                    delete_articles(writer, todo["drop"])
                    replace_articles(writer, articles)
                except BaseException:
                    writer.cancel()
                    raise
                commit(writer)
                if articles:
                    repaired.append(f"indexed {len(articles)} articles again")
                if todo["drop"]:
                    repaired.append(f"dropped {len(todo['drop'])} articles the catalog does not know")
            clean_leftovers(home)
        finally:
            ix.close()
    return repaired
