"""An archive whose index an older version built keeps working: searches answer with the "run archive
reindex" notice, imports add to it, and ``archive reindex`` brings it up to date.

The old index is built by the real older code: the package as of :data:`OLD_COMMIT` (before the
``skey``, ``published_time`` and ``language`` fields and the per-language analysis), taken from this
repository's history with ``git archive`` and run in its own interpreter.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.search.whoosh.engine import OLD_INDEX_NOTICE
from archive.web.app import create_app
from tests.conftest import ROOT, WIKINEWS

#: A version whose index lacks ``skey``, ``published_time`` and ``language`` and analyses text the old way.
OLD_COMMIT = "99a584d"
#: Wikinews records the old version imports, and the ones a current import adds afterwards.
OLD_RECORDS, NEW_RECORDS = 12, 3


@pytest.fixture(scope="module")
def old_home(tmp_path_factory) -> Path:
    """An archive imported by the code at :data:`OLD_COMMIT` (entities off: only the index matters)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed: the old version cannot be checked out")
    done = subprocess.run(["git", "-C", str(ROOT), "archive", OLD_COMMIT, "archive"], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"commit {OLD_COMMIT} is not in this clone's history")
    base = tmp_path_factory.mktemp("old-index")
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as tar:
        tar.extractall(base / "code", filter="data")
    records = base / "old.jsonl"
    records.write_text("".join(WIKINEWS.read_text(encoding="utf-8").splitlines(True)[:OLD_RECORDS]), "utf-8")
    home = base / "home"
    env = {**os.environ, "PYTHONPATH": str(base / "code")}
    command = [sys.executable, "-m", "archive", "import", str(records), "--no-entities", "--home", str(home)]
    built = subprocess.run(command, cwd=base, env=env, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-2000:]
    return home


@pytest.fixture
def home(old_home, tmp_path) -> Path:
    """A copy of the old archive for one test (imports and reindexing change it)."""
    return Path(shutil.copytree(old_home, tmp_path / "home"))


def _search(home: Path, *args: str) -> dict:
    result = CliRunner().invoke(cli, ["search", *args, "--json", "--home", str(home)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_old_index_lacks_the_new_fields(home):
    from archive.search.whoosh.index import open_index

    schema = open_index(home).schema
    assert not {"skey", "published_time", "language"} & set(schema.names())


@pytest.mark.parametrize(
    "args",
    [
        ["Pelosi"],
        ["Pelosi", "--collapse"],
        ["", "--sort", "newest"],
        ["Congress", "--sort", "oldest", "--from", "2019-01"],
        ["Pelosi", "--language", "en"],
        ["elect*", "--exact"],
    ],
)
def test_searches_answer_with_the_reindex_notice(home, args):
    result = _search(home, *args)
    assert OLD_INDEX_NOTICE in result["notices"]
    if "--language" not in args:  # the old index has no language to filter on until reindexed
        assert result["total"] > 0 and result["results"][0]["id"].startswith("enwn-")


def test_text_search_and_the_site_answer_too(home):
    text = CliRunner().invoke(cli, ["search", "Pelosi", "--home", str(home)])
    assert text.exit_code == 0, text.output
    assert "archive reindex" in text.output and "enwn-" in text.output
    response = create_app({"ARCHIVE_HOME": str(home)}).test_client().get("/api/search?q=Pelosi&sort=newest")
    assert response.status_code == 200, response.data[:500]
    assert response.get_json()["total"] > 0 and OLD_INDEX_NOTICE in response.get_json()["notices"]


def test_import_adds_to_an_old_index_then_reindex_updates_it(home, tmp_path):
    lines = WIKINEWS.read_text(encoding="utf-8").splitlines(True)[OLD_RECORDS : OLD_RECORDS + NEW_RECORDS]
    records = tmp_path / "new.jsonl"
    records.write_text("".join(lines), encoding="utf-8")
    new_ids = [json.loads(line)["id"] for line in lines]
    imported = CliRunner().invoke(
        cli, ["import", str(records), "--no-entities", "--json", "--home", str(home)]
    )
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.output)["imported"] == NEW_RECORDS
    everything = _search(home, "", "--limit", "100")
    assert everything["total"] == OLD_RECORDS + NEW_RECORDS
    assert set(new_ids) <= {hit["id"] for hit in everything["results"]}
    assert OLD_INDEX_NOTICE in everything["notices"]

    rebuilt = CliRunner().invoke(cli, ["reindex", "--home", str(home)])
    assert rebuilt.exit_code == 0, rebuilt.output
    after = _search(home, "", "--language", "en", "--limit", "100")
    assert after["total"] == OLD_RECORDS + NEW_RECORDS and OLD_INDEX_NOTICE not in after["notices"]


def test_delete_from_an_old_archive(home):
    """An archive from before the curation tables: deleting an article works and leaves nothing pending."""
    deleted = CliRunner().invoke(cli, ["delete", "enwn-0002", "--home", str(home)])
    assert deleted.exit_code == 0, deleted.output
    checked = CliRunner().invoke(cli, ["check", "--home", str(home)])
    assert checked.exit_code == 0 and f"{OLD_RECORDS - 1} articles" in checked.output, checked.output
    assert "enwn-0002" not in {hit["id"] for hit in _search(home, "", "--limit", "100")["results"]}
