"""A web node needs nothing but the cluster's URL: with an empty home, the site reads search results,
articles, their copies and the person/place registry through the engine seam from the cluster.

Marked ``opensearch``; skipped without ``ARCHIVE_TEST_SEARCH_URL``.
"""

from __future__ import annotations

import uuid

import pytest

from archive.web.app import create_app

try:  # tests/ is a package in this repository; without its __init__.py the helpers import directly
    from tests.search_fixtures import HOSTILE_ID, articles, search_home
except ImportError:  # pragma: no cover
    from search_fixtures import HOSTILE_ID, articles, search_home

__all__ = ["articles", "search_home"]  # fixtures used by name
pytestmark = pytest.mark.opensearch


@pytest.fixture(scope="module")
def node(request, tmp_path_factory):
    """The fixture archive copied into the cluster; a site whose home holds nothing at all."""
    from archive.search.opensearch.testing import drop, engine_for, url_for_tests

    url = url_for_tests()
    if not url:
        pytest.skip("no cluster: set ARCHIVE_TEST_SEARCH_URL (`make test` starts one and sets it)")
    search_home = request.getfixturevalue("search_home")  # imported only when there is a cluster  # noqa: F811
    prefix = f"test-node-{uuid.uuid4().hex[:8]}"
    engine_for(search_home, url, prefix=prefix).close()
    empty = tmp_path_factory.mktemp("web-node-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARCHIVE_SEARCH_PREFIX", prefix)
        app = create_app({"TESTING": True, "ARCHIVE_HOME": str(empty), "SEARCH_URL": url})
        yield app.test_client(), empty
    drop(url, prefix)


def test_search_and_articles_come_from_the_cluster(node, request):
    client, empty = node
    articles = request.getfixturevalue("articles")  # noqa: F811
    found = client.get("/api/search?q=zebrafish").get_json()
    assert HOSTILE_ID in {r["id"] for r in found["results"]}
    article = client.get(f"/api/articles/{HOSTILE_ID}")
    assert article.status_code == 200, article.get_data(as_text=True)
    assert article.get_json()["title"] == articles[HOSTILE_ID].title
    page = client.get(f"/articles/{HOSTILE_ID}?q=zebrafish")
    assert page.status_code == 200 and "<mark>" in page.get_data(as_text=True)
    assert client.get("/api/articles/no-such-article").status_code == 404
    assert not any(empty.iterdir())  # no catalog, no index: nothing was created in the home


def test_people_pages_come_from_the_cluster(node):
    client, _ = node
    listing = client.get("/api/people?per_page=3").get_json()
    assert listing["items"], listing
    key = listing["items"][0]["key"]
    entity = client.get(f"/api/people/{key}")
    assert entity.status_code == 200 and entity.get_json()["articles"] == listing["items"][0]["articles"]
    assert client.get("/people").status_code == 200
    assert client.get(f"/people/{key}").status_code == 200
