"""The Whoosh schema, in one place: one document per passage, the article's fields copied onto it."""

from __future__ import annotations

import hashlib

from whoosh.analysis import RegexTokenizer
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from archive.models import Article, Passage
from archive.search.analysis import WORD_PATTERN, analyzer
from archive.search.fields import date_range, place_keys, time_of_day

#: Normal mode: case and diacritics folded, English stems, every form of a word kept, no stop words
#: (:mod:`archive.search.analysis`).
FOLDED = analyzer()

#: Exact mode: the literal words, case and diacritics kept, nothing stemmed or dropped.
EXACT = RegexTokenizer(WORD_PATTERN)

SCHEMA = Schema(
    pid=ID(unique=True, stored=True),  # "<article id>#<n>": delete-then-add makes re-import an update
    article_id=ID(stored=True),  # collapse key: passages in, articles out
    # The article id hashed to 64 bits, in a fixed-width column: the search reads every passage's article
    # in one bulk read (no per-document stored-field loads) when it builds its per-reader caches.
    akey=COLUMN(NumericColumn("q")),
    # The article's story (wire copies, archive.copies) hashed the same way, 0 when it has none: the
    # search collapses copies from this column alone, without the catalog.
    skey=COLUMN(NumericColumn("q")),
    n=STORED,  # passage number, for snippet links (#pN)
    title=TEXT(analyzer=FOLDED, field_boost=2.0, phrase=True),  # copied on every passage: title hits rank up
    body=TEXT(analyzer=FOLDED, stored=True, phrase=True),  # stored so snippets highlight without the catalog
    captions=TEXT(analyzer=FOLDED, phrase=True),  # photo captions, on the first passage only
    title_exact=TEXT(analyzer=EXACT, phrase=True),
    body_exact=TEXT(analyzer=EXACT, phrase=True),
    captions_exact=TEXT(analyzer=EXACT, phrase=True),
    person=KEYWORD(commas=True, lowercase=False, scorable=False, stored=True),  # person keys in the article
    person_names=TEXT(analyzer=FOLDED),  # every spelling of every person: `person:` queries by name
    place=KEYWORD(commas=True, lowercase=False, scorable=False, stored=True),  # place keys + their countries
    place_names=TEXT(analyzer=FOLDED),
    source=ID(stored=True),  # outlet, lowercased
    language=ID(stored=True),  # ISO 639-1 code of the article's language, "" when unknown
    published=NUMERIC(int, bits=32, stored=True, sortable=True, signed=False),  # YYYYMMDD, 0 when unknown
    # the time of day as written, seconds + 1 (0 when unknown): newest first orders within a day
    published_time=COLUMN(NumericColumn("I")),
    # dates mentioned in the text, as "YYYYMMDD-YYYYMMDD" ranges
    mentioned=KEYWORD(commas=True, lowercase=False, scorable=False, stored=True),
)


def article_key(article_id: str) -> int:
    """A signed 64-bit hash of an article id (collisions at 10^6 articles: ~3 in 10^8)."""
    digest = hashlib.blake2b(article_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def passage_documents(article: Article) -> list[dict]:
    """The Whoosh documents for an article, one per passage."""
    published = date_range(article.published)
    common = {
        "article_id": article.id,
        "akey": article_key(article.id),
        "skey": article_key(article.story) if article.story else 0,
        "title": article.title,
        "title_exact": article.title,
        "person": ",".join(sorted({p.key for p in article.persons})),
        "person_names": " ".join(sorted({v for p in article.persons for v in [p.name, *p.variants]})),
        "place": ",".join(place_keys(article)),
        "place_names": " ".join(sorted({p.name for p in article.places})),
        "source": (article.source or "").strip().lower(),
        "language": article.language or "",
        "published": published[0] if published else 0,
        "published_time": time_of_day(article.published) if published else 0,
        "mentioned": ",".join(
            sorted({f"{r[0]}-{r[1]}" for d in article.dates if (r := date_range(d.value)) is not None})
        ),
    }
    passages = article.passages or [Passage(1, 0, len(article.text))]
    docs = []
    for passage in passages:
        body = article.passage_text(passage)
        doc = {**common, "pid": f"{article.id}#{passage.n}", "n": passage.n, "body": body, "body_exact": body}
        if passage.n == passages[0].n and article.captions:
            doc["captions"] = doc["captions_exact"] = article.captions
        docs.append(doc)
    return docs
