"""Reading the person/place registry: directories with article counts, one entity in detail.

Shared by ``archive people|places list|show`` and the site's ``/people`` and ``/places`` pages (and
their JSON), so both say the same thing.
"""

from __future__ import annotations

from typing import Any

from archive.errors import NotFound
from archive.store import Catalog, _like_escape, fold_name

#: Articles whose mentions are read for a place's spellings (the registry keeps one name per place).
SPELLING_ARTICLES = 50


def _table(kind: str) -> str:
    return "article_persons" if kind == "person" else "article_places"


def listing(catalog: Catalog, kind: str, query: str = "", offset: int = 0, limit: int | None = None) -> dict:
    """``{"total": n, "items": [{key, name, variants, articles, country?}]}``, most articles first.

    :param query: keeps entities whose key, name or a spelling contains it (case and accents folded).
    """
    table = _table(kind)
    where, args = "", []
    folded = fold_name(query.strip()) if query.strip() else ""
    if folded:
        pattern = "%" + _like_escape(folded) + "%"
        if kind == "person":
            where = (
                "WHERE key IN (SELECT key FROM person_variants WHERE folded LIKE ? ESCAPE '\\') "
                "OR key LIKE ? ESCAPE '\\'"
            )
        else:
            where = "WHERE key IN (SELECT key FROM places WHERE folded LIKE ? ESCAPE '\\') OR key LIKE ? ESCAPE '\\'"
        args = [pattern, pattern]
    total = catalog.db.execute(f"SELECT count(DISTINCT key) FROM {table} {where}", args).fetchone()[0]
    page = catalog.db.execute(
        f"SELECT key, count(DISTINCT article_id) AS n FROM {table} {where} GROUP BY key ORDER BY n DESC, key "
        "LIMIT ? OFFSET ?",
        [*args, -1 if limit is None else limit, offset],
    ).fetchall()
    keys = [r["key"] for r in page]
    details = catalog.persons(keys) if kind == "person" else catalog.places(keys)
    items = []
    for row in page:
        found = details.get(row["key"], {})
        item = {"key": row["key"], "name": found.get("name") or row["key"]}
        if kind == "person":
            item["variants"] = found.get("variants", [])
        else:
            item["variants"] = [item["name"]]
            item["country"] = found.get("country") or ""
        item["articles"] = row["n"]
        items.append(item)
    return {"total": total, "items": items}


def history_of(catalog: Catalog, kind: str, key: str) -> list[dict[str, Any]]:
    """The corrections that name ``key``, oldest first."""
    out = []
    for row in catalog.corrections():
        rule = row["rule"]
        if row["kind"] == kind and (key in rule.get("keys", []) or rule.get("to") == key):
            out.append(history_item(row))
    return out


def history_item(row: dict[str, Any]) -> dict[str, Any]:
    """A correction as ``archive history --json`` prints it."""
    from archive.curation import describe

    return {
        "id": row["id"],
        "at": row["at"],
        "who": row["who"],
        "kind": row["kind"],
        "verb": row["verb"],
        "what": describe(row),
        "rule": row["rule"],
        "undone_at": row["undone_at"],
        "undone_by": row["undone_by"],
    }


def hidden(catalog: Catalog, kind: str, key: str) -> bool:
    from archive.curation import Rules, hidden_by

    return hidden_by(Rules.from_rows(catalog.corrections()), kind, key)


def entity(catalog: Catalog, kind: str, key: str) -> dict[str, Any]:
    """One person or place: ``key, name, variants, articles, hidden, corrections`` (+ place fields).

    :raises NotFound: when no article holds the key and no correction names it.
    """
    count = catalog.db.execute(
        f"SELECT count(DISTINCT article_id) FROM {_table(kind)} WHERE key = ?", (key,)
    ).fetchone()[0]
    corrections = history_of(catalog, kind, key)
    if not count and not corrections:
        noun = "person" if kind == "person" else "place"
        raise NotFound(f"No {noun} with the key {key!r} in this archive.")
    out: dict[str, Any] = {"key": key, "name": key, "variants": [], "articles": count}
    if kind == "person":
        found = catalog.persons([key]).get(key)
        if found:
            out.update(name=found["name"], variants=found["variants"])
    else:
        found = catalog.places([key]).get(key)
        if found:
            out.update(name=found["name"], country=found["country"], lat=found["lat"], lon=found["lon"])
        out["variants"] = place_spellings(catalog, key, out["name"])
    out["hidden"] = hidden(catalog, kind, key)
    out["corrections"] = corrections
    return out


def place_spellings(catalog: Catalog, key: str, name: str) -> list[str]:
    """How the latest articles spell a place (its registry name first)."""
    ids = [
        r[0]
        for r in catalog.db.execute(
            "SELECT DISTINCT p.article_id FROM article_places p JOIN articles a ON a.id = p.article_id "
            "WHERE p.key = ? ORDER BY a.published DESC LIMIT ?",
            (key, SPELLING_ARTICLES),
        )
    ]
    seen = {name: None}
    for article in catalog.load_articles(ids):
        for place in article.places:
            if place.key == key:
                for m in place.mentions:
                    seen.setdefault(" ".join(article.text[m.start : m.end].split()), None)
    return list(seen)
