"""Unit tests of the pure helpers: links, chips, places by country, paging, histogram, escaping."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from archive.web import histogram, present
from archive.web.article_html import Span, render_layers
from archive.web.security import only_marks, safe_url, valid_article_id
from archive.web.urls import search_args, url_with_args


@pytest.mark.parametrize(
    "args,kwargs,expected",
    [
        ({}, {}, "/search"),
        ({"q": "merkel"}, {}, "/search?q=merkel"),
        # a facet link adds a value; filters reset paging
        (
            {"q": "merkel", "page": "3"},
            {"add": [("person", "merkel_angela")]},
            "/search?q=merkel&person=merkel_angela",
        ),
        # person and place are repeatable: all must match
        (
            {"q": "x", "person": "a"},
            {"add": [("person", "b")]},
            "/search?q=x&person=a&person=b",
        ),
        # adding a value already there changes nothing but the page
        ({"q": "x", "person": "a", "page": "2"}, {"add": [("person", "a")]}, "/search?q=x&person=a"),
        # a chip removes one value and keeps the others
        (
            MultiDict([("q", "x"), ("person", "a"), ("person", "b")]),
            {"remove": [("person", "a")]},
            "/search?q=x&person=b",
        ),
        # remove every value of a key
        (
            MultiDict([("person", "a"), ("person", "b"), ("q", "x")]),
            {"remove": [("person", None)]},
            "/search?q=x",
        ),
        # a country key with a slash-free value and a city key with a slash, both encoded
        ({"place": "BY"}, {"add": [("place", "BY/625144")]}, "/search?place=BY&place=BY%2F625144"),
        # histogram bars set both ends of the period ("from" is a keyword, hence the dict)
        ({"q": "x"}, {"from": "2023-10", "to": "2023-10"}, "/search?q=x&from=2023-10&to=2023-10"),
        # pagination changes only the page
        ({"q": "x", "sort": "newest"}, {"page": 2}, "/search?q=x&sort=newest&page=2"),
        # the first page and the default mode are left out, so equal searches have equal URLs
        ({"q": "x", "page": "2"}, {"page": 1}, "/search?q=x"),
        ({"q": "x", "mode": "normal"}, {}, "/search?q=x"),
        ({"q": "x"}, {"mode": "exact"}, "/search?q=x&mode=exact"),
        # empty values and unknown parameters are dropped; parameters keep one canonical order
        ({"page": "2", "zzz": "1", "from": "", "q": "a b"}, {}, "/search?q=a+b&page=2"),
        # None removes
        ({"q": "x", "source": "Reuters"}, {"source": None}, "/search?q=x"),
        # characters that mean something in a URL are encoded
        ({"q": 'a&b="c"#d'}, {}, "/search?q=a%26b%3D%22c%22%23d"),
    ],
)
def test_url_with_args(args, kwargs, expected):
    assert url_with_args("/search", args, **kwargs) == expected


def test_search_args_keeps_repeatables_once_and_singles_first():
    args = search_args(MultiDict([("person", "a"), ("person", "a"), ("person", "b"), ("q", "x"), ("q", "y")]))
    assert args.getlist("person") == ["a", "b"]
    assert args.getlist("q") == ["x"]


def test_chips_label_from_facets_and_remove_one_value():
    args = MultiDict([("q", "x"), ("person", "k1"), ("place", "BY"), ("from", "2020")])
    result = {
        "results": [],
        "facets": {"person": [{"key": "k1", "label": "Ann Lee", "count": 2}], "place": []},
    }
    chips = present.chips(args, result)
    assert [(c.param, c.label) for c in chips] == [("person", "Ann Lee"), ("place", "BY"), ("from", "2020")]
    assert chips[0].remove_url == "/search?q=x&place=BY&from=2020"


def test_place_groups_put_cities_under_their_country():
    places = [
        {"key": "BY/625144", "label": "Minsk", "country": "Belarus", "count": 3},
        {"key": "RU", "label": "Russia", "country": "Russia", "count": 4},
        {"key": "BY", "label": "Belarus", "country": "Belarus", "count": 5},
        {"key": "RU/524901", "label": "Moscow", "country": "Russia", "count": 2},
        {"key": "FR/2988507", "label": "Paris", "country": "France", "count": 1},
    ]
    groups = present.place_groups(places)
    assert [(g.country, g.key, g.count) for g in groups] == [
        ("Belarus", "BY", 5),
        ("Russia", "RU", 4),
        ("France", "FR", None),
    ]
    assert [p["label"] for p in groups[0].places] == ["Minsk"]


@pytest.mark.parametrize(
    "total,page,expected",
    [
        (0, 1, [1]),
        (20, 1, [1]),
        (45, 1, [1, 2, 3]),
        (200, 1, [1, 2, 3, None, 10]),
        (200, 6, [1, None, 4, 5, 6, 7, 8, None, 10]),
        (200, 10, [1, None, 8, 9, 10]),
    ],
)
def test_page_links_window(total, page, expected):
    links = present.page_links(MultiDict({"q": "x"}), total, page, 20)
    assert [link.number for link in links] == expected
    assert [link.number for link in links if link.current] == [page]


def test_histogram_fills_gaps_and_links_each_month():
    unit, bars = histogram.bars(
        [{"key": "2023-10", "count": 4}, {"key": "2023-12", "count": 1}], lambda key: f"/search?from={key}"
    )
    assert unit == "month"
    assert [(b.key, b.count, b.href) for b in bars] == [
        ("2023-10", 4, "/search?from=2023-10"),
        ("2023-11", 0, None),
        ("2023-12", 1, "/search?from=2023-12"),
    ]
    assert bars[0].height == histogram.HEIGHT and bars[2].height > 0


def test_histogram_uses_years_for_long_spans():
    unit, series = histogram.periods([{"key": "1987-03", "count": 2}, {"key": "2023-10", "count": 1}])
    assert unit == "year"
    assert series[0] == ("1987", 2) and series[-1] == ("2023", 1) and len(series) == 2023 - 1987 + 1


def test_render_layers_nests_crossing_spans():
    text = "abcdef"
    out = render_layers(
        text,
        [
            [Span(0, 3, "<p1>", "</p1>"), Span(3, 6, "<p2>", "</p2>")],
            [Span(2, 4, "<a>", "</a>")],
            [Span(1, 5, "<m>", "</m>")],
        ],
    )
    assert out == "<p1>a<m>b</m><a><m>c</m></a></p1><p2><a><m>d</m></a><m>e</m>f</p2>"


def test_render_layers_escapes_text():
    assert (
        render_layers("<script>&", [[Span(1, 7, "<mark>", "</mark>")]]) == "&lt;<mark>script</mark>&gt;&amp;"
    )


@pytest.mark.parametrize(
    "html,expected",
    [
        ("a <mark>b</mark> c", "a <mark>b</mark> c"),
        ("&lt;script&gt; <mark>x</mark>", "&lt;script&gt; <mark>x</mark>"),
        (
            '<img src=x onerror="alert(1)"><mark>y</mark>',
            '&lt;img src=x onerror="alert(1)"&gt;<mark>y</mark>',
        ),
        ("<mark onclick=x>z</mark>", "&lt;mark onclick=x&gt;z</mark>"),
    ],
)
def test_only_marks(html, expected):
    assert only_marks(html) == expected


@pytest.mark.parametrize(
    "url,expected",
    [
        ("https://example.org/a", "https://example.org/a"),
        ("HTTP://EXAMPLE.ORG", "HTTP://EXAMPLE.ORG"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("data:text/html,<script>", None),
        ("//evil.example", None),
        ("https://a.example/\nx", None),
        (None, None),
    ],
)
def test_safe_url(url, expected):
    assert safe_url(url) == expected


@pytest.mark.parametrize(
    "value,ok",
    [
        ("enwn-0001", True),
        ("a-e9d7f557f4f4d8b8", True),
        ("Müller:2023#1", True),
        ("..", False),
        ("a b", False),
        ("a/b", False),
        ("a\\b", False),
        ("a\x00b", False),
        ("x" * 201, False),
        ("", False),
    ],
)
def test_valid_article_id(value, ok):
    assert valid_article_id(value) is ok


def test_id_rule_matches_the_importer():
    from archive import normalize
    from archive.web import security

    assert security.MAX_ID_CHARS == normalize.MAX_ID_CHARS
    assert security.ID_UNSAFE.pattern == normalize.ID_UNSAFE.pattern
