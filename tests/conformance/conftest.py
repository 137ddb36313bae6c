"""The conformance suite's engine: the same imported archive behind every engine the machine has.

``engine`` is parametrized: ``whoosh`` (the embedded index, always) and ``opensearch`` (the archive
copied into fresh indexes of the cluster at ``ARCHIVE_TEST_SEARCH_URL``; skipped when that is unset).
A test that takes ``engine`` runs once per engine and must pass on both.
"""

from __future__ import annotations

import os

import pytest

from archive.search.engines import WHOLE_SET_TIME_BUDGET_SECONDS, SearchEngine, open_reader, search_url
from archive.web.resources import WARM_UP_QUERIES
from tests.search_fixtures import articles, search_home

__all__ = ["articles", "search_home"]  # fixtures used by name

#: The cluster the OpenSearch side runs against; unset, it is skipped.
TEST_URL_VARIABLE = "ARCHIVE_TEST_SEARCH_URL"
ENGINES = ("whoosh", "opensearch")


@pytest.fixture(scope="session", params=ENGINES)
def engine(request, search_home) -> SearchEngine:
    """An open :class:`SearchEngine` on the fixture archive (``tests/search_fixtures.py``)."""
    if request.param == "whoosh":
        if search_url():  # ARCHIVE_SEARCH_URL set in this shell: the embedded engine all the same
            from archive.search.whoosh.engine import open_searcher

            found = open_searcher(search_home)
        else:
            found = open_reader(search_home)
    else:
        url = os.environ.get(TEST_URL_VARIABLE, "").strip()
        if not url:
            pytest.skip(f"no cluster: set {TEST_URL_VARIABLE} to run the conformance suite on OpenSearch")
        try:
            from archive.search.opensearch.testing import engine_for
        except ImportError as exc:
            pytest.skip(f"the OpenSearch engine is not importable: {exc}")
        found = engine_for(search_home, url)
    assert isinstance(found, SearchEngine)
    # warmed as a web worker is before it takes traffic (dictionaries loaded), without the site's budget
    budget, found.time_budget = found.time_budget, WHOLE_SET_TIME_BUDGET_SECONDS
    for req in WARM_UP_QUERIES:
        found.search(req)
    found.time_budget = budget
    yield found
    found.close()


@pytest.fixture
def searcher(engine):
    """The engine under test, by the name the search tests use: each test runs once per engine."""
    return engine
