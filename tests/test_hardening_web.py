"""Issue 15, the site's side: no open redirect, sessions that end, throttled logins, cookie settings."""

from __future__ import annotations

import base64
import re
from urllib.parse import urljoin, urlsplit

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.cli import cli
from archive.web.security import same_site_path

pytest_plugins = ["tests.web_fixtures"]  # the session archive (web_home)

PASSWORD = "correct horse battery"
SITE = "https://archive.example/login"


@pytest.fixture(autouse=True)
def no_users_env(monkeypatch):
    monkeypatch.delenv("ARCHIVE_USERS", raising=False)
    monkeypatch.delenv("ARCHIVE_SECURE_COOKIES", raising=False)


def users_cli(*args: str, home, stdin: str | None = None):
    result = CliRunner().invoke(cli, ["users", *args, "--home", str(home)], input=stdin)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def users_home(tmp_path):
    home = tmp_path / "users-home"
    users_cli("add", "alice", home=home, stdin=PASSWORD + "\n")
    users_cli("add", "bob", home=home, stdin=PASSWORD + "\n")
    return home


@pytest.fixture
def make_app(web_home, users_home):
    from archive.web.app import create_app

    def make(**config):
        settings = {"TESTING": True, "ARCHIVE_HOME": str(web_home), "SEARCH_TIME_BUDGET": 10.0}
        return create_app({**settings, "ARCHIVE_USERS": str(users_home / "users.json"), **config})

    return make


def token(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def login(client, name="alice", password=PASSWORD, next_url="/", path="/login"):
    data = {"csrf_token": token(client), "name": name, "password": password}
    return client.post(path, data=data if next_url is None else {**data, "next": next_url})


def client_at(app, address: str):
    """A test client whose requests come from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def basic(name: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


# -- open redirect ---------------------------------------------------------------------------------------

EVIL_NEXT = [
    "/\t/evil.example",
    "/\r/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example/x",
    "/\x00/evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "//evil.example",
    "///evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    " //evil.example",
    "/\u2028/evil.example",
    "/\u200b/evil.example",
    "evil.example",
]


@pytest.mark.parametrize("evil", EVIL_NEXT)
def test_login_never_redirects_off_site(make_app, evil):
    client = make_app().test_client()
    response = login(client, next_url=evil)
    assert response.status_code == 302, evil
    assert response.headers["Location"] == "/search", evil


@pytest.mark.parametrize("query", ["next=/%09/evil.example", "next=/%0D/evil.example", "next=/%0A/x"])
def test_next_in_the_query_string_is_checked_too(make_app, query):
    client = make_app().test_client()
    response = login(client, next_url=None, path=f"/login?{query}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/search"


def test_same_site_next_is_kept(make_app):
    client = make_app().test_client()
    response = login(client, next_url="/search?q=%C5%81ukaszenka&place=by")
    assert response.headers["Location"] == "/search?q=%C5%81ukaszenka&place=by"


def browser_reading(location: str) -> str:
    """What a browser makes of a Location: tabs and newlines dropped, ``\\`` read as ``/``, ends trimmed."""
    return re.sub(r"[\t\n\r]", "", location).replace("\\", "/").strip("\x00- ")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from("/\\\t\r\n\x00 :.@%?#ae\u2028\u3000\uff0f"), max_size=12) | st.text())
def test_a_kept_next_stays_on_the_site(value):
    kept = same_site_path(value)
    if kept is not None:
        assert urlsplit(urljoin(SITE, browser_reading(kept))).netloc == "archive.example", repr(value)


# -- sessions --------------------------------------------------------------------------------------------


def test_a_new_password_ends_that_users_sessions_only(make_app, users_home):
    app = make_app()
    alice, bob = app.test_client(), app.test_client()
    login(alice)
    login(bob, name="bob")
    assert alice.get("/").status_code == 200 and bob.get("/").status_code == 200
    users_cli("add", "alice", home=users_home, stdin="a new password 2\n")
    assert alice.get("/").status_code == 302
    assert bob.get("/").status_code == 200
    assert login(alice, password="a new password 2").status_code == 302
    assert alice.get("/").status_code == 200


def test_removing_a_user_keeps_everyone_else_logged_in(make_app, users_home):
    app = make_app()
    alice, bob = app.test_client(), app.test_client()
    login(alice)
    login(bob, name="bob")
    users_cli("remove", "bob", home=users_home)
    assert bob.get("/").status_code == 302
    assert alice.get("/").status_code == 200


# -- throttling ------------------------------------------------------------------------------------------


def assert_throttled(response):
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 300


def test_failed_logins_are_throttled_per_name(make_app):
    app = make_app(LOGIN_FAILURES_PER_NAME=3, LOGIN_FAILURES_PER_ADDRESS=100)
    attacker = app.test_client()
    for _ in range(3):
        assert login(attacker, password="guess guess").status_code == 401
    # over the limit: refused without a check, even with the right password and from another address
    assert_throttled(login(attacker))
    elsewhere = client_at(app, "192.0.2.7")
    response = login(elsewhere)
    assert_throttled(response)
    assert "Too many failed logins" in response.get_data(as_text=True)
    assert_throttled(elsewhere.get("/api/search?q=police", headers=basic("alice", PASSWORD)))
    # other names are not affected
    assert login(elsewhere, name="bob").status_code == 302


def test_failed_logins_are_throttled_per_address(make_app):
    app = make_app(LOGIN_FAILURES_PER_NAME=100, LOGIN_FAILURES_PER_ADDRESS=4)
    attacker = client_at(app, "198.51.100.9")
    for n in range(4):
        assert login(attacker, name=f"user{n}", password="guess guess").status_code == 401
    assert_throttled(login(attacker, name="bob"))
    assert login(app.test_client(), name="bob").status_code == 302  # another address logs in


def test_http_basic_failures_count_too(make_app):
    app = make_app(LOGIN_FAILURES_PER_NAME=100, LOGIN_FAILURES_PER_ADDRESS=3)
    client = app.test_client()
    for _ in range(3):
        response = client.get("/api/search?q=police", headers=basic("mallory", "guess guess"))
        assert response.status_code == 401
    response = client.get("/api/search?q=police", headers=basic("alice", PASSWORD))
    assert_throttled(response)
    assert response.get_json()["status"] == 429
    assert_throttled(login(client))  # the same count covers the form


def test_default_limits_throttle_a_guessing_run(make_app):
    from archive.web import throttle

    client = make_app().test_client()
    statuses = [
        login(client, password=f"guess {n}").status_code for n in range(throttle.FAILURES_PER_NAME + 1)
    ]
    assert statuses == [401] * throttle.FAILURES_PER_NAME + [429]


# -- cookies and HEAD ------------------------------------------------------------------------------------


def session_cookie(response) -> str:
    return next(c for c in response.headers.getlist("Set-Cookie") if "archive_session=" in c)


def test_session_cookie_is_named_and_can_be_secure(make_app, monkeypatch):
    cookie = session_cookie(login(make_app().test_client()))
    assert cookie.startswith("archive_session=") and "HttpOnly" in cookie and "Secure" not in cookie
    monkeypatch.setenv("ARCHIVE_SECURE_COOKIES", "1")
    cookie = session_cookie(login(make_app().test_client()))
    assert "; Secure" in cookie and "SameSite=Lax" in cookie


def test_head_login_is_the_form(make_app):
    client = make_app().test_client()
    assert client.head("/login").status_code == 200
    assert client.head("/login?next=/search").status_code == 200
