"""The JSON API and the exports: the DESIGN 3.4 shapes, errors as JSON, exports as long as the result set."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.search.request import SearchRequest
from archive.search.whoosh.engine import open_searcher

pytest_plugins = ["tests.web_fixtures"]  # the session archive and the app's test client

ARTICLE_KEYS = ["id", "title", "published", "url", "source", "author", "language", "text", "captions",
                "passages", "persons", "places", "dates", "extra", "story", "copies"]  # fmt: skip
SEARCHES = [
    "",
    "q=putin",
    "q=bombing&sort=oldest",
    "place=US",
    "q=russia&person=putin_vladimir",
    "from=2019-02",
]


def test_api_search_is_the_engine_answer(web_client, web_home):
    data = web_client.get("/api/search?q=putin&per_page=2").get_json()
    with open_searcher(web_home) as searcher:
        assert data == json.loads(json.dumps(searcher.search(SearchRequest(q="putin", per_page=2))))
    assert {"total", "page", "per_page", "results", "facets", "suggestion"} <= set(data)
    assert set(data["facets"]) >= {"person", "place", "published"}
    assert data["results"][0]["snippets"][0]["html"].count("<mark>") >= 1


def test_api_article_has_the_contract_fields(web_client):
    response = web_client.get("/api/articles/enwn-0001")
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert list(data) == ARTICLE_KEYS
    assert data["extra"]["license"] == "CC BY 2.5"
    assert all(set(p) == {"n", "start", "end"} for p in data["passages"])


@pytest.mark.parametrize(
    "url,status",
    [
        ("/api/search?from=2023-13", 400),
        ("/api/search?page=abc", 400),
        ("/api/search?sort=sideways", 400),
        ("/api/search?q=" + "x" * 2000, 400),
        ("/api/articles/nope", 404),
        ("/api/articles/a%20b", 404),
        ("/api/nothing", 404),
    ],
)
def test_api_errors_are_json(web_client, url, status):
    response = web_client.get(url)
    assert response.status_code == status
    assert response.get_json()["error"]


def test_openapi_describes_the_api(web_client):
    spec = web_client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    search = spec["paths"]["/api/search"]["get"]
    assert {p["name"] for p in search["parameters"]} == {
        "q", "person", "place", "from", "to", "mentioned_from", "mentioned_to", "source", "sort", "page",
        "per_page", "mode", "collapse", "language", "facet_size",
    }  # fmt: skip
    schemas = spec["components"]["schemas"]
    article = web_client.get("/api/articles/enwn-0001").get_json()
    assert set(schemas["Article"]["properties"]) == set(article)
    result = web_client.get("/api/search?q=putin").get_json()
    assert set(schemas["SearchResult"]["required"]) <= set(result)
    assert set(schemas["Hit"]["properties"]) - {"copies"} == set(result["results"][0])
    collapsed = web_client.get("/api/search?q=putin&collapse=1").get_json()
    assert set(schemas["Hit"]["properties"]) == set(collapsed["results"][0])
    assert "/api/articles/{id}" in spec["paths"] and "/export.csv" in spec["paths"]


COLUMNS = ["id", "title", "published", "source", "author", "url", "persons", "places", "snippets"]


def _csv(client, query):
    """The export's trailing ``#`` line and its rows, read as a spreadsheet would: header first."""
    response = client.get(f"/export.csv?{query}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="archive-')
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, for Excel
    records = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    header, *rows, trailer = records
    assert header[: len(COLUMNS)] == COLUMNS
    assert len(trailer) == 1 and trailer[0].startswith("# query: ")
    return trailer[0], [dict(zip(header, row, strict=True)) for row in rows]


@pytest.mark.parametrize("query", SEARCHES)
def test_csv_export_has_every_result(web_client, query):
    data = web_client.get(f"/api/search?{query}&per_page=100").get_json()
    comment, rows = _csv(web_client, query)
    assert len(rows) == data["total"]
    assert [r["id"] for r in rows] == [r["id"] for r in data["results"]]
    assert comment.startswith("# query: http://localhost/search")
    assert re.search(r"; exported_at: \d{4}-\d\d-\d\dT[\d:]+\+00:00; articles: (\d+)$", comment)
    assert comment.endswith(f"articles: {data['total']}")
    assert list(rows[0]) == COLUMNS


def test_csv_opens_with_the_header_on_the_first_row(web_client):
    """What Excel, Sheets and csv.DictReader read: the first row names the columns, nothing above it."""
    raw = web_client.get("/export.csv?q=putin").get_data()
    first = next(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert list(first) == COLUMNS and first["id"]
    assert raw.decode("utf-8-sig").split("\r\n", 1)[0] == ",".join(COLUMNS)


def test_csv_has_authors_all_snippets_and_optionally_the_text(web_client):
    api = web_client.get("/api/search?q=putin&per_page=100").get_json()
    _, rows = _csv(web_client, "q=putin&fulltext=1")
    assert list(rows[0]) == [*COLUMNS, "text"]
    by_id = {r["id"]: r for r in rows}
    for hit in api["results"]:
        row = by_id[hit["id"]]
        assert len(row["snippets"].split("\n")) == len(hit["snippets"])
        article = web_client.get(f"/api/articles/{hit['id']}").get_json()
        assert row["text"] == article["text"]
        assert row["author"] == "; ".join(article["author"])
    assert any(len(h["snippets"]) > 1 for h in api["results"])  # the check above saw several snippets
    assert any(r["author"] for r in rows)
    assert web_client.get("/export.csv?q=putin&fulltext=maybe").status_code == 400


def test_export_file_names_say_what_and_when(web_client):
    response = web_client.get("/export.csv?q=%C5%81ukaszenka+protest&place=by&sort=newest")
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(
        r'attachment; filename="archive-q-lukaszenka-protest-place-by-sort-newest-\d{8}-\d{6}\.csv"',
        disposition,
    ), disposition
    assert 'filename="archive-all-' in web_client.get("/export.json").headers["Content-Disposition"]


@pytest.mark.parametrize("query", SEARCHES)
def test_json_export_has_every_result_and_the_query(web_client, query):
    data = web_client.get(f"/api/search?{query}&per_page=100").get_json()
    response = web_client.get(f"/export.json?{query}")
    assert response.status_code == 200
    export = json.loads(response.get_data(as_text=True))
    assert export["count"] == len(export["results"]) == data["total"]
    assert [r["id"] for r in export["results"]] == [r["id"] for r in data["results"]]
    expected = {
        k: v[0] if len(v) == 1 else v for k, v in __import__("urllib.parse").parse.parse_qs(query).items()
    }
    assert export["query"] == expected
    assert export["search_url"].startswith("http://localhost/search")
    assert re.fullmatch(r"archive-[a-z0-9-]+-\d{8}-\d{6}\.json", export["file_name"])
    assert response.headers["Content-Disposition"] == f'attachment; filename="{export["file_name"]}"'


def test_export_is_not_capped_by_paging(web_client):
    comment, rows = _csv(web_client, "per_page=3&page=2")
    assert len(rows) == 32
    assert "page=" not in comment


def test_export_row_shape(web_client):
    _, rows = _csv(web_client, "q=putin")
    row = next(r for r in rows if r["id"] == "enwn-0001")
    assert row["published"] == "2019-01-04"
    assert "Vladimir Putin" in row["persons"].split("; ")
    assert "Putin" in row["snippets"] and "<mark>" not in row["snippets"]


def test_export_bad_query_is_400(web_client):
    assert web_client.get("/export.csv?from=nope").status_code == 400
    assert web_client.get("/export.json?from=nope").get_json()["status"] == 400


@pytest.mark.parametrize(
    "value,cell",
    [("=HYPERLINK(1)", "'=HYPERLINK(1)"), ("+1+cmd", "'+1+cmd"), ("@SUM", "'@SUM"), ("-x", "'-x"),
     ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"), ("-1.5e3", "-1.5e3"), ("+1", "+1"),
     ("-5", "-5"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("-", "'-"), ("-.", "'-."), ("3-2", "3-2"),
     ("plain", "plain"), (["a", "b"], "a; b"), (["-1", "=x"], "'-1; =x"), (None, "")],
)  # fmt: skip
def test_csv_cells_cannot_be_spreadsheet_formulas(value, cell):
    from archive.web.export import _cell

    assert _cell(value) == cell


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_no_cell_starts_a_formula_unless_a_plain_number(text):
    from archive.web.export import _cell

    cell = _cell(text)
    if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        assert float(cell) == float(text) and cell == text  # a plain number, left as it is
    assert cell in (text, "'" + text)
