"""``archive check [--repair]``: does the index open, agree with the catalog, and hold no leftovers?

A killed import can leave files that no commit refers to (a half-written segment, Whoosh's ``MAIN.tmp``
posting pool, a half-written TOC, a killed merge's output: up to ~3x the index size) and catalog rows a
writer has not finished (``pending``/``deleting``). The next writer cleans and finishes these itself
(:class:`archive.home.Archive`); ``check`` reports them and ``--repair`` fixes them, plus anything the
catalog and the index disagree on (an article missing from the index, passages of an article the
catalog does not know, duplicate passages). It checks the home's embedded index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from archive import config
from archive.errors import ArchiveError, IndexLocked, IndexMissing
from archive.home import Archive
from archive.search import engines
from archive.store import CATALOG_NAME, Catalog

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
    index = engines.embedded()
    if index.killed_swap(home) and not writer_running:
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
            per_article, pids = index.index_passages(home)
        except Exception as exc:  # noqa: BLE001
            report.problems.append(
                f"the index does not open: {type(exc).__name__}: {exc} (run `archive reindex`)"
            )
            return report, todo
        report.leftovers = [] if writer_running else index.leftover_files(home)
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
        with Archive(home, embedded=True).lock(wait=wait if repair else 0.0):
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
    from archive.reindex import rebuild

    archive = Archive(home, embedded=True)
    index = engines.embedded()
    with Catalog(home) as catalog:
        try:
            repaired = archive.ready_files()
        except IndexMissing:  # no index, or one that does not open (a damaged TOC): rebuild it
            repaired = archive.ready_files(rebuild=True)
            count = rebuild(archive, catalog, workers=config.default_workers())
            repaired.append(f"rebuilt the index from the catalog ({count} articles)")
            index.prepare(home)
            return repaired
        writer = archive.writer()
        if todo["unfinished"]:
            n = archive.recover(catalog, writer)
            repaired.append(f"finished {n} articles a killed writer left")
        _, todo = inspect(home)
        if todo["reindex"] or todo["drop"]:
            articles = [a for a in catalog.iter_articles("indexed") if a.id in todo["reindex"]]
            writer.write(articles, delete=todo["drop"])
            writer.commit(catalog)
            if articles:
                repaired.append(f"indexed {len(articles)} articles again")
            if todo["drop"]:
                repaired.append(f"dropped {len(todo['drop'])} articles the catalog does not know")
        index.prepare(home)
    return repaired
