"""Issue 15, the import side: one hostile record, line or file fails alone, with a reason, in bounded
time and memory, and the rest of the batch is imported (through the real CLI)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.readers.jsonl import MAX_NESTING
from tests.conftest import ROOT

GOOD = {"id": "good-1", "title": "Port reopens", "text": "The port of Gdansk reopened on Monday."}
GOOD_2 = {"id": "good-2", "title": "Strike ends", "text": "Dock workers ended their strike."}
#: Seconds an import of a few small inputs may take (NER loads in a few seconds; a hang never ends).
IMPORT_SECONDS = 120


def line(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


def run_import(home: Path, *paths: str, workers: int = 1, entities: bool = False, stdin=None):
    """``archive import PATHS --json`` in-process; returns (exit code, report, stderr)."""
    args = ["import", *paths, "--json", "--workers", str(workers), "--home", str(home)]
    if not entities:
        args.append("--no-entities")
    result = CliRunner().invoke(cli, args, input=stdin, catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout), result.stderr


def cli_import(home: Path, *paths: str, workers: int = 1, stdin=None, timeout: float = IMPORT_SECONDS):
    """``archive import`` in a process of its own (for hangs, worker pools and memory)."""
    cmd = [str(ROOT / ".venv/bin/archive"), "import", *paths, "--json", "--workers", str(workers)]
    return subprocess.run(
        [*cmd, "--home", str(home)], input=stdin, capture_output=True, timeout=timeout, check=False
    )


def failures(report: dict) -> dict[tuple[str, int | None], str]:
    return {(Path(f["source"]).name, f["line"]): f["reason"] for f in report["failed"]}


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("workers", [1, 2])
def test_a_deep_or_huge_number_record_fails_alone(tmp_path, workers):
    """High 1: nesting 1,500 deep (600 with workers: pickling) and a 5,000-digit number."""
    source = tmp_path / "f.jsonl"
    source.write_bytes(
        b"\n".join(
            [
                line(GOOD),
                b'{"id": "deep", "text": "x", "n": ' + nested(1500).encode() + b"}",
                b'{"id": "deep-600", "text": "x", "n": ' + nested(600).encode() + b"}",
                b'{"id": "huge", "text": "x", "n": ' + b"9" * 5000 + b"}",
                line(GOOD_2),
            ]
        )
    )
    done = cli_import(tmp_path / "home", str(source), workers=workers)
    assert done.returncode == 1, done.stderr.decode()
    report = json.loads(done.stdout)
    assert report["imported"] == 2
    reasons = failures(report)
    assert set(reasons) == {("f.jsonl", 2), ("f.jsonl", 3), ("f.jsonl", 4)}
    assert f"more than {MAX_NESTING} levels" in reasons[("f.jsonl", 2)]
    assert "digits" in reasons[("f.jsonl", 4)]


def test_deep_json_documents_fail_alone(tmp_path):
    """A deep item of a ``.json`` list fails alone; a document too deep to parse is one failure."""
    (tmp_path / "list.json").write_text(
        '[{"id": "a", "text": "x"}, {"id": "b", "text": "y", "n": ' + nested(900) + "}]"
    )
    (tmp_path / "deep.json").write_text('{"id": "c", "text": "z", "n": ' + nested(1500) + "}")
    (tmp_path / "ok.jsonl").write_bytes(line(GOOD))
    code, report, _ = run_import(
        tmp_path / "home", *(str(tmp_path / n) for n in ("list.json", "deep.json", "ok.jsonl"))
    )
    assert (code, report["imported"]) == (1, 2)
    reasons = failures(report)
    assert set(reasons) == {("list.json", 2), ("deep.json", None)}
    assert all(f"more than {MAX_NESTING} levels" in r for r in reasons.values())


def test_mixed_encodings_in_json_lines_fail_line_by_line(tmp_path):
    """High 4: one cp1252 line no longer turns the UTF-8 lines into mojibake."""
    source = tmp_path / "mixed.jsonl"
    source.write_bytes(
        b"\n".join(
            [
                line({"id": "utf8-1", "title": "Café Zürich", "text": "Łukaszenka met the café owners."}),
                line({"id": "cp1252", "title": "Café", "text": "Naïve text."}).decode().encode("cp1252"),
                line({"id": "utf8-2", "title": "Genève", "text": "Déjà vu in Genève."}),
            ]
        )
    )
    home = tmp_path / "home"
    code, report, _ = run_import(home, str(source))
    assert code == 1
    assert report["imported"] == 2
    (reason,) = failures(report).values()
    assert list(failures(report)) == [("mixed.jsonl", 2)]
    assert "not UTF-8" in reason
    shown = CliRunner().invoke(cli, ["show", "utf8-1", "--json", "--home", str(home)])
    assert json.loads(shown.stdout)["title"] == "Café Zürich"


def test_a_fifo_in_a_folder_is_refused_not_waited_for(tmp_path):
    """High 5: the import used to block forever opening the FIFO."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_bytes(line(GOOD))
    os.mkfifo(folder / "b.jsonl")
    os.mkfifo(tmp_path / "named.jsonl")
    done = cli_import(tmp_path / "home", str(folder), str(tmp_path / "named.jsonl"), timeout=60)
    report = json.loads(done.stdout)
    assert report["imported"] == 1
    reasons = failures(report)
    assert set(reasons) == {("b.jsonl", None), ("named.jsonl", None)}
    assert all("not a regular file (a FIFO" in r for r in reasons.values())


def test_a_symlink_to_dev_zero_is_refused_in_bounded_memory(tmp_path):
    """High 5: reading /dev/zero through a link never ended and took memory without bound."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_bytes(line(GOOD))
    (folder / "zero.jsonl").symlink_to("/dev/zero")
    (folder / "zero.txt.gz").symlink_to("/dev/zero")
    done = cli_import(tmp_path / "home", str(folder), timeout=60)
    report = json.loads(done.stdout)
    assert report["imported"] == 1
    reasons = failures(report)
    assert set(reasons) == {("zero.jsonl", None), ("zero.txt.gz", None)}
    assert all("a character device" in r for r in reasons.values())


def test_symlinked_and_unreadable_sub_folders_are_reported(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.jsonl").write_bytes(line(GOOD_2))
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.jsonl").write_bytes(line(GOOD))
    (folder / "linked").symlink_to(elsewhere, target_is_directory=True)
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    code, report, _ = run_import(tmp_path / "home", str(folder))
    assert code == 1 and report["imported"] == 1
    reasons = failures(report)
    assert set(reasons) == {("linked", None), ("loop", None)}
    assert all("symbolic link to a folder" in r for r in reasons.values())


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a folder whatever its mode")
def test_an_unreadable_sub_folder_is_reported(tmp_path):
    folder = tmp_path / "in"
    (folder / "closed").mkdir(parents=True)
    (folder / "a.jsonl").write_bytes(line(GOOD))
    (folder / "closed").chmod(0)
    try:
        code, report, _ = run_import(tmp_path / "home", str(folder))
    finally:
        (folder / "closed").chmod(0o755)
    assert code == 1 and report["imported"] == 1
    assert "cannot read the folder" in failures(report)[("closed", None)]


def test_a_syntax_error_in_a_pretty_printed_json_is_one_failure(tmp_path):
    """Medium 12: one failure with the parser's own line and column, not one per physical line."""
    records = [dict(GOOD), dict(GOOD_2)]
    text = json.dumps(records, indent=2).replace('"Strike ends",', '"Strike ends"')
    source = tmp_path / "pretty.json"
    source.write_text(text)
    error = None
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        error = exc
    code, report, _ = run_import(tmp_path / "home", str(source))
    assert code == 1 and report["imported"] == 0
    assert failures(report) == {
        (
            "pretty.json",
            error.lineno,
        ): f"malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}"
    }


def test_json_lines_in_a_json_file_still_fail_line_by_line(tmp_path):
    source = tmp_path / "lines.json"
    source.write_bytes(b"\n".join([line(GOOD), b'{"id": "bad", ', line(GOOD_2)]))
    code, report, _ = run_import(tmp_path / "home", str(source))
    assert (code, report["imported"], list(failures(report))) == (1, 2, [("lines.json", 2)])


#: The stdin line that must not be held whole.
LONG_LINE_MB = 200
#: Peak RSS of the import reading that line (measured: 150 MB; holding the line whole took 523 MB).
MAX_STDIN_RSS_MB = 300
#: Runs a command with a file on its stdin and reports the command's own peak RSS.
RSS_WRAPPER = (
    "import json, resource, subprocess, sys;"
    "r = subprocess.run(sys.argv[2:], stdin=open(sys.argv[1], 'rb'), capture_output=True);"
    "sys.stdout.buffer.write(r.stdout);"
    "print(json.dumps({'rss_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}), file=sys.stderr)"
)


def test_a_huge_stdin_line_is_refused_while_reading(tmp_path):
    """Low: ``archive import -`` read a 200 MB line whole before checking it (523 MB RSS)."""
    source = tmp_path / "stdin.jsonl"
    with source.open("wb") as f:
        f.write(line(GOOD) + b"\n" + b'{"id": "big", "text": "')
        chunk = b"a" * (1 << 20)
        for _ in range(LONG_LINE_MB):
            f.write(chunk)
        f.write(b'"}\n' + line(GOOD_2) + b"\n")
    cmd = [str(ROOT / ".venv/bin/archive"), "import", "-", "--json", "--no-entities", "--workers", "1"]
    done = subprocess.run(
        [sys.executable, "-c", RSS_WRAPPER, str(source), *cmd, "--home", str(tmp_path / "home")],
        capture_output=True,
        timeout=IMPORT_SECONDS,
        check=False,
    )
    rss_mb = json.loads(done.stderr.decode().strip().splitlines()[-1])["rss_kb"] / 1024
    report = json.loads(done.stdout)
    assert report["imported"] == 2
    assert "line too long" in failures(report)[("-", 2)]
    assert rss_mb < MAX_STDIN_RSS_MB, f"peak RSS {rss_mb:.0f} MB"


#: Past spaCy's ``nlp.max_length`` (1,000,000 characters), which used to fail the article.
LONG_ARTICLE_CHARS = 1_100_000


def test_an_article_over_a_million_characters_keeps_its_entities(tmp_path):
    """Medium 8: a raw spaCy error; now NER reads the text in pieces with offsets of the whole text."""
    filler = "internationalisation " * 60  # long words: few tokens, so NER stays quick
    paragraph = filler + "Alyaksandr Lukashenka spoke in Minsk. " + filler
    text = "\n\n".join([paragraph] * (LONG_ARTICLE_CHARS // len(paragraph) + 1))
    source = tmp_path / "long.jsonl"
    source.write_bytes(line({"id": "long", "title": "Long", "text": text}) + b"\n" + line(GOOD))
    home = tmp_path / "home"
    done = cli_import(home, str(source), timeout=600)
    assert done.returncode == 0, done.stdout.decode()[-2000:]
    shown = subprocess.run(
        [str(ROOT / ".venv/bin/archive"), "show", "long", "--json", "--home", str(home)],
        capture_output=True,
        check=True,
    )
    article = json.loads(shown.stdout)
    assert len(article["text"]) > LONG_ARTICLE_CHARS
    (person,) = [p for p in article["persons"] if "Lukashenka" in p["name"]]
    late = [m for m in person["mentions"] if m["start"] > LONG_ARTICLE_CHARS - len(paragraph)]
    assert late and all(article["text"][m["start"] : m["end"]].endswith("Lukashenka") for m in late)
    assert len(person["mentions"]) == text.count("Lukashenka")


#: A refused page is refused at once: cleaning a page this size took minutes.
REFUSE_SECONDS = 30


def test_a_huge_html_page_is_refused_before_cleaning(tmp_path):
    """Medium 8: a 7 MB page spent 163 s in extraction before failing."""
    from archive.normalize import MAX_HTML_CHARS

    cell = "<div><span>harbour</span><a href='/x'>strike</a></div>"
    page = "<html><body>" + cell * (MAX_HTML_CHARS // len(cell) + 1000) + "</body></html>"
    (tmp_path / "big.html").write_text(page)
    started = time.monotonic()
    (tmp_path / "ok.jsonl").write_bytes(line(GOOD))
    code, report, _ = run_import(tmp_path / "home", str(tmp_path / "big.html"), str(tmp_path / "ok.jsonl"))
    assert time.monotonic() - started < REFUSE_SECONDS
    assert code == 1
    assert f"pages over {MAX_HTML_CHARS:,} are not cleaned" in failures(report)[("big.html", None)]
