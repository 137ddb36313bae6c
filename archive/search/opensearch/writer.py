"""The cluster's write side (:class:`~archive.search.engines.IndexWriter`): articles and passages in bulk,
retried while a node is down, the registry copied at each commit, and the catalog told what arrived.

Visibility: the articles index never refreshes by itself (``refresh_interval: -1``); :meth:`commit`
refreshes it, so readers see whole commits, as with the embedded engine. Durability: a bulk item the
cluster acknowledged is in its translog on every copy of the shard. :meth:`commit` records each
acknowledged article version in the catalog (``cluster_acks``), so an import or a move killed half-way
sends again exactly the articles whose current version the cluster has not acknowledged; sending one
twice writes the same documents under the same ids (idempotent). One writer at a time: the archive's
lock, as for the embedded engine.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from opensearchpy import helpers
from opensearchpy.exceptions import RequestError

from archive.errors import ArchiveError, SearchUnavailable
from archive.search.opensearch import layout
from archive.search.opensearch.client import call, connect, index_prefix

if TYPE_CHECKING:
    from archive.models import Article
    from archive.store import Catalog

T = TypeVar("T")

#: Documents per bulk request: a Reuters article is ~4 documents of ~2 KB, so ~1-2 MB per request,
#: where OpenSearch's bulk throughput levels off.
BULK_DOCS = 1_000
#: A write is tried again for this long while no node takes it (a node restarting, a replica being
#: promoted to primary after a kill: seconds; a restarted JVM here: ~20 s).
RETRY_SECONDS = 120.0
#: Waits between tries grow from the first to the last.
FIRST_BACKOFF = 0.5
MAX_BACKOFF = 5.0
#: Item statuses worth another try: overloaded (429), shard unavailable (503), gateway errors, and the
#: client's "N/A" when the request itself failed (connection refused, timed out).
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, "N/A"})
#: Ids per delete-by-query or mget request.
IDS_PER_REQUEST = 500


class OpenSearchWriter:
    """Writes the archive into the cluster at ``url`` (node URLs, comma-separated).

    :param prefix: the indexes' prefix (:func:`.layout.index_names`; default :func:`.client.index_prefix`).
    :param threads: bulk requests in flight (``helpers.parallel_bulk``); 1 sends them one by one.
    :param retry_seconds: how long a write that no node takes is tried again before it fails.
    :param fresh: delete the prefix's indexes first (a copy into an empty cluster).
    """

    def __init__(
        self,
        url: str | None = None,
        prefix: str | None = None,
        threads: int = 1,
        retry_seconds: float = RETRY_SECONDS,
        fresh: bool = False,
        **_: Any,
    ) -> None:
        self.client = connect(url)
        self.names = layout.index_names(index_prefix(prefix))
        self.threads = threads
        self.retry_seconds = retry_seconds
        if fresh:
            names = [self.names.articles, self.names.registry, self.names.meta]
            self._retrying(lambda: self.client.indices.delete(index=",".join(names), ignore_unavailable=True))
        self._ensure_indexes()
        #: Which cluster and index the acknowledgements name: a re-created index starts with none.
        self.cluster = self._retrying(self._index_identity)
        self._reset()

    # -- the IndexWriter protocol --------------------------------------------------------------------

    def write(self, articles: Sequence[Article], delete: Collection[str] = ()) -> None:
        """Index ``articles`` (replacing their old documents) and remove the articles ``delete`` names."""
        articles = list({a.id: a for a in articles}.values())
        replaced = [a.id for a in articles]
        existing = self._touch_old_keys([*replaced, *delete])
        if delete:
            self._delete_articles(list(delete))
        if articles:
            self._delete_passages([i for i in replaced if i in existing])
            self._stale_passages(articles)
            sent = [action for a in articles for action in layout.actions(a, self.names.articles)]
            failed = self._bulk(sent)
            for article in articles:
                self.passages[article.id] = max(len(article.passages), 1)
                self.keys["person"].update(p.key for p in article.persons)
                self.keys["place"].update(layout.place_keys(article))
                if article.id not in failed:
                    self.written[article.id] = article.content_hash
                    self.deleted.discard(article.id)
            if failed:
                raise SearchUnavailable(
                    f"The search cluster did not take {len(failed)} of {len(articles)} articles within "
                    f"{self.retry_seconds:.0f} s; the next import sends them again"
                )

    def commit(self, catalog: Catalog) -> None:
        """Make the writes visible, copy the registry entries they touched, bump the generation, and
        record in the catalog what the cluster acknowledged."""
        self._retrying(lambda: self.client.indices.refresh(index=self.names.articles))
        self.sync_registry(catalog, full=False)
        self._bump_generation()
        self.acknowledge(catalog)
        self._reset()

    def abandon(self) -> None:
        """Forget the uncommitted writes. The cluster cannot take back what it acknowledged: those
        articles are not recorded as acknowledged, stay ``pending`` in the catalog, and the next writer
        sends them again before anything else."""
        self._reset()

    # -- beyond the protocol: a move's checkpoints, the registry ---------------------------------------

    def acknowledge(self, catalog: Catalog) -> None:
        """Record in the catalog (and commit) the article versions the cluster has acknowledged so far."""
        catalog.acknowledge(self.cluster, self.written.items())
        catalog.forget_acks(self.cluster, self.deleted)
        catalog.commit()
        self.written, self.deleted = {}, set()

    def acknowledged(self, catalog: Catalog, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` this cluster holds in their current version, whole (acknowledged at a commit):
        recovery after a kill need not send them again."""
        return catalog.acknowledged(self.cluster, ids)

    def sync_registry(self, catalog: Catalog, full: bool = False) -> int:
        """Copy the registry entries of the touched keys (``full``: every entry) from the catalog and
        remove those the catalog no longer has; returns how many entries it wrote."""
        named = _keys_named_by_corrections(catalog)
        written = 0
        for kind in ("person", "place"):
            keys = None if full else sorted(self.keys[kind] | named[kind])
            if keys == []:
                continue
            docs = [
                {**d, "_index": self.names.registry} for d in layout.registry_documents(catalog, kind, keys)
            ]
            docs = self._without_deleted(catalog, kind, docs)
            failed = self._bulk(docs)
            if failed:
                raise SearchUnavailable(f"The search cluster did not take {len(failed)} registry entries")
            written += len(docs)
            kept = {d["_id"] for d in docs}
            old = self._registry_ids(kind) if full else {f"{kind}:{k}" for k in keys}
            gone = [{"_op_type": "delete", "_index": self.names.registry, "_id": i} for i in old - kept]
            self._bulk(gone, missing_ok=True)
        self._retrying(lambda: self.client.indices.refresh(index=self.names.registry))
        return written

    def _without_deleted(
        self, catalog: Catalog, kind: str, docs: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """The entries counted without the articles this session deleted that the catalog still holds
        (a delete removes them from the catalog after the cluster's commit); an entry left with no
        article and no correction is dropped."""
        if not self.deleted:
            return docs
        table = "article_persons" if kind == "person" else "article_places"
        ids = sorted(self.deleted)
        going: dict[str, int] = {}
        for start in range(0, len(ids), IDS_PER_REQUEST):
            chunk = ids[start : start + IDS_PER_REQUEST]
            rows = catalog.db.execute(
                f"SELECT key, count(DISTINCT article_id) FROM {table} WHERE article_id IN "
                f"({','.join('?' * len(chunk))}) GROUP BY key",
                chunk,
            )
            for key, n in rows:
                going[key] = going.get(key, 0) + n
        kept = []
        for doc in docs:
            source = doc["_source"]
            source["articles"] -= going.get(source["key"], 0)
            if source["articles"] > 0 or source.get("corrections"):
                kept.append(doc)
        return kept

    # -- the pieces -------------------------------------------------------------------------------------

    def _reset(self) -> None:
        self.written: dict[str, str] = {}  # article id -> content hash, acknowledged since the last commit
        self.deleted: set[str] = set()
        self.keys: dict[str, set[str]] = {"person": set(), "place": set()}
        self.passages: dict[str, int] = {}  # passages written this session, per article

    def _ensure_indexes(self) -> None:
        bodies = {
            self.names.articles: layout.index_body(),
            self.names.registry: layout.registry_body(),
            self.names.meta: layout.meta_body(),
        }
        for name, body in bodies.items():
            if self._retrying(lambda n=name: self.client.indices.exists(index=n)):
                continue
            try:
                self._retrying(lambda n=name, b=body: self.client.indices.create(index=n, body=b))
            except RequestError as exc:
                if exc.error != "resource_already_exists_exception":
                    raise
        # Readers see whole commits: only commit() refreshes the articles.
        self._retrying(
            lambda: self.client.indices.put_settings(
                index=self.names.articles, body={"index": {"refresh_interval": "-1"}}
            )
        )
        self._retrying(
            lambda: self.client.cluster.health(index=self.names.articles, wait_for_status="yellow")
        )

    def _index_identity(self) -> str:
        settings = self.client.indices.get_settings(index=self.names.articles, name="index.uuid")
        return f"{self.names.articles}/{settings[self.names.articles]['settings']['index']['uuid']}"

    def _touch_old_keys(self, ids: list[str]) -> set[str]:
        """Note the keys the old versions name (an entry whose last article changed must be counted
        again); returns the ids the cluster holds."""
        existing: set[str] = set()
        for start in range(0, len(ids), IDS_PER_REQUEST):
            chunk = ids[start : start + IDS_PER_REQUEST]
            found = self._retrying(
                lambda c=chunk: self.client.mget(
                    index=self.names.articles, body={"ids": c}, _source_includes=["person", "place"]
                )
            )
            for doc in found["docs"]:
                if not doc.get("found"):
                    continue
                existing.add(doc["_id"])
                source = doc.get("_source") or {}
                self.keys["person"].update(source.get("person") or [])
                self.keys["place"].update(source.get("place") or [])
        return existing

    def _delete_articles(self, ids: list[str]) -> None:
        self._delete_passages(ids)
        actions = [
            {"_op_type": "delete", "_index": self.names.articles, "_id": i, "_routing": i} for i in ids
        ]
        actions += self._session_passages(ids, keep=0)
        self._bulk(actions, missing_ok=True)
        self.deleted.update(ids)
        for i in ids:
            self.written.pop(i, None)

    def _delete_passages(self, ids: list[str]) -> None:
        """Delete the committed passages of these articles (what the last refresh shows)."""
        for start in range(0, len(ids), IDS_PER_REQUEST):
            query = layout.delete_children(ids[start : start + IDS_PER_REQUEST])
            self._retrying(
                lambda q=query: self.client.delete_by_query(
                    index=self.names.articles, body=q, conflicts="proceed", refresh=False
                )
            )

    def _stale_passages(self, articles: list[Article]) -> None:
        """Passages this session wrote that a shorter new version leaves behind (not yet searchable,
        so delete-by-query does not see them)."""
        stale: list[dict[str, Any]] = []
        for article in articles:
            stale += self._session_passages([article.id], keep=max(len(article.passages), 1))
        self._bulk(stale, missing_ok=True)

    def _session_passages(self, ids: Iterable[str], keep: int) -> list[dict[str, Any]]:
        return [
            {
                "_op_type": "delete",
                "_index": self.names.articles,
                "_id": layout.passage_id(i, n),
                "_routing": i,
            }
            for i in ids
            for n in range(keep + 1, self.passages.get(i, 0) + 1)
        ]

    def _registry_ids(self, kind: str) -> set[str]:
        query = {"query": {"term": {"kind": kind}}, "_source": False}
        hits = self._retrying(lambda: list(helpers.scan(self.client, index=self.names.registry, query=query)))
        return {h["_id"] for h in hits}

    def _bump_generation(self) -> None:
        index, doc = self.names.meta, layout.META_ID
        found = self._retrying(lambda: self.client.get(index=index, id=doc, ignore=[404]))
        generation = (found.get("_source") or {}).get("generation", 0) + 1
        body = {"generation": generation, "committed": time.time()}
        self._retrying(lambda: self.client.index(index=index, id=doc, body=body, refresh=True))

    def _bulk(self, actions: list[dict[str, Any]], missing_ok: bool = False) -> set[str]:
        """Send ``actions``, retrying the items no node took until :attr:`retry_seconds` pass; returns
        the routing keys (article ids) of the items that still failed.

        :raises ArchiveError: when the cluster refuses a document (a mapping error: trying again is futile).
        """
        pending = {(a.get("_op_type", "index"), a["_id"]): a for a in actions}
        deadline = time.monotonic() + self.retry_seconds
        backoff = FIRST_BACKOFF
        while pending:
            retry: dict[tuple[str, str], dict[str, Any]] = {}
            for ok, item in self._send(list(pending.values())):
                op, info = next(iter(item.items()))
                key = (op, info["_id"])
                if ok or (missing_ok and info.get("status") == 404):
                    pending.pop(key, None)
                elif info.get("status") in RETRY_STATUSES:
                    retry[key] = pending[key]
                else:
                    raise ArchiveError(
                        f"The search cluster refused document {info['_id']}: {info.get('error')}"
                    )
            pending = retry
            if pending and time.monotonic() + backoff > deadline:
                break
            if pending:
                time.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
        return {a.get("_routing", a["_id"]) for a in pending.values()}

    def _send(self, actions: list[dict[str, Any]]) -> Iterator[tuple[bool, dict[str, Any]]]:
        options = {"raise_on_error": False, "raise_on_exception": False, "chunk_size": BULK_DOCS}
        if self.threads > 1:
            return helpers.parallel_bulk(self.client, actions, thread_count=self.threads, **options)
        return helpers.streaming_bulk(self.client, actions, max_retries=0, **options)

    def _retrying(self, action: Callable[[], T]) -> T:
        """One request, tried again while the cluster is unavailable, for :attr:`retry_seconds`."""
        deadline = time.monotonic() + self.retry_seconds
        backoff = FIRST_BACKOFF
        while True:
            try:
                return call(action)
            except SearchUnavailable:
                if time.monotonic() + backoff > deadline:
                    raise
                time.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)


def _keys_named_by_corrections(catalog: Catalog) -> dict[str, set[str]]:
    """Every key a correction names: its entry (hidden, history) can change with no article changing."""
    named: dict[str, set[str]] = {"person": set(), "place": set()}
    for row in catalog.corrections():
        rule = row["rule"]
        keys = named.setdefault(row["kind"], set())
        keys.update(rule.get("keys", []))
        if rule.get("to"):
            keys.add(rule["to"])
    return named
