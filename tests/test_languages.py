"""Articles in Russian, Ukrainian, Belarusian and Polish (issue 12): language, entities, search, dates.

One archive of the self-written sample in ``tests/data/multilingual`` (CC0), imported once with the real
importer and read through the CLI, the site and the JSON API.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import cli

DATA = Path(__file__).parent / "data" / "multilingual"
ARTICLES = DATA / "articles.jsonl"
RECORDS = [json.loads(line) for line in ARTICLES.read_text(encoding="utf-8").splitlines()]
#: The sample's ids start with the language they are written in ("ru-1").
LANGUAGE_OF = {r["id"]: r["id"].split("-")[0] for r in RECORDS}


@pytest.fixture(scope="module")
def ml_home(tmp_path_factory) -> Path:
    """The sample with one record that states its language (and says Polish text is English)."""
    from archive.importer import import_paths

    inputs = tmp_path_factory.mktemp("ml-inputs")
    stated = {
        "id": "stated-1",
        "language": "en-GB",
        "title": "Stated language",
        "text": "Tekst jest po polsku, ale rekord mówi, że to angielski: rekord wygrywa.",
    }
    (inputs / "stated.jsonl").write_text(json.dumps(stated, ensure_ascii=False) + "\n", encoding="utf-8")
    home = tmp_path_factory.mktemp("ml-home")
    report = import_paths([str(ARTICLES), str(inputs / "stated.jsonl")], home, workers=1)
    assert not report.failed, report.failed
    return home


@pytest.fixture(scope="module")
def client(ml_home):
    from archive.web.app import create_app

    app = create_app({"ARCHIVE_HOME": str(ml_home), "TESTING": True})
    return app.test_client()


def cli_json(home: Path, *args: str) -> dict:
    result = CliRunner().invoke(cli, ["search", *args, "--json", "--limit", "50", "--home", str(home)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def ids(result: dict) -> set[str]:
    return {hit["id"] for hit in result["results"]}


def test_language_is_detected_when_not_given_and_kept_when_given(client):
    for article_id, language in LANGUAGE_OF.items():
        assert client.get(f"/api/articles/{article_id}").get_json()["language"] == language, article_id
    assert client.get("/api/articles/stated-1").get_json()["language"] == "en"


@pytest.mark.parametrize("language", ["ru", "uk", "be", "pl"])
def test_language_filter_on_cli_api_and_export(ml_home, client, language):
    expected = {i for i, lang in LANGUAGE_OF.items() if lang == language}
    assert ids(cli_json(ml_home, "", "--language", language)) == expected
    assert ids(client.get(f"/api/search?language={language}&per_page=50").get_json()) == expected
    exported = client.get(f"/export.json?language={language}").get_json()
    assert {hit["id"] for hit in exported["results"]} == expected


def test_language_facet_counts_articles_per_language(client):
    facet = client.get("/api/search").get_json()["facets"]["language"]
    counts = {item["key"]: item["count"] for item in facet}
    assert counts == {"ru": 3, "uk": 3, "be": 2, "pl": 4, "en": 2}
    assert {item["key"]: item["label"] for item in facet}["be"] == "Belarusian"


def test_results_page_shows_the_language_facet_and_chip(client):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(client.get("/search?language=pl").get_data(as_text=True), "html.parser")
    chip = soup.select_one('a.chip[data-param="language"]')
    assert chip is not None and chip["data-value"] == "pl"
    active = soup.select_one(".facet-language li.active")
    assert active is not None and active["data-value"] == "pl"
    assert "Polish" in active.get_text()


def test_article_page_names_the_language_and_links_to_the_filter(client):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(client.get("/articles/uk-2").get_data(as_text=True), "html.parser")
    link = soup.select_one("a.language")
    assert link.get_text() == "Ukrainian" and link["href"].endswith("language=uk")


def test_a_bad_language_value_is_a_400_and_a_usage_error(ml_home, client):
    response = client.get("/api/search?language=russian!")
    assert response.status_code == 400 and "language" in response.get_json()["error"]
    result = CliRunner().invoke(cli, ["search", "x", "--language", "r1", "--home", str(ml_home)])
    assert result.exit_code == 2


def test_openapi_describes_the_language_filter_and_facet(client):
    spec = client.get("/api/openapi.json").get_json()
    names = [p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]]
    assert "language" in names
    assert "language" in spec["components"]["schemas"]["SearchResult"]["properties"]["facets"]["properties"]


def test_one_person_key_across_languages_and_case_forms(ml_home, client):
    """Лукашенко (ru), Лукашенко (uk), Лукашэнка (be), Lukashenko (en) are one person; Путина is Путин."""
    found = ids(client.get("/api/search?person=lukashenko_aleksandr&per_page=50").get_json())
    assert {"ru-1", "uk-1", "be-1", "en-1"} <= found
    putin = {p["key"]: p for p in client.get("/api/articles/ru-1").get_json()["persons"]}["putin_vladimir"]
    assert "Путина" in putin["variants"] and len(putin["mentions"]) == 2
    assert ids(cli_json(ml_home, "", "--person", "Путин")) >= {"ru-1", "en-1"}


def test_ukrainian_persons_a_given_name_ner_missed_and_no_common_words(ml_home, client):
    """natasha (a Russian model) saw only "Марчук" and called "Отже" ("so") and "Вона" ("she", also
    opening a line of dialogue) people."""
    persons = client.get("/api/articles/uk-3").get_json()["persons"]
    assert [p["key"] for p in persons] == ["marchuk_ivan"]
    assert {"Іван Марчук", "Марчука", "Іван"} <= set(persons[0]["variants"])
    assert len(persons[0]["mentions"]) == 4
    assert ids(cli_json(ml_home, "", "--person", "Марчук")) == {"uk-3"}


def test_a_name_finds_its_spellings_in_every_script_and_reports_them(ml_home, client):
    """Issue 12 item 5: Latin ``Lukashenko`` finds the Cyrillic-only (ru, uk, be) and the Polish-only
    articles, ``Путин`` the English one and the Belarusian Пуцін, through the person registry."""
    for result in (
        cli_json(ml_home, "Lukashenko"),
        client.get("/api/search?q=Lukashenko&per_page=50").get_json(),
    ):
        assert ids(result) == {"ru-1", "uk-1", "be-1", "pl-1", "pl-3", "en-1"}
        (expansion,) = result["expansions"]
        assert expansion["key"] == "lukashenko_aleksandr"
        assert {"Лукашенко", "Аляксандр Лукашэнка", "Łukaszenki"} <= set(expansion["variants"])
    putin = cli_json(ml_home, "Путин")
    assert ids(putin) == {"ru-1", "be-1", "en-1"}
    assert {"Vladimir Putin", "Уладзімір Пуцін"} <= set(putin["expansions"][0]["variants"])
    assert ids(cli_json(ml_home, "Путин", "--exact")) == {"ru-1"}  # exact mode stays literal


def test_polish_names_key_from_the_nominative_and_feminine_stays_feminine(client):
    persons = {p["key"]: p for p in client.get("/api/articles/pl-1").get_json()["persons"]}
    assert "Kaczyńskiego" in persons["kachinski_yaroslav"]["variants"]
    kowalska = [p["key"] for p in client.get("/api/articles/pl-2").get_json()["persons"]]
    assert kowalska == ["kovalska_ana"]


def test_a_polish_surname_that_is_also_a_word_is_a_person_after_a_title(client):
    """ "Duda" is a bagpipe too, so the dictionary alone did not make it a person; "prezydent" does, and
    the later "a Duda obiecał" is its second mention."""
    persons = client.get("/api/articles/pl-4").get_json()["persons"]
    assert [(p["key"], len(p["mentions"])) for p in persons] == [("duda", 2)]


def test_places_in_every_case_resolve_to_the_gazetteer(ml_home, client):
    assert ids(cli_json(ml_home, "", "--place", "Москва")) == {"ru-1", "ru-2", "en-1"}
    assert ids(client.get("/api/search?place=Warszawa&per_page=50").get_json()) == {"pl-1", "pl-3"}
    places = {p["key"] for p in client.get("/api/articles/uk-1").get_json()["places"]}
    # Україна (a country by its Ukrainian name), Києві, Мінську
    assert {"UA", "UA/703448", "BY/625144"} <= places
    # РФ: a country by its abbreviation
    assert "RU" in {p["key"] for p in client.get("/api/articles/ru-3").get_json()["places"]}
    # Італії, which natasha does not tag in Ukrainian text: found through the gazetteer
    assert "IT" in {p["key"] for p in client.get("/api/articles/uk-2").get_json()["places"]}


def test_dates_written_in_each_language_are_normalised(client):
    day = client.get("/api/search?mentioned_from=2023-10-19&mentioned_to=2023-10-19&per_page=50").get_json()
    # en-1, published Friday 2023-10-20, says "on Thursday": a relative date (issue 11 item 5)
    assert ids(day) == {"ru-1", "uk-1", "be-1", "pl-1", "en-1"}
    first = client.get("/api/articles/pl-1").get_json()["dates"][0]
    assert {
        "value": "2023-10-19",
        "precision": "day",
        "text": "19 października 2023",
    }.items() <= first.items()


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Москва", {"ru-1", "ru-2"}),  # the sample says Москве, Москву, Москвы, never Москва
        ("Лаврова", {"ru-3"}),  # Лавров
        ("Київ", {"uk-1"}),  # Києві
        ("Садовому", {"uk-2"}),  # Садовий, Садового
        ("Ціханоўскую", {"be-2"}),  # Ціханоўская
        ("Warszawa", {"pl-1", "pl-3"}),  # Warszawie
        ("Krakowa", {"pl-2"}),  # Krakowie
    ],
)
def test_a_word_finds_its_other_case_forms_on_cli_and_api(ml_home, client, query, expected):
    assert ids(cli_json(ml_home, query)) == expected
    assert ids(client.get("/api/search", query_string={"q": query, "per_page": 50}).get_json()) == expected


def test_belarusian_and_russian_spellings_of_a_name_meet_in_any_case(ml_home):
    """Лукашэнку (be, dative) finds Лукашэнка (be) and Лукашенко (ru, uk) without a language switch."""
    assert {"ru-1", "uk-1", "be-1"} <= ids(cli_json(ml_home, "Лукашэнку"))


def test_exact_mode_stays_literal(ml_home):
    assert ids(cli_json(ml_home, "Москва", "--exact")) == set()
    assert ids(cli_json(ml_home, "Москвы", "--exact")) == {"ru-2"}


def test_snippets_mark_the_inflected_forms(client):
    results = client.get("/api/search", query_string={"q": "Москва", "per_page": 50}).get_json()["results"]
    html = {r["id"]: " ".join(s["html"] for s in r["snippets"]) for r in results}
    assert "<mark>Москвы</mark>" in html["ru-2"]
    assert "<mark>Москве</mark>" in html["ru-1"]
    polish = client.get("/api/search", query_string={"q": "Łukaszenka"}).get_json()["results"]
    marked = {r["id"]: " ".join(s["html"] for s in r["snippets"]) for r in polish}
    assert "<mark>Łukaszenki</mark>" in marked["pl-3"]


def test_a_polish_case_form_is_not_an_english_stem(ml_home, client):
    """English stemming cut Łukaszence to "łukasz", so the given name Łukasz found the article."""
    assert ids(cli_json(ml_home, "Łukasz")) == set()
    # the dative is a recorded spelling of Łukaszenka, so it finds his articles in every script
    lukashenko = {"pl-1", "pl-3", "ru-1", "uk-1", "be-1", "en-1"}
    assert ids(client.get("/api/search", query_string={"q": "Łukaszence"}).get_json()) == lukashenko
