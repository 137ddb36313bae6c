"""The Whoosh schema, in one place: one document per passage, the article's fields copied onto it."""

from __future__ import annotations

import hashlib
import re
from datetime import date

from whoosh.analysis import RegexTokenizer
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from archive.models import Article, Passage
from archive.search.analysis import WORD_PATTERN, analyzer

#: Normal mode: case and diacritics folded, English stems, every form of a word kept, no stop words
#: (:mod:`archive.search.analysis`).
FOLDED = analyzer()

#: Exact mode: the literal words, case and diacritics kept, nothing stemmed or dropped.
EXACT = RegexTokenizer(WORD_PATTERN)

_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ](\d{2}):(\d{2})(?::(\d{2}))?")

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


def date_range(value: str | None) -> tuple[int, int] | None:
    """The first and last day a partial ISO date covers, as YYYYMMDD integers ("2023-10" -> October)."""
    if not value:
        return None
    parts = value[:10].split("-")
    try:
        year = int(parts[0])
        if len(parts) == 1:
            return year * 10000 + 101, year * 10000 + 1231
        month = int(parts[1])
        if len(parts) == 2:
            return year * 10000 + month * 100 + 1, year * 10000 + month * 100 + 31
        day = date(year, month, int(parts[2]))
    except (ValueError, IndexError):
        return None
    ordinal = day.year * 10000 + day.month * 100 + day.day
    return ordinal, ordinal


def time_of_day(value: str | None) -> int:
    """Seconds since midnight + 1 of an ISO datetime's time as written ("...T15:01:01"); 0 without one."""
    match = _TIME.match(value or "")
    if match is None:
        return 0
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    if hours > 23 or minutes > 59 or seconds > 60:
        return 0
    return hours * 3600 + minutes * 60 + min(seconds, 59) + 1


def place_keys(article: Article) -> list[str]:
    """Each place key and the keys it lies in (a city's country, a US city's state): a country or state
    filter then includes its cities."""
    from archive.entities.places import parent_keys  # the gazetteer loads only where articles are indexed

    keys: list[str] = []
    for place in article.places:
        keys.append(place.key)
        keys.extend(parent_keys(place.key))
    return sorted(set(keys))


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
