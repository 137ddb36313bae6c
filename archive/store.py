"""The catalog (SQLite): articles as imported, their originals, import runs, and the person/place registry.

The catalog is the archive's source of truth: the Whoosh index can always be rebuilt from it
(``archive reindex``). Every article row carries a ``state``: ``pending`` until the index commit that
holds it returned, then ``indexed``. A writer that finds pending rows (an import killed between the two
commits) indexes them again before doing anything else, so the catalog and the index never disagree for
long and never hold duplicates.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from archive.errors import IndexMissing
from archive.models import Article, ImportReport

CATALOG_NAME = "catalog.sqlite"
#: Readers wait this long for a writer's transaction instead of failing with "database is locked".
BUSY_TIMEOUT_MS = 30_000


#: Values bound in one ``IN (...)`` list: well under SQLite's limit on host parameters (999 in old builds).
IN_CHUNK = 500


def _in_chunks(values: list) -> Iterator[tuple[list, str]]:
    """``values`` in slices small enough for one ``IN (...)``, each with its ``?`` placeholders."""
    for i in range(0, len(values), IN_CHUNK):
        chunk = values[i : i + IN_CHUNK]
        yield chunk, ",".join("?" * len(chunk))


SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    state TEXT NOT NULL,               -- pending | indexed | deleting
    title TEXT, published TEXT, source TEXT, url TEXT,
    passages INTEGER NOT NULL DEFAULT 0,
    data TEXT NOT NULL,                -- the whole Article as JSON
    imported_at REAL NOT NULL, updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_state ON articles(state) WHERE state != 'indexed';
CREATE TABLE IF NOT EXISTS originals (
    sha1 TEXT PRIMARY KEY,             -- of the raw bytes: a re-import of the same input is a no-op
    article_id TEXT NOT NULL,
    kind TEXT NOT NULL, source TEXT NOT NULL, line INTEGER,
    raw BLOB NOT NULL                  -- zlib-compressed original bytes
);
CREATE INDEX IF NOT EXISTS originals_article ON originals(article_id);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, started REAL NOT NULL, finished REAL, paths TEXT NOT NULL,
    imported INTEGER, updated INTEGER, duplicates INTEGER, failed INTEGER
);
CREATE TABLE IF NOT EXISTS items (
    run_id INTEGER NOT NULL, source TEXT NOT NULL, line INTEGER, article_id TEXT,
    status TEXT NOT NULL, reason TEXT
);
CREATE INDEX IF NOT EXISTS items_run ON items(run_id);
CREATE TABLE IF NOT EXISTS article_persons (article_id TEXT NOT NULL, key TEXT NOT NULL, name TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS article_persons_article ON article_persons(article_id);
CREATE INDEX IF NOT EXISTS article_persons_key ON article_persons(key);
CREATE TABLE IF NOT EXISTS person_variants (
    key TEXT NOT NULL, variant TEXT NOT NULL, folded TEXT NOT NULL, PRIMARY KEY (key, variant)
);
CREATE INDEX IF NOT EXISTS person_variants_folded ON person_variants(folded);
CREATE TABLE IF NOT EXISTS article_places (article_id TEXT NOT NULL, key TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS article_places_article ON article_places(article_id);
CREATE TABLE IF NOT EXISTS places (
    key TEXT PRIMARY KEY, name TEXT NOT NULL, folded TEXT NOT NULL, country TEXT, lat REAL, lon REAL
);
CREATE INDEX IF NOT EXISTS places_folded ON places(folded);
"""

#: Stories (wire copies, :mod:`archive.copies`): each article's story, its arrival order and its LSH
#: band keys (kept to delete its ``story_bands`` rows); ``story_bands`` finds an arrival's candidates.
STORIES_SQL = """
CREATE TABLE IF NOT EXISTS stories (
    seq INTEGER PRIMARY KEY, article_id TEXT NOT NULL UNIQUE, story TEXT NOT NULL, bands BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS stories_story ON stories(story);
CREATE TABLE IF NOT EXISTS story_bands (
    key INTEGER NOT NULL, article_id TEXT NOT NULL, PRIMARY KEY (key, article_id)
) WITHOUT ROWID;
"""

#: Watches (saved searches, :mod:`archive.watches`): created by an import and by the first watch
#: command, so an archive made before them gains the tables. ``since`` is the arrival time up to which
#: a watch has looked; ``watch_seen`` the arrivals newer than that it looked at, reported or not (so a
#: second run never reports or searches them again). ``articles_updated`` finds what arrived without
#: reading every row.
WATCHES_SQL = """
CREATE TABLE IF NOT EXISTS watches (
    name TEXT PRIMARY KEY, request TEXT NOT NULL, created REAL NOT NULL, created_by TEXT,
    since REAL NOT NULL, checked REAL
);
CREATE TABLE IF NOT EXISTS watch_seen (
    watch TEXT NOT NULL, article_id TEXT NOT NULL, updated_at REAL NOT NULL,
    PRIMARY KEY (watch, article_id, updated_at)
);
"""
ARRIVALS_SQL = "CREATE INDEX IF NOT EXISTS articles_updated ON articles(updated_at);"

#: Editors' corrections of the person/place registry (:mod:`archive.curation`), and each article's
#: entities as extraction found them, before corrections: a correction or its undo is applied again to
#: these, so nothing an editor does loses what the extractor said.
CURATION_SQL = """
CREATE TABLE IF NOT EXISTS corrections (
    id INTEGER PRIMARY KEY, at REAL NOT NULL, who TEXT NOT NULL,
    kind TEXT NOT NULL,                -- person | place
    verb TEXT NOT NULL,                -- merge | split | rename | hide | unhide | move
    rule TEXT NOT NULL,                -- JSON: keys, name, variants, to, articles, place
    undone_at REAL, undone_by TEXT
);
CREATE TABLE IF NOT EXISTS extracted (
    article_id TEXT PRIMARY KEY, persons TEXT NOT NULL, places TEXT NOT NULL  -- JSON lists
);
CREATE TABLE IF NOT EXISTS extracted_keys (article_id TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS extracted_keys_key ON extracted_keys(kind, key);
CREATE INDEX IF NOT EXISTS extracted_keys_article ON extracted_keys(article_id);
"""

#: Which version of each article a search cluster acknowledged (archive.search.opensearch.writer), per
#: cluster (its uuid and index prefix): an import or a move to a cluster killed half-way sends again
#: exactly the articles whose current version is not listed here.
ACKS_SQL = """
CREATE TABLE IF NOT EXISTS cluster_acks (
    cluster TEXT NOT NULL, article_id TEXT NOT NULL, content_hash TEXT NOT NULL,
    PRIMARY KEY (cluster, article_id)
) WITHOUT ROWID
"""


def fold_name(value: str) -> str:
    """A name as the registry stores it (:func:`archive.entities.persons.fold_name`), imported on first
    use: reading the catalog (``archive stats``, ``show``, article pages) needs no entity code."""
    from archive.entities.persons import fold_name as fold

    return fold(value)


def _like_escape(value: str) -> str:
    """``value`` with LIKE's wildcards escaped (``ESCAPE '\\'``), to match it literally."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def raw_sha1(kind: str, raw: bytes) -> str:
    return hashlib.sha1(kind.encode() + b"\0" + raw).hexdigest()


class Catalog:
    """The SQLite catalog of one archive home.

    :param home: the archive home folder.
    :param create: make the home and the tables if missing (the importer does; readers never do).
    """

    def __init__(self, home: Path, create: bool = False) -> None:
        self.home = Path(home)
        path = self.home / CATALOG_NAME
        if create:
            self.home.mkdir(parents=True, exist_ok=True)
        elif not path.exists():
            raise IndexMissing(f"No archive at {self.home}. Run `archive import PATH` to create one.")
        self.db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if create:
            self.db.executescript(CURATION_SQL)
            self.db.execute("PRAGMA journal_mode = WAL")  # readers keep reading while an import writes
            self.db.executescript(SCHEMA_SQL + WATCHES_SQL + ARRIVALS_SQL + STORIES_SQL)
            self.db.commit()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------------------

    def get_article(self, article_id: str) -> Article | None:
        """The article as shown to readers; ``None`` if unknown or not yet committed to the index."""
        row = self.db.execute(
            "SELECT data FROM articles WHERE id = ? AND state = 'indexed'", (article_id,)
        ).fetchone()
        return Article.from_dict(json.loads(row["data"])) if row else None

    def article_states(self, ids: Iterable[str]) -> dict[str, tuple[str, str]]:
        """``{id: (content_hash, state)}`` for the given ids that are in the catalog."""
        out: dict[str, tuple[str, str]] = {}
        ids = list(ids)
        for chunk, marks in _in_chunks(ids):
            for row in self.db.execute(
                f"SELECT id, content_hash, state FROM articles WHERE id IN ({marks})", chunk
            ):
                out[row["id"]] = (row["content_hash"], row["state"])
        return out

    def known_originals(self) -> dict[str, str]:
        """``{raw sha1: article id}`` of the input each indexed article was last imported from.

        Only the last one: an older version imported again after a newer one is read again, and then
        updates the article (the last import wins), instead of being called a duplicate while the
        archive keeps the newer text. A re-stored original moves to the end (``INSERT OR REPLACE``).
        """
        rows = self.db.execute(
            "SELECT o.sha1, o.article_id FROM originals o JOIN articles a ON a.id = o.article_id "
            "WHERE a.state = 'indexed' AND o.rowid = "
            "(SELECT max(rowid) FROM originals WHERE article_id = o.article_id)"
        )
        return {r[0]: r[1] for r in rows}

    def iter_articles(self, state: str | None = None) -> Iterator[Article]:
        sql = "SELECT data FROM articles" + (" WHERE state = ?" if state else "") + " ORDER BY id"
        for row in self.db.execute(sql, (state,) if state else ()):
            yield Article.from_dict(json.loads(row["data"]))

    def original(self, article_id: str) -> list[dict[str, Any]]:
        """The stored original inputs of an article (newest first), bytes decompressed."""
        rows = self.db.execute(
            "SELECT kind, source, line, raw FROM originals WHERE article_id = ? ORDER BY rowid DESC",
            (article_id,),
        )
        return [{**dict(r), "raw": zlib.decompress(r["raw"])} for r in rows]

    def stats(self) -> dict[str, int]:
        one = self.db.execute
        return {
            "articles": one("SELECT count(*) FROM articles WHERE state = 'indexed'").fetchone()[0],
            "passages": one(
                "SELECT coalesce(sum(passages), 0) FROM articles WHERE state = 'indexed'"
            ).fetchone()[0],
            "persons": one("SELECT count(DISTINCT key) FROM article_persons").fetchone()[0],
            "places": one("SELECT count(DISTINCT key) FROM article_places").fetchone()[0],
            "pending": one("SELECT count(*) FROM articles WHERE state != 'indexed'").fetchone()[0],
            "imports": one("SELECT count(*) FROM runs").fetchone()[0],
        }

    # -- the person and place registry ---------------------------------------------------------------

    def known_surnames(self) -> frozenset[str]:
        """The surname part of every person key named in full (``reagan`` of ``reagan_ronald``): a new
        article that names only the surname then has the evidence that it is a person."""
        rows = self.db.execute("SELECT DISTINCT key FROM article_persons WHERE instr(key, '_') > 0")
        return frozenset(key.split("_", 1)[0] for (key,) in rows)

    def find_persons(self, value: str) -> list[str]:
        """Person keys for a key, a full name, a surname or any recorded spelling."""
        value = value.strip()
        if not value:
            return []
        if self.db.execute("SELECT 1 FROM article_persons WHERE key = ? LIMIT 1", (value,)).fetchone():
            return [value]
        folded = fold_name(value)
        # any recorded spelling, or a surname: the last word of a recorded spelling
        rows = self.db.execute(
            "SELECT DISTINCT key FROM person_variants WHERE folded = ? OR folded LIKE ? ESCAPE '\\'",
            (folded, "% " + _like_escape(folded)),
        ).fetchall()
        return sorted(r[0] for r in rows)

    def persons(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Name (the spelling used most often) and every recorded spelling of each person."""
        out: dict[str, dict[str, Any]] = {}
        for key in set(keys):
            names = self.db.execute(
                "SELECT name, count(*) AS n FROM article_persons WHERE key = ? GROUP BY name "
                "ORDER BY n DESC, length(name) DESC, name LIMIT 1",
                (key,),
            ).fetchone()
            if names is None:
                continue
            variants = [
                r[0] for r in self.db.execute("SELECT variant FROM person_variants WHERE key = ?", (key,))
            ]
            out[key] = {"name": names["name"], "variants": sorted(variants)}
        return out

    def full_name_counts(self, surname: str) -> dict[str, int]:
        """``{person key: articles}`` for the full names (``surname_given``) with this surname key."""
        rows = self.db.execute(
            "SELECT key, count(DISTINCT article_id) FROM article_persons WHERE key LIKE ? ESCAPE '\\' GROUP BY key",
            (_like_escape(surname + "_") + "%",),
        )
        return {r[0]: r[1] for r in rows}

    def find_places(self, value: str) -> list[str]:
        """Place keys for a key or a name."""
        value = value.strip()
        if not value:
            return []
        if self.db.execute("SELECT 1 FROM places WHERE key = ?", (value,)).fetchone():
            return [value]
        rows = self.db.execute("SELECT key FROM places WHERE folded = ?", (fold_name(value),)).fetchall()
        return sorted(r[0] for r in rows)

    def places(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for key in set(keys):
            row = self.db.execute(
                "SELECT name, country, lat, lon FROM places WHERE key = ?", (key,)
            ).fetchone()
            if row:
                out[key] = dict(row)
        return out

    # -- writing (the importer only) -----------------------------------------------------------------

    def start_run(self, paths: list[str]) -> int:
        cur = self.db.execute(
            "INSERT INTO runs (started, paths) VALUES (?, ?)", (time.time(), json.dumps(paths))
        )
        self.db.commit()
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, report: ImportReport) -> None:
        summary = report.to_dict()
        self.db.execute(
            "UPDATE runs SET finished = ?, imported = ?, updated = ?, duplicates = ?, failed = ? WHERE id = ?",
            (
                time.time(),
                summary["imported"],
                summary["updated"],
                summary["duplicates"],
                len(summary["failed"]),
                run_id,
            ),
        )
        self.db.commit()

    def record_items(self, run_id: int, items: Iterable) -> None:
        self.db.executemany(
            "INSERT INTO items (run_id, source, line, article_id, status, reason) VALUES (?, ?, ?, ?, ?, ?)",
            [(run_id, i.source, i.line, i.id, i.status, i.reason) for i in items],
        )

    def stage_articles(self, articles: Iterable[Article]) -> None:
        """Write articles as ``pending``, replacing older versions and their registry rows."""
        now = time.time()
        for a in articles:
            data = a.to_dict()
            self._forget_entities(a.id)
            self.db.execute(
                "INSERT INTO articles (id, content_hash, state, title, published, source, url, passages, data, "
                "imported_at, updated_at) VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET content_hash = excluded.content_hash, state = 'pending', "
                "title = excluded.title, published = excluded.published, source = excluded.source, "
                "url = excluded.url, passages = excluded.passages, data = excluded.data, "
                "updated_at = excluded.updated_at",
                (
                    a.id,
                    a.content_hash,
                    a.title,
                    a.published,
                    a.source,
                    a.url,
                    len(a.passages),
                    json.dumps(data, ensure_ascii=False),
                    now,
                    now,
                ),
            )
            self.db.executemany(
                "INSERT INTO article_persons (article_id, key, name) VALUES (?, ?, ?)",
                [(a.id, p.key, p.name) for p in a.persons],
            )
            self.db.executemany(
                "INSERT OR IGNORE INTO person_variants (key, variant, folded) VALUES (?, ?, ?)",
                [(p.key, v, fold_name(v)) for p in a.persons for v in {p.name, *p.variants}],
            )
            self.db.executemany(
                "INSERT INTO article_places (article_id, key) VALUES (?, ?)",
                [(a.id, p.key) for p in a.places],
            )
            self.db.executemany(
                "INSERT OR IGNORE INTO places (key, name, folded, country, lat, lon) VALUES (?, ?, ?, ?, ?, ?)",
                [(p.key, p.name, fold_name(p.name), p.country, p.lat, p.lon) for p in a.places],
            )

    def store_original(
        self, sha1: str, article_id: str, kind: str, source: str, line: int | None, raw: bytes
    ):
        self.db.execute(
            "INSERT OR REPLACE INTO originals (sha1, article_id, kind, source, line, raw) VALUES (?, ?, ?, ?, ?, ?)",
            (sha1, article_id, kind, source, line, zlib.compress(raw)),
        )

    def mark_indexed(self, ids: Iterable[str]) -> None:
        self.set_state(ids, "indexed")

    def set_state(self, ids: Iterable[str], state: str) -> None:
        self.db.executemany("UPDATE articles SET state = ? WHERE id = ?", [(state, i) for i in ids])

    def ids_in_state(self, state: str) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM articles WHERE state = ?", (state,))]

    def delete_articles(self, ids: Iterable[str]) -> None:
        for article_id in ids:
            self._forget_entities(article_id)
            self.db.execute("DELETE FROM originals WHERE article_id = ?", (article_id,))
            self.db.execute("DELETE FROM extracted WHERE article_id = ?", (article_id,))
            self.db.execute("DELETE FROM extracted_keys WHERE article_id = ?", (article_id,))
            self.db.execute("DELETE FROM articles WHERE id = ?", (article_id,))

    def existing_ids(self, ids: Iterable[str]) -> list[str]:
        return list(self.article_states(ids))

    # -- what a search cluster acknowledged (archive.search.opensearch.writer) -----------------------

    def acknowledge(self, cluster: str, versions: Iterable[tuple[str, str]]) -> None:
        """Record that ``cluster`` holds these ``(article id, content hash)`` versions (caller commits)."""
        self.db.execute(ACKS_SQL)  # one statement: creating it does not commit the caller's transaction
        self.db.executemany(
            "INSERT OR REPLACE INTO cluster_acks (cluster, article_id, content_hash) VALUES (?, ?, ?)",
            [(cluster, i, h) for i, h in versions],
        )

    def forget_acks(self, cluster: str, ids: Iterable[str]) -> None:
        """The cluster no longer holds these articles (deleted there)."""
        self.db.execute(ACKS_SQL)
        self.db.executemany(
            "DELETE FROM cluster_acks WHERE cluster = ? AND article_id = ?", [(cluster, i) for i in ids]
        )

    def unacknowledged(self, cluster: str) -> list[str]:
        """Articles whose current version ``cluster`` has not acknowledged (``deleting`` ones excluded)."""
        self.db.execute(ACKS_SQL)
        rows = self.db.execute(
            "SELECT a.id FROM articles a LEFT JOIN cluster_acks k ON k.cluster = ? AND k.article_id = a.id "
            "AND k.content_hash = a.content_hash WHERE k.article_id IS NULL AND a.state != 'deleting' "
            "ORDER BY a.id",
            (cluster,),
        )
        return [r[0] for r in rows]

    def acknowledged(self, cluster: str, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` ``cluster`` acknowledged in their current version."""
        self.db.execute(ACKS_SQL)
        out: set[str] = set()
        for chunk, marks in _in_chunks(list(ids)):
            rows = self.db.execute(
                "SELECT a.id FROM articles a JOIN cluster_acks k ON k.cluster = ? AND k.article_id = a.id "
                f"AND k.content_hash = a.content_hash WHERE a.id IN ({marks})",
                [cluster, *chunk],
            )
            out.update(r[0] for r in rows)
        return out

    def acknowledged_gone(self, cluster: str) -> list[str]:
        """Articles ``cluster`` holds that the catalog no longer has (deleted while it was not written)."""
        self.db.execute(ACKS_SQL)
        rows = self.db.execute(
            "SELECT article_id FROM cluster_acks WHERE cluster = ? "
            "AND article_id NOT IN (SELECT id FROM articles WHERE state != 'deleting')",
            (cluster,),
        )
        return [r[0] for r in rows]

    def commit(self) -> None:
        self.db.commit()

    def _forget_entities(self, article_id: str) -> None:
        self.db.execute("DELETE FROM article_persons WHERE article_id = ?", (article_id,))
        self.db.execute("DELETE FROM article_places WHERE article_id = ?", (article_id,))

    # -- stories (archive.copies: wire copies; written by the importer, delete and reindex) -----------

    def ensure_stories(self) -> None:
        """Create the story tables if missing (an archive made before them, opened by delete or reindex)."""
        self.db.executescript(STORIES_SQL)

    def story_candidates(self, keys: list[int]) -> list[str]:
        """Articles sharing at least one LSH band key with ``keys``."""
        marks = ",".join("?" * len(keys))
        rows = self.db.execute(f"SELECT DISTINCT article_id FROM story_bands WHERE key IN ({marks})", keys)
        return [r[0] for r in rows]

    def story_of(self, article_id: str) -> str | None:
        row = self.db.execute("SELECT story FROM stories WHERE article_id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def story_and_copies(self, article_id: str) -> tuple[str | None, list[dict[str, Any]]]:
        """An article's story and :meth:`copies_of`; ``(None, [])`` when the archive predates stories."""
        try:
            story = self.story_of(article_id)
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return None, []
            raise
        return story, self.copies_of(article_id)

    def story_members(self, story: str) -> list[str]:
        """The articles of a story, in arrival order."""
        rows = self.db.execute("SELECT article_id FROM stories WHERE story = ? ORDER BY seq", (story,))
        return [r[0] for r in rows]

    def stories_of(self, ids: Iterable[str]) -> dict[str, str]:
        """``{article id: story}`` for the given ids that have one."""
        out: dict[str, str] = {}
        ids = list(ids)
        for chunk, marks in _in_chunks(ids):
            rows = self.db.execute(
                f"SELECT article_id, story FROM stories WHERE article_id IN ({marks})", chunk
            )
            out.update((r[0], r[1]) for r in rows)
        return out

    def set_story(self, article_id: str, story: str, keys: list[int]) -> None:
        """Record an arrival: its story, a new place in the arrival order, its band keys."""
        self.forget_story(article_id)
        self.db.execute(
            "INSERT INTO stories (article_id, story, bands) VALUES (?, ?, ?)",
            (article_id, story, json.dumps(keys).encode()),
        )
        self.db.executemany(
            "INSERT OR IGNORE INTO story_bands (key, article_id) VALUES (?, ?)",
            [(k, article_id) for k in keys],
        )

    def move_story(self, article_id: str, story: str) -> None:
        self.db.execute("UPDATE stories SET story = ? WHERE article_id = ?", (story, article_id))

    def forget_story(self, article_id: str) -> None:
        row = self.db.execute("SELECT bands FROM stories WHERE article_id = ?", (article_id,)).fetchone()
        if row is None:
            return
        self.db.executemany(
            "DELETE FROM story_bands WHERE key = ? AND article_id = ?",
            [(k, article_id) for k in json.loads(row[0])],
        )
        self.db.execute("DELETE FROM stories WHERE article_id = ?", (article_id,))

    def article_text(self, article_id: str) -> str | None:
        """An article's cleaned text, whatever its state (a story's members are compared by it)."""
        row = self.db.execute("SELECT data FROM articles WHERE id = ?", (article_id,)).fetchone()
        return json.loads(row[0]).get("text") if row else None

    def copies_of(self, article_id: str) -> list[dict[str, Any]]:
        """The other indexed articles of an article's story: ``id, title, source, published``, oldest
        arrival first; none when the archive predates stories."""
        try:
            rows = self.db.execute(
                "SELECT a.id, a.title, a.source, a.published FROM stories s JOIN stories me "
                "ON me.story = s.story AND me.article_id = ? JOIN articles a ON a.id = s.article_id "
                "WHERE s.article_id != ? AND a.state = 'indexed' ORDER BY s.seq",
                (article_id, article_id),
            ).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return []
            raise
        return [dict(r) for r in rows]

    def copy_rows(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """``{id: {id, title, source, published}}`` of indexed articles (a search result's copies)."""
        out: dict[str, dict[str, Any]] = {}
        ids = list(ids)
        for chunk, marks in _in_chunks(ids):
            for row in self.db.execute(
                f"SELECT id, title, source, published FROM articles WHERE state = 'indexed' AND id IN ({marks})",
                chunk,
            ):
                out[row["id"]] = dict(row)
        return out

    # -- watches (archive.watches: saved searches; the site writes only these tables) ----------------

    def ensure_watches(self, arrivals_index: bool = True) -> None:
        """Create the watch tables (and, unless asked not to, the arrival-time index) if missing."""
        self.db.executescript(WATCHES_SQL + (ARRIVALS_SQL if arrivals_index else ""))
        self.db.commit()

    def watch_rows(self) -> list[sqlite3.Row]:
        """Every watch, by name; none when the archive predates watches."""
        try:
            return self.db.execute("SELECT * FROM watches ORDER BY name").fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return []
            raise

    def add_watch(self, name: str, request: str, since: float, user: str | None) -> bool:
        """Save a watch; ``False`` when one of that name exists."""
        with self.db:
            cur = self.db.execute(
                "INSERT OR IGNORE INTO watches (name, request, created, created_by, since) VALUES (?, ?, ?, ?, ?)",
                (name, request, time.time(), user, since),
            )
        return cur.rowcount == 1

    def remove_watch(self, name: str) -> bool:
        with self.db:
            cur = self.db.execute("DELETE FROM watches WHERE name = ?", (name,))
            self.db.execute("DELETE FROM watch_seen WHERE watch = ?", (name,))
        return cur.rowcount == 1

    def arrived_since(self, since: float) -> list[sqlite3.Row]:
        """``id, updated_at`` of the indexed articles imported or updated after ``since``."""
        return self.db.execute(
            "SELECT id, updated_at FROM articles WHERE updated_at > ? AND state = 'indexed'", (since,)
        ).fetchall()

    def arrivals(self, offset: int, limit: int) -> list[sqlite3.Row]:
        """``id, updated_at`` of indexed articles, the latest arrival first."""
        return self.db.execute(
            "SELECT id, updated_at FROM articles WHERE state = 'indexed' ORDER BY updated_at DESC, id "
            "LIMIT ? OFFSET ?",
            (limit, offset),
        ).fetchall()

    def oldest_pending(self) -> float | None:
        """When the oldest article still waiting for its index commit was staged (``None``: none)."""
        # "!= 'indexed'" lets SQLite use the partial index articles_state (without it, it walks
        # articles_updated through every row: 0.1-0.2 s at 100,000 articles, on every watch run)
        return self.db.execute(
            "SELECT min(updated_at) FROM articles WHERE state = 'pending' AND state != 'indexed'"
        ).fetchone()[0]

    def article_rows(self, ids: Iterable[str]) -> dict[str, sqlite3.Row]:
        """``{id: (id, title, published, source, url, updated_at)}`` of indexed articles."""
        out: dict[str, sqlite3.Row] = {}
        ids = list(ids)
        for chunk, marks in _in_chunks(ids):
            for row in self.db.execute(
                "SELECT id, title, published, source, url, updated_at FROM articles "
                f"WHERE state = 'indexed' AND id IN ({marks})",
                chunk,
            ):
                out[row["id"]] = row
        return out

    def watch_seen(self, name: str) -> set[tuple[str, float]]:
        rows = self.db.execute("SELECT article_id, updated_at FROM watch_seen WHERE watch = ?", (name,))
        return {(r[0], r[1]) for r in rows}

    def mark_watch(self, name: str, since: float, seen: Iterable[tuple[str, float]]) -> None:
        """Move a watch's horizon to ``since``, remember ``seen`` and forget what the horizon passed."""
        with self.db:
            self.db.executemany(
                "INSERT OR IGNORE INTO watch_seen (watch, article_id, updated_at) VALUES (?, ?, ?)",
                [(name, i, u) for i, u in seen],
            )
            self.db.execute("DELETE FROM watch_seen WHERE watch = ? AND updated_at <= ?", (name, since))
            self.db.execute(
                "UPDATE watches SET since = max(since, ?), checked = ? WHERE name = ?",
                (since, time.time(), name),
            )

    # -- corrections (archive.curation: editors' rules over the registry) ----------------------------

    def ensure_curation(self) -> None:
        """Create the corrections tables if missing (an archive made before them; only then does it
        commit the caller's transaction)."""
        found = self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'extracted_keys'").fetchone()
        if found is None:
            self.db.executescript(CURATION_SQL)
            self.db.commit()

    def corrections(self) -> list[dict[str, Any]]:
        """Every correction, oldest first, its rule decoded; none when the archive predates them."""
        try:
            rows = self.db.execute("SELECT * FROM corrections ORDER BY id").fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return []
            raise
        return [{**dict(r), "rule": json.loads(r["rule"])} for r in rows]

    def add_correction(self, kind: str, verb: str, rule: dict[str, Any], who: str) -> int:
        """Record a correction (in the caller's transaction); returns its id."""
        cur = self.db.execute(
            "INSERT INTO corrections (at, who, kind, verb, rule) VALUES (?, ?, ?, ?, ?)",
            (time.time(), who, kind, verb, json.dumps(rule, ensure_ascii=False)),
        )
        return int(cur.lastrowid)

    def undo_correction(self, correction_id: int, who: str) -> None:
        self.db.execute(
            "UPDATE corrections SET undone_at = ?, undone_by = ? WHERE id = ?",
            (time.time(), who, correction_id),
        )

    def store_extracted(self, article_id: str, persons: list[dict], places: list[dict]) -> None:
        """Keep an article's entities as extraction found them (replacing an older extraction)."""
        self.db.execute("DELETE FROM extracted_keys WHERE article_id = ?", (article_id,))
        self.db.execute(
            "INSERT OR REPLACE INTO extracted (article_id, persons, places) VALUES (?, ?, ?)",
            (article_id, json.dumps(persons, ensure_ascii=False), json.dumps(places, ensure_ascii=False)),
        )
        self.db.executemany(
            "INSERT INTO extracted_keys (article_id, kind, key) VALUES (?, ?, ?)",
            [(article_id, "person", p["key"]) for p in persons]
            + [(article_id, "place", p["key"]) for p in places],
        )

    def extracted(self, article_id: str) -> tuple[list[dict], list[dict]] | None:
        """``(persons, places)`` as extraction found them; ``None`` for an article imported before."""
        row = self.db.execute(
            "SELECT persons, places FROM extracted WHERE article_id = ?", (article_id,)
        ).fetchone()
        return (json.loads(row[0]), json.loads(row[1])) if row else None

    def articles_with_keys(self, kind: str, keys: Iterable[str]) -> set[str]:
        """Ids of articles whose extracted or current persons (``kind="person"``) or places hold a key."""
        table = "article_persons" if kind == "person" else "article_places"
        out: set[str] = set()
        keys = list(keys)
        for chunk, marks in _in_chunks(keys):
            for sql, args in (
                (f"SELECT article_id FROM {table} WHERE key IN ({marks})", chunk),
                (
                    f"SELECT article_id FROM extracted_keys WHERE kind = ? AND key IN ({marks})",
                    [kind, *chunk],
                ),
            ):
                out.update(r[0] for r in self.db.execute(sql, args))
        return out

    def load_articles(self, ids: Iterable[str]) -> list[Article]:
        """The catalog's articles with these ids, whatever their state, by id."""
        out: list[Article] = []
        ids = sorted(set(ids))
        for chunk, marks in _in_chunks(ids):
            rows = self.db.execute(f"SELECT data FROM articles WHERE id IN ({marks}) ORDER BY id", chunk)
            out.extend(Article.from_dict(json.loads(r[0])) for r in rows)
        return out

    def set_place(self, key: str, name: str, country: str, lat: float | None, lon: float | None) -> None:
        """Write a place's registry row as a correction left it (a new name, a moved place)."""
        self.db.execute(
            "INSERT INTO places (key, name, folded, country, lat, lon) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET name = excluded.name, folded = excluded.folded, "
            "country = excluded.country, lat = excluded.lat, lon = excluded.lon",
            (key, name, fold_name(name), country, lat, lon),
        )

    def replace_variants(self, keys: Iterable[str], persons: Iterable[tuple[str, str]]) -> None:
        """Set the recorded spellings of these person keys to ``(key, spelling)`` pairs (after a
        correction: a split-off spelling no longer names the old key)."""
        keys = list(keys)
        for chunk, marks in _in_chunks(keys):
            self.db.execute(f"DELETE FROM person_variants WHERE key IN ({marks})", chunk)
        self.db.executemany(
            "INSERT OR IGNORE INTO person_variants (key, variant, folded) VALUES (?, ?, ?)",
            [(k, v, fold_name(v)) for k, v in persons],
        )
