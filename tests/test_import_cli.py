"""The import pipeline through the real CLI: counts, idempotence, updates, failures, deletes, reindex."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner
from whoosh import index as whoosh_index

from archive.cli import cli
from tests.conftest import ROOT, SEED_ARTICLE, WIKINEWS_SLICE


def run(*args: str, home: Path, stdin: str | None = None):
    return CliRunner().invoke(cli, [*args, "--home", str(home)], input=stdin, catch_exceptions=False)


def import_json(home: Path, *paths: str, stdin: str | None = None) -> tuple[int, dict]:
    result = run("import", *paths, "--json", "--workers", "1", home=home, stdin=stdin)
    return result.exit_code, json.loads(result.stdout)


def index_docs(home: Path) -> list[dict]:
    ix = whoosh_index.open_dir(str(home / "whoosh"))
    with ix.searcher() as s:
        return [dict(fields) for fields in s.all_stored_fields()]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_import_seeds_then_reimport_is_a_noop(tmp_path, wikinews_slice):
    home = tmp_path / "home"
    code, report = import_json(home, str(SEED_ARTICLE), str(wikinews_slice))
    assert code == 0
    assert report["imported"] == WIKINEWS_SLICE + 1
    assert report["failed"] == []
    assert {i["status"] for i in report["items"]} == {"imported"}
    assert all(i["id"] for i in report["items"])
    jsonl_lines = sorted(i["line"] for i in report["items"] if i["source"].endswith(".jsonl"))
    assert jsonl_lines == list(range(1, WIKINEWS_SLICE + 1))

    stats = json.loads(run("stats", "--json", home=home).stdout)
    assert stats["articles"] == WIKINEWS_SLICE + 1
    docs = index_docs(home)
    assert len(docs) == stats["passages"] > stats["articles"]
    assert len({d["pid"] for d in docs}) == len(docs)

    code, again = import_json(home, str(SEED_ARTICLE), str(wikinews_slice))
    assert code == 0
    assert (again["imported"], again["updated"], again["duplicates"]) == (0, 0, WIKINEWS_SLICE + 1)
    assert len(index_docs(home)) == len(docs)


def test_known_id_with_new_content_replaces_the_article(tmp_path):
    home = tmp_path / "home"
    first = write_jsonl(
        tmp_path / "a.jsonl",
        [
            {
                "id": "story-1",
                "title": "Harbour reopens",
                "text": "The harbour reopened on Monday after repairs. Ferries resumed service.",
            }
        ],
    )
    assert import_json(home, str(first))[1]["imported"] == 1
    second = write_jsonl(
        tmp_path / "b.jsonl",
        [
            {
                "id": "story-1",
                "title": "Harbour reopens, corrected",
                "text": "The harbour reopened on Tuesday after repairs. Ferries resumed service.",
            }
        ],
    )
    code, report = import_json(home, str(second))
    assert code == 0 and report["updated"] == 1 and report["imported"] == 0
    shown = json.loads(run("show", "story-1", "--json", home=home).stdout)
    assert shown["title"] == "Harbour reopens, corrected"
    assert "Tuesday" in shown["text"]
    docs = index_docs(home)
    assert [d["body"] for d in docs if d["article_id"] == "story-1"] == [shown["text"]]


def test_same_id_twice_in_one_batch_is_one_article(tmp_path):
    home = tmp_path / "home"
    path = write_jsonl(
        tmp_path / "dup.jsonl",
        [
            {"id": "x", "text": "First version of the story about the council vote."},
            {"id": "x", "text": "First version of the story about the council vote."},
            {"id": "x", "text": "Second version of the story about the council vote."},
        ],
    )
    code, report = import_json(home, str(path))
    assert code == 0
    assert [i["status"] for i in report["items"]] == ["imported", "duplicate", "updated"]
    docs = index_docs(home)
    assert [d["body"] for d in docs] == ["Second version of the story about the council vote."]


def test_articles_without_id_are_deduplicated_by_content(tmp_path):
    home = tmp_path / "home"
    rec = {"title": "Budget passes", "text": "The city council passed the budget on Friday by nine votes."}
    code, report = import_json(home, str(write_jsonl(tmp_path / "a.jsonl", [rec])))
    assert report["imported"] == 1
    # The same article written differently (other key order and spacing): new bytes, same content.
    (tmp_path / "b.jsonl").write_text(json.dumps(dict(reversed(rec.items())), separators=(",", ":")) + "\n")
    code, report = import_json(home, str(tmp_path / "b.jsonl"))
    assert code == 0 and report["duplicates"] == 1 and report["imported"] == 0


def test_bad_inputs_are_reported_and_the_rest_is_imported(tmp_path):
    home = tmp_path / "home"
    folder = tmp_path / "batch"
    folder.mkdir()
    write_jsonl(folder / "good.jsonl", [{"id": "ok-1", "text": "A good record about the port strike."}])
    (folder / "mixed.jsonl").write_text(
        '{"id": "ok-2", "text": "Another good record about the port strike."}\n'
        '{"id": "broken", "text": \n'
        '{"id": "no-body", "title": "Only a headline"}\n'
        "[1, 2, 3]\n",
        encoding="utf-8",
    )
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "empty.md").write_bytes(b"")
    (folder / "report.pdf").write_bytes(b"%PDF-1.4 not an article")
    code, report = import_json(home, str(folder))
    assert code == 1
    assert report["imported"] == 2
    failed = {(Path(f["source"]).name, f["line"]) for f in report["failed"]}
    assert failed == {
        ("mixed.jsonl", 2),
        ("mixed.jsonl", 3),
        ("mixed.jsonl", 4),
        ("binary.txt", None),
        ("empty.md", None),
        ("report.pdf", None),
    }
    assert all(f["reason"] for f in report["failed"])
    assert len(report["items"]) == 8
    assert json.loads(run("stats", "--json", home=home).stdout)["articles"] == 2


def test_summary_line_and_exit_codes(tmp_path):
    home = tmp_path / "home"
    result = run("import", str(SEED_ARTICLE), "--workers", "1", home=home)
    assert result.exit_code == 0
    assert (
        result.stdout.strip().splitlines()[-1].startswith("Imported 1, updated 0, duplicates 0, failed 0 in ")
    )
    missing = run("import", str(tmp_path / "nope.jsonl"), home=home)
    assert missing.exit_code == 2
    assert "No such file or folder" in missing.output


def test_stdin_reads_json_lines(tmp_path):
    home = tmp_path / "home"
    lines = (
        json.dumps({"id": "in-1", "headline": "From stdin", "body": "Piped text about the election."}) + "\n"
    )
    code, report = import_json(home, "-", stdin=lines)
    assert code == 0 and report["imported"] == 1
    assert report["items"][0]["source"] == "-" and report["items"][0]["line"] == 1
    shown = json.loads(run("show", "in-1", "--json", home=home).stdout)
    assert shown["title"] == "From stdin"


def test_delete_and_reindex(tmp_path, wikinews_slice):
    home = tmp_path / "home"
    import_json(home, str(wikinews_slice))
    before = json.loads(run("stats", "--json", home=home).stdout)
    result = run("delete", "enwn-0001", "enwn-nope", home=home)
    assert result.exit_code == 1
    assert "not found: enwn-nope" in result.output
    after = json.loads(run("stats", "--json", home=home).stdout)
    assert after["articles"] == before["articles"] - 1
    assert run("show", "enwn-0001", home=home).exit_code == 1
    assert not [d for d in index_docs(home) if d["article_id"] == "enwn-0001"]

    docs = sorted(d["pid"] for d in index_docs(home))
    result = run("reindex", home=home)
    assert result.exit_code == 0, result.output
    assert f"Reindexed {after['articles']} articles." in result.output
    assert sorted(d["pid"] for d in index_docs(home)) == docs


def test_a_second_writer_is_told_the_archive_is_locked(tmp_path):
    from archive.locking import write_lock

    home = tmp_path / "home"
    with write_lock(home):
        result = run("import", str(SEED_ARTICLE), home=home)
    assert result.exit_code == 3  # not 1 ("some inputs failed"): nothing was read
    assert "Another import, delete or reindex is writing to" in result.output
    assert "--wait" in result.output


def test_killed_import_resumes_to_exactly_the_input(tmp_path, reuters_jsonl):
    """kill -9 after the first commit; the next run completes the archive with no duplicates."""
    home = tmp_path / "home"
    env = {**os.environ, "ARCHIVE_COMMIT_EVERY": "50"}
    cmd = [
        sys.executable,
        "-m",
        "archive",
        "import",
        str(reuters_jsonl),
        "--home",
        str(home),
        "--workers",
        "1",
        "--quiet",
        "--no-entities",
    ]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list((home / "whoosh").glob("*.seg")):
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    result = subprocess.run(
        [*cmd[:-2], "--json", "--no-entities"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    total = len(reuters_jsonl.read_text(encoding="utf-8").splitlines())
    assert report["imported"] + report["duplicates"] == total
    docs = index_docs(home)
    assert len({d["article_id"] for d in docs}) == total
    assert len({d["pid"] for d in docs}) == len(docs)


def test_surname_only_article_joins_the_known_full_name(tmp_path):
    home = tmp_path / "home"
    first = write_jsonl(
        tmp_path / "a.jsonl",
        [
            {
                "id": "r1",
                "text": "President Ronald Reagan met Congress leaders on "
                "Tuesday to discuss the budget. Reagan said the talks went well.",
            }
        ],
    )
    import_json(home, str(first))
    second = write_jsonl(
        tmp_path / "b.jsonl",
        [{"id": "r2", "text": "The White House said Reagan would veto the bill if Congress passed it."}],
    )
    import_json(home, str(second))
    full = {p["key"] for p in json.loads(run("show", "r1", "--json", home=home).stdout)["persons"]}
    short = {p["key"] for p in json.loads(run("show", "r2", "--json", home=home).stdout)["persons"]}
    assert short and short <= full
    from archive.store import Catalog

    with Catalog(home) as catalog:
        assert catalog.find_persons("Reagan") == sorted(full & short)
        assert catalog.find_persons("ronald reagan") == sorted(full & short)


def test_segments_stay_bounded_over_many_commits(tmp_path, monkeypatch):
    from archive.importer import import_paths
    from archive.search.whoosh.index import MAX_SEGMENTS, open_index

    monkeypatch.setenv("ARCHIVE_COMMIT_EVERY", "1")
    records = [{"id": f"s{i}", "text": f"Dispatch number {i} from the harbour office."} for i in range(20)]
    home = tmp_path / "home"
    report = import_paths([str(write_jsonl(tmp_path / "many.jsonl", records))], home, with_entities=False)
    assert report.count("imported") == 20
    ix = open_index(home)
    try:
        assert 1 < len(ix._segments()) <= MAX_SEGMENTS + 1
        assert ix.doc_count() == 20
    finally:
        ix.close()
