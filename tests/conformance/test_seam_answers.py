"""The seam's smaller questions answer consistently with ``search`` on every engine.

``ids`` (batch search), ``matching`` (watches), ``marked_terms`` (the article page's marks), ``article``
and ``story_and_copies`` (the article page and API), the registry (people pages) and ``health``.
"""

from __future__ import annotations

from archive.search.request import SearchRequest


def _all_ids(engine, req: SearchRequest) -> list[str]:
    return [r["id"] for r in engine.iter_all(req)]


def test_ids_are_the_first_results_and_the_total(engine):
    req = SearchRequest(q="said", sort="relevance")
    page = engine.search(req, facets=False)
    total, ids = engine.ids(req, 5)
    assert total == page["total"] > 5
    assert ids == [r["id"] for r in page["results"]][:5]


def test_matching_is_the_result_set_restricted_to_the_ids(engine):
    everything = _all_ids(engine, SearchRequest(sort="newest"))
    req = SearchRequest(q="zebrafish OR police")
    hits = set(_all_ids(engine, req))
    assert hits and len(hits) < len(everything)
    asked = everything[::2] + ["no-such-article"]
    assert engine.matching(req, asked) == hits & set(asked)
    assert engine.matching(req, []) == set()


def test_marked_terms_are_what_the_snippets_mark(engine):
    terms = engine.marked_terms(SearchRequest(q="zebrafish"))
    assert terms and all("zebrafish" in t.lower() for t in terms)
    assert engine.marked_terms(SearchRequest(q="person:nobody-at-all-xyz")) == set()


def test_article_and_its_story_are_the_results(engine):
    first = engine.search(SearchRequest(q="zebrafish"), facets=False)["results"][0]
    article = engine.article(first["id"])
    assert article is not None and article.id == first["id"] and article.title == first["title"]
    story, copies = engine.story_and_copies(first["id"])
    assert all(c["id"] != first["id"] for c in copies)
    assert engine.article("no-such-article") is None


def test_registry_answers_match_the_person_filter(engine):
    listing = engine.registry_listing("person", limit=3)
    assert listing["total"] >= len(listing["items"]) > 0
    top = listing["items"][0]
    detail = engine.registry_entity("person", top["key"])
    assert detail is not None and detail["articles"] == top["articles"]
    filtered = engine.search(SearchRequest.from_args({"person": top["key"]}), facets=False)
    assert filtered["total"] == top["articles"]


def test_health_counts_the_articles(engine):
    health = engine.health()
    assert health["status"] in ("green", "yellow")
    assert health["articles"] == engine.search(SearchRequest(), facets=False)["total"]
