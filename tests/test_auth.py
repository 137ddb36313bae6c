"""Private archives: users managed by the CLI; with users, every route needs a login; CSRF on the forms."""

from __future__ import annotations

import base64
import json
import re
import stat

import pytest
from click.testing import CliRunner

from archive.cli import cli

pytest_plugins = ["tests.web_fixtures"]  # the session archive (web_home); imported by pytest, not by us

#: The hostile article of the session archive (tests.web_fixtures.HOSTILE_ID: importing that module here,
#: before pytest loads it as a plugin, would stop its asserts being rewritten).
HOSTILE_ID = "hostile-1"

PASSWORD = "correct horse battery"
#: One address per route of the site, with real arguments.
PROTECTED = [
    "/",
    "/search?q=police",
    f"/articles/{HOSTILE_ID}",
    "/api/search?q=police",
    f"/api/articles/{HOSTILE_ID}",
    "/api/openapi.json",
    "/export.csv?q=police",
    "/export.json?q=police",
]
MACHINE = ("/api/", ".csv", ".json")


@pytest.fixture(autouse=True)
def no_users_env(monkeypatch):
    monkeypatch.delenv("ARCHIVE_USERS", raising=False)


def users_cli(*args: str, home, stdin: str | None = None):
    return CliRunner().invoke(cli, ["users", *args, "--home", str(home)], input=stdin)


@pytest.fixture
def users_json(tmp_path):
    home = tmp_path / "auth-home"
    result = users_cli("add", "alice", home=home, stdin=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    return home / "users.json"


@pytest.fixture
def private_client(web_home, users_json):
    from archive.web.app import create_app

    app = create_app(
        {
            "TESTING": True,
            "ARCHIVE_HOME": str(web_home),
            "ARCHIVE_USERS": str(users_json),
            "SEARCH_TIME_BUDGET": 10.0,
        }
    )
    return app.test_client()


def token(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def login(client, name="alice", password=PASSWORD, next_url="/"):
    return client.post(
        "/login", data={"csrf_token": token(client), "name": name, "password": password, "next": next_url}
    )


def basic(name: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


def test_users_cli_stores_only_hashes(tmp_path, users_json):
    data = json.loads(users_json.read_text())
    assert set(data["users"]) == {"alice"}
    assert PASSWORD not in users_json.read_text()
    assert data["users"]["alice"].startswith(("scrypt:", "pbkdf2:"))
    assert stat.S_IMODE(users_json.stat().st_mode) == 0o600
    home = users_json.parent
    assert users_cli("add", "bob", home=home, stdin="short\n").exit_code == 1
    assert users_cli("add", "bad name", home=home, stdin=PASSWORD + "\n").exit_code == 1
    assert users_cli("add", "bob", home=home, stdin=PASSWORD + "2\n").exit_code == 0
    assert users_cli("list", home=home).output.split() == ["alice", "bob"]
    assert users_cli("remove", "carol", home=home).exit_code == 1
    result = users_cli("remove", "bob", home=home)
    assert result.exit_code == 0 and "1 users left" in result.output


def test_without_users_the_site_is_open(web_home, tmp_path):
    from archive.web.app import create_app

    client = create_app(
        {
            "TESTING": True,
            "ARCHIVE_HOME": str(web_home),
            "ARCHIVE_USERS": str(tmp_path / "none.json"),
            "SEARCH_TIME_BUDGET": 10.0,
        }
    ).test_client()
    for path in PROTECTED:
        assert client.get(path).status_code == 200, path
    assert client.get("/login").status_code == 302


def test_every_route_needs_a_login(private_client):
    for path in PROTECTED:
        response = private_client.get(path)
        if path.split("?")[0].startswith("/api/") or path.split("?")[0].endswith(MACHINE):
            assert response.status_code == 401, path
            assert response.headers["WWW-Authenticate"].startswith("Basic")
        else:
            assert response.status_code == 302, path
            assert response.headers["Location"].startswith("/login?next=")
        assert response.headers["Content-Security-Policy"]
        body = response.get_data(as_text=True)
        assert "Hostile" not in body and '"results"' not in body


def test_every_registered_route_is_covered(private_client):
    """A route added later is protected too: no rule but the login form and static files answers 200."""
    app = private_client.application
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("auth.login", "static"):
            continue
        path = rule.rule.replace("<article_id>", HOSTILE_ID).replace("<path:filename>", "style.css")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert private_client.open(path, method=method).status_code in (302, 400, 401), (method, path)


def test_login_logout_with_csrf(private_client):
    client = private_client
    # no token, wrong token: refused
    assert client.post("/login", data={"name": "alice", "password": PASSWORD}).status_code == 400
    assert (
        client.post("/login", data={"name": "alice", "password": PASSWORD, "csrf_token": "x"}).status_code
        == 400
    )
    assert client.get("/search?q=police").status_code == 302
    # wrong password, unknown user
    assert login(client, password="wrong password").status_code == 401
    assert login(client, name="mallory").status_code == 401
    # right password: back to where the reader was going
    response = login(client, next_url="/search?q=police")
    assert response.status_code == 302 and response.headers["Location"] == "/search?q=police"
    page = client.get("/search?q=police")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    for path in PROTECTED:
        assert client.get(path).status_code == 200, path
    # logging out is a POST with the token; GET is not a route, a POST without the token is refused
    assert client.get("/logout").status_code in (404, 405)
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200
    assert client.post("/logout", data={"csrf_token": token(client, "/")}).status_code == 302
    assert client.get("/").status_code == 302


def test_login_by_get_does_nothing(private_client):
    private_client.get(f"/login?name=alice&password={PASSWORD}")
    assert private_client.get("/").status_code == 302


def test_no_open_redirect_after_login(private_client):
    for evil in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = login(private_client, next_url=evil)
        assert response.headers["Location"] == "/search", evil


def test_api_accepts_http_basic(private_client):
    assert private_client.get("/api/search?q=police", headers=basic("alice", PASSWORD)).status_code == 200
    assert private_client.get("/export.csv?q=police", headers=basic("alice", PASSWORD)).status_code == 200
    assert private_client.get("/api/search?q=police", headers=basic("alice", "nope")).status_code == 401
    assert private_client.get("/api/search?q=police", headers=basic("eve", PASSWORD)).status_code == 401


def test_removing_a_user_ends_their_session(private_client, users_json):
    login(private_client)
    assert private_client.get("/").status_code == 200
    assert users_cli("add", "bob", home=users_json.parent, stdin=PASSWORD + "\n").exit_code == 0
    assert private_client.get("/").status_code == 200  # adding someone keeps sessions
    assert users_cli("remove", "alice", home=users_json.parent).exit_code == 0
    assert private_client.get("/").status_code == 302


def test_a_broken_users_file_closes_the_site(web_home, tmp_path):
    from archive.web.app import create_app

    broken = tmp_path / "users.json"
    broken.write_text("{not json")
    client = create_app(
        {"TESTING": True, "ARCHIVE_HOME": str(web_home), "ARCHIVE_USERS": str(broken)}
    ).test_client()
    assert client.get("/api/search?q=police").status_code == 503
    assert client.get("/").status_code == 503
