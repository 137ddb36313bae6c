"""The yardstick of ``benchmarks/search.py``: the same answers from SQLite FTS5, built from the catalog.

One FTS5 row per article (title, text; Porter stems, diacritics folded), with tables of each article's
person keys, place keys (a city also under its country, as the index does), publication date and
mentioned date ranges. A search answers what ``/api/search`` does: the exact total of articles, the
top 10 (BM25 with the title weighted 2, or by date), person/place/month facet counts over the whole
result set (``GROUP BY``) and a highlighted ``snippet()`` per result. FTS5 has no fuzzy terms:
``word~`` is searched as the word itself.
"""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

SCHEMA = """
CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize = 'porter unicode61 remove_diacritics 2');
CREATE TABLE meta (id INTEGER PRIMARY KEY, article TEXT, published INTEGER, month TEXT);
CREATE TABLE persons (doc INTEGER, key TEXT);
CREATE TABLE places (doc INTEGER, key TEXT);
CREATE TABLE mentioned (doc INTEGER, low INTEGER, high INTEGER);
"""
INDEXES = """
CREATE INDEX persons_key ON persons(key, doc); CREATE INDEX persons_doc ON persons(doc, key);
CREATE INDEX places_key ON places(key, doc); CREATE INDEX places_doc ON places(doc, key);
CREATE INDEX mentioned_doc ON mentioned(doc); CREATE INDEX meta_published ON meta(published);
"""
#: Facet values returned per facet, as the API does.
FACET_LIMIT = 10
TOKEN = re.compile(r'"[^"]*"(?:~\d+)?|\(|\)|[^\s()]+')


def build(home: Path, path: Path) -> tuple[sqlite3.Connection, float]:
    """Build the FTS5 database at ``path`` from the home's catalog; returns it and the seconds it took."""
    from archive.search.fields import date_range, place_keys
    from archive.store import Catalog

    started = time.perf_counter()
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    with Catalog(home) as catalog:
        for n, article in enumerate(catalog.iter_articles(state="indexed"), start=1):
            published = date_range(article.published)
            day = published[0] if published else 0
            month = f"{day // 10000:04d}-{day // 100 % 100:02d}" if day else None
            db.execute(
                "INSERT INTO docs(rowid, title, body) VALUES (?, ?, ?)", (n, article.title, article.text)
            )
            db.execute("INSERT INTO meta VALUES (?, ?, ?, ?)", (n, article.id, day, month))
            db.executemany(
                "INSERT INTO persons VALUES (?, ?)", [(n, k) for k in {p.key for p in article.persons}]
            )
            db.executemany("INSERT INTO places VALUES (?, ?)", [(n, k) for k in place_keys(article)])
            ranges = {r for d in article.dates if (r := date_range(d.value)) is not None}
            db.executemany("INSERT INTO mentioned VALUES (?, ?, ?)", [(n, lo, hi) for lo, hi in ranges])
    db.executescript(INDEXES)
    db.commit()
    return db, time.perf_counter() - started


def fts_query(q: str) -> str:
    """Our query syntax as an FTS5 MATCH expression (``-w`` is ``NOT w``, ``"a b"~3`` is ``NEAR``)."""
    out: list[str] = []
    for token in TOKEN.findall(q):
        if token.startswith('"'):
            phrase, _, slop = token.partition('"~')
            words = phrase.strip('"').split()
            out.append(f"NEAR({' '.join(words)}, {slop})" if slop else f'"{" ".join(words)}"')
        elif token in ("(", ")", "OR", "NOT", "AND"):
            out.append(token)
        elif token.startswith("-") and len(token) > 1:
            out += ["NOT", _word(token[1:])]
        else:
            field, sep, word = token.partition(":")
            out.append(f"{field} : {_word(word)}" if sep and field in ("title", "body") else _word(token))
    joined: list[str] = []  # FTS5 wants AND spelled out next to a parenthesis
    for token in out:
        if joined and joined[-1] not in ("(", "OR", "NOT", "AND") and token not in (")", "OR", "NOT", "AND"):
            joined.append("AND")
        joined.append(token)
    return " ".join(joined)


def _word(token: str) -> str:
    word = token.rstrip("~")
    prefix = word.endswith("*")
    word = re.sub(r"\W+", " ", word.rstrip("*")).strip()
    if not word:
        return '""'
    return f'"{word}"' + ("*" if prefix else "")


def search(db: sqlite3.Connection, catalog, q: str, filters: dict) -> dict:
    """One answer: total, top-10 ids with snippets, person/place/month facets."""
    where, args = [], []
    for kind, table, find in (
        ("person", "persons", catalog.find_persons),
        ("place", "places", catalog.find_places),
    ):
        if kind in filters:
            keys = find(filters[kind]) or [filters[kind]]
            where.append(f"m.id IN (SELECT doc FROM {table} WHERE key IN ({','.join('?' * len(keys))}))")
            args += keys
    _dates(filters, where, args)
    sort = filters.get("sort", "relevance")
    order = {"newest": "m.published DESC", "oldest": "m.published ASC"}.get(sort, "score")
    if q:
        source = "SELECT rowid AS id, bm25(docs, 2.0, 1.0) AS score FROM docs WHERE docs MATCH ?"
        args = [fts_query(q), *args]
    else:
        source = "SELECT id, 0.0 AS score FROM meta"
        order = "m.published DESC" if sort == "relevance" else order
    db.execute("DROP TABLE IF EXISTS temp.sel")
    db.execute(
        f"CREATE TEMP TABLE sel AS SELECT h.id, h.score FROM ({source}) h JOIN meta m ON m.id = h.id"
        + (" WHERE " + " AND ".join(where) if where else ""),
        args,
    )
    total = db.execute("SELECT count(*) FROM sel").fetchone()[0]
    top = db.execute(
        f"SELECT s.id, m.article FROM sel s JOIN meta m ON m.id = s.id ORDER BY {order}, s.id LIMIT 10"
    ).fetchall()
    snippets = {}
    if q and top:
        rows = db.execute(
            "SELECT rowid, snippet(docs, 1, '<mark>', '</mark>', '…', 24) FROM docs WHERE docs MATCH ? "
            f"AND rowid IN ({','.join('?' * len(top))})",
            [fts_query(q), *[t[0] for t in top]],
        )
        snippets = dict(rows.fetchall())
    facets = {
        name: db.execute(
            f"SELECT key, count(*) AS c FROM {table} WHERE doc IN (SELECT id FROM sel) "
            f"GROUP BY key ORDER BY c DESC, key LIMIT {FACET_LIMIT}"
        ).fetchall()
        for name, table in (("person", "persons"), ("place", "places"))
    }
    facets["published"] = db.execute(
        "SELECT month, count(*) FROM meta WHERE id IN (SELECT id FROM sel) AND month IS NOT NULL "
        "GROUP BY month ORDER BY month"
    ).fetchall()
    return {
        "total": total,
        "results": [{"id": article, "snippet": snippets.get(n, "")} for n, article in top],
        "facets": facets,
    }


def _dates(filters: dict, where: list[str], args: list) -> None:
    from archive.search.fields import date_range

    if "from" in filters:
        where.append("m.published >= ?")
        args.append(date_range(filters["from"])[0])
    if "to" in filters:
        where.append("m.published BETWEEN 1 AND ?")
        args.append(date_range(filters["to"])[1])
    if "mentioned_from" in filters or "mentioned_to" in filters:
        low = date_range(filters["mentioned_from"])[0] if "mentioned_from" in filters else 0
        high = date_range(filters["mentioned_to"])[1] if "mentioned_to" in filters else 99_999_999
        where.append("m.id IN (SELECT doc FROM mentioned WHERE high >= ? AND low <= ?)")
        args += [low, high]
