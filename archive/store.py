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

from archive.entities.persons import fold_name
from archive.errors import IndexMissing
from archive.models import Article, ImportReport

CATALOG_NAME = "catalog.sqlite"
#: Readers wait this long for a writer's transaction instead of failing with "database is locked".
BUSY_TIMEOUT_MS = 30_000

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
            self.db.execute("PRAGMA journal_mode = WAL")  # readers keep reading while an import writes
            self.db.executescript(SCHEMA_SQL)
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
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
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
            self.db.execute("DELETE FROM articles WHERE id = ?", (article_id,))

    def existing_ids(self, ids: Iterable[str]) -> list[str]:
        return list(self.article_states(ids))

    def commit(self) -> None:
        self.db.commit()

    def _forget_entities(self, article_id: str) -> None:
        self.db.execute("DELETE FROM article_persons WHERE article_id = ?", (article_id,))
        self.db.execute("DELETE FROM article_places WHERE article_id = ?", (article_id,))
