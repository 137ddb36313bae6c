"""Related articles ("more like this"): a search for the article's main people, places and headline words.

Built on the ordinary search API (an OR query), so related articles are ranked by the same engine and
honour the same guards as any search.
"""

from __future__ import annotations

import re

from archive.errors import BadQuery
from archive.models import Article
from archive.search.request import SearchRequest
from archive.web.resources import get_searcher

RELATED_LIMIT = 5
TOP_PERSONS = 3
TOP_PLACES = 2
TITLE_WORDS = 6
#: Headline words too short or too common to say what an article is about.
MIN_WORD = 4
COMMON = frozenset(
    "after about again says said with from that this their there what when will would over into".split()
)
WORD = re.compile(r"[^\W\d_][\w'’\-]*")


def related_query(article: Article) -> str:
    """An OR query over the article's most-mentioned persons and places and its headline's words."""
    parts: list[str] = []
    by_mentions = sorted(article.persons, key=lambda p: -len(p.mentions))[:TOP_PERSONS]
    parts += [f'person:"{_clean(p.name)}"' for p in by_mentions if _clean(p.name)]
    places = sorted(article.places, key=lambda p: -len(p.mentions))[:TOP_PLACES]
    parts += [f'place:"{_clean(p.name)}"' for p in places if _clean(p.name)]
    words = [w for w in WORD.findall(article.title or "") if len(w) >= MIN_WORD and w.lower() not in COMMON]
    parts += list(dict.fromkeys(w.lower() for w in words))[:TITLE_WORDS]
    return " OR ".join(parts)


def _clean(name: str) -> str:
    return re.sub(r'["\\()*?~^:\[\]{}]', " ", name).strip()


def more_like_this(article: Article, limit: int = RELATED_LIMIT) -> list[dict]:
    """Up to ``limit`` other articles; an empty list when the article gives nothing to search for."""
    q = related_query(article)
    if not q:
        return []
    try:
        result = get_searcher().search(SearchRequest(q=q, per_page=limit + 1))
    except BadQuery:
        return []
    return [hit for hit in result["results"] if hit["id"] != article.id][:limit]
