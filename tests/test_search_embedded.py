"""The embedded engine's own resources: searchers of one index generation share their arrays, and
opening and closing searchers leaks no file descriptor, its time budget stops a search (what it answers
is in tests/conformance/)."""

from __future__ import annotations

import pytest

from archive.errors import SearchTimeout
from archive.search.request import SearchRequest
from archive.search.whoosh.engine import ArchiveSearcher, open_searcher

try:  # tests/ is a package in this repository; without its __init__.py the helpers import directly
    from tests.search_fixtures import search_home
except ImportError:  # pragma: no cover
    from search_fixtures import search_home

__all__ = ["search_home"]  # fixtures used by name


def test_searchers_of_one_generation_share_the_cache(search_home):  # noqa: F811
    with open_searcher(search_home) as a, open_searcher(search_home) as b:
        assert a.cache is b.cache


def test_no_file_descriptor_leak(search_home):  # noqa: F811
    import os

    def open_fds():
        return len(os.listdir("/proc/self/fd"))

    with open_searcher(search_home) as s:
        s.search(SearchRequest(q="Putin"))
    before = open_fds()
    for _ in range(30):
        with open_searcher(search_home) as s:
            s.search(SearchRequest(q="Putin"))
    assert open_fds() <= before


def test_time_budget_stops_a_search(search_home):  # noqa: F811
    """The budget is checked between the search's steps (a cluster enforces its own, server-side)."""
    s = ArchiveSearcher(search_home, time_budget=0.0)
    try:
        with pytest.raises(SearchTimeout, match="narrow it"):
            s.search(SearchRequest(q="police OR election"))
    finally:
        s.close()
