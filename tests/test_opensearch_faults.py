"""Faults on a real cluster (issue 13): a node killed during searches, a node killed during an import,
the whole cluster down under the site and a writer.

Marked ``opensearch`` and run when ``ARCHIVE_TEST_SEARCH_URL`` is set (`make test`), but never on that
shared cluster: the module starts a throw-away two-node cluster of its own on other ports and kills its
nodes with ``SIGKILL``, as a crash would.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from archive.errors import ArchiveError
from archive.search.opensearch.client import connect
from archive.search.opensearch.engine import OpenSearchEngine
from archive.search.opensearch.migrate import move
from archive.search.opensearch.testing import url_for_tests
from archive.search.opensearch.writer import OpenSearchWriter
from archive.search.request import SearchRequest
from archive.store import Catalog

try:
    from tests.search_fixtures import search_home
except ImportError:  # run from inside tests/
    from search_fixtures import search_home

pytestmark = pytest.mark.opensearch
__all__ = ["search_home"]

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
#: Articles per commit of the import that loses a node: many commits, so the kill lands between two.
IMPORT_COMMIT_EVERY = 10
#: HTTP ports of the throw-away cluster (transport: +100); the shared one is on 9200/9201.
PORTS = (9230, 9231)
PREFIX = "faults"
#: Seconds a search may take: generous, so that a loaded machine's slow answer is not taken for a lost one.
BUDGET = 30.0
#: Searches whose totals must not change while a node dies.
QUERIES = ("zebrafish", "said", "police OR government", '"prime minister"', "president")


def _cluster_module():
    spec = importlib.util.spec_from_file_location("archive_test_cluster", ROOT / "opensearch" / "cluster.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if not url_for_tests():
        pytest.skip("no cluster: set ARCHIVE_TEST_SEARCH_URL (`make test` does) to run the fault tests")
    module = _cluster_module()
    if not (ROOT / "opensearch" / "target" / "classpath.txt").exists():
        pytest.skip("the OpenSearch node is not built: run `make opensearch` once")
    if any(module.answers(p) for p in PORTS):
        pytest.skip(f"ports {PORTS} are taken: another throw-away cluster is running")
    found = module.Cluster(tmp_path_factory.mktemp("faults-cluster"), PORTS, "archive-faults")
    assert found.start(quiet=True) == 0
    yield found
    found.stop(quiet=True)


@pytest.fixture(scope="module")
def home(cluster, search_home, tmp_path_factory):
    """The fixture archive, moved into the throw-away cluster."""
    copy = tmp_path_factory.mktemp("faults") / "home"
    shutil.copytree(search_home, copy)
    move(copy, cluster.url, prefix=PREFIX)
    return copy


def victim(cluster) -> str:
    """A node that is not the elected cluster manager: with two nodes, the survivor of the manager's
    death cannot elect itself (half the votes), so writes wait until it is back; reads go on either way."""
    manager = connect(cluster.url).cat.cluster_manager(format="json")[0]["node"]
    return next(name for name, _, _ in cluster.nodes if name != manager)


def back_to_green(cluster) -> None:
    assert cluster.start(quiet=True) == 0  # it waits until the cluster is green


def totals(engine) -> dict[str, int]:
    return {q: engine.search(SearchRequest(q=q), facets=False)["total"] for q in QUERIES}


def test_a_node_killed_during_searches_loses_no_answer(cluster, home):
    # the dead node first in the list: the client meets it and must go on to the live one
    dead = cluster.nodes[0][0]
    urls = cluster.url.split(",")
    engine = OpenSearchEngine(",".join(urls), prefix=PREFIX, time_budget=BUDGET)
    before = totals(engine)
    assert before["zebrafish"] > 0
    answers, failures = [], []
    stop = threading.Event()

    def search_on() -> None:
        with OpenSearchEngine(cluster.url, prefix=PREFIX, time_budget=BUDGET) as mine:
            while not stop.is_set():
                try:
                    answers.append(totals(mine))
                except Exception as exc:  # noqa: BLE001 - every failure is what the test counts
                    failures.append(exc)

    thread = threading.Thread(target=search_on)
    thread.start()
    try:
        time.sleep(1)
        cluster.kill(dead)
        time.sleep(5)
        after = totals(engine)  # a fresh round, the dead node first in the client's list
    finally:
        stop.set()
        thread.join()
        engine.close()
        back_to_green(cluster)
    assert failures == []
    assert len(answers) > 3 and all(a == before for a in answers)
    assert after == before


def test_a_node_killed_during_an_import_loses_no_article(cluster, tmp_path):
    """`archive import` into the cluster, a commit every few articles; a node dies after the first commit:
    the import finishes, every article is in the cluster and acknowledged in the catalog."""
    records = tmp_path / "wikinews.jsonl"
    shutil.copy(ROOT / "seeds" / "wikinews-en" / "articles.jsonl", records)
    home, prefix = tmp_path / "home", "faults-import"
    env = {
        **os.environ,
        "ARCHIVE_SEARCH_URL": cluster.url,
        "ARCHIVE_SEARCH_PREFIX": prefix,
        "ARCHIVE_COMMIT_EVERY": str(IMPORT_COMMIT_EVERY),
    }
    client = connect(cluster.url)
    client.indices.delete(index=f"{prefix}-*")
    node = victim(cluster)
    command = [str(BIN / "archive"), "import", str(records), "--home", str(home), "--no-entities", "--json"]
    with subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        try:
            while not _articles_in(client, prefix):  # the first commit is in
                assert proc.poll() is None, proc.stderr.read()
                time.sleep(0.1)
            cluster.kill(node)
            assert proc.poll() is None  # killed during the import, not after it
            out, err = proc.communicate(timeout=600)
        finally:
            proc.kill()
            back_to_green(cluster)
    assert proc.returncode == 0, err
    imported = json.loads(out)["imported"]
    with Catalog(home) as catalog:
        assert catalog.stats()["articles"] == imported > 2 * IMPORT_COMMIT_EVERY
        assert catalog.stats()["pending"] == 0
        assert catalog.unacknowledged(OpenSearchWriter(cluster.url, prefix=prefix).cluster) == []
    assert _articles_in(client, prefix) == imported


def _articles_in(client, prefix: str) -> int:
    found = client.indices.exists(index=f"{prefix}-articles")
    query = {"query": {"term": {"doc": "article"}}}
    return client.count(index=f"{prefix}-articles", body=query)["count"] if found else 0


def test_the_cluster_down_is_a_503_a_write_fails_clearly_and_both_recover(
    cluster, home, monkeypatch, tmp_path
):
    from archive.web.app import create_app

    monkeypatch.setenv("ARCHIVE_SEARCH_URL", cluster.url)
    monkeypatch.setenv("ARCHIVE_SEARCH_PREFIX", PREFIX)
    app = create_app({"TESTING": True, "ARCHIVE_HOME": str(home)})
    web = app.test_client()
    ok = web.get("/api/search?q=zebrafish")
    assert ok.status_code == 200
    total = ok.get_json()["total"]
    copy = tmp_path / "home"
    shutil.copytree(home, copy)
    writer = OpenSearchWriter(cluster.url, prefix="faults-down", retry_seconds=2, fresh=True)
    cluster.stop(quiet=True)
    try:
        down = web.get("/api/search?q=zebrafish")
        assert down.status_code == 503
        assert "Search is unavailable" in down.get_json()["error"]
        assert down.headers["Retry-After"]
        page = web.get("/search?q=zebrafish")
        assert page.status_code == 503 and b"Search unavailable" in page.data
        # a write that no node takes fails with the reason and leaves nothing acknowledged
        with Catalog(copy) as catalog:
            articles = list(catalog.iter_articles())[:3]
            with pytest.raises(ArchiveError, match="did not take 3 of 3 articles|No node"):
                writer.write(articles)
            writer.abandon()
            assert catalog.unacknowledged(writer.cluster)[:3] == sorted(a.id for a in articles)
    finally:
        back_to_green(cluster)
    again = web.get("/api/search?q=zebrafish")  # the same app: no restart
    assert again.status_code == 200 and again.get_json()["total"] == total
    writer.write(articles)  # the same writer, once the cluster is back
    with Catalog(copy) as catalog:
        writer.commit(catalog)
        assert set(catalog.unacknowledged(writer.cluster)).isdisjoint(a.id for a in articles)
