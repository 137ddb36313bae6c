"""What a search answers besides its hits (issue 10 items 3, 4, 5, 9; issue 15 High 2): notices, an
empty archive, newest by time of day, whole result sets outside the site's budget, suggestions inside it.
"""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.search.whoosh.engine import EMPTY_ARCHIVE_NOTICE, ArchiveSearcher
from archive.web.app import create_app

SAME_DAY = [
    {"id": "morning", "title": "Open", "text": "Oil opened higher.", "published": "1987-03-02T09:15:00"},
    {"id": "evening", "title": "Close", "text": "Oil closed lower.", "published": "1987-03-02T18:40:00"},
    {"id": "noon", "title": "Midday", "text": "Oil traded flat.", "published": "1987-03-02T12:05:30"},
    {"id": "day-only", "title": "Week", "text": "Oil ended the week.", "published": "1987-03-01"},
]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def imported(tmp_path, records: list[dict]):
    source = tmp_path / "records.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    home = tmp_path / "home"
    code, out, err = run("import", str(source), "--home", str(home), "--quiet")
    return home, code


@pytest.fixture(scope="module")
def day_home(tmp_path_factory):
    home, code = imported(tmp_path_factory.mktemp("day"), SAME_DAY)
    assert code == 0
    return home


def cli_json(home, *args: str) -> dict:
    code, out, err = run("search", *args, "--json", "--home", str(home))
    assert code == 0, err
    return json.loads(out)


def test_newest_orders_by_time_of_day(day_home):
    newest = [r["id"] for r in cli_json(day_home, "oil", "--sort", "newest")["results"]]
    assert newest == ["evening", "noon", "morning", "day-only"]
    oldest = [r["id"] for r in cli_json(day_home, "oil", "--sort", "oldest")["results"]]
    assert oldest == ["day-only", "morning", "noon", "evening"]


@pytest.mark.parametrize("how", ["every input failed", "no commit yet"])
def test_an_empty_archive_answers_zero(tmp_path, how):
    if how == "every input failed":
        home, code = imported(tmp_path, [{"id": "x", "title": "no body"}])
        assert code == 1
    else:  # the state an import killed before its first commit leaves: an index with no segment
        from archive.search.whoosh.index import create_index
        from archive.store import Catalog

        home = tmp_path / "home"
        create_index(home)
        Catalog(home, create=True).close()
    code, out, err = run("search", "oil", "--json", "--home", str(home))
    assert code == 0, err
    answer = json.loads(out)
    assert answer["total"] == 0 and answer["results"] == []
    assert EMPTY_ARCHIVE_NOTICE in answer["notices"]
    client = create_app({"TESTING": True, "ARCHIVE_HOME": str(home)}).test_client()
    api = client.get("/api/search?q=oil")
    assert api.status_code == 200 and api.get_json()["total"] == 0
    page = client.get("/search?q=oil")
    assert page.status_code == 200
    assert "no articles yet" in page.get_data(as_text=True)
    assert client.get("/search").status_code == 200
    code, out, err = run("check", "--home", str(home))
    assert code == 0, out + err


@pytest.mark.parametrize(
    "query, args, says",
    [
        ("foo:oil", [], "foo: is not a field"),
        ("!!!", [], "no words that can be searched for"),
        ("oil", ["--exact"], "Exact mode matches capitals as typed"),
    ],
)
def test_notices_say_what_happened(day_home, query, args, says):
    answer = cli_json(day_home, query, *args)
    assert any(says in n for n in answer["notices"]), answer["notices"]
    code, out, err = run("search", query, *args, "--home", str(day_home))
    assert code == 0 and says in err


def test_a_field_name_in_capitals_is_read_as_the_field(day_home):
    answer = cli_json(day_home, "Title:Close")
    assert [r["id"] for r in answer["results"]] == ["evening"]
    assert any("title:" in n for n in answer["notices"])
    assert cli_json(day_home, "oil")["notices"] == []


def test_notices_are_shown_on_the_results_page(day_home):
    client = create_app({"TESTING": True, "ARCHIVE_HOME": str(day_home)}).test_client()
    page = client.get("/search?q=foo:oil").get_data(as_text=True)
    assert "foo: is not a field" in page


def test_no_suggestion_for_a_query_with_results(seed_home):
    answer = cli_json(seed_home, "Lukashenko")
    assert answer["total"] > 0 and answer["suggestion"] is None
    assert cli_json(seed_home, "electoin")["suggestion"] == "election"


def test_did_you_mean_stays_inside_the_budget(seed_home):
    """Issue 15 High 2: 32 unknown 30-letter capitalised words took 9.5 s on this archive."""
    words = " ".join(("Q" + "xzqwvk" * 5)[:29] + chr(ord("a") + i % 26) for i in range(32))
    client = create_app({"TESTING": True, "ARCHIVE_HOME": str(seed_home)}).test_client()
    client.get("/api/search?q=warm")
    started = time.monotonic()
    response = client.get("/api/search", query_string={"q": words})
    took = time.monotonic() - started
    assert response.status_code == 200
    assert took < 3.0, f"{took:.1f} s for a 1 s budget"


def test_whole_result_sets_are_not_cut_by_the_site_budget(day_home, monkeypatch):
    """The CLI and the export run under their own budget: with the site's budget at zero they still
    answer (the site's search then stops, as it must)."""
    monkeypatch.setattr(ArchiveSearcher.__init__, "__defaults__", (None, 0.0))
    code, out, err = run("search", "oil", "--limit", "100000", "--json", "--home", str(day_home))
    assert code == 0, err
    assert json.loads(out)["total"] == 4
    client = create_app({"TESTING": True, "ARCHIVE_HOME": str(day_home), "SEARCH_TIME_BUDGET": 1e-9})
    client = client.test_client()
    export = client.get("/export.json?q=oil")
    assert export.status_code == 200
    assert client.get("/api/search?q=oil").status_code != 200


def test_an_index_from_an_older_analysis_asks_for_a_reindex(day_home, tmp_path):
    """An index keeps the analyzer it was built with: searches then say `archive reindex`."""
    import shutil

    from whoosh.analysis import StandardAnalyzer
    from whoosh.index import TOC

    from archive.search.analysis import is_current
    from archive.search.request import SearchRequest
    from archive.search.whoosh.engine import OLD_INDEX_NOTICE, open_searcher
    from archive.search.whoosh.index import open_index

    home = tmp_path / "old"
    shutil.copytree(day_home, home)
    ix = open_index(home)
    schema = ix.schema
    schema["body"].analyzer = StandardAnalyzer()  # what an older version pickled into the index
    TOC(schema, ix._segments(), ix.latest_generation() + 1).write(ix.storage, ix.indexname)
    assert not is_current(open_index(home).schema)
    with open_searcher(home) as searcher:
        assert OLD_INDEX_NOTICE in searcher.search(SearchRequest(q="oil"))["notices"]
    code, out, err = run("reindex", "--home", str(home))
    assert code == 0, out + err
    with open_searcher(home) as searcher:
        assert searcher.search(SearchRequest(q="oil"))["notices"] == []
