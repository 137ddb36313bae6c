"""The local two-node OpenSearch cluster (`make opensearch`) and the OpenSearch engine's core (issue 13).

Marked ``opensearch``; `make test-opensearch` starts the cluster and runs them. Without a running cluster
(as in `make test`) the cluster tests skip with one line; the no-node test needs none and always runs.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from opensearchpy import helpers

from archive.errors import IndexMissing, SearchUnavailable
from archive.importer import prepare
from archive.readers import iter_records
from archive.search.opensearch import search as os_search
from archive.search.opensearch.client import connect
from archive.search.opensearch.layout import LAYOUTS, actions, index_body

pytestmark = pytest.mark.opensearch

ROOT = Path(__file__).resolve().parents[1]
URLS = ["http://127.0.0.1:9200", "http://127.0.0.1:9201"]
SEEDS = ROOT / "seeds" / "wikinews-en" / "articles.jsonl"
#: Real articles indexed: enough for facets with several values, few enough for NER in seconds.
ARTICLES = 40


def answers(url: str) -> bool:
    try:
        with socket.create_connection(tuple(url.removeprefix("http://").split(":")), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def client():
    if not all(answers(u) for u in URLS):
        pytest.skip("no OpenSearch cluster on 127.0.0.1:9200/9201: run `make opensearch` first")
    return connect(",".join(URLS))


@pytest.fixture(scope="module")
def articles():
    records = [r for r in iter_records([str(SEEDS)])][:ARTICLES]
    prepared = [a for a, _ in prepare(records, with_entities=True) if a]
    assert len(prepared) == ARTICLES
    return prepared


@pytest.fixture(scope="module", params=LAYOUTS)
def indexed(request, client, articles):
    layout = request.param
    index = f"test-{layout.replace('_', '-')}"
    client.indices.delete(index=index, ignore_unavailable=True)
    client.indices.create(index=index, body=index_body(layout))
    helpers.bulk(client, (x for a in articles for x in actions(a, index, layout)), refresh="wait_for")
    client.cluster.health(index=index, wait_for_status="green")
    yield layout, index
    client.indices.delete(index=index, ignore_unavailable=True)


def common_words(articles, count: int = 3) -> list[str]:
    """Words (6+ letters) that occur in several articles but not in all: real queries with real facets."""
    seen = Counter(w for a in articles for w in {w.lower() for w in re.findall(r"[A-Za-z]{6,}", a.text)})
    return [w for w, n in seen.most_common() if n < len(articles) // 2][:count]


def test_two_nodes_green_and_new_indices_get_two_shards_one_replica(client):
    health = client.cluster.health(wait_for_status="green")
    assert (health["status"], health["number_of_nodes"]) == ("green", 2)
    client.indices.delete(index="test-default-layout", ignore_unavailable=True)
    client.indices.create(index="test-default-layout")
    settings = client.indices.get_settings(index="test-default-layout")["test-default-layout"]["settings"]
    client.indices.delete(index="test-default-layout")
    assert (settings["index"]["number_of_shards"], settings["index"]["number_of_replicas"]) == ("2", "1")


def test_totals_facets_and_snippets_are_exact(client, indexed, articles):
    layout, index = indexed
    by_id = {a.id: a for a in articles}
    words = common_words(articles)
    assert words
    for word in words:
        res = os_search.search(client, index, word, layout, size=ARTICLES)
        q = os_search.query(word, layout, [])
        ids = {
            h["_source"]["id"]
            for h in helpers.scan(client, index=index, query={"query": q, "_source": ["id"]})
        }
        literal = {a.id for a in articles if re.search(rf"\b{word}\b", a.text, re.I)}
        assert res.total == len(ids) == len(res.hits) and literal <= ids, word
        # every facet count is the count over the matching articles' own entities and months...
        persons = Counter(p.key for i in ids for p in by_id[i].persons)
        places = Counter(p.key for i in ids for p in by_id[i].places)
        months = Counter(by_id[i].published[:7] for i in ids if by_id[i].published)
        assert res.facets["person"] == sorted(persons.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
        assert res.facets["place"] == sorted(places.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
        assert res.facets["published"] == sorted(months.items(), reverse=True)
        assert res.recounted == []  # every shard returned all its values: no terms count was cut short
        # ...and the total of the same search narrowed to that value
        for name, key in (("person", "person"), ("place", "place"), ("published", "month")):
            for value, count in res.facets[name][:2]:
                assert os_search.search(client, index, word, layout, size=0, **{key: value}).total == count
        # snippets: the passage they name holds the highlighted word
        for hit in res.hits:
            for n, fragment in hit.snippets:
                passage = by_id[hit.id].passages[n - 1]
                marked = re.findall(r"<mark>(.*?)</mark>", fragment)
                assert marked and all(
                    m.lower() in by_id[hit.id].text[passage.start : passage.end].lower() for m in marked
                )
        assert any(hit.snippets for hit in res.hits)


def test_a_recount_gives_the_same_facets(client, indexed, articles):
    """The composite fallback (used when a shard truncates a terms facet) counts what terms counts."""
    layout, index = indexed
    word = common_words(articles, 1)[0]
    res = os_search.search(client, index, word, layout)
    q = os_search.query(word, layout, [])
    for name in os_search.FACETS:
        assert os_search.composite_facet(client, index, q, name) == res.facets[name]


def test_a_missing_index_is_index_missing(client):
    with pytest.raises(IndexMissing, match="no archive index"):
        os_search.search(client, "test-no-such-index", "word")


def test_no_node_answers_is_search_unavailable():
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(SearchUnavailable, match="No node"):
        os_search.search(connect(f"http://127.0.0.1:{port}"), "archive", "word")
    with pytest.raises(SearchUnavailable, match="ARCHIVE_SEARCH_URL"):
        connect("")


def test_one_node_killed_the_cluster_is_yellow_and_every_search_answers(client, articles):
    index = "test-kill"
    client.indices.delete(index=index, ignore_unavailable=True)
    client.indices.create(index=index, body=index_body())
    helpers.bulk(client, (x for a in articles for x in actions(a, index)), refresh="wait_for")
    client.cluster.health(index=index, wait_for_status="green")
    words = common_words(articles)
    before = {w: os_search.search(client, index, w).total for w in words}
    # Kill the node that is not the elected cluster manager (two nodes keep a one-node voting
    # configuration: losing the manager leaves reads served but no writes; see the report).
    manager = client.cat.cluster_manager(format="json")[0]["node"]
    victim = "node-2" if manager == "node-1" else "node-1"
    pid = int((ROOT / ".opensearch" / victim / "node.pid").read_text())
    os.kill(pid, signal.SIGKILL)
    try:
        # The client lists the dead node first for half of its requests: each must still answer.
        dead_first = connect(",".join(URLS if victim == "node-1" else URLS[::-1]))
        for _ in range(5):
            for word, total in before.items():
                assert os_search.search(dead_first, index, word).total == total
        health = dead_first.cluster.health(wait_for_status="yellow")
        assert (health["status"], health["number_of_nodes"]) == ("yellow", 1)
    finally:
        started = time.monotonic()
        subprocess.run(["make", "-s", "opensearch"], cwd=ROOT, check=True, capture_output=True)
        assert time.monotonic() - started < 300
        client.indices.delete(index=index, ignore_unavailable=True)
    assert client.cluster.health(wait_for_status="green")["number_of_nodes"] == 2
