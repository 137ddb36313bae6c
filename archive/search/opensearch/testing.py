"""For tests and benchmarks: an imported archive home copied into fresh cluster indexes, as an engine."""

from __future__ import annotations

import atexit
import hashlib
import os
from pathlib import Path

from archive.search.opensearch import layout, migrate
from archive.search.opensearch.client import connect

#: The cluster the OpenSearch tests use; unset, they skip (``make test`` sets it to the cluster it starts).
TEST_URL_VARIABLE = "ARCHIVE_TEST_SEARCH_URL"


def url_for_tests() -> str | None:
    return os.environ.get(TEST_URL_VARIABLE, "").strip() or None


def engine_for(home: Path, url: str, prefix: str | None = None, **options):
    """Copy the archive at ``home`` into new indexes (any of the same prefix are replaced) and return an
    ``OpenSearchEngine`` on them.

    :param prefix: the indexes' prefix; by default one named after ``home`` and process, dropped when
        the process exits, so parallel test runs on one cluster never meet.
    """
    from archive.search.opensearch.engine import OpenSearchEngine

    if prefix is None:
        digest = hashlib.sha1(f"{Path(home).resolve()}:{os.getpid()}".encode()).hexdigest()[:12]
        prefix = f"test-{digest}"
        atexit.register(drop, url, prefix)
    migrate.move(Path(home), url, prefix=prefix, fresh=True, threads=1)
    return OpenSearchEngine(url, prefix=prefix, **options)


def drop(url: str, prefix: str) -> None:
    """Delete the indexes of ``prefix`` (a test's)."""
    names = layout.index_names(prefix)
    try:
        connect(url).indices.delete(
            index=f"{names.articles},{names.registry},{names.meta}", ignore_unavailable=True
        )
    except Exception:  # noqa: BLE001 - at exit, a cluster already stopped leaves nothing to clean
        pass
