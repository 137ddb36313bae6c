"""The HTML pages on a real archive: results, facets, chips, histogram, paging, article page, errors."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

pytest_plugins = ["tests.web_fixtures"]  # the session archive and the app's test client

SEED_ID = "a-e9d7f557f4f4d8b8"


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return BeautifulSoup(response.data, "html.parser")


def api(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_json()


def total(soup) -> int:
    return int(soup.select_one("#results-heading .total").text.replace(",", ""))


def hit_ids(soup) -> list[str]:
    return [li["data-id"] for li in soup.select(".results .hit")]


def test_a_phrase_is_one_mark_on_the_results_page(web_client):
    soup = page(web_client, '/search?q="Belarusian balcony"')
    assert "Belarusian balcony" in [m.text for m in soup.select("a.snippet mark")]


def test_search_page_shows_results_with_highlighted_snippets(web_client):
    soup = page(web_client, "/search?q=putin")
    data = api(web_client, "/api/search?q=putin")
    assert total(soup) == data["total"] == 3
    assert hit_ids(soup) == [r["id"] for r in data["results"]]
    for hit in soup.select(".hit"):
        title = hit.select_one(".hit-title a")["href"]
        assert title == f"/articles/{hit['data-id']}?q=putin"
        for link in hit.select("a.snippet"):
            url = urlsplit(link["href"])
            assert url.path == f"/articles/{hit['data-id']}" and parse_qs(url.query) == {"q": ["putin"]}
            assert url.fragment.startswith("p") and url.fragment[1:].isdigit()
        assert [m.text.lower() for m in hit.select("a.snippet mark")], "every hit shows its matched words"
        assert hit.select(".hit-entities a.tag.person"), "main people are listed"


def test_front_page_browses_the_whole_archive(web_client):
    soup = page(web_client, "/")
    assert total(soup) == 32
    assert soup.select_one("input#q")["value"] == ""


@pytest.mark.parametrize("kind", ["person", "place"])
def test_each_facet_link_narrows_to_its_count(web_client, kind):
    soup = page(web_client, "/search?q=russia")
    links = soup.select(f".facet-{kind} li[data-value] > a")
    assert links
    for link in links[:6]:
        value = link.find_parent("li")["data-value"]
        assert parse_qs(urlsplit(link["href"]).query)[kind] == [value]
        narrowed = page(web_client, link["href"])
        assert total(narrowed) == int(link.select_one(".count").text)
        chip = narrowed.select_one(f'.chips a.chip[data-param="{kind}"][data-value="{value}"]')
        assert chip is not None and link.select_one(".label").text in chip.text


def test_country_link_includes_its_cities(web_client):
    soup = page(web_client, "/search?q=putin")
    russia = soup.select_one('.facet-place li.country[data-value="RU"]')
    cities = russia.select("li[data-value]")
    assert cities and all(li["data-value"].startswith("RU/") for li in cities)
    narrowed = page(web_client, russia.select_one("a.country-link")["href"])
    assert total(narrowed) == int(russia.select_one("a.country-link .count").text)
    for li in cities:
        assert total(page(web_client, li.a["href"])) <= total(narrowed)


def test_removing_a_chip_restores_the_search(web_client):
    start = page(web_client, "/search?q=russia")
    person = start.select_one(".facet-person li[data-value] > a")["href"]
    narrowed = page(web_client, person)
    place = narrowed.select_one(".facet-place li.country > a.country-link")["href"]
    both = page(web_client, place)
    chips = both.select(".chips a.chip")
    assert [c["data-param"] for c in chips] == ["person", "place"]
    assert both.select_one(".clear-filters")["href"] == "/search?q=russia"
    without_place = chips[1]["href"]
    assert without_place == person
    assert hit_ids(page(web_client, without_place)) == hit_ids(narrowed)
    assert page(web_client, chips[0]["href"]).select(".chips a.chip")[0]["data-param"] == "place"


def test_active_facet_value_links_to_its_removal(web_client):
    soup = page(web_client, "/search?q=russia&person=putin_vladimir")
    active = soup.select_one('.facet-person li.active[data-value="putin_vladimir"] > a')
    assert active["aria-current"] == "true" and active["href"] == "/search?q=russia"


def test_histogram_bars_narrow_to_their_month(web_client):
    soup = page(web_client, "/search")
    bars = soup.select("svg.histogram a.bar-link")
    assert [b["data-key"] for b in bars] == ["2019-01", "2019-02", "2021-03"]
    for bar in bars:
        key = bar["data-key"]
        query = parse_qs(urlsplit(bar["href"]).query)
        assert query["from"] == [key] and query["to"] == [key]
        narrowed = page(web_client, bar["href"])
        assert total(narrowed) == int(bar["aria-label"].split(": ")[1].split()[0])
        assert {c["data-param"] for c in narrowed.select(".chips a.chip")} == {"from", "to"}
        assert narrowed.select_one("#f-from")["value"] == key


def test_date_inputs_filter_published_and_mentioned_dates(web_client):
    soup = page(web_client, "/search?from=2019-02&to=2019-12")
    assert total(soup) == 9
    soup = page(web_client, "/search?mentioned_from=2020-10&mentioned_to=2020-10")
    assert SEED_ID in hit_ids(soup)
    assert soup.select_one("#f-mentioned_from")["form"] == "search-form"


def test_pagination_walks_the_whole_result_set(web_client):
    first = page(web_client, "/search?per_page=5&sort=newest")
    assert total(first) == 32
    nav = first.select_one("nav.pagination")
    assert nav.select_one('a[aria-current="page"]').text == "1"
    assert nav.select_one('a[rel="next"]')["href"] == "/search?sort=newest&per_page=5&page=2"
    seen: list[str] = []
    url = "/search?per_page=5&sort=newest"
    while url:
        soup = page(web_client, url)
        seen += hit_ids(soup)
        following = soup.select_one('nav.pagination a[rel="next"]')
        url = following["href"] if following else None
    assert len(seen) == len(set(seen)) == 32
    last = page(web_client, "/search?per_page=5&sort=newest&page=7")
    assert last.select_one('nav.pagination a[rel="prev"]')["href"].endswith("page=6")
    assert last.select_one("ol.results")["start"] == "31"


def test_sort_orders_by_date(web_client):
    newest = api(web_client, "/api/search?sort=newest&per_page=100")["results"]
    dates = [r["published"] for r in newest if r["published"]]
    assert dates == sorted(dates, reverse=True)
    soup = page(web_client, "/search?sort=oldest")
    assert soup.select_one("#sort option[selected]")["value"] == "oldest"
    assert hit_ids(soup)[:5] == [r["id"] for r in api(web_client, "/api/search?sort=oldest")["results"]][:5]


def test_exact_mode_toggle(web_client):
    soup = page(web_client, "/search?q=Explosion")
    box = soup.select_one('input[type="checkbox"][name="mode"]')
    assert box["value"] == "exact" and not box.has_attr("checked")
    exact = page(web_client, "/search?q=Explosion&mode=exact")
    assert exact.select_one('input[name="mode"]').has_attr("checked")
    assert total(exact) < total(soup)  # the capitalised word appears only in some articles
    assert exact.select_one('.chips a.chip[data-param="mode"]')["href"] == "/search?q=Explosion"


def test_did_you_mean_links_to_the_corrected_query(web_client):
    soup = page(web_client, "/search?q=explosin")
    assert total(soup) == 0
    link = soup.select_one(".suggestion a")
    assert link.text == "explosion" and link["href"] == "/search?q=explosion"
    assert total(page(web_client, link["href"])) > 0


def test_matched_name_variants_are_shown(web_client):
    expansions = api(web_client, "/api/search?q=lukashenka")["expansions"]
    assert expansions, "the seed article spells the name two ways"
    variants = page(web_client, "/search?q=lukashenka").select_one("ul.variants")
    for expansion in expansions:
        assert expansion["name"] in variants.text
        assert all(v in variants.text for v in expansion["variants"])
    assert variants.select_one("a")["href"] == f"/search?q=lukashenka&person={expansions[0]['key']}"


def test_bad_query_is_a_400_page_with_the_form(web_client):
    soup = page(web_client, "/search?q=x&from=2023-13", status=400)
    assert "month 13" in soup.select_one('.error[role="alert"]').text
    assert soup.select_one("input#q")["value"] == "x"


def test_form_controls_are_labelled(web_client):
    for url in ["/search?q=putin", f"/articles/{SEED_ID}", "/nope"]:
        soup = BeautifulSoup(web_client.get(url).data, "html.parser")
        for control in soup.select("input:not([type=hidden]), select, textarea"):
            labelled = control.get("aria-label") or control.find_parent("label")
            labelled = labelled or soup.select_one(f'label[for="{control.get("id")}"]')
            assert labelled, (url, str(control))


def test_export_links_carry_the_search(web_client):
    soup = page(web_client, "/search?q=russia&person=putin_vladimir&page=1&sort=newest")
    assert soup.select_one("a.export-csv")["href"] == "/export.csv?q=russia&person=putin_vladimir&sort=newest"
    assert (
        soup.select_one("a.export-json")["href"] == "/export.json?q=russia&person=putin_vladimir&sort=newest"
    )


# -- the article page ---------------------------------------------------------------------------------


def test_article_page_anchors_every_passage_and_marks_the_query(web_client):
    data = api(web_client, f"/api/articles/{SEED_ID}")
    soup = page(web_client, f"/articles/{SEED_ID}?q=putin")
    assert soup.select_one("h1#article-title").text == data["title"]
    anchors = [span["id"] for span in soup.select(".article-text span.passage")]
    assert anchors == [f"p{p['n']}" for p in data["passages"]]
    marks = soup.select(".article-text mark")
    # a possessive is one mark, around its person link (never a stray "’s")
    assert marks and {m.text for m in marks} <= {"Putin", "Putin’s", "Vladimir"}
    assert soup.select_one(".back a")["href"] == "/search?q=putin"
    # the text is the article's text, unchanged apart from blank-line runs
    assert soup.select_one(".article-text").text.split() == data["text"].split()


def test_snippet_links_open_an_existing_passage(web_client):
    soup = page(web_client, "/search?q=lukashenka")
    links = soup.select("a.snippet")
    assert links
    for link in links:
        url = urlsplit(link["href"])
        article = page(web_client, f"{url.path}?{url.query}")
        passage = article.find(id=url.fragment)
        assert passage is not None and passage.select("mark"), link["href"]


def test_article_entities_link_to_filtered_searches(web_client):
    data = api(web_client, f"/api/articles/{SEED_ID}")
    soup = page(web_client, f"/articles/{SEED_ID}")
    persons = soup.select(".article-text a.entity.person")
    assert len(persons) == sum(len(p["mentions"]) for p in data["persons"])
    places = soup.select(".article-text a.entity.place")
    dates = soup.select(".article-text a.entity.date")
    assert places and dates
    for link in [persons[0], places[0], dates[0]]:
        narrowed = page(web_client, link["href"])
        assert SEED_ID in hit_ids(page(web_client, link["href"] + "&per_page=100"))
        assert narrowed.select(".chips a.chip")


def test_article_metadata_and_original_link(web_client):
    soup = page(web_client, "/articles/enwn-0001")
    original = soup.select_one("a.original")
    assert original["href"].startswith("https://en.wikinews.org/")
    details = {dt.text: dt.find_next_sibling("dd").text for dt in soup.select(".metadata dt")}
    assert details["Language"] == "English" and details["license"] == "CC BY 2.5"
    assert soup.select_one(".article-meta time")["datetime"] == "2019-01-04"


def test_more_like_this_lists_other_articles(web_client):
    soup = page(web_client, f"/articles/{SEED_ID}")
    related = [a["href"] for a in soup.select(".related a")]
    assert related and f"/articles/{SEED_ID}" not in related
    for href in related:
        page(web_client, href)


@pytest.mark.parametrize(
    "url",
    [
        "/articles/no-such-article",
        "/articles/" + "x" * 300,
        "/articles/..",
        "/articles/a%20b",
        "/no/such/page",
    ],
)
def test_unknown_pages_are_404(web_client, url):
    soup = page(web_client, url, status=404)
    assert soup.select_one(".error-page h1").text == "Not found"
    assert soup.select_one("form.header-search")


def test_source_link_filters_by_outlet(web_client):
    soup = page(web_client, "/search?q=putin")
    link = soup.select_one('.hit[data-id="enwn-0001"] a.source')
    narrowed = page(web_client, link["href"])
    assert narrowed.select_one('.chips a.chip[data-param="source"]')
    assert "enwn-0001" in hit_ids(narrowed) and "hostile-1" not in hit_ids(narrowed)


def test_new_imports_show_without_restart(tmp_path):
    """Each request opens its own searcher, so the running site sees what the CLI imported since."""
    from archive.importer import import_paths
    from archive.web.app import create_app

    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text('{"id": "one", "title": "Harbour", "text": "The harbour froze in January."}\n')
    second.write_text('{"id": "two", "title": "Harbour again", "text": "The harbour thawed in March."}\n')
    home = tmp_path / "home"
    import_paths([str(first)], home, with_entities=False)
    client = create_app({"TESTING": True, "ARCHIVE_HOME": str(home)}).test_client()
    assert client.get("/api/search?q=harbour").get_json()["total"] == 1
    import_paths([str(second)], home, with_entities=False)
    assert client.get("/api/search?q=harbour").get_json()["total"] == 2
    assert total(page(client, "/search?q=harbour")) == 2
    assert page(client, "/articles/two").select_one("h1").text == "Harbour again"


def test_missing_archive_is_a_503_and_creates_nothing(tmp_path):
    from archive.web.app import create_app

    home = tmp_path / "none"
    client = create_app({"TESTING": True, "ARCHIVE_HOME": str(home)}).test_client()
    for url in ["/", "/search?q=x", f"/articles/{SEED_ID}", "/export.csv"]:
        response = client.get(url)
        assert response.status_code == 503, url
        assert b"archive import" in response.data
    assert client.get("/api/search?q=x").get_json()["status"] == 503
    assert not home.exists()


def test_facets_list_more_on_request(web_client):
    """Issue 10: facets stopped at 20 with no way to see the rest; facet_size and a "more" link show it."""
    default = web_client.get("/api/search").get_json()["facets"]
    wide = web_client.get("/api/search?facet_size=200").get_json()["facets"]
    assert len(default["person"]) == 20 < len(wide["person"])  # the archive names more than 20 people
    assert wide["person"][:20] == default["person"] and wide["place"][:20] == default["place"]
    assert len(web_client.get("/api/search?facet_size=3").get_json()["facets"]["person"]) == 3
    for bad in ("0", "201", "x"):
        assert web_client.get(f"/api/search?facet_size={bad}").status_code == 400
    soup = BeautifulSoup(web_client.get("/search?q=&sort=newest").data, "html.parser")
    assert len(soup.select(".facet-person li")) == 20
    more = soup.select_one(".facet-person .facet-more a")["href"]
    assert more == "/search?sort=newest&facet_size=100#facets"
    soup = BeautifulSoup(web_client.get(more.split("#")[0]).data, "html.parser")
    assert len(soup.select(".facet-person li")) == len(wide["person"][:100])
    links = {a["href"] for a in soup.select(".facet-person li a")}
    assert all("facet_size=100" in href for href in links)  # narrowing keeps the longer lists
