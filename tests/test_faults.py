"""Faults injected into real imports: kill -9 at random moments, leftovers of killed writers, a full disk.

Whoosh commits atomically against a killed process but leaves temporary files, and a killed import
leaves catalog rows ``pending``; these tests check the next writer (or ``archive check --repair``)
finishes the job and that nothing is lost, duplicated or half visible on the way.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import cli
from tests.conftest import ROOT

#: Kill iterations: each one a random moment of an import that resumes the previous one.
KILLS = 6
#: Articles per commit: ~16 commits for the 400-article slice, so kills land in commits and merges.
COMMIT_EVERY = "25"


def import_cmd(source: Path, home: Path, *extra: str, workers: str = "1") -> list[str]:
    return [
        sys.executable,
        "-m",
        "archive",
        "import",
        str(source),
        "--home",
        str(home),
        "--workers",
        workers,
        "--no-entities",
        *extra,
    ]


def importers_running(home: Path, wait: float = 5.0) -> list[int]:
    """Pids of processes still importing into ``home`` (a worker's command line is its importer's),
    after waiting up to ``wait`` seconds for them to go."""
    deadline = time.monotonic() + wait
    while True:
        pids = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                if str(home).encode() in cmdline.read_bytes():
                    pids.append(int(cmdline.parent.name))
            except OSError:
                continue
        if not pids or time.monotonic() > deadline:
            return pids
        time.sleep(0.05)


def index_state(home: Path) -> tuple[Counter, Counter]:
    """(passages per article id, occurrences per passage id) of the live index, opened as a reader would."""
    from archive.search.whoosh.index import open_index

    ix = open_index(home)
    try:
        per_article: Counter = Counter()
        pids: Counter = Counter()
        with ix.searcher() as searcher:
            for fields in searcher.all_stored_fields():
                per_article[fields["article_id"]] += 1
                pids[fields["pid"]] += 1
        return per_article, pids
    finally:
        ix.close()


def catalog_rows(home: Path) -> dict[str, tuple[str, int]]:
    from archive.store import Catalog

    with Catalog(home) as catalog:
        return {r[0]: (r[1], r[2]) for r in catalog.db.execute("SELECT id, state, passages FROM articles")}


def assert_consistent(home: Path) -> None:
    """The index opens; no duplicates; what the catalog calls indexed is there whole; a pending batch is
    in the index entirely or not at all (never half visible)."""
    per_article, pids = index_state(home)
    assert all(n == 1 for n in pids.values()), [p for p, n in pids.items() if n > 1][:5]
    rows = catalog_rows(home)
    assert set(per_article) <= set(rows), set(per_article) - set(rows)
    for article_id, (state, passages) in rows.items():
        if state == "indexed":
            assert per_article[article_id] == max(passages, 1), article_id
    pending = [i for i, (state, _) in rows.items() if state == "pending"]
    visible = [i for i in pending if per_article[i]]
    assert len(visible) in (0, len(pending)), (len(visible), len(pending))


@pytest.mark.parametrize(
    "workers, min_segment",
    [("1", None), ("2", "8")],
    ids=["one-writer", "worker-built-segments"],
)
def test_kill_9_at_random_moments_loses_nothing_and_duplicates_nothing(
    tmp_path, reuters_jsonl, workers, min_segment
):
    """Also with the workers writing a commit's segments (small shares, so each commit has several and
    merges come often): a kill mid-build leaves segments no TOC names, which the next writer deletes."""
    home = tmp_path / "home"
    env = {**os.environ, "ARCHIVE_COMMIT_EVERY": COMMIT_EVERY}
    if min_segment:
        env["ARCHIVE_MIN_SEGMENT_ARTICLES"] = min_segment
    rng = random.Random(6)
    total = len(reuters_jsonl.read_text(encoding="utf-8").splitlines())
    leftovers_seen = 0
    kills_with_index = 0
    for _ in range(KILLS):
        proc = subprocess.Popen(
            import_cmd(reuters_jsonl, home, "--quiet", workers=workers), env=env, cwd=ROOT
        )
        # wait until the index exists, then a random moment (start-up, reading, a commit, a merge)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None and not list(home.glob("whoosh/*.toc")):
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert not importers_running(home), "a worker outlived its killed importer"
        if not list(home.glob("whoosh/*.toc")):
            continue
        kills_with_index += 1
        assert_consistent(home)
        from archive.search.whoosh.maintenance import leftover_files

        leftovers_seen += len(leftover_files(home))
    assert kills_with_index >= KILLS - 1
    result = subprocess.run(
        import_cmd(reuters_jsonl, home, "--json", workers=workers),
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["imported"] + report["duplicates"] + report["updated"] == total
    assert_consistent(home)
    per_article, _ = index_state(home)
    rows = catalog_rows(home)
    assert len(per_article) == len(rows) == total
    assert all(state == "indexed" for state, _ in rows.values())
    # the last writer cleaned what the killed ones left, so a check finds nothing
    check = CliRunner().invoke(cli, ["check", "--home", str(home)])
    assert check.exit_code == 0, check.output
    assert f"OK: {total} articles" in check.output
    print(
        f"kills: {KILLS}, with an index: {kills_with_index}, leftover files seen after kills: {leftovers_seen}"
    )


@pytest.fixture
def small_home(tmp_path, wikinews_slice) -> Path:
    from archive.importer import import_paths

    home = tmp_path / "home"
    report = import_paths([str(wikinews_slice)], home, with_entities=False)
    assert not report.failed
    return home


def plant_leftovers(home: Path) -> list[Path]:
    """What a writer killed mid-commit or mid-merge leaves: a posting pool, a half-written segment and
    TOC, and a killed reindex's build folder."""
    folder = home / "whoosh"
    (folder / "MAIN.tmp").mkdir()
    (folder / "MAIN.tmp" / "abc123.pst").write_bytes(b"x" * 1000)
    planted = [
        folder / "MAIN.tmp",
        folder / "MAIN_deadbeef0001.seg",
        folder / "_MAIN_999.toc.q1w2e3",
        home / "whoosh.rebuild",
    ]
    planted[1].write_bytes(b"\0" * 5000)
    planted[2].write_bytes(b"toc")
    planted[3].mkdir()
    return planted


def test_check_reports_leftovers_and_repair_removes_them(small_home):
    planted = plant_leftovers(small_home)
    result = CliRunner().invoke(cli, ["check", "--home", str(small_home)])
    assert result.exit_code == 1
    assert "4 leftover files" in result.output and "MAIN_deadbeef0001.seg" in result.output
    assert all(p.exists() for p in planted)  # check alone changes nothing
    result = CliRunner().invoke(cli, ["check", "--repair", "--home", str(small_home)])
    assert result.exit_code == 0, result.output
    assert "removed 4 leftover" in result.output
    assert not any(p.exists() for p in planted)


def test_the_next_writer_cleans_leftovers(small_home, tmp_path):
    planted = plant_leftovers(small_home)
    extra = tmp_path / "one.jsonl"
    extra.write_text(json.dumps({"id": "extra-1", "text": "A new dispatch from the harbour."}) + "\n")
    from archive.importer import import_paths

    import_paths([str(extra)], small_home, with_entities=False)
    planted.remove(small_home / "whoosh.rebuild")  # the importer only cleans the index folder
    assert not any(p.exists() for p in planted)


def test_repair_fixes_a_catalog_and_index_that_disagree(small_home):
    """An article missing from the index, a duplicate passage, passages the catalog does not know."""
    from archive.search.whoosh.index import commit, open_index, open_writer
    from archive.search.whoosh.schema import passage_documents
    from archive.store import Catalog

    with Catalog(small_home) as catalog:
        articles = list(catalog.iter_articles("indexed"))
    ix = open_index(small_home)
    writer = open_writer(ix)
    writer.delete_by_term("article_id", articles[0].id)
    writer.add_document(**passage_documents(articles[1])[0])  # a second copy of a passage
    ghost = passage_documents(articles[2])[0]
    writer.add_document(**{**ghost, "article_id": "ghost", "pid": "ghost#1"})
    commit(writer)
    ix.close()
    result = CliRunner().invoke(cli, ["check", "--home", str(small_home)])
    assert result.exit_code == 1
    for words in ("not in the index", "more than once", "not in the catalog"):
        assert words in result.output
    result = CliRunner().invoke(cli, ["check", "--repair", "--home", str(small_home)])
    assert result.exit_code == 0, result.output
    per_article, pids = index_state(small_home)
    assert set(per_article) == {a.id for a in articles}
    assert all(n == 1 for n in pids.values())


def test_check_on_a_missing_archive_fails_clearly(tmp_path):
    result = CliRunner().invoke(cli, ["check", "--home", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "No archive at" in result.output
    assert not (tmp_path / "none").exists()


# -- a full disk ------------------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A 40 MB tmpfs (root only); skipped with the reason where mounting is not permitted."""
    mount = tmp_path / "disk"
    mount.mkdir()
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", str(mount)],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"cannot mount a tmpfs here: {exc}")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, timeout=10)


def fill(folder: Path, leave: int) -> Path:
    """Fill the file system of ``folder`` until only about ``leave`` bytes are free."""
    filler = folder / "filler.bin"
    free = shutil.disk_usage(folder).free
    with filler.open("wb") as f:
        f.write(b"\0" * max(0, free - leave))
    return filler


def test_import_into_a_full_disk_fails_cleanly_and_keeps_the_last_commit(
    small_disk, reuters_jsonl, tmp_path, monkeypatch
):
    home = small_disk / "home"
    lines = reuters_jsonl.read_text(encoding="utf-8").splitlines(keepends=True)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("".join(lines[:100]), encoding="utf-8")
    second.write_text("".join(lines[100:]), encoding="utf-8")
    env = {**os.environ, "ARCHIVE_COMMIT_EVERY": "50"}
    done = subprocess.run(
        import_cmd(first, home, "--quiet"), env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    before, _ = index_state(home)
    filler = fill(small_disk, leave=300_000)
    done = subprocess.run(
        import_cmd(second, home, "--quiet"), env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 4  # disk full, not 1 ("some inputs failed")
    assert "Traceback" not in done.stderr, done.stderr
    assert "disk" in done.stderr.lower() and ("full" in done.stderr or "free" in done.stderr), done.stderr
    # the free-space check said so first; without it, the write itself fails with ENOSPC, cleanly too
    from archive import importer
    from archive.errors import DiskFull
    from archive.search.whoosh import writer as whoosh_writer

    monkeypatch.setattr(whoosh_writer, "ensure_free_space", lambda ix, n: None)
    monkeypatch.setenv("ARCHIVE_COMMIT_EVERY", "50")
    filler.unlink()
    filler = fill(small_disk, leave=150_000)
    with pytest.raises(DiskFull, match="full"):
        importer.import_paths([str(second)], home, with_entities=False)
    # the last commit is intact and searchable
    after, pids = index_state(home)
    assert set(before) <= set(after)
    assert all(n == 1 for n in pids.values())
    search = CliRunner().invoke(cli, ["search", "oil", "--json", "--home", str(home)])
    assert search.exit_code == 0, search.output
    assert json.loads(search.output)["total"] > 0
    # with space again, the import finishes to exactly the input
    filler.unlink()
    done = subprocess.run(
        import_cmd(second, home, "--quiet"), env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    final, _ = index_state(home)
    assert len(final) == len(lines)
    check = CliRunner().invoke(cli, ["check", "--home", str(home)])
    assert check.exit_code == 0, check.output


def test_free_space_is_checked_before_a_commit(tmp_path, monkeypatch, wikinews_slice):
    from collections import namedtuple

    from archive.errors import DiskFull
    from archive.importer import import_paths
    from archive.search.whoosh import index as index_module

    home = tmp_path / "home"
    import_paths([str(wikinews_slice)], home, with_entities=False)
    before, _ = index_state(home)
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(index_module.shutil, "disk_usage", lambda path: usage(10**9, 10**9, 1000))
    extra = tmp_path / "extra.jsonl"
    extra.write_text(json.dumps({"id": "x-1", "text": "More news from the harbour office today."}) + "\n")
    with pytest.raises(DiskFull, match="Not enough free disk space"):
        import_paths([str(extra)], home, with_entities=False)
    after, _ = index_state(home)
    assert after == before


def test_a_damaged_index_is_a_503_and_the_site_writes_nothing(small_home):
    """A TOC that does not parse: 503 with what to do; the files are left as they are (and closed)."""
    from archive.web.app import create_app

    toc = next((small_home / "whoosh").glob("_MAIN_*.toc"))
    toc.write_bytes(b"\0garbage" * 10)
    before = sorted(p.name for p in (small_home / "whoosh").iterdir())
    client = create_app({"ARCHIVE_HOME": str(small_home)}).test_client()
    for path in ("/search?q=harbour", "/api/search?q=harbour", "/export.csv?q=harbour"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert b"archive check" in response.data or b"reindex" in response.data
    assert sorted(p.name for p in (small_home / "whoosh").iterdir()) == before
    # the rebuild drill recovers it from the catalog
    assert CliRunner().invoke(cli, ["reindex", "--home", str(small_home)]).exit_code == 0
    assert client.get("/api/search?q=harbour").status_code == 200
