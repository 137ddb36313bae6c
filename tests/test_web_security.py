"""Nothing from an article runs in the reader's browser; every response carries the security headers."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from tests.web_fixtures import HOSTILE_ID

pytest_plugins = ["tests.web_fixtures"]  # the session archive and the app's test client

#: Every page a hostile article can reach: results (title, snippet, source, facets), the article page
#: with and without highlights, a related article's page, and searches for the payload words.
HOSTILE_PAGES = [
    "/",
    "/search?q=hostile",
    "/search?q=payload+script+alert+img+onerror",
    "/search?q=putin&sort=newest",
    "/search?q=%3Cscript%3E",
    "/search?q=script&mode=exact",
    "/search?person=putin_vladimir",
    "/search?source=%3Cscript%3Ealert(1)%3C%2Fscript%3E+Hostile+Wire",
    f"/articles/{HOSTILE_ID}",
    f"/articles/{HOSTILE_ID}?q=script+alert+img+onerror+putin+moscow",
    f"/articles/{HOSTILE_ID}?q=%22%3E%3Cscript%3E",
    "/articles/enwn-0001",
    "/search?q=%22%3E%3Cimg+src%3Dx+onerror%3Dalert(1)%3E",
    "/search?person=%3Cscript%3Ealert(1)%3C/script%3E",
    "/search?from=%3Cscript%3E",
]
OUR_SCRIPTS = {"/static/app.js"}
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "srcdoc")


def assert_nothing_executable(html: str, where: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), (where, str(tag)[:200])
            assert name.lower() != "style", (where, "inline style", str(tag)[:200])
            if name.lower() in URL_ATTRIBUTES:
                text = re.sub(r"[\s\x00-\x1f]", "", str(value)).lower()
                assert not text.startswith(("javascript:", "data:", "vbscript:")), (where, str(tag)[:200])
    scripts = soup.find_all("script")
    assert {s.get("src") for s in scripts} <= OUR_SCRIPTS and all(not s.string for s in scripts), where
    for name in (
        "iframe",
        "img",
        "object",
        "embed",
        "style",
        "base",
        "meta[http-equiv]",
        "form:not([action])",
    ):
        assert not soup.select(name), (where, name)
    assert [svg.get("class") for svg in soup.find_all("svg")] in ([], [["histogram"]]), where


@pytest.mark.parametrize("url", HOSTILE_PAGES)
def test_hostile_article_never_executes(web_client, url):
    response = web_client.get(url)
    assert response.status_code in (200, 400), url
    assert_nothing_executable(response.get_data(as_text=True), url)


def test_hostile_payloads_are_shown_as_text(web_client):
    soup = BeautifulSoup(web_client.get(f"/articles/{HOSTILE_ID}?q=putin").data, "html.parser")
    assert soup.select_one("h1").text.startswith("<script>alert(1)</script> Hostile")
    assert "<svg onload=alert(1)>" in soup.select_one(".article-text").text
    assert soup.select_one(".article-text a.entity.person")["href"] == "/search?person=putin_vladimir"
    assert soup.select_one("a.original") is None  # javascript: is not a link to the original
    details = {dt.text: dt.find_next_sibling("dd") for dt in soup.select(".metadata dt")}
    assert details["URL"].text == "javascript:alert(1)" and details["URL"].a is None
    assert details["homepage"].text == "javascript:alert(1)"
    assert details["note"].text.startswith("<script>")
    results = BeautifulSoup(web_client.get("/search?q=payload").data, "html.parser")
    assert results.select_one(".hit .source").text == "<script>alert(1)</script> Hostile Wire"


def test_hostile_article_in_the_api_and_exports_is_data(web_client):
    article = web_client.get(f"/api/articles/{HOSTILE_ID}")
    assert article.mimetype == "application/json" and article.get_json()["url"] == "javascript:alert(1)"
    for url in ["/export.csv?q=hostile", "/export.json?q=hostile"]:
        response = web_client.get(url)
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["X-Content-Type-Options"] == "nosniff"


EVERY_KIND_OF_RESPONSE = [
    ("/", 200),
    ("/search?q=putin", 200),
    ("/search?from=bad", 400),
    (f"/articles/{HOSTILE_ID}", 200),
    ("/articles/missing", 404),
    ("/nothing-here", 404),
    ("/api/search?q=putin", 200),
    ("/api/search?page=0", 400),
    (f"/api/articles/{HOSTILE_ID}", 200),
    ("/api/openapi.json", 200),
    ("/export.csv?q=putin", 200),
    ("/export.json?q=putin", 200),
    ("/static/style.css", 200),
    ("/static/app.js", 200),
]


@pytest.mark.parametrize("url,status", EVERY_KIND_OF_RESPONSE)
def test_security_headers_on_every_response(web_client, url, status):
    response = web_client.get(url)
    response.close()  # static files are streamed from disk
    assert response.status_code == status
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
@pytest.mark.parametrize("url", ["/search", "/api/search", "/export.csv", f"/articles/{HOSTILE_ID}"])
def test_no_route_changes_state(web_client, method, url):
    """Nothing is reachable except by GET, so there is nothing for a forged cross-site request to do."""
    response = getattr(web_client, method)(url, data={"q": "x"})
    assert response.status_code == 405
    assert response.headers["X-Frame-Options"] == "DENY"


def test_article_ids_are_checked_before_storage(web_client, monkeypatch):
    from archive.store import Catalog

    def fail(*args, **kwargs):
        raise AssertionError("storage touched")

    monkeypatch.setattr(Catalog, "get_article", fail)
    for bad in ["..", "a%20b", "a%00b", "%E2%80%8F" + "x" * 250]:
        assert web_client.get(f"/articles/{bad}").status_code == 404
        assert web_client.get(f"/api/articles/{bad}").status_code == 404
