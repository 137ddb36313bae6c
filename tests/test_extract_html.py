"""extract_page on real pages: main text, captions kept apart, metadata, and an F1 gate on the benchmark."""

from __future__ import annotations

import pytest

from archive.errors import ReadError
from archive.extract_html import extract_page
from benchmarks.extraction import DEFAULT_CORPUS, load_corpus, page_counts, scores
from tests.conftest import DATA

PAGES = DATA / "pages"
#: The first pages of the benchmark (sorted by id): enough to catch a regression, fast enough for every run.
GATE_PAGES = 10
#: The full benchmark scores 0.974 (benchmarks/extraction.py); these ten pages score 0.988.
GATE_F1 = 0.95


def page(name: str) -> dict:
    return extract_page((PAGES / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "name,must_contain,must_not_contain",
    [
        (
            "sciencealert-europa.html",
            ["A team led by researchers out of NASA's Goddard Space Flight Center", "water vapor"],
            [
                "Subscribe",
                "Privacy Policy",
                "NASA Just Confirmed There Are Water Plumes",
            ],  # nav, footer, title
        ),
        (
            "sciencealert-titan.html",
            ["WASHINGTON (Reuters) - Scientists on Monday unveiled the first global geological map"],
            ["The first global geologic map of Titan. ( NASA/JPL-Caltech/ASU )"],  # a caption, not text
        ),
        ("entermedia-ko.html", ["엘제이의 리벤지인가, 류화영의 피해자 코스프레인가"], ["<div", "&nbsp;"]),
    ],
)
def test_main_text(name, must_contain, must_not_contain):
    text = page(name)["text"]
    for snippet in must_contain:
        assert snippet in text
    for snippet in must_not_contain:
        assert snippet not in text
    assert "\n\n" in text and "\n\n\n" not in text


@pytest.mark.parametrize(
    "name,expected",
    [
        (
            "sciencealert-titan.html",
            {
                "title": "The First Map of Saturn's Moon Titan Just Revealed Some Tantalising Features",
                "author": ["Reuters"],
                "published": "2019-11-19",
                "url": "https://www.sciencealert.com/we-finally-have-a-global-geological-map-of-saturn-s-moon-titan",
                "source": "ScienceAlert",
                "language": "en",
                "captions": "The first global geologic map of Titan. ( NASA/JPL-Caltech/ASU )",
            },
        ),
        ("entermedia-ko.html", {"published": "2018-08-25", "language": "ko", "captions": ""}),
    ],
)
def test_metadata(name, expected):
    found = page(name)
    assert {key: found[key] for key in expected} == expected


def test_json_ld_and_opengraph_win_over_guesses():
    html = """<html lang="pl-PL"><head><title>Site | A page</title>
    <meta property="og:site_name" content="Gazeta">
    <meta property="article:modified_time" content="2024-02-01T10:00:00Z">
    <link rel="canonical" href="https://gazeta.example/a/1">
    <script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
      {"@type": "WebSite", "name": "Gazeta"},
      {"@type": "NewsArticle", "headline": "Strajk w porcie", "datePublished": "2023-10-24T08:00:00+02:00",
       "author": [{"@type": "Person", "name": "Anna Nowak"}, {"@type": "Person", "name": "Jan Kowalski"}],
       "publisher": {"@type": "Organization", "name": "Gazeta Codzienna"}}]}</script>
    </head><body><article><h1>Strajk w porcie</h1>
    <p>Dokerzy w Gdańsku zakończyli w czwartek trzydniowy strajk po tym, jak zarząd portu zgodził się na
    podwyżkę płac o osiem procent, poinformowali przedstawiciele związku zawodowego.</p>
    <figure><img src="a.jpg"><figcaption>Statek czeka na redzie.</figcaption></figure>
    <p>Statki, które czekały na kotwicy, zaczęły cumować po południu, a zarząd zapowiedział,
    że zaległości zostaną nadrobione do weekendu.</p></article></body></html>"""
    found = extract_page(html, url="https://fallback.example/")
    assert found["title"] == "Strajk w porcie"
    assert found["author"] == ["Anna Nowak", "Jan Kowalski"]
    assert found["published"] == "2023-10-24T08:00:00"  # datePublished, not the modified time
    assert found["url"] == "https://gazeta.example/a/1"
    assert found["source"] == "Gazeta Codzienna"
    assert found["language"] == "pl"
    assert found["captions"] == "Statek czeka na redzie."
    assert "Statek czeka" not in found["text"]
    assert found["text"].startswith("Dokerzy w Gdańsku")


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   ",
        "<html><head><title>Nothing</title></head><body></body></html>",
        "<html><head><meta charset='utf-8'><title>Cut off",
        "<html><body><script>var article = 'not text';</script><style>p {}</style></body></html>",
        "<?xml version='1.0'?><rss><channel><title>feed</title></channel></rss>",
        "https://example.org/just-a-url",
    ],
)
def test_pages_without_main_text_raise_read_error(html):
    with pytest.raises(ReadError):
        extract_page(html)


def test_truncated_page_fixture():
    with pytest.raises(ReadError, match="no main text"):
        extract_page((DATA / "broken" / "truncated.html").read_text(encoding="utf-8"))


def test_f1_gate_on_benchmark_pages():
    pages = load_corpus(DEFAULT_CORPUS, limit=GATE_PAGES)
    counts = [page_counts(expected, extract_page(html)["text"]) for _, html, expected in pages]
    assert scores(counts)["f1"] >= GATE_F1


def test_tables_are_kept_as_plain_rows():
    html = """<html><body><article><h1>Standings</h1>
    <p>Kyle Busch won the championship on Sunday, finishing ahead of three other title contenders in the
    final race of the season at Homestead-Miami Speedway, his second title in five seasons.</p>
    <table><tr><th>Pos.</th><th>Driver</th><th>Points</th></tr>
    <tr><td>1</td><td>Kyle Busch</td><td>5040</td></tr>
    <tr><td>2</td><td>Martin Truex Jr.</td><td>5035</td></tr></table>
    <p>Truex finished second in the race and in the championship standings, five points behind Busch.</p>
    </article></body></html>"""
    text = extract_page(html)["text"]
    assert "1 | Kyle Busch | 5040" in text.split("\n\n")
    assert "---" not in text and "| 1" not in text
