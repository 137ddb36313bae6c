"""The cluster's write side (issue 13): commits, replacements, deletes, the registry copy, and a move
(`archive reindex --to URL`) that continues after a kill.

Marked ``opensearch``; they run against ``ARCHIVE_TEST_SEARCH_URL`` (`make test` starts a cluster and sets
it) and skip without it. Each test works on its own index prefix and drops it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from archive.search.opensearch import layout
from archive.search.opensearch.client import connect
from archive.search.opensearch.migrate import move
from archive.search.opensearch.testing import drop, url_for_tests
from archive.search.opensearch.writer import OpenSearchWriter
from archive.store import Catalog

try:
    from tests.search_fixtures import search_home
except ImportError:  # run from inside tests/
    from search_fixtures import search_home

pytestmark = pytest.mark.opensearch

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
__all__ = ["search_home"]


@pytest.fixture(scope="module")
def url():
    found = url_for_tests()
    if not found:
        pytest.skip("no cluster: set ARCHIVE_TEST_SEARCH_URL (`make test` starts one and sets it)")
    return found


@pytest.fixture
def prefix(url):
    name = f"test-writes-{uuid.uuid4().hex[:8]}"
    yield name
    drop(url, name)


@pytest.fixture
def home(search_home, tmp_path):
    """A copy of the fixture archive that a test may change."""
    copy = tmp_path / "home"
    shutil.copytree(search_home, copy)
    return copy


def counts(url: str, prefix: str, article_id: str | None = None) -> tuple[int, int]:
    """(article documents, passage documents) a search sees, of one article or of all."""
    client, index = connect(url), layout.index_names(prefix).articles
    out = []
    for kind in (layout.ARTICLE, layout.PASSAGE):
        clauses: list[dict] = [{"term": {layout.JOIN: kind}}]
        if article_id:
            field = "_id" if kind == layout.ARTICLE else f"{layout.JOIN}#{layout.ARTICLE}"
            clauses.append({"term": {field: article_id}})
        out.append(client.count(index=index, body={"query": {"bool": {"filter": clauses}}})["count"])
    return out[0], out[1]


def registry_keys(url: str, prefix: str, kind: str) -> dict[str, int]:
    client = connect(url)
    hits = client.search(
        index=layout.index_names(prefix).registry,
        body={"query": {"term": {"kind": kind}}, "size": 10_000},
    )["hits"]["hits"]
    return {h["_source"]["key"]: h["_source"]["articles"] for h in hits}


def generation(url: str, prefix: str) -> int:
    doc = connect(url).get(index=layout.index_names(prefix).meta, id=layout.META_ID)
    return doc["_source"]["generation"]


def test_a_move_puts_every_article_passage_and_registry_entry_in_the_cluster(url, prefix, home):
    assert move(home, url, prefix=prefix) > 0
    with Catalog(home) as catalog:
        articles = list(catalog.iter_articles())
        writer = OpenSearchWriter(url, prefix=prefix)
        assert catalog.unacknowledged(writer.cluster) == []
        persons = {
            r[0]: r[1]
            for r in catalog.db.execute(
                "SELECT key, count(DISTINCT article_id) FROM article_persons GROUP BY key"
            )
        }
    assert counts(url, prefix) == (len(articles), sum(max(len(a.passages), 1) for a in articles))
    assert registry_keys(url, prefix, "person") == persons
    assert generation(url, prefix) == 1
    # moving again sends nothing: every current version is acknowledged
    assert move(home, url, prefix=prefix) == 0
    assert counts(url, prefix) == (len(articles), sum(max(len(a.passages), 1) for a in articles))


def test_writes_are_seen_only_after_commit_and_replace_or_delete_every_passage(url, prefix, home):
    move(home, url, prefix=prefix)
    with Catalog(home) as catalog:
        long = max(catalog.iter_articles(), key=lambda a: len(a.passages))
        assert len(long.passages) >= 3
        first = long.passages[0]
        short = dataclasses.replace(long, text=long.text[: first.end], passages=[first], content_hash="short")
        writer = OpenSearchWriter(url, prefix=prefix)
        writer.write([short])
        assert counts(url, prefix, long.id) == (1, len(long.passages))  # not committed: the old version
        writer.commit(catalog)
        assert counts(url, prefix, long.id) == (1, 1)
        # long then short in one session: the long version's passages were never searchable
        writer.write([long])
        writer.write([short])
        writer.commit(catalog)
        assert counts(url, prefix, long.id) == (1, 1)
        # a delete takes the article, its passages, its acknowledgement and its own registry entries,
        # though the catalog forgets the article only after the cluster's commit (as `archive delete`)
        only_here = {p.key for p in long.persons} - {
            p.key for a in catalog.iter_articles() if a.id != long.id for p in a.persons
        }
        assert only_here and only_here <= set(registry_keys(url, prefix, "person"))
        writer.write([], delete=[long.id])
        writer.commit(catalog)
        catalog.delete_articles([long.id])
        catalog.commit()
        assert counts(url, prefix, long.id) == (0, 0)
        assert not only_here & set(registry_keys(url, prefix, "person"))
        acked = catalog.db.execute(
            "SELECT count(*) FROM cluster_acks WHERE cluster = ? AND article_id = ?",
            (writer.cluster, long.id),
        ).fetchone()[0]
        assert acked == 0
    assert generation(url, prefix) == 4


def test_a_killed_move_continues_with_exactly_what_was_not_acknowledged(url, prefix, home):
    """`kill -9` a move after its first checkpoint; `archive reindex --to` then sends only the rest."""
    script = (
        "import sys, time; from pathlib import Path; from archive.search.opensearch.migrate import move\n"
        "def slow(done, total):\n    print(done, flush=True); time.sleep(30)\n"
        f"move(Path({str(home)!r}), {url!r}, prefix={prefix!r}, batch=10, progress=slow)\n"
    )
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout.readline().strip() == "10"  # the first batch is acknowledged
        finally:
            os.kill(proc.pid, signal.SIGKILL)
    with Catalog(home) as catalog:
        total = catalog.stats()["articles"]
        writer = OpenSearchWriter(url, prefix=prefix)
        left = catalog.unacknowledged(writer.cluster)
    assert len(left) == total - 10
    env = {**os.environ, "ARCHIVE_SEARCH_PREFIX": prefix}
    done = subprocess.run(
        [str(BIN / "archive"), "reindex", "--home", str(home), "--to", url],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"Sent {total - 10} articles to {url}." in done.stdout
    assert f"Sent {total - 10:,}/{total - 10:,} articles" in done.stdout  # the progress lines
    assert counts(url, prefix)[0] == total


def test_import_search_and_show_with_search_url_need_no_home_to_read(url, prefix, wikinews_slice, tmp_path):
    """`--search-url` on import, search and show: the import writes the cluster, the readers need only it."""
    env = {**os.environ, "ARCHIVE_SEARCH_PREFIX": prefix}
    env.pop("ARCHIVE_SEARCH_URL", None)

    def archive(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(BIN / "archive"), *args], env=env, capture_output=True, text=True)

    home, nowhere = tmp_path / "home", tmp_path / "no-home"
    imported = archive(
        "import", str(wikinews_slice), "--home", str(home), "--no-entities", "--search-url", url
    )
    assert imported.returncode == 0, imported.stderr
    with Catalog(home) as catalog:
        total = catalog.stats()["articles"]
        first = next(catalog.iter_articles())
    assert counts(url, prefix)[0] == total > 0
    found = archive("search", "--search-url", url, "--home", str(nowhere), "--json", first.title.split()[0])
    assert found.returncode == 0, found.stderr
    assert first.id in {r["id"] for r in json.loads(found.stdout)["results"]}
    shown = archive("show", first.id, "--search-url", url, "--home", str(nowhere), "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["title"] == first.title
    assert archive("show", "no-such-article", "--search-url", url, "--home", str(nowhere)).returncode == 1
    assert not nowhere.exists()


def test_recovery_after_a_kill_sends_only_what_the_cluster_did_not_acknowledge(url, prefix, home):
    """A kill between the cluster's commit and the catalog's ``indexed`` leaves acknowledged articles
    ``pending``: recovery marks them indexed without sending them; the changed ones it sends."""
    from archive.home import Archive

    move(home, url, prefix=prefix)
    client, index = connect(url), layout.index_names(prefix).articles
    with Catalog(home) as catalog:
        articles = list(catalog.iter_articles())[:6]
        acked, changed = (
            articles[:3],
            [
                dataclasses.replace(a, title=a.title + " (corrected)", content_hash=a.content_hash + "-2")
                for a in articles[3:]
            ],
        )
        catalog.set_state([a.id for a in acked], "pending")
        catalog.stage_articles(changed)
        catalog.commit()
        versions = {a.id: client.get(index=index, id=a.id)["_version"] for a in articles}
        writer = OpenSearchWriter(url, prefix=prefix)
        assert Archive(home, url).recover(catalog, writer) == 6
        after = {a.id: client.get(index=index, id=a.id) for a in articles}
        assert all(after[a.id]["_version"] == versions[a.id] for a in acked)  # not sent again
        assert all(after[a.id]["_version"] > versions[a.id] for a in changed)
        assert all(after[a.id]["_source"]["data"]["title"].endswith("(corrected)") for a in changed)
        assert catalog.stats()["pending"] == 0
        assert catalog.unacknowledged(writer.cluster) == []


def test_a_web_node_with_the_url_needs_no_home(url, prefix, home, tmp_path, monkeypatch):
    """Any number of web nodes serve one archive: with the cluster's URL, the site reads nothing else."""
    from archive.web.app import create_app

    move(home, url, prefix=prefix)
    monkeypatch.setenv("ARCHIVE_SEARCH_PREFIX", prefix)
    with Catalog(home) as catalog:
        article = next(catalog.iter_articles())
        person = next(p.key for a in catalog.iter_articles() for p in a.persons)
    nowhere = tmp_path / "web-node"
    web = create_app({"TESTING": True, "ARCHIVE_HOME": str(nowhere), "SEARCH_URL": url}).test_client()
    found = web.get("/api/search", query_string={"q": article.title.split()[0]})
    assert found.status_code == 200 and article.id in {r["id"] for r in found.get_json()["results"]}
    assert web.get(f"/api/articles/{article.id}").get_json()["title"] == article.title
    assert web.get(f"/articles/{article.id}").status_code == 200
    assert web.get(f"/api/people/{person}").status_code == 200
    assert not nowhere.exists()
