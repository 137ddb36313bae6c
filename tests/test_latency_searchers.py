"""Searchers kept open between requests: reused while the archive is unchanged, replaced after every
commit (import, delete, reindex), and served by gunicorn workers that keep connections alive."""

from __future__ import annotations

import http.client
import json
from pathlib import Path

import pytest

from archive.importer import delete, import_paths
from archive.reindex import reindex
from archive.search.request import SearchRequest
from archive.web import resources
from archive.web.app import create_app

RECORDS = [
    {"id": "k1", "title": "Quokka census", "text": "Rangers counted quokkas on Rottnest Island."},
    {"id": "k2", "title": "Wombat news", "text": "Wombats dig burrows near Canberra."},
]
LATE = {
    "id": "k3",
    "title": "Quokka habitat",
    "text": "The quokka lives on islands.",
    "published": "2021-06-01",
}


def write(path: Path, records: list[dict]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


@pytest.fixture
def home(tmp_path) -> Path:
    home = tmp_path / "home"
    report = import_paths([write(tmp_path / "a.jsonl", RECORDS)], home, with_entities=False)
    assert not report.failed
    return home


@pytest.fixture
def app(home):
    return create_app({"TESTING": True, "ARCHIVE_HOME": str(home)})


def request_searcher(app):
    """The searcher one request of the app uses (taken and given back as a real request does)."""
    with app.test_request_context("/api/search?q=quokka"):
        searcher = resources.get_searcher()
        assert searcher.search(SearchRequest(q="quokka"))["total"] >= 1
        resources.close_resources()
    return searcher


def quokka_total(app) -> int:
    response = app.test_client().get("/api/search?q=quokka")
    assert response.status_code == 200, response.data
    return response.get_json()["total"]


def test_a_request_reuses_the_searcher_of_the_one_before(app):
    first = request_searcher(app)
    second = request_searcher(app)
    assert second is first
    assert first.searcher is not None  # kept open between the requests


def test_every_commit_is_seen_by_the_next_request(app, home, tmp_path):
    assert quokka_total(app) == 1
    before = request_searcher(app)
    import_paths([write(tmp_path / "late.jsonl", [LATE])], home, with_entities=False)
    assert quokka_total(app) == 2
    after = request_searcher(app)
    assert after is not before
    assert before.searcher is None  # the stale searcher was closed, not leaked
    delete(["k1"], home)
    assert quokka_total(app) == 1
    reindex(home)  # swaps the whole index folder
    assert quokka_total(app) == 1
    response = app.test_client().get("/api/articles/k3")
    assert response.status_code == 200


def test_a_removed_archive_answers_503_not_a_stale_page(app, home):
    assert quokka_total(app) == 1
    for path in (home / "whoosh").iterdir():
        path.unlink()
    response = app.test_client().get("/api/search?q=quokka")
    assert response.status_code == 503


def test_a_commit_between_listing_the_index_and_reading_it_is_no_missing_archive(
    app, home, tmp_path, monkeypatch
):
    """An import's commit removes the table of contents a request has just listed: the request lists
    the folder again and sees the new commit, where it used to answer 503 "No archive" (seen once in CI,
    a request racing an import)."""
    import os

    from archive.search.whoosh import kept

    real_scandir = os.scandir
    listed = []

    def scandir_then_commit(path):
        if listed:
            return real_scandir(path)
        entries = list(real_scandir(path))
        # a real import commits right after this listing, removing the table it names
        listed.extend(int(m[1]) for e in entries if (m := kept.TOC_NAME.match(e.name)))
        report = import_paths([write(tmp_path / "late.jsonl", [LATE])], home, with_entities=False, workers=1)
        assert not report.failed
        return iter(entries)

    assert quokka_total(app) == 1
    monkeypatch.setattr(os, "scandir", scandir_then_commit)
    stamp = kept.archive_stamp(home)
    monkeypatch.undo()
    assert stamp[2] > max(listed)
    assert quokka_total(app) == 2


def test_gunicorn_keeps_the_connection_alive(home):
    from tests.web_fixtures import gunicorn  # here, not at import: pytest loads that module as a plugin

    with gunicorn(home, workers=1) as url:
        host, port = url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            totals = []
            for _ in range(3):
                connection.request("GET", "/api/search?q=quokka")
                response = connection.getresponse()
                body = response.read()
                assert response.status == 200
                assert response.getheader("Connection", "").lower() != "close"
                totals.append(json.loads(body)["total"])
            sockets = {connection.sock.getsockname()}
            connection.request("GET", "/api/search?q=wombats")
            connection.getresponse().read()
            sockets.add(connection.sock.getsockname())
        finally:
            connection.close()
    assert totals == [1, 1, 1]
    assert len(sockets) == 1  # every request went over the one connection
