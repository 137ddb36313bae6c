"""Searchers after imports, updates and deletions: new generations, deleted passages never counted."""

from __future__ import annotations

import json

import pytest

from archive.importer import delete, import_paths
from archive.search.request import SearchRequest
from archive.search.whoosh.engine import open_searcher

RECORDS = [
    {
        "id": "u1",
        "title": "Quokka census",
        "text": "Vladimir Putin counted quokkas in Moscow.",
        "published": "2021-05-02",
    },
    {
        "id": "u2",
        "title": "Quokka habitat",
        "text": "The quokka lives on Rottnest Island.",
        "published": "2021-06-01",
    },
    {
        "id": "u3",
        "title": "Wombat news",
        "text": "Wombats dig burrows near Canberra.",
        "published": "2020-01-09",
    },
]


def write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


@pytest.fixture
def home(tmp_path):
    home = tmp_path / "home"
    report = import_paths([write(tmp_path / "a.jsonl", RECORDS)], home)
    assert not report.failed
    return home


def total(home, **kwargs) -> int:
    with open_searcher(home) as s:
        return s.search(SearchRequest(**kwargs))["total"]


def test_a_deleted_article_is_gone_from_results_and_facets(home):
    with open_searcher(home) as before:
        assert before.search(SearchRequest(q="quokka"))["total"] == 2
        old_cache = before.cache
    delete(["u1"], home)
    with open_searcher(home) as after:
        assert after.cache is not old_cache
        res = after.search(SearchRequest(q="quokka"))
        assert [r["id"] for r in res["results"]] == ["u2"]
        assert all(f["key"] != "putin_vladimir" for f in res["facets"]["person"])
        assert after.search(SearchRequest(persons=["Putin"]))["total"] == 0
        assert after.search(SearchRequest())["total"] == 2


def test_an_updated_article_is_counted_once_with_its_new_content(home, tmp_path):
    changed = dict(RECORDS[2], text="Wombats and a quokka dig burrows near Canberra.", published="2022-02-02")
    import_paths([write(tmp_path / "b.jsonl", [changed])], home)
    assert total(home) == 3
    assert total(home, q="quokka") == 3
    assert total(home, q="wombats", date_from="2020", date_to="2020") == 0
    assert total(home, q="wombats", date_from="2022-02") == 1


def test_a_searcher_keeps_its_view_while_an_import_commits(home, tmp_path):
    with open_searcher(home) as s:
        import_paths([write(tmp_path / "c.jsonl", [dict(RECORDS[0], id="u4", title="Quokka again")])], home)
        assert s.search(SearchRequest(q="quokka"))["total"] == 2
    assert total(home, q="quokka") == 3
