"""Worker-built segments: a large batch written by the import's workers gives the same archive as one writer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.errors import DiskFull
from archive.models import Article
from archive.search.whoosh.index import open_index
from archive.search.whoosh.segments import shares
from tests.test_faults import index_state, small_disk  # noqa: F401 - small_disk is a fixture

QUERIES = ["oil", "coffee prices", '"crude oil"', "bank OR rates", "wheat -corn"]


def import_cli(home: Path, source: Path, workers: int) -> dict:
    result = CliRunner().invoke(
        cli,
        ["import", str(source), "--home", str(home), "--workers", str(workers), "--no-entities", "--json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def search_ids(home: Path, query: str) -> list[str]:
    result = CliRunner().invoke(cli, ["search", query, "--json", "--limit", "50", "--home", str(home)])
    assert result.exit_code == 0, result.output
    return [hit["id"] for hit in json.loads(result.stdout)["results"]]


def passages(home: Path) -> dict[str, str]:
    ix = open_index(home)
    try:
        with ix.searcher() as searcher:
            return {f["pid"]: f["body"] for f in searcher.all_stored_fields()}
    finally:
        ix.close()


def segment_count(home: Path) -> int:
    ix = open_index(home)
    try:
        return len(ix._segments())
    finally:
        ix.close()


def check_ok(home: Path) -> str:
    result = CliRunner().invoke(cli, ["check", "--home", str(home)])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def split_batches(monkeypatch):
    """Shares of 50 articles: the 400-article Reuters slice is one commit that two workers write."""
    monkeypatch.setenv("ARCHIVE_MIN_SEGMENT_ARTICLES", "50")


def test_workers_write_the_same_archive_as_one_writer(tmp_path, reuters_jsonl, split_batches):
    one, two = tmp_path / "one", tmp_path / "two"
    import_cli(one, reuters_jsonl, workers=1)
    report = import_cli(two, reuters_jsonl, workers=2)
    assert report["imported"] == len(reuters_jsonl.read_text(encoding="utf-8").splitlines())
    # one commit, two segments: each worker wrote one
    assert segment_count(one) == 1
    assert segment_count(two) == 2
    assert passages(two) == passages(one)
    assert search_ids(one, "oil")
    for query in QUERIES:
        assert search_ids(two, query) == search_ids(one, query), query
    assert f"OK: {report['imported']} articles" in check_ok(two)


def test_an_update_written_by_workers_replaces_every_old_passage(tmp_path, reuters_jsonl, split_batches):
    home = tmp_path / "home"
    import_cli(home, reuters_jsonl, workers=2)
    records = [json.loads(line) for line in reuters_jsonl.read_text(encoding="utf-8").splitlines()]
    for record in records:
        record["text"] = "Correction: quetzalcoatlus figures revised.\n\n" + record["text"]
    changed = tmp_path / "changed.jsonl"
    changed.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    report = import_cli(home, changed, workers=2)
    assert report["updated"] == len(records)
    per_article, pids = index_state(home)
    assert len(per_article) == len(records)
    assert all(n == 1 for n in pids.values())
    assert len(search_ids(home, "quetzalcoatlus")) == min(50, len(records))
    total = CliRunner().invoke(cli, ["search", "quetzalcoatlus", "--json", "--home", str(home)])
    assert json.loads(total.stdout)["total"] == len(records)
    check_ok(home)


def test_reindex_with_workers_rebuilds_the_same_index(tmp_path, reuters_jsonl, split_batches):
    home = tmp_path / "home"
    import_cli(home, reuters_jsonl, workers=1)
    before = passages(home)
    hits = search_ids(home, "coffee prices")
    result = CliRunner().invoke(cli, ["reindex", "--workers", "2", "--home", str(home)])
    assert result.exit_code == 0, result.output
    assert segment_count(home) == 2
    assert passages(home) == before
    assert search_ids(home, "coffee prices") == hits
    check_ok(home)


def test_a_worker_failing_on_a_full_disk_loses_nothing(
    small_disk,  # noqa: F811 - the fixture
    reuters_jsonl,
    tmp_path,
    monkeypatch,
    split_batches,
):
    """A worker's segment write fails (ENOSPC): the commit is abandoned whole, the error says what to do,
    and with space again the next run completes the archive with nothing left behind."""
    from archive import importer
    from tests.test_faults import fill

    home = small_disk / "home"
    lines = reuters_jsonl.read_text(encoding="utf-8").splitlines(keepends=True)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("".join(lines[:100]), encoding="utf-8")
    second.write_text("".join(lines[100:]), encoding="utf-8")
    importer.import_paths([str(first)], home, workers=2, with_entities=False)
    before, _ = index_state(home)
    from archive.search.whoosh import writer as whoosh_writer

    monkeypatch.setattr(whoosh_writer, "ensure_free_space", lambda ix, n: None)  # the write itself fails
    filler = fill(small_disk, leave=150_000)
    with pytest.raises(DiskFull, match="full"):
        importer.import_paths([str(second)], home, workers=2, with_entities=False)
    after, pids = index_state(home)
    assert set(after) == set(before)
    assert all(n == 1 for n in pids.values())
    filler.unlink()
    report = importer.import_paths([str(second)], home, workers=2, with_entities=False)
    assert report.count("imported") + report.count("updated") == len(lines) - 100
    final, _ = index_state(home)
    assert len(final) == len(lines)
    assert f"OK: {len(lines)} articles" in check_ok(home)


def article(n: int, words: int) -> Article:
    return Article(id=f"a{n}", title="t", text="word " * words)


def test_shares_are_contiguous_and_about_equal_in_text():
    batch = [article(i, 10 + (i % 7) * 30) for i in range(300)]
    parts = shares(batch, workers=2, min_articles=100)
    assert len(parts) == 2
    assert [a for part in parts for a in part] == batch
    sizes = [sum(len(a.text) for a in part) for part in parts]
    assert abs(sizes[0] - sizes[1]) <= max(len(a.text) for a in batch)


def test_a_batch_too_small_to_split_stays_one_share():
    batch = [article(i, 20) for i in range(150)]
    assert len(shares(batch, workers=2, min_articles=100)) == 1
    assert len(shares(batch, workers=4, min_articles=50)) == 3
    assert shares(batch, workers=1, min_articles=1) == [batch]
