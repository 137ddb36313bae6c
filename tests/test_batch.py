"""Batch search: ``archive batch-search`` and ``/batch`` (paste, upload, sort, downloads, bounds, CSRF)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from archive.cli import cli

ROOT = Path(__file__).resolve().parents[1]
WIKINEWS = ROOT / "seeds" / "wikinews-en" / "articles.jsonl"
PASSWORD = "correct horse battery"


def archive(*args: str, home: Path):
    return CliRunner().invoke(cli, [*args, "--home", str(home)])


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("batch")
    source = folder / "wikinews.jsonl"
    source.write_text(
        "\n".join(WIKINEWS.read_text(encoding="utf-8").splitlines()[:25]) + "\n", encoding="utf-8"
    )
    result = archive(
        "import", str(source), "--no-entities", "--quiet", "--workers", "1", home=folder / "home"
    )
    assert result.exit_code == 0, result.output
    return folder / "home"


def search(home: Path, query: str, *args: str) -> dict:
    result = archive("search", query, "--json", "--limit", "3", *args, home=home)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_cli_json_rows_in_input_order_with_totals_results_links_and_errors(home, tmp_path):
    path = write_csv(
        tmp_path / "list.csv",
        [
            ["query", "from", "language", "notes"],
            ["killed", "2019-02", "en", "x"],
            ["butterfly", "", "", ""],
            ["police", "2019-13", "", ""],  # a bad date: this row fails, the rest go on
            ["zzzzunmatched", "", "", ""],
            ["killed", "", "ru", ""],  # the archive's articles are in English
            ["killed", "", "english", ""],  # not a language code
        ],
    )
    result = archive("batch-search", str(path), "--json", home=home)
    assert result.exit_code == 1  # a row failed
    rows = json.loads(result.stdout)
    assert [r["query"] for r in rows] == [
        "killed",
        "butterfly",
        "police",
        "zzzzunmatched",
        "killed",
        "killed",
    ]
    expected_args = [("--from", "2019-02", "--language", "en"), (), None, (), ("--language", "ru"), None]
    for row, args in zip(rows, expected_args, strict=True):
        assert set(row) >= {"query", "total", "results", "url", "error"}
        if args is None:
            assert row["error"] and row["total"] is None
            continue
        expected = search(home, row["query"], *args)
        assert row["error"] is None and row["total"] == expected["total"]
        assert [r["id"] for r in row["results"]] == [r["id"] for r in expected["results"]]
    assert rows[0]["url"] == "/search?q=killed&language=en&from=2019-02" and rows[0]["total"] > 0
    assert rows[0]["filters"] == {"from": "2019-02", "language": "en"}
    assert rows[2]["error"] == "from has no month 13; got '2019-13'."
    assert rows[3]["total"] == 0 and rows[3]["results"] == []
    assert rows[4]["total"] == 0 < search(home, "killed")["total"]  # the language filter applied
    assert rows[5]["error"].startswith("language must be an ISO 639-1 code")
    assert "'language' was ignored" not in result.stderr
    assert "Column 'notes' was ignored: not a search filter" in result.stderr


def test_cli_table_and_limit(home, tmp_path):
    path = write_csv(tmp_path / "list.csv", [["query"], ["killed"], ["butterfly"]])
    result = archive("batch-search", str(path), "--limit", "1", home=home)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["query", "total", "first", "match", "/", "error"]
    total = search(home, "killed")["total"]
    assert re.match(rf"^killed\s+{total}\s+\S+", lines[1])
    assert lines[2].strip() == "/search?q=killed"
    rows = json.loads(archive("batch-search", str(path), "--json", "--limit", "1", home=home).stdout)
    assert [len(r["results"]) for r in rows] == [1, 1]


def test_cli_refuses_a_csv_without_a_query_column(home, tmp_path):
    path = write_csv(tmp_path / "names.csv", [["name", "place"], ["Putin", "Moscow"]])
    result = archive("batch-search", str(path), home=home)
    assert result.exit_code == 1
    assert (
        "The CSV needs a 'query' column (one query per row); its columns are: 'name', 'place'."
        in result.output
    )


# -- the site ---------------------------------------------------------------------------------------


@pytest.fixture
def client(home):
    from archive.web.app import create_app

    return create_app({"TESTING": True, "ARCHIVE_HOME": str(home), "SEARCH_TIME_BUDGET": 10.0}).test_client()


def table(response) -> list[dict]:
    soup = BeautifulSoup(response.data, "html.parser")
    return [
        {
            "query": tr.select_one(".batch-search-link").text,
            "href": tr.select_one(".batch-search-link")["href"],
            "total": tr.select_one(".total").text,
            "error": tr.select_one(".error-text").text if tr.select_one(".error-text") else None,
        }
        for tr in soup.select("tr.batch-row")
    ]


def test_paste_one_name_a_line_and_sort_by_total(home, client):
    text = "butterfly\nkilled\n\npolice\n"
    page = client.post("/batch", data={"text": text})
    assert page.status_code == 200
    rows = table(page)
    assert [r["query"] for r in rows] == ["butterfly", "killed", "police"]
    assert [r["total"] for r in rows] == [
        str(search(home, q)["total"]) for q in ("butterfly", "killed", "police")
    ]
    assert rows[1]["href"] == "/search?q=killed"

    soup = BeautifulSoup(page.data, "html.parser")
    sort_form = next(
        f for f in soup.select("form.batch-sort") if f.select_one('[name="sort"]')["value"] == "total"
    )
    carried = {i["name"]: i["value"] for i in sort_form.select("input")}
    assert carried["text"] == text  # the list rides in the form: no state on the server
    by_total = table(client.post(sort_form["action"], data=carried))
    totals = [int(r["total"]) for r in by_total]
    assert totals == sorted(totals, reverse=True)
    fewest = [int(r["total"]) for r in table(client.post("/batch", data={"text": text, "sort": "-total"}))]
    assert fewest == sorted(totals)


def test_upload_csv_with_filters_and_errors(home, client):
    body = "query,person,from\nkilled,,2019-02\npolice,,2019-13\n"
    page = client.post(
        "/batch",
        data={"file": (io.BytesIO(("\ufeff" + body).encode()), "list.csv")},
        content_type="multipart/form-data",
    )
    rows = table(page)
    assert rows[0]["href"] == "/search?q=killed&from=2019-02"
    assert rows[0]["total"] == str(search(home, "killed", "--from", "2019-02")["total"])
    assert rows[1]["error"] == "from has no month 13; got '2019-13'." and rows[1]["total"] == ""
    by_language = table(client.post("/batch", data={"text": "query,language\nkilled,en\nkilled,ru\n"}))
    assert by_language[0]["href"] == "/search?q=killed&language=en"
    assert [r["total"] for r in by_language] == [
        str(search(home, "killed", "--language", "en")["total"]),
        "0",
    ]
    latin1 = client.post(
        "/batch",
        data={"file": (io.BytesIO("query\ncaf\xe9\n".encode("latin-1")), "l.csv")},
        content_type="multipart/form-data",
    )
    assert latin1.status_code == 400 and b"not UTF-8 text" in latin1.data


def test_downloads_csv_with_bom_and_formula_guard_and_json(home, client):
    text = "=killed\nbutterfly\n"
    response = client.post("/batch.csv", data={"text": text, "sort": "total"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="batch.csv"'
    body = response.data.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0]["query"] == "'=killed"  # a spreadsheet shows it, does not run it
    assert [int(r["total"]) for r in rows] == sorted((int(r["total"]) for r in rows), reverse=True)
    assert rows[0]["url"] == "http://localhost/search?q=%3Dkilled"
    data = client.post("/batch.json", data={"text": text}).get_json()
    assert [r["query"] for r in data] == ["=killed", "butterfly"]
    assert data[1]["total"] == search(home, "butterfly")["total"]


def test_bounds_and_empty_input(client, monkeypatch):
    from archive.web import batch

    too_big = client.post("/batch", data={"text": "x" * (batch.MAX_BYTES + 1)})
    assert too_big.status_code == 413 and b"archive batch-search FILE.csv" in too_big.data
    too_many = client.post("/batch", data={"text": "\n".join(f"name{i}" for i in range(batch.MAX_ROWS + 1))})
    assert too_many.status_code == 400
    assert f"more than {batch.MAX_ROWS} rows".encode() in too_many.data
    empty = client.post("/batch", data={"text": "  \n"})
    assert empty.status_code == 400 and b"The list is empty" in empty.data


def test_add_to_batch_prefills_the_form(client):
    plain = BeautifulSoup(client.get("/batch?q=killed").data, "html.parser")
    assert plain.select_one("#batch-text").text == "killed"
    filtered = BeautifulSoup(client.get("/batch?q=killed&from=2019-02&person=a&person=b").data, "html.parser")
    assert filtered.select_one("#batch-text").text == "query,person,from\nkilled,a;b,2019-02\n"
    language = BeautifulSoup(client.get("/batch?q=killed&language=en").data, "html.parser")
    assert language.select_one("#batch-text").text == "query,language\nkilled,en\n"
    assert "language" in language.select_one('label[for="batch-file"]').text  # the columns it takes


def test_private_archive_batch_needs_login_and_csrf(home, tmp_path, monkeypatch):
    from archive.web.app import create_app

    monkeypatch.delenv("ARCHIVE_USERS", raising=False)
    users = tmp_path / "users.json"
    CliRunner().invoke(
        cli, ["users", "add", "alice"], input=PASSWORD + "\n", env={"ARCHIVE_USERS": str(users)}
    )
    config = {
        "TESTING": True,
        "ARCHIVE_HOME": str(home),
        "ARCHIVE_USERS": str(users),
        "SEARCH_TIME_BUDGET": 10.0,
    }
    client = create_app(config).test_client()
    assert client.post("/batch", data={"text": "killed"}).status_code == 302  # to the login form
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)
    ).group(1)
    client.post("/login", data={"csrf_token": token, "name": "alice", "password": PASSWORD})
    assert client.post("/batch", data={"text": "killed"}).status_code == 400  # no token
    form = BeautifulSoup(client.get("/batch").data, "html.parser")
    token = form.select_one('#batch-form input[name="csrf_token"]')["value"]
    page = client.post("/batch", data={"text": "killed", "csrf_token": token})
    assert page.status_code == 200 and [r["query"] for r in table(page)] == ["killed"]
