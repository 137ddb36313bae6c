"""The search engine on a real imported archive: operators, names, filters, facets, paging, snippets.

Every test runs on each engine (``engine``, tests/conformance/conftest.py)."""

from __future__ import annotations

import pytest

from archive.search.request import SearchRequest

try:  # tests/ is a package in this repository; without its __init__.py the helpers import directly
    from tests.search_fixtures import HOSTILE_ID, article_terms, articles, containing, search_home
except ImportError:  # pragma: no cover
    from search_fixtures import HOSTILE_ID, article_terms, articles, containing, search_home

__all__ = ["articles", "search_home"]  # fixtures used by name


SEED_TITLE = 'Moscow has no intention of vacating the "Belarusian balcony"'


def run(searcher, q: str = "", **kwargs) -> dict:  # noqa: F811 - the fixture is passed in
    return searcher.search(SearchRequest(q=q, **kwargs))


def all_ids(searcher, q: str = "", **kwargs) -> list[str]:  # noqa: F811
    """Every result id, read page by page (so paging is exercised too)."""
    out: list[str] = []
    page = 1
    while True:
        res = searcher.search(SearchRequest(q=q, page=page, per_page=7, **kwargs))
        out += [r["id"] for r in res["results"]]
        if page * 7 >= res["total"]:
            return out
        page += 1


def seed_id(articles) -> str:  # noqa: F811
    return next(a.id for a in articles.values() if a.title == SEED_TITLE)


# -- the response shape ------------------------------------------------------------------------------


def test_response_has_the_api_shape(searcher):  # noqa: F811
    res = run(searcher, "Putin")
    assert set(res) >= {"total", "page", "per_page", "results", "facets", "suggestion", "variants"}
    hit = res["results"][0]
    assert set(hit) == {"id", "title", "published", "url", "source", "snippets", "persons", "places"}
    assert all(set(s) == {"passage", "html"} for s in hit["snippets"])
    assert all(set(p) == {"key", "name"} for p in hit["persons"])
    assert all(set(p) == {"key", "name", "country"} for p in hit["places"])
    assert set(res["facets"]) == {"person", "place", "published", "language"}
    assert all(set(f) == {"key", "label", "count"} for f in res["facets"]["person"])
    assert all(set(f) == {"key", "label", "country", "count"} for f in res["facets"]["place"])
    assert all(set(f) == {"key", "count"} for f in res["facets"]["published"])


# -- words and operators, against the oracle -----------------------------------------------------------


@pytest.mark.parametrize("word", ["Putin", "election", "police", "Russia", "zebrafish", "Moscow"])
def test_word_totals_match_the_oracle(searcher, articles, word):  # noqa: F811
    expected = containing(articles, word)
    assert expected, word
    assert set(all_ids(searcher, word)) == expected
    assert run(searcher, word)["total"] == len(expected)


def test_words_are_anded_by_default(searcher, articles):  # noqa: F811
    expected = containing(articles, "police") & containing(articles, "election")
    assert set(all_ids(searcher, "police election")) == expected
    assert set(all_ids(searcher, "police AND election")) == expected


def test_or_not_minus_and_parentheses(searcher, articles):  # noqa: F811
    police, election, russia = (containing(articles, w) for w in ("police", "election", "Russia"))
    assert set(all_ids(searcher, "police OR election")) == police | election
    assert set(all_ids(searcher, "police NOT election")) == police - election
    assert set(all_ids(searcher, "police -election")) == police - election
    assert set(all_ids(searcher, "(police OR election) Russia")) == (police | election) & russia
    assert set(all_ids(searcher, "Russia -(police OR election)")) == russia - police - election


def test_hyphenated_word_is_not_a_negation(searcher, articles):  # noqa: F811
    # "covid-19" is one token; the minus only negates at the start of a word
    assert run(searcher, "ten-storey")["total"] >= 1


def test_phrase_and_proximity(searcher, articles):  # noqa: F811
    seed = seed_id(articles)
    assert seed in all_ids(searcher, '"Belarusian balcony"')
    assert seed not in all_ids(searcher, '"balcony Belarusian"')
    # "Palace of the Republic": stop words dropped on both sides, still a phrase
    assert seed in all_ids(searcher, '"Palace of the Republic"')
    # proximity: "peaceful ... force" are a few words apart in the seed article
    assert seed not in all_ids(searcher, '"peaceful force"')
    assert seed in all_ids(searcher, '"peaceful force"~8')


def test_prefix_and_fuzzy(searcher, articles):  # noqa: F811
    expected = {aid for aid, a in articles.items() if any(t.startswith("zebrafish") for t in _terms(a))}
    assert set(all_ids(searcher, "zebraf*")) == expected
    assert set(all_ids(searcher, "zebrafsh~")) >= containing(articles, "zebrafish")
    assert run(searcher, "zebrafsh")["total"] == 0


def test_fuzzy_counts_a_transposition_as_one_edit(searcher, articles):  # noqa: F811
    """ "zebrafsih" is two substitutions from "zebrafish" but one transposition: a typist's slip that
    ``word~`` (one edit) must forgive, on every engine and whatever the index's segments."""
    assert set(all_ids(searcher, "zebrafsih~")) >= containing(articles, "zebrafish") != set()
    assert set(all_ids(searcher, "zebrafsih~2")) >= containing(articles, "zebrafish")
    assert run(searcher, "zberafsih~")["total"] == 0  # two transpositions are two edits


def _terms(article):
    return article_terms(article)


def test_title_field(searcher, articles):  # noqa: F811
    res = all_ids(searcher, "title:zebrafish")
    assert res == [HOSTILE_ID]
    # "committee" is in the hostile text but not its title
    assert HOSTILE_ID not in all_ids(searcher, "title:committee")


def test_person_and_place_fields(searcher, articles):  # noqa: F811
    with_putin = {aid for aid, a in articles.items() if any(p.key == "putin_vladimir" for p in a.persons)}
    assert set(all_ids(searcher, "person:putin_vladimir")) == with_putin
    assert set(all_ids(searcher, 'person:"Vladimir Putin"')) == with_putin
    in_russia = {aid for aid, a in articles.items() if any(p.key.split("/")[0] == "RU" for p in a.places)}
    assert set(all_ids(searcher, "place:RU")) == in_russia
    assert set(all_ids(searcher, "place:Russia")) == in_russia


# -- names -------------------------------------------------------------------------------------------


def test_a_name_matches_its_other_spellings_and_says_so(searcher, articles):  # noqa: F811
    seed = seed_id(articles)
    assert "Lukashenko" not in articles[seed].text  # the seed spells it Lukashenka
    res = run(searcher, "Lukashenko", per_page=100)
    assert seed in [r["id"] for r in res["results"]]
    assert "Alyaksandr Lukashenka" in res["variants"]
    assert res["expansions"][0]["key"] == "lukashenko_aleksandr"
    seed_hit = next(r for r in res["results"] if r["id"] == seed)
    # the variant is marked, with the given name beside it when both matched
    assert any("Lukashenka</mark>" in s["html"] for s in seed_hit["snippets"])


def test_exact_mode_expands_nothing_and_folds_nothing(searcher, articles):  # noqa: F811
    seed = seed_id(articles)
    res = run(searcher, "Lukashenko", mode="exact", per_page=100)
    assert seed not in [r["id"] for r in res["results"]] and res["variants"] == []
    assert seed in all_ids(searcher, "Lukashenka", mode="exact")
    assert seed not in all_ids(searcher, "lukashenka", mode="exact")  # case kept
    assert seed in all_ids(searcher, "lukashenka")  # normal mode folds case
    # stemming only in normal mode
    assert set(all_ids(searcher, "elections", mode="exact")) < set(all_ids(searcher, "elections"))


# -- filters -----------------------------------------------------------------------------------------


def test_person_filter_accepts_key_full_name_surname_and_spelling(searcher, articles):  # noqa: F811
    expected = {aid for aid, a in articles.items() if any(p.key == "lukashenko_aleksandr" for p in a.persons)}
    assert expected
    for value in ("lukashenko_aleksandr", "Alyaksandr Lukashenka", "Lukashenko", "Alexander Lukashenko"):
        assert set(all_ids(searcher, persons=[value])) == expected, value


def test_country_filter_includes_its_cities(searcher, articles):  # noqa: F811
    magnitogorsk = {aid for aid, a in articles.items() if any(p.name == "Magnitogorsk" for p in a.places)}
    assert magnitogorsk
    assert magnitogorsk <= set(all_ids(searcher, places=["RU"]))
    assert magnitogorsk <= set(all_ids(searcher, places=["Russia"]))


def test_several_filters_must_all_match(searcher, articles):  # noqa: F811
    def keys(a):
        return {p.key for p in a.persons}

    expected = {aid for aid, a in articles.items() if {"putin_vladimir", "lukashenko_aleksandr"} <= keys(a)}
    assert set(all_ids(searcher, persons=["Putin", "Lukashenka"])) == expected
    unknown = run(searcher, persons=["Nobody Atall"])
    assert unknown["total"] == 0 and unknown["results"] == []


def test_publication_dates_are_inclusive_partial_dates(searcher, articles):  # noqa: F811
    in_2019_01 = {aid for aid, a in articles.items() if (a.published or "").startswith("2019-01")}
    assert in_2019_01
    assert set(all_ids(searcher, date_from="2019-01", date_to="2019-01")) == in_2019_01
    day = sorted(articles[a].published[:10] for a in in_2019_01)[0]
    on_day = {aid for aid, a in articles.items() if (a.published or "").startswith(day)}
    assert set(all_ids(searcher, date_from=day, date_to=day)) == on_day
    after = {aid for aid, a in articles.items() if (a.published or "") >= "2024"}
    assert set(all_ids(searcher, date_from="2024")) == after


def test_mentioned_dates_overlap(searcher, articles):  # noqa: F811
    expected = {
        aid
        for aid, a in articles.items()
        if any(d.value[:7] <= "2020-08" and d.value[:7] >= "2020-08" or d.value == "2020" for d in a.dates)
    }
    assert expected
    assert set(all_ids(searcher, mentioned_from="2020-08", mentioned_to="2020-08")) == expected


def test_source_filter(searcher, articles):  # noqa: F811
    assert all_ids(searcher, source="test wire") == [HOSTILE_ID]
    assert all_ids(searcher, "zebrafish", source="Nowhere") == []


def test_empty_query_with_filters_lists_newest_first(searcher, articles):  # noqa: F811
    res = run(searcher, places=["RU"], per_page=100)
    dates = [r["published"] for r in res["results"] if r["published"]]
    assert res["total"] >= len(dates) > 3 and dates == sorted(dates, reverse=True)
    assert run(searcher)["total"] == len(articles)


# -- facets ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["", "Russia", "police OR election", "Putin"])
def test_facet_counts_equal_the_filtered_totals(searcher, q):  # noqa: F811
    res = run(searcher, q)
    for facet in res["facets"]["person"][:8]:
        assert run(searcher, q, persons=[facet["key"]])["total"] == facet["count"], facet
    for facet in res["facets"]["place"][:8]:
        assert run(searcher, q, places=[facet["key"]])["total"] == facet["count"], facet
    for facet in res["facets"]["published"]:
        month = facet["key"]
        assert run(searcher, q, date_from=month, date_to=month)["total"] == facet["count"], facet
    assert sum(f["count"] for f in res["facets"]["published"]) <= res["total"]


def test_place_facet_has_names_and_countries(searcher):  # noqa: F811
    places = {f["key"]: f for f in run(searcher, "Magnitogorsk")["facets"]["place"]}
    assert places["RU"]["label"] == "Russia" and places["RU"]["country"] == "Russia"
    city = next(f for k, f in places.items() if k.startswith("RU/") and f["label"] == "Magnitogorsk")
    assert city["country"] == "Russia"


# -- ordering and paging -----------------------------------------------------------------------------


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_pages_have_no_gaps_or_repeats(searcher, sort):  # noqa: F811
    total = run(searcher, "said", sort=sort)["total"]
    ids = all_ids(searcher, "said", sort=sort)
    assert len(ids) == len(set(ids)) == total > 14
    assert [r["id"] for r in searcher.iter_all(SearchRequest(q="said", sort=sort))] == ids


def test_sorts_put_undated_articles_last(searcher):  # noqa: F811
    newest = [r["published"] for r in run(searcher, "Russia", sort="newest", per_page=100)["results"]]
    dated = [d for d in newest if d]
    assert dated == sorted(dated, reverse=True) and newest[: len(dated)] == dated
    oldest = [r["published"] for r in run(searcher, "Russia", sort="oldest", per_page=100)["results"]]
    dated = [d for d in oldest if d]
    assert dated == sorted(dated) and oldest[: len(dated)] == dated


def test_title_matches_rank_first(searcher):  # noqa: F811
    assert run(searcher, "zebrafish")["results"][0]["id"] == HOSTILE_ID
    res = run(searcher, "Magnitogorsk")
    assert "Magnitogorsk" in res["results"][0]["title"]


# -- snippets, suggestions, export -------------------------------------------------------------------


def test_snippets_mark_matches_and_number_passages(searcher, articles):  # noqa: F811
    res = run(searcher, "Putin")
    for hit in res["results"]:
        assert 1 <= len(hit["snippets"]) <= 3
        numbers = [s["passage"] for s in hit["snippets"]]
        assert len(numbers) == len(set(numbers))
        valid = {p.n for p in articles[hit["id"]].passages}
        assert set(numbers) <= valid
    assert any("<mark>Putin</mark>" in s["html"] for h in res["results"] for s in h["snippets"])


def test_a_phrase_is_marked_as_one(searcher):  # noqa: F811
    res = run(searcher, '"Belarusian balcony"')
    html = " ".join(s["html"] for h in res["results"] for s in h["snippets"])
    assert "<mark>Belarusian balcony</mark>" in html


def test_suggestion_for_a_misspelling(searcher):  # noqa: F811
    res = run(searcher, "Magnitogorks")
    assert res["total"] == 0 and res["suggestion"] == "Magnitogorsk"
    assert run(searcher, "Magnitogorsk")["suggestion"] is None


def test_export_yields_every_result_with_a_snippet(searcher):  # noqa: F811
    req = SearchRequest(q="Russia")
    rows = list(searcher.iter_all(req))
    assert len(rows) == searcher.search(req)["total"]
    assert all(
        set(r) >= {"id", "title", "published", "source", "url", "persons", "places", "snippet"} for r in rows
    )
    assert all("<mark>" not in r["snippet"] for r in rows)
