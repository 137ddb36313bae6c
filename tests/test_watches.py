"""Watches: the CLI (add, list, remove, run, the import report), the /watches page, the Atom feed, login/CSRF."""

from __future__ import annotations

import base64
import json
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from lxml import etree

from archive.cli import cli

ROOT = Path(__file__).resolve().parents[1]
WIKINEWS = ROOT / "seeds" / "wikinews-en" / "articles.jsonl"
ATOM = "{http://www.w3.org/2005/Atom}"
PASSWORD = "correct horse battery"
HOSTILE_TITLE = 'Killed <script>alert(1)</script> & "quoted" \x07 title'


def archive(*args: str, home: Path, stdin: str | None = None):
    return CliRunner().invoke(cli, [*args, "--home", str(home)], input=stdin)


def ok(*args: str, home: Path) -> str:
    result = archive(*args, home=home)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    """Two batches of Wikinews records (the second with a hostile title) as JSON Lines files."""
    folder = tmp_path_factory.mktemp("watch-inputs")
    lines = WIKINEWS.read_text(encoding="utf-8").splitlines()
    first, second = folder / "first.jsonl", folder / "second.jsonl"
    first.write_text("\n".join(lines[:15]) + "\n", encoding="utf-8")
    hostile = {
        "id": "hostile-watch",
        "title": HOSTILE_TITLE,
        "text": "Police said two were killed.",
        "published": "2019-03-01",
    }
    second.write_text("\n".join([*lines[15:25], json.dumps(hostile)]) + "\n", encoding="utf-8")
    return {"first": first, "second": second}


@pytest.fixture
def home(tmp_path, inputs) -> Path:
    """An archive holding the first batch."""
    home = tmp_path / "home"
    ok("import", str(inputs["first"]), "--no-entities", "--quiet", "--workers", "1", home=home)
    return home


def search_ids(home: Path, query: str, *args: str) -> set[str]:
    found = json.loads(ok("search", query, "--json", "--limit", "1000", *args, home=home))
    return {hit["id"] for hit in found["results"]}


def run_json(home: Path) -> dict[str, dict]:
    return {entry["name"]: entry for entry in json.loads(ok("watch", "run", "--json", home=home))}


def sql(home: Path, statement: str, *params) -> None:
    with sqlite3.connect(home / "catalog.sqlite") as db:
        db.execute(statement, params)


# -- the command line -----------------------------------------------------------------------------


def test_add_list_remove(home):
    assert "Added watch killed" in ok("watch", "add", "killed", "killed", "--from", "2019-01", home=home)
    listed = json.loads(ok("watch", "list", "--json", home=home))
    assert [(w["name"], w["query"], w["filters"]) for w in listed] == [
        ("killed", "killed", {"from": "2019-01"})
    ]
    assert listed[0]["search"] == "/search?q=killed&from=2019-01"

    again = archive("watch", "add", "killed", "other", home=home)
    assert again.exit_code == 1 and "already a watch named 'killed'" in again.output
    bad_name = archive("watch", "add", "no/slash", "x", home=home)
    assert bad_name.exit_code == 1 and "A watch name is" in bad_name.output
    nothing = archive("watch", "add", "empty", "", home=home)
    assert nothing.exit_code == 1 and "needs words to search for or a filter" in nothing.output
    bad_date = archive("watch", "add", "date", "x", "--from", "2019-13", home=home)
    assert bad_date.exit_code == 2 and "has no month 13" in bad_date.output

    assert "Removed watch killed" in ok("watch", "remove", "killed", home=home)
    missing = archive("watch", "remove", "killed", home=home)
    assert missing.exit_code == 1 and "No watch named 'killed'" in missing.output
    assert json.loads(ok("watch", "list", "--json", home=home)) == []


def test_run_reports_what_arrived_then_nothing(home, inputs):
    ok("watch", "add", "killed", "killed", home=home)
    ok("watch", "add", "butterfly", "butterfly", home=home)
    assert {n: e["new"] for n, e in run_json(home).items()} == {
        "butterfly": [],
        "killed": [],
    }  # arrived before

    report = json.loads(
        ok("import", str(inputs["second"]), "--json", "--no-entities", "--workers", "1", home=home)
    )
    batch = {i["id"] for i in report["items"] if i["status"] == "imported"}
    expected = {name: search_ids(home, name) & batch for name in ("killed", "butterfly")}
    assert expected["killed"] and expected["butterfly"]  # the second batch brings matches for both
    assert report["watches"] == [
        {"name": "butterfly", "new": len(expected["butterfly"])},
        {"name": "killed", "new": len(expected["killed"])},
    ]

    first = run_json(home)
    assert {n: {a["id"] for a in e["new"]} for n, e in first.items()} == expected
    item = next(a for a in first["killed"]["new"] if a["id"] == "hostile-watch")
    shown = json.loads(ok("show", "hostile-watch", "--json", home=home))
    assert (item["title"], item["published"]) == (shown["title"], "2019-03-01")
    assert set(item) == {"id", "title", "published", "source", "url"}
    assert all(not e["new"] for e in run_json(home).values())  # a second run right after: nothing new
    (home / "whoosh").rename(home / "whoosh-away")  # ... and it searches nothing: the index is not opened
    assert all(not e["new"] for e in run_json(home).values())
    (home / "whoosh-away").rename(home / "whoosh")
    text = ok("watch", "run", home=home)
    assert "killed: 0 new" in text and "butterfly: 0 new" in text


def test_a_watch_keeps_its_language_filter(home, inputs):
    ok("watch", "add", "killed-en", "killed", "--language", "en", home=home)
    ok("watch", "add", "killed-ru", "killed", "--language", "ru", home=home)
    listed = {w["name"]: w for w in json.loads(ok("watch", "list", "--json", home=home))}
    assert listed["killed-ru"]["filters"] == {"language": "ru"}
    assert listed["killed-ru"]["search"] == "/search?q=killed&language=ru"
    ok("import", str(inputs["second"]), "--no-entities", "--quiet", "--workers", "1", home=home)
    arrived = {a["id"] for a in run_json_preview(home, "killed-en")}
    assert arrived and arrived <= search_ids(home, "killed", "--language", "en")
    assert run_json(home)["killed-ru"]["new"] == []  # the archive's articles are in English
    bad = archive("watch", "add", "bad", "killed", "--language", "english", home=home)
    assert bad.exit_code == 2 and "ISO 639-1" in bad.output


def test_a_run_with_nothing_new_loads_no_search_engine(home):
    """`archive watch run` is a new process each time: with nothing arrived it reads the catalog only."""
    ok("watch", "add", "killed", "killed", home=home)
    script = (
        "import json, sys\n"
        "from click.testing import CliRunner\n"
        "from archive.cli import cli\n"
        f"result = CliRunner().invoke(cli, ['watch', 'run', '--json', '--home', {str(home)!r}])\n"
        "assert result.exit_code == 0, result.output\n"
        "heavy = ('numpy', 'archive.search.whoosh.engine', 'archive.entities')\n"
        "print(json.dumps([json.loads(result.stdout), sorted(m for m in heavy if m in sys.modules)]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    report, loaded = json.loads(done.stdout.splitlines()[-1])
    assert report == [{"name": "killed", "query": "killed", "new": [], "error": None}] and loaded == []


def test_the_pending_lookup_of_every_run_uses_the_partial_index(home):
    """The oldest pending article is found through ``articles_state`` (pending rows only), not by walking
    every article in arrival order (0.1-0.2 s at 100,000 articles)."""
    from archive.store import Catalog

    with Catalog(home) as catalog:
        statements: list[str] = []
        catalog.db.set_trace_callback(statements.append)
        assert catalog.oldest_pending() is None
        catalog.db.set_trace_callback(None)
        [statement] = statements
        plan = " ".join(row[-1] for row in catalog.db.execute("EXPLAIN QUERY PLAN " + statement))
    assert "USING INDEX articles_state" in plan, plan


def test_updated_article_is_new_again(home, tmp_path):
    ok("watch", "add", "killed", "killed", home=home)
    article = json.loads(ok("show", sorted(search_ids(home, "killed"))[0], "--json", home=home))
    changed = {
        "id": article["id"],
        "title": article["title"],
        "text": article["text"] + "\n\nUpdated: more killed.",
    }
    path = tmp_path / "update.jsonl"
    path.write_text(json.dumps(changed) + "\n", encoding="utf-8")
    ok("import", str(path), "--no-entities", "--quiet", "--workers", "1", home=home)
    assert [a["id"] for a in run_json(home)["killed"]["new"]] == [article["id"]]


def test_pending_article_is_reported_once_indexed(home, inputs):
    """An article staged before a run but committed to the index after it (an import in progress, or one
    killed and recovered later) is reported by the run after its commit, not lost."""
    ok("watch", "add", "killed", "killed", home=home)
    long_ago = time.time() - 3600
    sql(home, "UPDATE watches SET since = ?", long_ago)
    [late, *_] = sorted(search_ids(home, "killed"))
    sql(home, "UPDATE articles SET state = 'pending', updated_at = ? WHERE id = ?", long_ago + 600, late)
    first = {a["id"] for a in run_json(home)["killed"]["new"]}
    assert late not in first and first  # the others that arrived since are reported
    sql(home, "UPDATE articles SET state = 'indexed' WHERE id = ?", late)  # what recovery does
    assert [a["id"] for a in run_json(home)["killed"]["new"]] == [late]
    assert run_json(home)["killed"]["new"] == []


def test_watches_survive_reindex(home):
    ok("watch", "add", "killed", "killed", "--from", "2019", home=home)
    assert "Reindexed" in ok("reindex", "--workers", "1", home=home)
    assert [w["name"] for w in json.loads(ok("watch", "list", "--json", home=home))] == ["killed"]
    assert run_json(home)["killed"] == {"name": "killed", "query": "killed", "new": [], "error": None}


def test_a_watch_that_no_longer_parses_says_so_and_the_others_run(home, inputs):
    ok("watch", "add", "broken", "killed", home=home)
    ok("watch", "add", "killed", "killed", home=home)
    # a query saved under older rules that the current ones refuse (too long)
    sql(home, "UPDATE watches SET request = ? WHERE name = 'broken'", json.dumps({"q": "killed " * 300}))
    ok("import", str(inputs["second"]), "--no-entities", "--quiet", "--workers", "1", home=home)
    result = archive("watch", "run", "--json", home=home)
    assert result.exit_code == 1
    report = {e["name"]: e for e in json.loads(result.stdout)}
    assert report["broken"]["error"].startswith("This watch's search no longer runs: The query is")
    assert report["killed"]["error"] is None and report["killed"]["new"]
    text = archive("watch", "run", home=home)
    assert "broken: This watch's search no longer runs" in text.output


def test_an_archive_older_than_watches_gains_them(home):
    sql(home, "DROP TABLE watches")
    sql(home, "DROP TABLE watch_seen")
    sql(home, "DROP INDEX articles_updated")
    listed = archive("watch", "list", home=home)
    assert listed.exit_code == 0 and "No watches" in listed.output
    ok("watch", "add", "killed", "killed", home=home)
    assert run_json(home)["killed"]["new"] == []


def test_import_report_without_watches_has_an_empty_list(tmp_path, inputs):
    report = json.loads(
        ok("import", str(inputs["first"]), "--json", "--no-entities", "--workers", "1", home=tmp_path / "h")
    )
    assert report["watches"] == []


QUERIES = [
    {"q": "killed"},
    {"q": "police killed"},
    {"q": "police OR butterfly"},
    {"q": "killed -police"},
    {"q": '"two were killed"'},
    {"q": "kill*"},
    {"q": "killed", "from": "2019-02"},
    {"from": "2019"},
]


@pytest.mark.parametrize("args", QUERIES, ids=[json.dumps(a) for a in QUERIES])
def test_a_search_among_the_arrivals_is_the_whole_search_cut_to_them(home, inputs, args):
    """What a watch run asks the engine: the search restricted to the new articles, reading only the
    index segments that hold them, answers exactly what the whole search says about them."""
    from archive.search.request import SearchRequest
    from archive.search.whoosh.engine import open_searcher
    from archive.search.whoosh.evaluate import Evaluator

    report = json.loads(
        ok("import", str(inputs["second"]), "--json", "--no-entities", "--workers", "1", home=home)
    )
    batch = [i["id"] for i in report["items"] if i["status"] == "imported"]
    with open_searcher(home) as searcher:
        cache = searcher.cache
        ordinals = cache.ordinals([*batch, "no-such-article"])
        assert (ordinals[:-1] >= 0).all() and ordinals[-1] == -1
        among = np.zeros(cache.article_count, dtype=bool)
        among[ordinals[:-1]] = True
        req = SearchRequest.from_args(args)
        whole = searcher.select(req, time.monotonic() + 60).selected
        cut = searcher.select(req, time.monotonic() + 60, among=among).selected
        assert np.array_equal(cut, whole & among)
        assert cut.any() or not (whole & among).any()
        scope = Evaluator(searcher.searcher, cache, time.monotonic() + 60, among[cache.doc_article])
        segments = searcher.searcher.reader().leaf_readers()
        assert len(segments) >= 2 and scope.segments == {segments[-1][1]}  # the old segment is not read


# -- the site ---------------------------------------------------------------------------------------


@pytest.fixture
def watched(home, inputs) -> Path:
    """The archive with a watch on "killed", run once, then the second batch imported."""
    ok("watch", "add", "killed", "killed", home=home)
    run_json(home)
    ok("import", str(inputs["second"]), "--no-entities", "--quiet", "--workers", "1", home=home)
    return home


def make_client(home: Path, users: Path | None = None):
    from archive.web.app import create_app

    config = {"TESTING": True, "ARCHIVE_HOME": str(home), "SEARCH_TIME_BUDGET": 10.0}
    if users is not None:
        config["ARCHIVE_USERS"] = str(users)
    return create_app(config).test_client()


@pytest.fixture
def users(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("ARCHIVE_USERS", raising=False)
    path = tmp_path / "users.json"
    result = CliRunner().invoke(
        cli, ["users", "add", "alice"], input=PASSWORD + "\n", env={"ARCHIVE_USERS": str(path)}
    )
    assert result.exit_code == 0, result.output
    return path


def csrf(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def login(client) -> None:
    response = client.post(
        "/login", data={"csrf_token": csrf(client, "/login"), "name": "alice", "password": PASSWORD}
    )
    assert response.status_code == 302


def basic() -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"alice:{PASSWORD}".encode()).decode()}


def test_watches_page_lists_new_matches_without_marking_them(watched):
    client = make_client(watched)
    expected = search_ids(watched, "killed") & {a["id"] for a in run_json_preview(watched)}
    for _ in range(2):  # the page marks nothing: the same matches each time
        soup = BeautifulSoup(client.get("/watches").data, "html.parser")
        item = soup.select_one('.watch[data-name="killed"]')
        assert {li["data-id"] for li in item.select(".watch-new li")} == expected
        assert item.select_one(".watch-count .count").text == str(len(expected))
        assert item.select_one(".watch-feed")["href"] == "/watches/killed.atom"
    # an open archive: no add or remove forms, and a post is refused with the way to add one
    assert soup.select(".watch-remove") == []
    refused = client.post("/watches", data={"name": "x", "q": "police"})
    assert refused.status_code == 403 and b"archive watch add" in refused.data
    assert {a["id"] for a in run_json(watched)["killed"]["new"]} == expected  # still new for the CLI


def run_json_preview(home: Path, name: str = "killed") -> list[dict]:
    """The watch's new matches as the library sees them, without marking (an independent read)."""
    from archive import watches

    return next(e for e in watches.run(home, mark=False) if e["name"] == name)["new"]


def test_feed_is_valid_atom_with_every_field_escaped(watched):
    client = make_client(watched)
    response = client.get("/watches/killed.atom")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    feed = etree.fromstring(response.data)  # well-formed XML, or this raises
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") == "http://localhost/watches/killed.atom"
    assert feed.findtext(f"{ATOM}title") == "Watch killed: killed"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", feed.findtext(f"{ATOM}updated"))
    entries = feed.findall(f"{ATOM}entry")
    assert {e.findtext(f"{ATOM}id").rsplit("/", 1)[1] for e in entries} == search_ids(watched, "killed")
    hostile = next(e for e in entries if e.findtext(f"{ATOM}id").endswith("/articles/hostile-watch"))
    shown = json.loads(ok("show", "hostile-watch", "--json", home=watched))["title"]
    assert "<script>" in shown and hostile.findtext(f"{ATOM}title") == shown  # escaped, and read back as is
    assert hostile.find(f"{ATOM}link").get("href") == "http://localhost/articles/hostile-watch"
    for entry in entries:
        assert entry.findtext(f"{ATOM}updated") and entry.findtext(f"{ATOM}title")
    assert client.get("/watches/nobody.atom").status_code == 404


def test_private_archive_feed_needs_basic_and_page_needs_login(watched, users):
    client = make_client(watched, users)
    challenged = client.get("/watches/killed.atom")
    assert challenged.status_code == 401 and challenged.headers["WWW-Authenticate"].startswith("Basic")
    assert client.get("/watches").status_code == 302  # the login form
    feed = client.get("/watches/killed.atom", headers=basic())
    assert feed.status_code == 200 and etree.fromstring(feed.data).tag == f"{ATOM}feed"
    assert feed.headers["Cache-Control"] == "private, no-store"
    # HTTP Basic reads, but cannot post a form (no session, no CSRF token)
    assert client.post("/watches", data={"name": "x", "q": "police"}, headers=basic()).status_code == 403


def test_watch_this_search_needs_login_and_csrf(watched, users):
    client = make_client(watched, users)
    login(client)
    soup = BeautifulSoup(client.get("/search?q=police&from=2019").data, "html.parser")
    form = soup.select_one("form.watch-this")
    fields = {i["name"]: i.get("value") for i in form.select("input")}
    assert form["action"] == "/watches" and form["method"] == "post"
    assert fields["q"] == "police" and fields["from"] == "2019" and fields["csrf_token"]
    assert soup.select_one("a.add-to-batch")["href"] == "/batch?q=police&from=2019"

    token = fields.pop("csrf_token")
    assert client.post("/watches", data={**fields, "name": "police"}).status_code == 400
    assert (
        client.post("/watches", data={**fields, "name": "police", "csrf_token": "forged"}).status_code == 400
    )
    fields["csrf_token"] = token
    added = client.post("/watches", data={**fields, "name": "police"})
    assert added.status_code == 303 and added.headers["Location"] == "/watches"
    listed = json.loads(ok("watch", "list", "--json", home=watched))
    police = next(w for w in listed if w["name"] == "police")
    assert police["filters"] == {"from": "2019"} and police["created_by"] == "alice"
    by_language = {**fields, "name": "police-en", "language": "en"}
    assert client.post("/watches", data=by_language).status_code == 303
    listed = json.loads(ok("watch", "list", "--json", home=watched))
    assert next(w for w in listed if w["name"] == "police-en")["filters"] == {
        "from": "2019",
        "language": "en",
    }

    duplicate = client.post("/watches", data={**fields, "name": "police"})
    assert duplicate.status_code == 400 and b"already a watch" in duplicate.data
    page = BeautifulSoup(client.get("/watches").data, "html.parser")
    remove = page.select_one('.watch[data-name="police"] form.watch-remove')
    token = remove.select_one('input[name="csrf_token"]')["value"]
    assert client.post(remove["action"], data={"csrf_token": token}).status_code == 303
    assert "police" not in {w["name"] for w in json.loads(ok("watch", "list", "--json", home=watched))}


def test_page_says_when_a_watch_no_longer_parses(watched):
    ok("watch", "add", "broken", "killed", home=watched)
    sql(watched, "UPDATE watches SET request = ? WHERE name = 'broken'", json.dumps({"q": "x" * 2000}))
    client = make_client(watched)
    soup = BeautifulSoup(client.get("/watches").data, "html.parser")
    assert "no longer runs" in soup.select_one('.watch[data-name="broken"] .watch-error').text
    assert soup.select('.watch[data-name="killed"] .watch-new li')  # the other watch still shows
    feed = etree.fromstring(client.get("/watches/broken.atom").data)
    assert "no longer runs" in feed.findtext(f"{ATOM}subtitle") and not feed.findall(f"{ATOM}entry")
