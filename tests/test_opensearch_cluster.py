"""The OpenSearch engine's core on the cluster (issue 13): the mapping's analysis, exact totals and facets,
the guards, and failures as archive errors.

Marked ``opensearch``; runs against the cluster at ``ARCHIVE_TEST_SEARCH_URL`` (``make test`` starts
one), else skips with one line. The no-node test needs no cluster and always runs. Node kills are in
``tests/test_opensearch_faults.py`` (on a throw-away cluster).
"""

from __future__ import annotations

import json
import os
import re
import socket
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from opensearchpy import helpers

from archive.errors import BadQuery, IndexMissing, SearchUnavailable
from archive.importer import prepare
from archive.readers import iter_records
from archive.search.analysis import word_forms
from archive.search.opensearch import search as os_search
from archive.search.opensearch.client import connect
from archive.search.opensearch.engine import OpenSearchEngine
from archive.search.opensearch.layout import actions, analysed, delete_children, index_body, index_names
from archive.search.opensearch.testing import drop
from archive.search.opensearch.translate import MAX_EXPANSIONS
from archive.search.request import SearchRequest

pytestmark = pytest.mark.opensearch

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds" / "wikinews-en" / "articles.jsonl"
#: Real articles indexed: enough for facets with several values, few enough for NER in seconds.
ARTICLES = 40
PREFIX = "test-h2-core"
LETTERS = "abcdefghijklmnopqrstuvwxyz"
#: An article of made-up words sharing one prefix, more than a pattern may stand for.
BROAD = {
    "id": "broad-1",
    "title": "Word list",
    "text": " ".join(
        [f"zq{i:04d}x" for i in range(MAX_EXPANSIONS + 50)]
        # words within two edits of "zqaaaa": more than a fuzzy word may stand for
        + [f"zqa{x}{y}a" for x in LETTERS for y in LETTERS]
        + [f"zq{x}a{y}a" for x in LETTERS for y in LETTERS]
    ),
    "published": "2019-05-01",
}


@pytest.fixture(scope="module")
def url():
    found = os.environ.get("ARCHIVE_TEST_SEARCH_URL", "").strip()
    if not found:
        pytest.skip("no cluster: set ARCHIVE_TEST_SEARCH_URL (make test starts one)")
    return found


@pytest.fixture(scope="module")
def articles():
    records = [r for r in iter_records([str(SEEDS)])][:ARTICLES]
    prepared = [a for a, _ in prepare(records, with_entities=True) if a]
    assert len(prepared) == ARTICLES
    return prepared


@pytest.fixture(scope="module")
def engine(url, articles, tmp_path_factory):
    """The articles in fresh indexes (no registry: labels are keys), as an engine."""
    inputs = tmp_path_factory.mktemp("broad") / "broad.jsonl"
    inputs.write_text(json.dumps(BROAD) + "\n", encoding="utf-8")
    (broad,) = [a for a, _ in prepare(list(iter_records([str(inputs)])), with_entities=False) if a]
    client = connect(url)
    index = index_names(PREFIX).articles
    drop(url, PREFIX)
    client.indices.create(index=index, body=index_body())
    helpers.bulk(client, (x for a in [*articles, broad] for x in actions(a, index)), refresh="wait_for")
    client.cluster.health(index=index, wait_for_status="green")
    found = OpenSearchEngine(url, prefix=PREFIX)
    yield found
    found.close()
    drop(url, PREFIX)


def common_words(articles, count: int = 3) -> list[str]:
    """Words (6+ letters) that occur in several articles but not in all: real queries with real facets."""
    seen = Counter(w for a in articles for w in {w.lower() for w in re.findall(r"[A-Za-z]{6,}", a.text)})
    return [w for w, n in seen.most_common() if n < len(articles) // 2][:count]


def holds(article, word: str) -> bool:
    """Whether the article's title, text or captions has ``word``'s main index term (the oracle)."""
    term = word_forms(word)[0]
    text = " ".join([article.title, article.text, article.captions])
    return any(term in word_forms(w) for w in re.findall(r"\w+(?:[.'’\-]\w+)*", text))


def test_two_nodes_green_and_new_indices_get_two_shards_one_replica(url):
    client = connect(url)
    health = client.cluster.health(wait_for_status="green")
    assert (health["status"], health["number_of_nodes"]) == ("green", 2)
    client.indices.delete(index="test-default-layout", ignore_unavailable=True)
    client.indices.create(index="test-default-layout")
    settings = client.indices.get_settings(index="test-default-layout")["test-default-layout"]["settings"]
    client.indices.delete(index="test-default-layout")
    assert (settings["index"]["number_of_shards"], settings["index"]["number_of_replicas"]) == ("2", "1")


def test_a_words_terms_share_its_position(engine):
    """The mapping's analyser puts every index term of a word at the word's position (as Whoosh)."""
    text = "The U.S. covid-19 NATO Reagan's"
    tokens = engine.client.indices.analyze(
        index=engine.names.articles, body={"analyzer": "terms", "text": analysed(text)}
    )["tokens"]
    by_position: dict[int, set[str]] = {}
    for t in tokens:
        by_position.setdefault(t["position"], set()).add(t["token"])
    words = re.findall(r"\w+(?:[.'’\-]\w+)*", text)
    assert [by_position[i] for i in range(len(words))] == [set(word_forms(w)) for w in words]
    assert {"us", "^us"} <= by_position[1] and {"covid-19", "covid", "19"} <= by_position[2]


def test_totals_and_facets_are_exact(engine, articles):
    by_id = {a.id: a for a in articles}
    for word in common_words(articles):
        res = engine.search(SearchRequest(q=word, per_page=100))
        ids = {r["id"] for r in res["results"]}
        assert res["total"] == len(ids) == len({a.id for a in articles if holds(a, word)}), word
        # every facet count is the count over the matching articles' own entities and months...
        persons = Counter(k for i in ids for k in {p.key for p in by_id[i].persons})
        expected = sorted(persons.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
        assert [(f["key"], f["count"]) for f in res["facets"]["person"]] == expected
        months = Counter(by_id[i].published[:7] for i in ids if by_id[i].published)
        assert [(f["key"], f["count"]) for f in res["facets"]["published"]] == sorted(months.items())
        # ...and the total of the same search narrowed to that value
        for name, arg in (("person", "person"), ("place", "place"), ("language", "language")):
            for value in res["facets"][name][:2]:
                narrowed = SearchRequest.from_args({"q": word, arg: value["key"]})
                assert engine.search(narrowed, facets=False)["total"] == value["count"], (word, name)


def test_a_recount_gives_the_same_facets(engine, articles):
    """The composite recount (used when a shard cut a terms facet short) counts what terms counts."""
    word = common_words(articles, 1)[0]
    sel = engine.select(SearchRequest(q=word))
    aggs = os_search.facet_aggs(20, [])
    body = {"query": sel["query"], "size": 0, "aggs": aggs}
    response = engine.client.search(index=engine.names.articles, body=body)
    facets = os_search.read_facets(engine.client, engine.names.articles, sel["query"], aggs, response)
    for name in ("person", "place", "language"):
        recount = os_search.composite_facet(
            engine.client, engine.names.articles, sel["query"], aggs[name]["terms"]
        )
        assert recount == facets[name] and recount


def test_too_broad_a_pattern_is_refused_as_the_embedded_engine_refuses_it(engine):
    with pytest.raises(BadQuery, match=rf"^zq\* stands for more than {MAX_EXPANSIONS} words"):
        engine.search(SearchRequest(q="zq*"))
    assert engine.search(SearchRequest(q="zq000*"))["total"] == 1  # 10 words: fine
    with pytest.raises(BadQuery, match=rf"^zqaaaa~ stands for more than {MAX_EXPANSIONS} words"):
        engine.search(SearchRequest(q="zqaaaa~2"))
    assert engine.search(SearchRequest(q="zqaaaa~1"))["total"] == 1  # 51 words: fine


def test_a_missing_index_is_index_missing(url):
    with OpenSearchEngine(url, prefix="test-no-such-prefix") as missing:
        with pytest.raises(IndexMissing, match="no archive index"):
            missing.search(SearchRequest(q="word"))


def test_no_node_answers_is_search_unavailable():
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with OpenSearchEngine(f"http://127.0.0.1:{port}") as engine:
        with pytest.raises(SearchUnavailable, match="No node"):
            engine.search(SearchRequest(q="word"))
    with pytest.raises(SearchUnavailable, match="ARCHIVE_SEARCH_URL"):
        connect("")


def test_an_empty_or_older_index_says_so(url, articles):
    """The embedded engine's notices: no articles yet; an index analysed by an older version."""
    from archive.search.whoosh.engine import EMPTY_ARCHIVE_NOTICE, OLD_INDEX_NOTICE

    prefix = "test-h2-notices"
    client, index = connect(url), index_names(prefix).articles
    drop(url, prefix)
    client.indices.create(index=index, body=index_body())
    try:
        with OpenSearchEngine(url, prefix=prefix) as engine:
            assert engine.search(SearchRequest(q="police"))["notices"] == [EMPTY_ARCHIVE_NOTICE]
        helpers.bulk(client, actions(articles[0], index), refresh="wait_for")
        client.indices.put_mapping(index=index, body={"_meta": {"analysis": 0}})
        client.index(index=index_names(prefix).meta, id="meta", body={"generation": 1}, refresh="wait_for")
        with OpenSearchEngine(url, prefix=prefix) as engine:
            answer = engine.search(SearchRequest(q="police"))
            assert answer["notices"] == [OLD_INDEX_NOTICE] and answer["total"] >= 0
    finally:
        drop(url, prefix)


def test_an_export_reads_one_point_in_time(url, engine, articles):
    """A commit while an export streams neither adds to it nor moves its rows (a point in time)."""
    chunked = OpenSearchEngine(url, prefix=PREFIX, chunk=5)
    req = SearchRequest(sort="newest")
    before = [r["id"] for r in chunked.iter_all(req)]
    assert len(before) > 3 * chunked.chunk
    late = replace(articles[0], id="late-1", published="1900-01-01", story=None)  # the oldest: read last
    rows = chunked.iter_all(req)
    first = next(rows)
    helpers.bulk(engine.client, actions(late, engine.names.articles), refresh="wait_for")
    try:
        assert [first["id"], *(r["id"] for r in rows)] == before
        assert [r["id"] for r in chunked.iter_all(req)] == [*before, "late-1"]
    finally:
        engine.client.delete_by_query(
            index=engine.names.articles, body=delete_children(["late-1"]), refresh=True
        )
        engine.client.delete(index=engine.names.articles, id="late-1", routing="late-1", refresh="wait_for")


def test_a_warm_search_is_one_round_trip_and_sees_a_new_generation(engine, articles):
    """A search reads the cluster's generation with its answer (no request of its own); when a commit
    moved it on, the search starts again with the new registry."""
    word = common_words(articles, 1)[0]
    req = SearchRequest(q=word, per_page=1)
    first = engine.search(req)
    sent: list[str] = []
    transport = engine.client.transport
    original = transport.perform_request

    def spy(method, url, *args, **kwargs):
        sent.append(url.split("?")[0])
        return original(method, url, *args, **kwargs)

    transport.perform_request = spy
    meta = engine.names.meta
    try:
        assert engine.search(req)["total"] == first["total"]
        # the hits, the facets and the generation: one request (the rest fetches passages for snippets)
        assert sent.count("/_msearch") == 1 and not [u for u in sent if u.endswith(("_search", "/meta"))]
        gen = engine._generation
        engine.client.index(index=meta, id="meta", body={"generation": gen + 1}, refresh="wait_for")
        sent.clear()
        assert engine.search(req) == first
        assert engine._generation == gen + 1 and sent.count("/_msearch") == 2
    finally:
        transport.perform_request = original
        engine.client.indices.delete(index=meta, ignore_unavailable=True)
