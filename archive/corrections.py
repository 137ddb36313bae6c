"""Making and undoing corrections: a write like an import's, under the archive's one-writer lock.

A correction is recorded in the catalog together with the articles it changes (restaged ``pending``),
then those articles' passages are rewritten in the index and marked ``indexed``, the import's three
durable steps: a kill at any point leaves a state the next writer completes. Facets, filters, exports
and article pages reflect the correction as soon as it returns.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from archive.curation import KINDS, VERBS, Rules, differs, hidden_by, reapplied, slug
from archive.errors import ArchiveError, NotFound
from archive.home import Archive
from archive.search.engines import IndexWriter
from archive.store import Catalog

#: Longest display name an editor may give.
MAX_NAME_CHARS = 200
#: Most keys one merge takes (a typo'd shell glob should not merge the registry).
MAX_MERGE_KEYS = 50


def os_user() -> str:
    """Who runs the command, for the history (``--as NAME`` overrides it)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _known(catalog: Catalog, kind: str, key: str) -> bool:
    table = "article_persons" if kind == "person" else "article_places"
    return catalog.db.execute(f"SELECT 1 FROM {table} WHERE key = ? LIMIT 1", (key,)).fetchone() is not None


def _place_row(catalog: Catalog, key: str) -> dict[str, Any] | None:
    row = catalog.places([key]).get(key)
    if row is not None:
        return row
    from archive.entities import resolve_place

    found = resolve_place(key)
    if found is None or found.key != key:
        return None
    return {"name": found.name, "country": found.country, "lat": found.lat, "lon": found.lon}


def _clean_name(name: str | None) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > MAX_NAME_CHARS:
        raise ArchiveError(f"A name has 1 to {MAX_NAME_CHARS} characters.")
    return name


def build_rule(catalog: Catalog, rules: Rules, kind: str, verb: str, keys: list[str], **opts: Any) -> dict:
    """Check a correction against the registry and return its rule.

    :raises NotFound: for a key no article holds. :raises ArchiveError: for a correction that cannot be.
    """
    if kind not in KINDS or verb not in VERBS[kind]:
        raise ArchiveError(f"Unknown correction: {kind} {verb}.")
    keys = list(dict.fromkeys(k.strip() for k in keys if k and k.strip()))
    if not keys:
        raise ArchiveError("Name the key to correct.")
    noun = "person" if kind == "person" else "place"
    if verb == "hide" and hidden_by(rules, kind, keys[0]):
        raise ArchiveError(f"The {noun} {keys[0]!r} is already hidden.")
    check = keys if verb != "unhide" else []
    for key in check:
        if not _known(catalog, kind, key):
            raise NotFound(f"No {noun} with the key {key!r} in this archive.")
    rule: dict[str, Any] = {"keys": keys}
    if verb == "merge":
        if len(keys) < 2 or len(keys) > MAX_MERGE_KEYS:
            raise ArchiveError(f"A merge takes 2 to {MAX_MERGE_KEYS} different keys; the first is kept.")
        if opts.get("name"):
            rule["name"] = _clean_name(opts["name"])
        if kind == "place":
            rule["place"] = _place_row(catalog, keys[0])
    elif len(keys) != 1:
        raise ArchiveError(f"{verb} takes one key.")
    if verb == "rename":
        rule["name"] = _clean_name(opts.get("name"))
    elif verb == "unhide" and not hidden_by(rules, kind, keys[0]):
        raise ArchiveError(f"The {noun} {keys[0]!r} is not hidden.")
    elif verb == "split":
        variants = [v.strip() for v in opts.get("variants") or [] if v and v.strip()]
        if not variants:
            raise ArchiveError("Name the spellings to split off (--variant).")
        rule["variants"] = variants
        rule["to"] = _split_key(kind, keys[0], variants[0])
    elif verb == "move":
        to = (opts.get("to") or "").strip()
        place = _place_row(catalog, to) if to else None
        if place is None:
            raise NotFound(f"No place with the key {to!r} in the archive or the gazetteer.")
        if to == keys[0]:
            raise ArchiveError("A place cannot move to itself.")
        rule.update(to=to, place=place, articles=sorted(set(opts.get("articles") or [])))
    return rule


def _split_key(kind: str, key: str, variant: str) -> str:
    """The key split-off spellings take: a person's own key when the spelling makes another one,
    else the old key with the spelling; a place's stays under its country (``GE/611717/tiflis``)."""
    if kind == "place":
        return f"{key}/{slug(variant)}"
    from archive.entities.persons import person_key

    new = person_key(variant)
    return new if new and new != key else f"{key}~{slug(variant)}"


def correct(
    home: Path, kind: str, verb: str, keys: list[str], who: str, wait: float = 0.0, **opts: Any
) -> dict[str, Any]:
    """Record a correction and rewrite the articles it changes.

    :param opts: ``name`` (merge, rename), ``variants`` (split), ``to`` and ``articles`` (move).
    :return: ``{"id": correction id, "articles": articles changed, "rule": the rule}``.
    :raises IndexLocked: when another writer holds the archive past ``wait``.
    """
    with Archive(home).writing(wait=wait) as held:
        catalog, writer = held.catalog, held.writer
        rules = Rules.from_rows(catalog.corrections())
        rule = build_rule(catalog, rules, kind, verb, keys, **opts)
        correction_id = catalog.add_correction(kind, verb, rule, who)
        changed = refresh(catalog, writer, kind, {*rule["keys"], *([rule["to"]] if rule.get("to") else [])})
    return {"id": correction_id, "articles": changed, "rule": rule}


def undo(home: Path, correction_id: int, who: str, wait: float = 0.0) -> dict[str, Any]:
    """Revert one correction: the others are applied again to the articles it touched."""
    with Archive(home).writing(wait=wait) as held:
        catalog, writer = held.catalog, held.writer
        row = next((r for r in catalog.corrections() if r["id"] == correction_id), None)
        if row is None:
            raise NotFound(f"No correction #{correction_id}; `archive history` lists them.")
        if row["undone_at"] is not None:
            raise ArchiveError(f"Correction #{correction_id} was already undone by {row['undone_by']}.")
        catalog.undo_correction(correction_id, who)
        rule = row["rule"]
        changed = refresh(
            catalog, writer, row["kind"], {*rule["keys"], *([rule["to"]] if rule.get("to") else [])}
        )
    return {"id": correction_id, "articles": changed, "rule": rule}


def refresh(catalog: Catalog, writer: IndexWriter, kind: str, keys: set[str]) -> int:
    """Apply the active rules again to every article that holds (or held) a key linked to ``keys``,
    and write those that change: catalog first (pending, with the caller's correction row), then the
    index, then ``indexed``. Returns how many articles changed."""
    rules = Rules.from_rows(catalog.corrections())
    linked = rules.closure(kind, keys)
    changed, spellings = [], set()
    for article in catalog.load_articles(catalog.articles_with_keys(kind, linked)):
        fresh = reapplied(catalog, article, rules)
        spellings |= {(p.key, v) for p in fresh.persons if p.key in linked for v in {p.name, *p.variants}}
        if differs(fresh, article):
            changed.append(fresh)
    if changed:
        writer.write(changed)  # refused here, before the catalog changes, when the disk cannot hold it
        catalog.stage_articles(changed)
        if kind == "person":
            catalog.replace_variants(linked, spellings)
        for article in changed:
            for place in article.places:
                if place.key in linked:
                    catalog.set_place(place.key, place.name, place.country, place.lat, place.lon)
    catalog.commit()
    writer.commit(catalog)  # a cluster copies the corrections and registry even when no article changed
    if changed:
        catalog.mark_indexed(a.id for a in changed)
        catalog.commit()
    return len(changed)
