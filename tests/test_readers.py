"""Readers: every input becomes records; a bad input becomes an error record, never an exception."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from archive.decode import decode_bytes
from archive.errors import ReadError
from archive.readers import SUPPORTED_EXTENSIONS, iter_records
from archive.readers import common as reader_limits
from tests.conftest import DATA

ARTICLES = DATA / "articles"
BROKEN = DATA / "broken"


def records(*paths, stdin=None):
    return list(iter_records([str(p) for p in paths], stdin=stdin))


def test_supported_extensions():
    assert set(SUPPORTED_EXTENSIONS) == {
        ".txt",
        ".md",
        ".html",
        ".htm",
        ".jsonl",
        ".json",
        ".warc",
        ".warc.gz",
    }


def test_a_folder_is_read_recursively_in_sorted_order():
    found = records(DATA)
    sources = [Path(r.source).relative_to(DATA).as_posix() for r in found]
    assert sources == sorted(sources)
    assert "articles/wire.jsonl" in sources and "pages/sciencealert-titan.html" in sources


def test_good_inputs():
    found = records(ARTICLES)
    assert [(Path(r.source).name, r.line, r.kind, r.error) for r in found] == [
        ("cocoa-review.txt", None, "text", None),
        ("europa.html", None, "html", None),
        ("harbour.warc.gz", 1, "warc", None),
        ("minsk-briefing.md", None, "text", None),
        ("wire.jsonl", 1, "jsonl", None),
        ("wire.jsonl", 2, "jsonl", None),
        ("wire.jsonl", 3, "jsonl", None),
    ]


def test_markdown_front_matter():
    (rec,) = records(ARTICLES / "minsk-briefing.md")
    assert rec.data["title"] == "Minsk opposition briefing"
    assert rec.data["author"] == ["Hanna Liubakova", "Ihar Ilyash"]
    assert rec.data["section"] == "Politics"
    assert rec.data["text"].startswith("Opposition leaders met in Vilnius")
    assert rec.raw == (ARTICLES / "minsk-briefing.md").read_bytes()


def test_text_file_first_line_is_the_title():
    (rec,) = records(ARTICLES / "cocoa-review.txt")
    assert rec.data["title"] == "Bahia cocoa review"
    assert rec.data["text"].lstrip().startswith("Showers continued")


def test_jsonl_keeps_fields_as_given_and_raw_line_bytes():
    found = records(ARTICLES / "wire.jsonl")
    lines = (ARTICLES / "wire.jsonl").read_bytes().splitlines()
    assert [r.raw for r in found] == lines
    assert found[0].data["headline"] == "Grain shipments rise"  # aliases are resolved later, by normalize


def test_warc_html_responses_only():
    (rec,) = records(ARTICLES / "harbour.warc.gz")
    assert rec.data["url"] == "https://harbour.example/strike"
    assert rec.data["crawled"] == "2024-05-03T10:00:00Z"
    assert "published" not in rec.data  # a crawl date is no publication date
    assert rec.raw.startswith(b"<!doctype html>")
    assert "Dock workers in Gdansk" in rec.data["html"]


@pytest.mark.parametrize(
    "name,line,reason",
    [
        ("binary.txt", None, "binary data"),
        ("empty.txt", None, "empty file"),
        ("report.pdf", None, "unsupported file type '.pdf'"),
        ("truncated.warc.gz", 1, "corrupt or truncated WARC"),
    ],
)
def test_broken_files_become_error_records(name, line, reason):
    (rec,) = records(BROKEN / name)
    assert rec.data is None
    assert rec.line == line
    assert reason in rec.error


def test_malformed_json_line_fails_alone():
    found = records(BROKEN / "mixed.jsonl")
    assert [(r.line, r.error is None) for r in found] == [
        (1, True),
        (2, False),
        (3, True),
        (4, False),
        (5, True),
    ]
    assert "malformed JSON" in found[1].error
    assert found[3].error == "expected a JSON object, found an array"
    assert found[2].data["id"] == "good-2"


@pytest.mark.parametrize(
    "name,title",
    [
        ("cyrillic-cp1251.txt", "Лукашенко встретился с молодёжью"),
        ("utf16-bom.txt", "Łukaszenka spotkał się z młodzieżą"),
        ("latin1.txt", "Café société à Genève"),
    ],
)
def test_encodings(name, title):
    (rec,) = records(BROKEN / name)
    assert rec.error is None
    assert rec.data["title"] == title


def test_stdin_is_json_lines():
    stream = io.BytesIO(b'{"id": "s1", "text": "From stdin."}\n\nnot json\n{"id": "s2", "text": "Again."}\n')
    found = records("-", stdin=stream)
    assert [(r.source, r.line, r.error is None) for r in found] == [
        ("-", 1, True),
        ("-", 3, False),
        ("-", 4, True),
    ]
    assert found[0].raw == b'{"id": "s1", "text": "From stdin."}'


@pytest.mark.parametrize(
    "content,expected",
    [
        ({"id": "one", "text": "x"}, [(1, "one")]),
        ([{"id": "a", "text": "x"}, {"id": "b", "text": "y"}], [(1, "a"), (2, "b")]),
    ],
)
def test_json_file_object_or_list(tmp_path, content, expected):
    path = tmp_path / "in.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    assert [(r.line, r.data["id"]) for r in records(path)] == expected


def test_json_file_may_hold_json_lines(tmp_path):
    path = tmp_path / "in.json"
    path.write_text('{"id": "a", "text": "x"}\n{"id": "b", "text": "y"}\n', encoding="utf-8")
    assert [r.data["id"] for r in records(path)] == ["a", "b"]


def test_gzipped_inputs_are_unpacked(tmp_path):
    path = tmp_path / "wire.jsonl.gz"
    path.write_bytes(gzip.compress((ARTICLES / "wire.jsonl").read_bytes()))
    assert [r.kind for r in records(path)] == ["jsonl"] * 3


def test_size_limits(tmp_path, monkeypatch):
    monkeypatch.setattr(reader_limits, "MAX_FILE_BYTES", 1000)
    monkeypatch.setattr(reader_limits, "MAX_UNPACKED_BYTES", 1000)
    big = tmp_path / "big.txt"
    big.write_text("word " * 1000)
    bomb = tmp_path / "bomb.jsonl.gz"
    bomb.write_bytes(gzip.compress(b" " * 100_000))
    (too_big,) = records(big)
    assert "file too large" in too_big.error
    (unpacked,) = records(bomb)
    assert "unpacks to more than" in unpacked.error


def test_missing_path_and_hidden_files(tmp_path):
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")
    (tmp_path / "a.txt").write_text("Title\n\nBody.")
    assert [Path(r.source).name for r in records(tmp_path)] == ["a.txt"]
    (missing,) = records(tmp_path / "nope.txt")
    assert missing.error == "no such file or folder"


def test_a_non_warc_file_named_warc(tmp_path):
    path = tmp_path / "fake.warc"
    path.write_text("hello, this is not a web archive")
    (rec,) = records(path)
    assert "not a WARC archive" in rec.error


CYRILLIC = "Президент Беларуси Александр Лукашенко заявил, что выборы пройдут спокойно."


@pytest.mark.parametrize(
    "raw,declared,expected",
    [
        (CYRILLIC.encode("utf-8"), None, CYRILLIC),
        (b"\xef\xbb\xbf" + CYRILLIC.encode("utf-8"), None, CYRILLIC),
        (CYRILLIC.encode("utf-16"), None, CYRILLIC),
        (CYRILLIC.encode("utf-32"), None, CYRILLIC),
        (CYRILLIC.encode("cp1251"), None, CYRILLIC),
        (CYRILLIC.encode("koi8-r"), None, CYRILLIC),
        (CYRILLIC.encode("cp1251"), "windows-1251", CYRILLIC),
        ("Café crème, naïve façade – “quoted”".encode("cp1252"), None, "Café crème, naïve façade – “quoted”"),
        ("Déjà vu à la française".encode("latin-1"), None, "Déjà vu à la française"),
        ("Zażółć gęślą jaźń, powiedział.".encode("cp1250"), None, "Zażółć gęślą jaźń, powiedział."),
        (
            '<meta charset="windows-1251"><p>Привет</p>'.encode("cp1251"),
            None,
            '<meta charset="windows-1251"><p>Привет</p>',
        ),
        (
            "<?xml version='1.0' encoding='koi8-r'?><a>Минск</a>".encode("koi8-r"),
            None,
            "<?xml version='1.0' encoding='koi8-r'?><a>Минск</a>",
        ),
    ],
)
def test_decode_bytes(raw, declared, expected):
    assert decode_bytes(raw, declared) == expected


@pytest.mark.parametrize(
    "raw,reason",
    [
        (b"%PDF-1.7 ...", "PDF document"),
        (b"\x89PNG\r\n\x1a\n....", "PNG image"),
        (b"PK\x03\x04rest", "ZIP archive"),
        (b"text\x00with\x00many\x00nul\x00bytes\x00", "NUL bytes"),
        (bytes(range(256)) * 8, "not text"),
    ],
)
def test_decode_bytes_refuses_binary(raw, reason):
    with pytest.raises(ReadError, match=reason):
        decode_bytes(raw)
