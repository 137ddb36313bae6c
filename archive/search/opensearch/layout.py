"""Index settings and mappings for articles with their passages, in two layouts, and an article's documents.

- ``nested``: one document per article, its passages a nested list: an article and its passages are one
  Lucene block, written and deleted together;
- ``parent_child``: an article document and one child document per passage, routed to the article's
  shard (a ``join`` field): a passage can change alone, but every search joins at query time.

Both keep the embedded engine's unit of matching: the words of a query must meet in one passage (or the
title), and answers are articles. Facet fields live on the article document, so a terms aggregation
counts articles, never passages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from archive.models import Article

NESTED = "nested"
PARENT_CHILD = "parent_child"
LAYOUTS = (NESTED, PARENT_CHILD)
#: Chosen by benchmarks/opensearch_layout.py on all of Reuters (19,043 articles, 47,873 passages, two
#: nodes on a loaded 2-core machine): the same indexing rate (314 vs 315 articles/s), 41 % more disk
#: (80 vs 57 MB of primaries), but searches 1.5-6x faster (p50 15-160 ms vs 50-180 ms by the cluster's
#: clock): a nested hit's inner hits parse the whole article's source, a child hit only its passage.
DEFAULT_LAYOUT = PARENT_CHILD

#: The join field of the parent/child layout, and its two relation names.
JOIN = "doc"
ARTICLE = "article"
PASSAGE = "passage"

#: Two primaries, so every query already meets the cross-shard cases (facet merging, scoring); one
#: replica, so any one node may die without losing an answer.
SHARDS = 2
REPLICAS = 1
#: Nested passages per article: news articles have 1-40; a pathological one is cut into 1,000-word
#: pieces (archive.chunk), and OpenSearch's default limit (10,000) would refuse it whole.
MAX_NESTED_PASSAGES = 50_000

#: Normal mode as the embedded engine does it (archive.search.analysis): words folded to ASCII
#: lower case, possessives dropped, Porter stems, no stop words. Per-language analysers are the next step.
ANALYSIS = {
    "filter": {"possessive": {"type": "stemmer", "language": "possessive_english"}},
    "analyzer": {
        "folded": {
            "type": "custom",
            "tokenizer": "standard",
            "filter": ["lowercase", "asciifolding", "possessive", "porter_stem"],
        },
        # Exact mode: the literal words, case and diacritics kept.
        "exact": {"type": "custom", "tokenizer": "standard", "filter": []},
    },
}

_TEXT = {"type": "text", "analyzer": "folded", "fields": {"exact": {"type": "text", "analyzer": "exact"}}}

#: The article's own fields, the same in both layouts.
ARTICLE_FIELDS: dict[str, Any] = {
    "id": {"type": "keyword"},
    "title": _TEXT,
    "text": {"type": "text", "index": False},  # kept for the article page; passages are what is searched
    "published": {"type": "date", "format": "yyyy-MM-dd'T'HH:mm:ss||yyyy-MM-dd||yyyy-MM||yyyy"},
    "month": {"type": "keyword"},  # "YYYY-MM": the publication-month facet
    "person": {"type": "keyword"},  # person keys
    "place": {"type": "keyword"},  # place keys
    "source": {"type": "keyword"},
    "language": {"type": "keyword"},
    "story": {"type": "keyword"},
    "url": {"type": "keyword", "index": False},
    "author": {"type": "keyword"},
}
PASSAGE_FIELDS: dict[str, Any] = {"n": {"type": "integer"}, "text": _TEXT}


def index_body(layout: str = DEFAULT_LAYOUT) -> dict[str, Any]:
    """The settings and mappings of a new index in ``layout``."""
    settings: dict[str, Any] = {
        "number_of_shards": SHARDS,
        "number_of_replicas": REPLICAS,
        "analysis": ANALYSIS,
    }
    properties = dict(ARTICLE_FIELDS)
    if layout == NESTED:
        settings["mapping.nested_objects.limit"] = MAX_NESTED_PASSAGES
        properties["passages"] = {"type": "nested", "properties": PASSAGE_FIELDS}
    elif layout == PARENT_CHILD:
        properties.update(PASSAGE_FIELDS)  # a passage document's n and text
        properties[JOIN] = {"type": "join", "relations": {ARTICLE: PASSAGE}}
    else:
        raise ValueError(f"unknown layout {layout!r}; one of {LAYOUTS}")
    return {"settings": {"index": settings}, "mappings": {"dynamic": "strict", "properties": properties}}


def article_source(article: Article, persons: list[str], places: list[str]) -> dict[str, Any]:
    """The article document's fields (without passages); ``persons``/``places`` are the facet keys."""
    published = article.published
    return {
        "id": article.id,
        "title": article.title,
        "text": article.text,
        "published": published[:19] if published else None,
        "month": published[:7] if published and len(published) >= 7 else None,
        "person": persons,
        "place": places,
        "source": article.source,
        "language": article.language,
        "story": article.story,
        "url": article.url,
        "author": article.author,
    }


def passage_sources(article: Article) -> Iterator[dict[str, Any]]:
    for p in article.passages:
        yield {"n": p.n, "text": article.text[p.start : p.end]}


def actions(
    article: Article, index: str, layout: str = DEFAULT_LAYOUT, persons=None, places=None
) -> Iterator[dict[str, Any]]:
    """The bulk actions that write ``article`` (opensearchpy.helpers.bulk's format).

    ``persons``/``places`` default to the keys of the article's extracted entities.
    """
    persons = [p.key for p in article.persons] if persons is None else persons
    places = [p.key for p in article.places] if places is None else places
    source = article_source(article, persons, places)
    if layout == NESTED:
        source["passages"] = list(passage_sources(article))
        yield {"_index": index, "_id": article.id, "_source": source}
        return
    source[JOIN] = {"name": ARTICLE}
    yield {"_index": index, "_id": article.id, "_routing": article.id, "_source": source}
    for passage in passage_sources(article):
        passage[JOIN] = {"name": PASSAGE, "parent": article.id}
        yield {
            "_index": index,
            "_id": f"{article.id}#{passage['n']}",
            "_routing": article.id,
            "_source": passage,
        }
