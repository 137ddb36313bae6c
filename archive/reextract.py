"""``archive reindex --reextract``: read every stored original again, so a better extractor (or cleaner)
reaches old articles, and apply the editors' corrections again (:mod:`archive.curation`)."""

from __future__ import annotations

import sys
from collections.abc import Iterator

from archive import entities
from archive.chunk import chunk_text
from archive.curation import Rules, correct_batch, differs, reapplied
from archive.decode import decode_bytes
from archive.errors import ArchiveError
from archive.models import Article, Record
from archive.readers import html, jsonl, text
from archive.store import Catalog

#: How each reader turns a stored original's bytes back into a record (WARC payloads are pages).
BYTE_READERS = {text.KIND: text.read, html.KIND: html.read, jsonl.KIND: jsonl.read}


def record_of(article: Article, original: dict) -> Record | None:
    """The record an original was read as, or ``None`` when it cannot be read again."""
    kind, raw, source, line = original["kind"], original["raw"], original["source"], original["line"]
    if kind == "warc":  # the payload alone: the address and crawl date come from the WARC headers
        try:
            page = decode_bytes(raw)
        except ArchiveError:
            return None
        data = {"html": page, "url": article.url, "crawled": article.extra.get("crawled")}
        return Record(source=source, line=line, data=data, raw=raw, kind=kind)
    reader = BYTE_READERS.get(kind)
    if reader is None:
        return None
    found = [r for r in reader(source, raw) if r.error is None and r.data is not None]
    if len(found) != 1:
        return None
    found[0].line = line
    return found[0]


def _records(catalog: Catalog, articles: list[Article]) -> Iterator[tuple[Article, Record | None]]:
    for article in articles:
        originals = catalog.original(article.id)
        yield article, (record_of(article, originals[0]) if originals else None)


def reextract(catalog: Catalog, articles: list[Article], pool=None, workers: int = 1) -> list[Article]:
    """The articles cleaned and extracted again from their originals (in ``pool``'s workers), with the
    corrections applied; an article whose original cannot be read again keeps its text and is only
    extracted again. The registry rows are restaged."""
    from archive.importer import _prepared, link_surnames

    catalog.ensure_curation()
    pairs = list(_records(catalog, articles))
    readable = [(a, r) for a, r in pairs if r is not None]
    out: dict[str, Article] = {}
    prepared = _prepared((r for _, r in readable), pool, workers, True, catalog.known_surnames())
    for (old, _), (_, fresh, reason) in zip(readable, prepared, strict=True):
        if fresh is None:
            print(f"reextract: {old.id}: {reason}; its stored text is extracted again", file=sys.stderr)
            continue
        fresh.id = old.id
        out[old.id] = fresh
    again = [a for a in articles if a.id not in out]
    for article in again:
        article.passages = article.passages or chunk_text(article.text)
    if again:
        entities.extract(again)
    out.update((a.id, a) for a in again)
    result = [out[a.id] for a in articles]
    link_surnames(catalog, result)
    correct_batch(catalog, result)
    catalog.stage_articles(result)
    return result


def reapply(catalog: Catalog, articles: list[Article]) -> list[Article]:
    """The articles with the corrections applied again; those that changed are restaged."""
    catalog.ensure_curation()
    rules = Rules.from_rows(catalog.corrections())
    result, changed = [], []
    for article in articles:
        fresh = reapplied(catalog, article, rules)
        result.append(fresh)
        if differs(fresh, article):
            changed.append(fresh)
    catalog.stage_articles(changed)
    return result
