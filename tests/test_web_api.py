"""The JSON API and the exports: the DESIGN 3.4 shapes, errors as JSON, exports as long as the result set."""

from __future__ import annotations

import csv
import io
import json

import pytest

from archive.search.engine import open_searcher
from archive.search.request import SearchRequest

pytest_plugins = ["tests.web_fixtures"]  # the session archive and the app's test client

ARTICLE_KEYS = ["id", "title", "published", "url", "source", "author", "language", "text", "captions",
                "passages", "persons", "places", "dates", "extra"]  # fmt: skip
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
        "per_page", "mode", "collapse", "language",
    }  # fmt: skip
    schemas = spec["components"]["schemas"]
    article = web_client.get("/api/articles/enwn-0001").get_json()
    assert set(schemas["Article"]["properties"]) == set(article)
    result = web_client.get("/api/search?q=putin").get_json()
    assert set(schemas["SearchResult"]["required"]) <= set(result)
    assert set(schemas["Hit"]["properties"]) == set(result["results"][0])
    assert "/api/articles/{id}" in spec["paths"] and "/export.csv" in spec["paths"]


def _csv(client, query):
    response = client.get(f"/export.csv?{query}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = response.get_data(as_text=True)
    comment, body = text.split("\n", 1)
    return comment, list(csv.DictReader(io.StringIO(body)))


@pytest.mark.parametrize("query", SEARCHES)
def test_csv_export_has_every_result(web_client, query):
    data = web_client.get(f"/api/search?{query}&per_page=100").get_json()
    comment, rows = _csv(web_client, query)
    assert len(rows) == data["total"]
    assert [r["id"] for r in rows] == [r["id"] for r in data["results"]]
    assert comment.startswith("# query: http://localhost/search") and comment.endswith(("+00:00",))
    assert set(rows[0]) == {"id", "title", "published", "source", "url", "persons", "places", "snippet"}


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


def test_export_is_not_capped_by_paging(web_client):
    comment, rows = _csv(web_client, "per_page=3&page=2")
    assert len(rows) == 32
    assert "page=" not in comment


def test_export_row_shape(web_client):
    _, rows = _csv(web_client, "q=putin")
    row = next(r for r in rows if r["id"] == "enwn-0001")
    assert row["published"] == "2019-01-04"
    assert "Vladimir Putin" in row["persons"].split("; ")
    assert "Putin" in row["snippet"] and "<mark>" not in row["snippet"]


def test_export_bad_query_is_400(web_client):
    assert web_client.get("/export.csv?from=nope").status_code == 400
    assert web_client.get("/export.json?from=nope").get_json()["status"] == 400


@pytest.mark.parametrize(
    "value,cell",
    [("=HYPERLINK(1)", "'=HYPERLINK(1)"), ("+1", "'+1"), ("@SUM", "'@SUM"), ("-x", "'-x"), ("-5", "-5"),
     ("plain", "plain"), (["a", "b"], "a; b"), (None, "")],
)  # fmt: skip
def test_csv_cells_cannot_be_spreadsheet_formulas(value, cell):
    from archive.web.export import _cell

    assert _cell(value) == cell
