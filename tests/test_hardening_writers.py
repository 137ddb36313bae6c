"""Issue 15, index maintenance through the real CLI: a reindex killed mid-swap is finished by the next
writer, ``check`` beside a live writer, ``check --repair`` on a damaged TOC, and exit statuses of their
own for "locked", "disk full" (tests/test_faults.py) and crashes."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import EXIT_CRASH, cli
from archive.errors import IndexLocked
from archive.locking import write_lock
from tests.conftest import ROOT

ARTICLES = 12


def invoke(home: Path, *args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, [*args, "--home", str(home)], input=stdin)


def records(start: int, count: int) -> str:
    return "".join(
        json.dumps({"id": f"r{n}", "title": f"Harbour report {n}", "text": f"The harbour reopened, day {n}."})
        + "\n"
        for n in range(start, start + count)
    )


def total(home: Path, query: str = "harbour") -> int:
    result = invoke(home, "search", query, "--json", "--limit", "100")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["total"]


@pytest.fixture
def home(tmp_path) -> Path:
    home = tmp_path / "home"
    result = invoke(
        home, "import", "-", "--no-entities", "--workers", "1", "--quiet", stdin=records(0, ARTICLES)
    )
    assert result.exit_code == 0, result.output
    return home


def kill_reindex_between_renames(home: Path) -> None:
    """The folders as ``archive reindex`` leaves them when killed after its first rename: the complete
    new index in ``whoosh.rebuild``, the previous one moved to ``whoosh.old``, no ``whoosh``."""
    shutil.copytree(home / "whoosh", home / "whoosh.rebuild")
    (home / "whoosh").rename(home / "whoosh.old")


@pytest.mark.parametrize("writer", ["import", "delete", "check --repair", "reindex"])
def test_the_next_writer_finishes_a_reindex_killed_mid_swap(home, writer):
    """Medium 11: the next import made an empty index and deleted both complete copies."""
    kill_reindex_between_renames(home)
    check = invoke(home, "check")
    assert check.exit_code == 1 and "a reindex was killed while swapping" in check.output
    args = {
        "import": ["import", "-", "--no-entities", "--workers", "1", "--quiet"],
        "delete": ["delete", "r0"],
        "check --repair": ["check", "--repair"],
        "reindex": ["reindex", "--workers", "1"],
    }[writer]
    result = invoke(home, *args, stdin=records(ARTICLES, 1))
    assert result.exit_code == 0, result.output
    expected = {"import": ARTICLES + 1, "delete": ARTICLES - 1}.get(writer, ARTICLES)
    assert total(home) == expected
    assert not (home / "whoosh.old").exists() and not (home / "whoosh.rebuild").exists()
    assert invoke(home, "check").exit_code == 0


def plant_work_in_progress(home: Path) -> None:
    """What a running import has on disk between its steps: a staged row and a posting pool."""
    (home / "whoosh" / "MAIN.tmp").mkdir()
    with sqlite3.connect(home / "catalog.sqlite") as db:
        db.execute("UPDATE articles SET state = 'pending' WHERE id = 'r1'")


def test_check_beside_a_live_writer_does_not_report_a_killed_one(home):
    """Low: ``archive check`` during a live import reported a killed writer."""
    plant_work_in_progress(home)
    with write_lock(home):  # the live writer
        result = invoke(home, "check")
    assert result.exit_code == 0, result.output
    assert "is writing now" in result.output and "killed" not in result.output
    with write_lock(home):
        repair = invoke(home, "check", "--repair")
    assert repair.exit_code == IndexLocked.exit_code
    # with no writer holding the lock, the same files are a killed writer's, and repair fixes them
    result = invoke(home, "check")
    assert result.exit_code == 1 and "killed writer" in result.output
    assert invoke(home, "check", "--repair").exit_code == 0


def test_repair_rebuilds_a_damaged_toc_without_sending_you_back_to_repair(home):
    """Low: with a damaged TOC, ``check --repair`` told you to run ``check --repair``."""
    toc = next((home / "whoosh").glob("_MAIN_*.toc"))
    toc.write_bytes(b"\0garbage" * 10)
    assert invoke(home, "check").exit_code == 1
    result = invoke(home, "check", "--repair")
    assert result.exit_code == 0, result.output
    assert "--repair" not in result.output
    assert f"rebuilt the index from the catalog ({ARTICLES} articles)" in result.output
    assert total(home) == ARTICLES


@pytest.mark.parametrize(
    "args",
    [["import", "-"], ["delete", "r1"], ["reindex", "--workers", "1"], ["check", "--repair"]],
)
def test_locked_has_an_exit_status_of_its_own(home, args):
    """Low: "locked" exited 1, like "some inputs failed"."""
    with write_lock(home):
        result = invoke(home, *args, stdin=records(50, 1))
    assert result.exit_code == IndexLocked.exit_code == 3, result.output
    assert "Another import, delete or reindex is writing" in result.output


def test_a_crash_has_an_exit_status_of_its_own(home):
    """An unexpected error (here a catalog that is no SQLite database) is not "some inputs failed"."""
    (home / "catalog.sqlite").write_bytes(b"this is not a database" * 100)
    done = subprocess.run(
        [str(ROOT / ".venv/bin/archive"), "import", "-", "--home", str(home), "--no-entities"],
        input=records(60, 1).encode(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == EXIT_CRASH, done.stderr.decode()
    assert b"internal error" in done.stderr and b"Traceback" in done.stderr
