"""One client for the search cluster: every node's URL, retries on a dead node, failures as archive errors."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as ClusterConnectionError
from opensearchpy.exceptions import ConnectionTimeout, NotFoundError, TransportError

from archive.errors import IndexMissing, SearchUnavailable

#: The variable that names the cluster: one or more node URLs separated by commas.
URL_VARIABLE = "ARCHIVE_SEARCH_URL"
#: The variable that names the indexes' prefix (``<prefix>-articles``...), for several archives or test
#: runs on one cluster; unset: ``archive.search.opensearch.layout.DEFAULT_PREFIX``.
PREFIX_VARIABLE = "ARCHIVE_SEARCH_PREFIX"
#: Each request may go to every other node once before it fails: with two nodes and one dead, the second
#: try lands on the live one.
MAX_RETRIES = 2
#: Seconds a search waits for a node; a dead node's refused connection fails at once, a hung one here.
REQUEST_TIMEOUT = 10
#: A node that failed is left alone this long before it is tried again (the client's dead-node pool).
DEAD_TIMEOUT = 5

T = TypeVar("T")


def node_urls(url: str | None = None) -> list[str]:
    """The node URLs of ``url`` (else ``ARCHIVE_SEARCH_URL``), comma-separated.

    :raises SearchUnavailable: when neither names a node.
    """
    value = url if url is not None else os.environ.get(URL_VARIABLE, "")
    urls = [u.strip().rstrip("/") for u in value.split(",") if u.strip()]
    if not urls:
        raise SearchUnavailable(f"No search cluster: set {URL_VARIABLE} to its node URLs (comma-separated)")
    return urls


def index_prefix(prefix: str | None = None) -> str:
    """``prefix`` if given, else ``ARCHIVE_SEARCH_PREFIX``, else the default prefix."""
    from archive.search.opensearch.layout import DEFAULT_PREFIX

    return prefix or os.environ.get(PREFIX_VARIABLE, "").strip() or DEFAULT_PREFIX


def connect(url: str | None = None) -> OpenSearch:
    """A client that spreads requests over the nodes and retries a failed one on the next."""
    return OpenSearch(
        hosts=node_urls(url),
        max_retries=MAX_RETRIES,
        retry_on_timeout=True,
        retry_on_status=(502, 503, 504),
        timeout=REQUEST_TIMEOUT,
        dead_timeout=DEAD_TIMEOUT,
        http_compress=False,  # local networks: compression costs more CPU than it saves time
    )


def call(action: Callable[[], T], what: str = "the search cluster") -> T:
    """Run one cluster request, as archive errors when no node answers or the index is missing.

    :raises SearchUnavailable: when no node answers (every retry failed).
    :raises IndexMissing: when the index does not exist.
    """
    try:
        return action()
    except (ClusterConnectionError, ConnectionTimeout) as exc:
        raise SearchUnavailable(
            f"No node of {what} answers ({exc.info if hasattr(exc, 'info') else exc}); "
            "the archive is intact: searches work again when a node is back"
        ) from exc
    except NotFoundError as exc:
        raise IndexMissing(f"{what} has no archive index: {_reason(exc)}") from exc
    except TransportError as exc:
        if exc.status_code == 503:  # every copy of a shard is gone: the cluster cannot answer
            raise SearchUnavailable(f"{what} cannot answer now: {_reason(exc)}") from exc
        raise


def _reason(exc: TransportError) -> str:
    info: Any = exc.info
    if isinstance(info, dict):
        return str(info.get("error", {}).get("reason", exc.error))
    return str(exc.error)
