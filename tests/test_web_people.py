"""The site's people and places: directories, a page per person and place, the JSON routes, and the
editors' correction forms (roles, CSRF, a busy archive)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from archive.cli import cli
from archive.locking import write_lock
from archive.web import people as people_views

ROOT = Path(__file__).resolve().parents[1]
SEED_ARTICLE = ROOT / "seeds" / "000_be4fb1b354845740.txt"
PASSWORD = "correct horse battery"
SCRIPT = "<script>alert(1)</script>"
LATER = {
    "id": "later-1",
    "title": "Minsk talks",
    "text": "Alyaksandr Lukashenka met Vladimir Putin in Minsk. Lukashenka spoke first.",
    "published": "2024-03-05",
}


def cli_ok(*args: str, stdin: str | None = None):
    result = CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(autouse=True)
def no_users_env(monkeypatch):
    monkeypatch.delenv("ARCHIVE_USERS", raising=False)


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """The seed article and a later one naming two of its people, with an editor and a reader."""
    home = tmp_path_factory.mktemp("people-base")
    later = home.parent / "later.jsonl"
    later.write_text(json.dumps(LATER) + "\n", encoding="utf-8")
    cli_ok("import", str(SEED_ARTICLE), str(later), "--workers", "1", "--home", str(home))
    cli_ok("users", "add", "ed", "--role", "editor", "--home", str(home), stdin=PASSWORD + "\n")
    cli_ok("users", "add", "rita", "--home", str(home), stdin=PASSWORD + "\n")
    return home


@pytest.fixture
def home(base, tmp_path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(base, copy)
    return copy


@pytest.fixture
def client(home):
    from archive.web.app import create_app

    app = create_app({"TESTING": True, "ARCHIVE_HOME": str(home), "SEARCH_TIME_BUDGET": 10.0})
    return app.test_client()


def login(client, name: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"csrf_token": token, "name": name, "password": PASSWORD, "next": "/"}
    )
    assert response.status_code == 302


def soup(client, path: str, status: int = 200) -> BeautifulSoup:
    response = client.get(path)
    assert response.status_code == status, path
    return BeautifulSoup(response.data, "html.parser")


def form_token(page: BeautifulSoup) -> str:
    return page.select_one(".corrections-forms input[name=csrf_token]")["value"]


def test_directories_with_counts_search_and_pages(client, monkeypatch):
    login(client, "rita")
    page = soup(client, "/people")
    rows = {tr["data-key"]: tr for tr in page.select(".registry-list tbody tr")}
    assert rows["lukashenko_aleksandr"].select_one(".count").text == "2"
    assert rows["karpienko_igor"].select_one("a").text == "Ihar Karpienka"
    assert list(rows)[0] in ("lukashenko_aleksandr", "putin_vladimir")  # most articles first
    found = soup(client, "/people?q=karpyankov").select(".registry-list tbody tr")
    assert [tr["data-key"] for tr in found] == ["karpiankov_nikolai"]  # by any spelling
    places = {tr["data-key"] for tr in soup(client, "/places?q=minsk").select(".registry-list tbody tr")}
    assert places == {"BY/625144"}
    monkeypatch.setattr(people_views, "PAGE_SIZE", 3)
    first, second = soup(client, "/people"), soup(client, "/people?page=2")
    assert len(first.select(".registry-list tbody tr")) == 3
    assert first.select_one("a[rel=next]")["href"] == "/people?page=2"
    assert not {tr["data-key"] for tr in first.select("tbody tr")} & {
        tr["data-key"] for tr in second.select("tbody tr")
    }


def test_person_and_place_pages(client):
    login(client, "rita")
    page = soup(client, "/people/lukashenko_aleksandr")
    assert page.select_one("h1").text == "Alyaksandr Lukashenka"
    assert {li.text for li in page.select(".spellings li")} >= {"Alyaksandr Lukashenka", "Lukashenka"}
    assert page.select_one(".articles").text == "2"
    assert page.select_one("a.search-link")["href"] == "/search?person=lukashenko_aleksandr"
    assert [li["data-id"] for li in page.select(".latest li")][0] == "later-1"  # newest first
    assert "putin_vladimir" in {li["data-key"] for li in page.select(".alongside-people li")}
    assert "BY/625144" in {li["data-key"] for li in page.select(".alongside-places li")}
    bars = page.select(".over-time .bar-link")
    assert bars and all("person=lukashenko_aleksandr" in a["href"] for a in bars)
    assert not page.select(".corrections-forms")  # a reader reads
    place = soup(client, "/places/BY/625144")
    assert place.select_one("h1").text == "Minsk"
    assert "later-1" in {li["data-id"] for li in place.select(".latest li")}
    soup(client, "/people/nobody_here", status=404)
    soup(client, "/things", status=404)


def test_json_routes_agree_with_openapi(client):
    login(client, "rita")
    listed = client.get("/api/people?q=karp&per_page=1").get_json()
    assert listed["total"] == 2 and listed["per_page"] == 1 and len(listed["items"]) == 1
    assert set(listed["items"][0]) == {"key", "name", "variants", "articles"}
    place = client.get("/api/places/BY/625144").get_json()
    assert place["country"] == "Belarus" and place["articles"] == 2
    assert client.get("/api/people/nobody_here").get_json()["status"] == 404
    spec = client.get("/api/openapi.json").get_json()
    for path in ("/api/people", "/api/places", "/api/people/{key}", "/api/places/{key}"):
        assert path in spec["paths"]
    assert set(spec["components"]["schemas"]["RegistryEntry"]["required"]) <= set(place)


def test_editor_merges_renames_hides_and_moves(client):
    login(client, "ed")
    page = soup(client, "/people/lukashenko_aleksandr")
    assert {f["class"][0] for f in page.select(".corrections-forms form")} == {
        "form-rename",
        "form-merge",
        "form-hide",
    }
    token = form_token(page)
    response = client.post(
        "/people/lukashenko_aleksandr",
        data={"csrf_token": token, "verb": "merge", "others": "putin_vladimir", "name": "Both"},
    )
    assert (
        response.status_code == 303 and response.headers["Location"] == "/people/lukashenko_aleksandr?done=1"
    )
    facets = client.get("/api/search?q=").get_json()["facets"]["person"]
    assert {f["key"]: f["label"] for f in facets}.get("lukashenko_aleksandr") == "Both"
    assert "putin_vladimir" not in {f["key"] for f in facets}  # facets follow at once
    assert "Correction #1 saved." in soup(client, "/people/lukashenko_aleksandr?done=1").text
    client.post("/people/klaskovsk_aleksandr", data={"csrf_token": token, "verb": "rename", "name": SCRIPT})
    raw = client.get("/people/klaskovsk_aleksandr").get_data(as_text=True)
    assert SCRIPT not in raw and "&lt;script&gt;" in raw  # registry text is escaped
    assert (
        client.post("/people/karpienko_igor", data={"csrf_token": token, "verb": "hide"}).status_code == 303
    )
    assert client.get("/api/search?person=karpienko_igor").get_json()["total"] == 0
    hidden = soup(client, "/people/karpienko_igor")
    assert hidden.select_one(".hidden-notice") and hidden.select_one(".form-unhide")
    client.post("/people/karpienko_igor", data={"csrf_token": token, "verb": "unhide"})
    assert client.get("/api/people/karpienko_igor").get_json()["hidden"] is False
    moved = client.post("/places/NL/2747373", data={"csrf_token": token, "verb": "move", "to": "BY/625144"})
    assert moved.status_code == 303 and moved.headers["Location"].startswith("/places/BY/625144?done=")
    assert client.get("/api/search?place=NL").get_json()["total"] == 0
    assert client.get("/export.json?place=BY/625144").get_json()["count"] == 2  # exports follow too
    history = CliRunner().invoke(
        cli, ["history", "--json", "--home", client.application.config["ARCHIVE_HOME"]]
    )
    assert [(h["who"], h["verb"]) for h in json.loads(history.output)] == [
        ("ed", "merge"), ("ed", "rename"), ("ed", "hide"), ("ed", "unhide"), ("ed", "move"),
    ]  # fmt: skip
    bad = client.post(
        "/people/lukashenko_aleksandr", data={"csrf_token": token, "verb": "merge", "others": "x_y"}
    )
    assert bad.status_code == 404


def test_readers_get_403_and_forms_need_csrf(client):
    assert (
        client.post("/people/karpienko_igor", data={"verb": "hide"}).status_code == 302
    )  # to the login form
    login(client, "rita")
    page = soup(client, "/people/karpienko_igor")
    assert not page.select(".corrections-forms")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
    assert (
        client.post("/people/karpienko_igor", data={"csrf_token": token, "verb": "hide"}).status_code == 403
    )
    client.post("/logout", data={"csrf_token": token})
    login(client, "ed")
    assert (
        client.post("/people/karpienko_igor", data={"verb": "hide", "csrf_token": "forged"}).status_code
        == 400
    )
    assert client.get("/api/people/karpienko_igor").get_json()["hidden"] is False


def test_a_busy_archive_answers_409(client, home, monkeypatch):
    monkeypatch.setattr(people_views, "SITE_LOCK_WAIT", 0.2)
    login(client, "ed")
    token = form_token(soup(client, "/people/karpienko_igor"))
    with write_lock(home):
        response = client.post("/people/karpienko_igor", data={"csrf_token": token, "verb": "hide"})
    assert response.status_code == 409
    assert "Try again in a minute" in response.get_data(as_text=True)
    assert client.get("/api/people/karpienko_igor").get_json()["hidden"] is False
