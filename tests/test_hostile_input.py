"""Hostile input through the real importer and fuzzed queries and files.

Huge single lines, NUL bytes, lone surrogates, wrong and mixed encodings and decompression bombs must
each end imported or failed with a reason, in bounded time and memory, with the rest of the batch
imported. Fuzzing: the query path lets only ``BadQuery`` escape; the readers never raise.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from archive.errors import BadQuery
from archive.readers import iter_records
from archive.readers.common import MAX_UNPACKED_BYTES
from archive.search.request import SearchRequest
from tests.conftest import ROOT

try:
    from tests.search_fixtures import search_home, searcher
except ImportError:  # pragma: no cover
    from search_fixtures import search_home, searcher

__all__ = ["search_home", "searcher"]

#: The whole hostile batch must import within this (the big inputs dominate: a 5 MB text, two bombs).
BATCH_SECONDS = 90
#: Peak memory of the import process: the bombs unpack past 50 MB, which must never be held twice.
MAX_RSS_MB = 700

WORDS = "the harbour authority said shipping resumed after the strike ended on monday ".split()


def gzip_bomb(size: int) -> bytes:
    """A small gzip stream that unpacks to ``size`` zero bytes."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as f:
        chunk = b"\0" * (1 << 20)
        for _ in range(size // len(chunk) + 1):
            f.write(chunk)
    return out.getvalue()


def warc_bomb(path: Path, size: int) -> None:
    """A .warc.gz with one HTML response whose payload unpacks to ``size`` bytes (written in steps)."""
    head = b"<html><body><p>"
    http = b"HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n" % (
        len(head) + size
    )
    warc = (
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://example.org/bomb\r\n"
        b"WARC-Date: 2020-01-01T00:00:00Z\r\nWARC-Record-ID: <urn:uuid:12345678-1234-1234-1234-123456789abc>\r\n"
        b"Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n"
        % (len(http) + len(head) + size)
    )
    with gzip.open(path, "wb", compresslevel=9) as f:
        f.write(warc + http + head)
        chunk = b"a" * (1 << 20)
        for _ in range(size // len(chunk)):
            f.write(chunk)
        f.write(b"a" * (size % len(chunk)) + b"\r\n\r\n")


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile-batch")
    rng_words = (WORDS * (5 * 1024 * 1024 // len(" ".join(WORDS)) + 1))[: 5 * 1024 * 1024 // 6]
    big_line = " ".join(rng_words)[: 5 * 1024 * 1024]
    (folder / "a_big_line.txt").write_text("A very long dispatch\n\n" + big_line, encoding="utf-8")
    (folder / "b_few_nuls.txt").write_bytes(
        b"Harbour strike ends\n\nThe harbour\0 authority said"
        + b" shipping resumed after the strike." * 20
        + b"\0\n"
    )
    (folder / "c_binary.txt").write_bytes(b"\0\1\2\3" * 5000)
    records = [
        {
            "id": "surrogate-1",
            "title": "Lone \ud800 surrogate",
            "text": "A text with a lone \udfff surrogate.",
        },
        {"id": "nul-1", "title": "NUL\u0000 title", "text": "Text with NUL\u0000 characters\u0000 inside."},
    ]
    lines = [json.dumps(r).encode() for r in records]  # json escapes the surrogates as \\ud800
    lines.append(b"\xff\xfe not json at all \x80\x81")
    (folder / "d_records.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    (folder / "e_latin1.txt").write_bytes(
        "Caf\u00e9 au lait\n\nLe ma\u00eetre a dit: \u00e7a va.".encode("latin-1")
    )
    (folder / "f_mixed.txt").write_bytes(
        "Mixed encodings\n\nZ\u00fcrich and ".encode() + "M\u00fcnchen and caf\u00e9".encode("cp1252")
    )
    (folder / "g_bomb.jsonl.gz").write_bytes(gzip_bomb(MAX_UNPACKED_BYTES + (8 << 20)))
    warc_bomb(folder / "h_bomb.warc.gz", MAX_UNPACKED_BYTES + (8 << 20))
    (folder / "i_good.jsonl").write_text(
        json.dumps({"id": "good-1", "title": "Port reopens", "text": "The port reopened on Monday."}) + "\n"
    )
    return folder


def test_hostile_batch_imports_the_rest_in_bounded_time_and_memory(hostile_batch, tmp_path):
    home = tmp_path / "home"
    script = (
        "import resource, subprocess, sys, json;"
        "r = subprocess.run(sys.argv[1:], capture_output=True);"
        "sys.stderr.buffer.write(r.stderr); sys.stdout.buffer.write(r.stdout);"
        "print(json.dumps({'rss_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}), file=sys.stderr);"
        "sys.exit(r.returncode)"
    )
    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            sys.executable,
            "-m",
            "archive",
            "import",
            str(hostile_batch),
            "--home",
            str(home),
            "--workers",
            "1",
            "--no-entities",
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BATCH_SECONDS * 2,
        env={**os.environ},
    )
    seconds = time.monotonic() - started
    assert done.returncode == 1, done.stderr  # some inputs failed, the rest were imported
    assert "Traceback" not in done.stderr, done.stderr
    rss_mb = json.loads(done.stderr.strip().splitlines()[-1])["rss_kb"] / 1024
    report = json.loads(done.stdout)
    failed = {
        Path(f["source"]).name + (f":{f['line']}" if f.get("line") else ""): f["reason"]
        for f in report["failed"]
    }
    assert seconds < BATCH_SECONDS, seconds
    assert rss_mb < MAX_RSS_MB, rss_mb
    assert "binary data" in failed["c_binary.txt"]
    assert "unpacks to more than" in failed["g_bomb.jsonl.gz"]
    assert any(k.startswith("h_bomb.warc.gz") and "larger than" in v for k, v in failed.items()), failed
    assert any(k.startswith("d_records.jsonl:3") for k in failed), failed
    assert report["imported"] == 7, failed  # big line, few NULs, 2 jsonl records, latin-1, mixed, good
    from archive.store import Catalog

    with Catalog(home) as catalog:
        for article in catalog.iter_articles():
            for value in (article.title, article.text):
                value.encode("utf-8")  # no lone surrogate left
                assert "\0" not in value
        assert catalog.get_article("surrogate-1") is not None
        texts = {a.title: a.text for a in catalog.iter_articles()}
    assert any("café" in t or "maître" in t for t in texts.values())
    # the site shows them (a lone surrogate once made Flask answer 500)
    from archive.web.app import create_app

    client = create_app(
        {"TESTING": True, "ARCHIVE_HOME": str(home), "SEARCH_TIME_BUDGET": 10.0}
    ).test_client()
    for path in ("/articles/surrogate-1", "/articles/nul-1", "/search?q=harbour", "/api/search?q=surrogate"):
        assert client.get(path).status_code == 200, path
    print(f"hostile batch: {seconds:.1f} s, peak RSS {rss_mb:.0f} MB")


# -- fuzzing -----------------------------------------------------------------------------------------------

QUERY_ALPHABET = st.sampled_from(
    list("abcdeoilpr *?~^\"():-[]{}+/\\!&|,.'\u00e9\u0130\ud800\0")
    + ["AND ", "OR ", "NOT ", "person:", "place:", "title:", "oil", "said", "to ", "*", "\u2019"]
)
QUERY_TEXT = st.lists(QUERY_ALPHABET, max_size=30).map("".join)
ARG_VALUE = st.one_of(
    QUERY_TEXT,
    st.text(max_size=20),
    st.sampled_from(
        [
            "2020",
            "2020-13",
            "2020-02-30",
            "1987-03",
            "0",
            "-1",
            "99999999999",
            "relevance",
            "newest",
            "exact",
            "normal",
            "",
        ]
    ),
)
ARG_NAMES = [
    "q",
    "person",
    "place",
    "from",
    "to",
    "mentioned_from",
    "mentioned_to",
    "source",
    "sort",
    "mode",
    "page",
    "per_page",
    "q",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(args=st.lists(st.tuples(st.sampled_from(ARG_NAMES), ARG_VALUE), max_size=6))
def test_fuzzed_search_requests_answer_or_raise_bad_query(searcher, args):
    try:
        req = SearchRequest.from_args(MultiDict(args))
        result = searcher.search(req)
    except BadQuery:
        return
    assert result["total"] >= 0
    json.dumps(result)


EXTENSIONS = [
    ".txt",
    ".md",
    ".html",
    ".htm",
    ".jsonl",
    ".json",
    ".warc",
    ".warc.gz",
    ".jsonl.gz",
    ".txt.gz",
    ".gz",
    ".bin",
    "",
]
FILE_BYTES = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=500).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.lists(
        st.sampled_from(
            [
                b"{",
                b"}",
                b'"id"',
                b":",
                b'"text"',
                b'"x"',
                b"\n",
                b"[",
                b"]",
                b"WARC/1.0\r\n",
                b"\r\n",
                b"Content-Length: 5\r\n",
                b"\x1f\x8b\x08",
                b"\xff",
                b"\0",
            ]
        ),
        max_size=60,
    ).map(b"".join),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=FILE_BYTES, extension=st.sampled_from(EXTENSIONS), gzipped=st.booleans())
def test_fuzzed_files_never_make_a_reader_raise(tmp_path, data, extension, gzipped):
    if gzipped:
        data = gzip.compress(data)
    path = tmp_path / f"fuzz{extension}"
    path.write_bytes(data)
    records = list(iter_records([str(path)]))
    assert records or extension.startswith(".warc")  # a WARC without HTML responses holds no articles
    for rec in records:
        assert (rec.error is None) == (rec.data is not None) or rec.error is not None
        if rec.error is not None:
            assert isinstance(rec.error, str) and rec.error
