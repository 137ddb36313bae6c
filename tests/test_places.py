"""Places: offline resolution to a canonical place with its country, in an article or typed."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from archive.entities.places import country_of, parent_keys, places_in, resolve_place


@pytest.mark.parametrize(
    "name,key,country",
    [
        ("Belarus", "BY", "Belarus"),
        ("Belarusian", "BY", "Belarus"),  # demonyms are the country
        ("Belarusians", "BY", "Belarus"),
        ("Minsk", "BY/625144", "Belarus"),  # a city carries its country
        ("Mińsk", "BY/625144", "Belarus"),
        ("Минск", "BY/625144", "Belarus"),
        ("U.S.", "US", "United States"),
        ("American", "US", "United States"),
        ("Britain", "GB", "United Kingdom"),
        ("USSR", "RU", "Russia"),  # historical names go to the successor
        ("Soviet", "RU", "Russia"),
        ("West Germany", "DE", "Germany"),
        ("West German", "DE", "Germany"),
        ("Burma", "MM", "Myanmar"),
        ("Paris", "FR/2988507", "France"),  # the biggest of its namesakes
        ("London", "GB/2643743", "United Kingdom"),
        ("New York", "US/5128581", "United States"),  # the city, not the state
        ("Texas", "US/4736286", "United States"),
        ("the Hague", "NL/2747373", "The Netherlands"),
        ("Peking", "CN/1816670", "China"),  # an alternate name
        ("BY", "BY", "Belarus"),  # keys resolve to themselves
        ("BY/625144", "BY/625144", "Belarus"),
    ],
)
def test_resolve_place(name, key, country):
    place = resolve_place(name)
    assert place is not None and (place.key, place.country) == (key, country)


@pytest.mark.parametrize("name", ["Kremlin", "Reagan", "Europe", "Treasury", "", "ZZ"])
def test_unknown_names_resolve_to_nothing(name):
    assert resolve_place(name) is None


def test_country_of():
    assert country_of("BY/625144") == country_of("BY") == "Belarus"


def test_city_coordinates():
    minsk = resolve_place("Minsk")
    assert minsk.lat == pytest.approx(53.9, abs=0.1) and minsk.lon == pytest.approx(27.57, abs=0.1)


def _ents(text, *pairs):
    """Every occurrence of each name, as NER would label it."""
    return [(label, m.start(), m.end()) for label, name in pairs for m in re.finditer(re.escape(name), text)]


def test_places_in_groups_mentions_and_scans_country_names():
    text = "Belarusian protesters marched in Minsk. Belarus' government, in Minsk, said no."
    places = places_in(text, _ents(text, ("GPE", "Minsk")))
    by_key = {p.key: p for p in places}
    assert set(by_key) == {"BY", "BY/625144"}
    assert [text[m.start : m.end] for m in by_key["BY"].mentions] == ["Belarusian", "Belarus"]
    assert len(by_key["BY/625144"].mentions) == 2


def test_ambiguous_city_follows_the_article_countries():
    text = "Canada said Victoria would host it."
    places = places_in(text, _ents(text, ("GPE", "Canada"), ("GPE", "Victoria")))
    assert {p.country for p in places} == {"Canada"}


def test_no_country_inside_a_person_name():
    text = "Jordan Smith arrived."
    assert places_in(text, _ents(text, ("PERSON", "Jordan Smith"))) == []


def test_city_opening_an_organisation_name():
    text = "The London Stock Exchange said so."
    places = places_in(text, _ents(text, ("ORG", "The London Stock Exchange")))
    assert [p.key for p in places] == ["GB/2643743"]


def _places(text: str) -> list[tuple[str, str]]:
    """(key, name) of the places :func:`extract` finds in a text, with the real NER model."""
    from archive.entities import extract
    from archive.models import Article

    article = Article(id="t", title="", text=text, published="2023-10-27")
    extract([article])
    return [(p.key, p.name) for p in article.places]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Georgia Governor Brian Kemp spoke to reporters in Atlanta on Monday.", {"Georgia": "US"}),
        ("The senator from Georgia voted against the bill.", {"Georgia": "US"}),
        ("Voters in the state of Georgia went to the polls.", {"Georgia": "US"}),
        ("Georgia and Armenia signed a transit deal in Tbilisi.", {"Georgia": "GE", "Armenia": "AM"}),
        ("Russian troops remain in Georgia, the foreign ministry said.", {"Georgia": "GE"}),
    ],
)
def test_georgia_is_read_by_its_context(text, expected):
    by_name = {name: key for key, name in _places(text)}
    assert {name: by_name.get(name, "")[:2] for name in expected} == expected
    assert all(by_name[name] == ("US/4197000" if code == "US" else code) for name, code in expected.items())


def test_new_york_the_state_and_the_city():
    assert _places("The governor of New York signed it. He lives in upstate New York.") == [
        ("US/5128638", "New York")
    ]
    assert _places("She moved to New York in 2001.") == [("US/5128581", "New York City")]


def test_continents_and_names_are_not_small_towns():
    text = (
        "Markets in Asia fell. Isaac Newton's laws still hold, John F. Kennedy said once, and "
        "Kennedy's brother agreed."
    )
    assert _places(text) == []
    assert resolve_place("Asia") is None


def test_plainly_named_cities_ner_missed():
    text = (
        "With almost complete certainty, after a few moments, paratroopers from Pskov would land in "
        "Minsk, and the Rosgvardia would enter from Smolensk."
    )
    assert {"RU/504341", "BY/625144"} <= {key for key, _ in _places(text)}
    assert [key for key, _ in _places("BONN 1996-08-22\nThe German government said on Thursday.")][:1] == [
        "DE/2946447"
    ]
    assert _places("Talks resume in March, the minister said.") == []  # a month, not March in England


def test_a_us_city_lies_in_its_state():
    atlanta = resolve_place("Atlanta")
    assert parent_keys(atlanta.key) == ["US", "US/4197000"]
    assert parent_keys("BY/625144") == ["BY"] and parent_keys("BY") == []


def _cli_archive(tmp_path, texts: dict[str, str]):
    """An archive imported through the CLI from ``{id: text}``; returns a search function."""
    import json

    from click.testing import CliRunner

    from archive.cli import cli

    records = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": i, "text": t, "published": "2023-10-21"}) for i, t in texts.items()]
    records.write_text("\n".join(lines) + "\n", encoding="utf-8")
    home = str(tmp_path / "home")
    runner = CliRunner()
    assert runner.invoke(cli, ["import", str(records), "--home", home, "--quiet"]).exit_code == 0

    def search(*args: str) -> dict:
        result = runner.invoke(cli, ["search", "", *args, "--json", "--home", home])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return search


def test_a_state_filter_and_facet_include_its_cities(tmp_path):
    """Through the CLI: an article naming only Atlanta is found by the state of Georgia."""
    search = _cli_archive(
        tmp_path,
        {
            "atl": "Thousands marched in Atlanta on Saturday.",
            "min": "Thousands marched in Minsk on Saturday.",
        },
    )
    page = search("--place", "US/4197000")
    assert [r["id"] for r in page["results"]] == ["atl"]
    facet = {f["key"]: f for f in page["facets"]["place"]}
    assert facet["US/4197000"]["label"] == "Georgia" and facet["US/4197000"]["count"] == 1


@pytest.mark.parametrize("value", ["New York", "Нью-Йорк", "New York City", "US/5128581"])
def test_a_place_filter_takes_any_name_of_the_place(tmp_path, value):
    search = _cli_archive(
        tmp_path,
        {
            "ny": "Thousands marched in New York on Saturday.",
            "min": "Thousands marched in Minsk on Saturday.",
        },
    )
    assert [r["id"] for r in search("--place", value)["results"]] == ["ny"]


def test_a_state_label_needs_no_gazetteer_build():
    """A facet of a US state only its cities name is labelled without loading 200,000 cities
    (the 3 s that `archive search --json` paid for it)."""
    code = (
        "import importlib; g = importlib.import_module('archive.entities.gazetteer');"
        "key = next(k for k, (n, _) in g._us_states().items() if n == 'Texas');"
        "print(g.us_state(key), g.gazetteer.cache_info().currsize);"
        "print(g.gazetteer().by_key[key].name)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["('Texas', 'United States') 0", "Texas"]
