"""The cluster's indexes: their names, settings and mappings, and the documents of an article.

Three indexes share a prefix (:func:`index_names`): ``<prefix>-articles`` (articles and their passages),
``<prefix>-registry`` (persons and places, copied from the catalog at each commit) and ``<prefix>-meta``
(one document: the generation, bumped at each commit, so readers cache registry reads per generation).

Articles and passages: an article document and one child document per passage, routed to the article's
shard (a ``join`` field; chosen over nested by ``benchmarks/opensearch_layout.py`` at commit bd6d837). The embedded engine's
unit of matching holds: a word or phrase matches within one passage (or the title, or the captions),
and AND/OR/NOT combine articles. Facet and filter fields live on the article, so aggregations count
articles, never passages.

Parity by our own analysis: OpenSearch cannot run :mod:`archive.search.analysis`, so each searched text
is written pre-analysed (:func:`analysed`): one whitespace-separated item per word, the word's index
terms joined by :data:`ALTERNATIVES`; the ``terms`` analyser emits a word's terms at one position, as
Whoosh's ``FormsFilter`` does. Queries then name index terms directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from archive.models import Article, Passage
from archive.search.analysis import ANALYSIS_VERSION, WORD_PATTERN, word_forms
from archive.search.fields import date_range, place_keys, time_of_day

NESTED = "nested"
PARENT_CHILD = "parent_child"
LAYOUTS = (NESTED, PARENT_CHILD)
#: Chosen by benchmarks/opensearch_layout.py (commit bd6d837) on all of Reuters (19,043 articles, 47,873 passages, two
#: nodes on a loaded 2-core machine): the same indexing rate (314 vs 315 articles/s), 41 % more disk
#: (80 vs 57 MB of primaries), but searches 1.5-6x faster (p50 15-160 ms vs 50-180 ms by the cluster's
#: clock): a nested hit's inner hits parse the whole article's source, a child hit only its passage.
DEFAULT_LAYOUT = PARENT_CHILD

#: The prefix of the archive's indexes when none is given.
DEFAULT_PREFIX = "archive"
#: The meta index's one document.
META_ID = "meta"

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

#: Results one search may page through: the site's last page (request.MAX_PAGE x MAX_PER_PAGE); the
#: cluster's default (10,000) would refuse pages the embedded engine serves.
MAX_RESULTS = 1_000_000
#: Joins the index terms of one word in a pre-analysed text; no index term contains it (WORD_PATTERN).
ALTERNATIVES = "|"
#: The analyser of pre-analysed text: words at whitespace, each word's terms at the word's position.
#: Whitespace words longer than this are cut by the tokenizer; no word of WORD_PATTERN is this long.
MAX_WORD_CHARS = 1024
ANALYSIS = {
    "tokenizer": {"words": {"type": "whitespace", "max_token_length": MAX_WORD_CHARS}},
    "filter": {
        "alternatives": {
            "type": "pattern_capture",
            "preserve_original": False,
            "patterns": [rf"([^{re.escape(ALTERNATIVES)}]+)"],
        }
    },
    "analyzer": {"terms": {"type": "custom", "tokenizer": "words", "filter": ["alternatives"]}},
}
_TERMS = {"type": "text", "analyzer": "terms", "search_analyzer": "terms"}
_KEYWORD = {"type": "keyword"}
_STORED = {"type": "keyword", "index": False, "doc_values": False}

#: The searched text fields: the embedded engine's field -> the index field (normal, exact mode).
TEXT_FIELDS = {
    "title": ("title_terms", "title_exact"),
    "body": ("body_terms", "body_exact"),
    "captions": ("captions_terms", "captions_exact"),
    "person_names": ("person_names", "person_names"),
    "place_names": ("place_names", "place_names"),
}
#: The fields that live on the passage documents (the rest are the article's).
PASSAGE_TEXT = ("body", "captions")

#: The article document's fields.
ARTICLE_FIELDS: dict[str, Any] = {
    "id": _KEYWORD,
    "title_terms": _TERMS,
    "title_exact": _TERMS,
    "person_names": _TERMS,  # every spelling of every person: ``person:`` by a name the registry lacks
    "place_names": _TERMS,
    "day": {"type": "integer"},  # YYYYMMDD, missing when unknown (the embedded engine's ``published``)
    "time": {"type": "integer"},  # seconds of the day + 1, 0 when unknown: newest first within a day
    "month": _KEYWORD,  # "YYYY-MM": the publication-month facet
    "person": _KEYWORD,  # person keys
    "place": _KEYWORD,  # place keys and the keys they lie in (a city's country)
    "source": _KEYWORD,  # outlet, lowercased
    "language": _KEYWORD,
    "story": _KEYWORD,
    "copy": {"type": "boolean"},  # a wire copy of an earlier article (its story is named by another id)
    "mentioned": {"type": "integer_range"},  # dates mentioned in the text, YYYYMMDD ranges
    "data": {"type": "object", "enabled": False},  # the whole article (Article.to_dict), as readers see it
}
#: The passage document's fields.
PASSAGE_FIELDS: dict[str, Any] = {
    "n": {"type": "integer"},
    "text": _STORED,  # the passage's text, for snippets
    "body_terms": _TERMS,
    "body_exact": _TERMS,
    "captions_terms": _TERMS,
    "captions_exact": _TERMS,
}

#: The registry index: one document per person or place, id ``<kind>:<key>``.
REGISTRY_FIELDS: dict[str, Any] = {
    "kind": _KEYWORD,  # "person" | "place"
    "key": _KEYWORD,
    "name": _KEYWORD,
    "variants": _KEYWORD,  # recorded spellings (persons), spellings in articles (places)
    "folded": _KEYWORD,  # archive.store.fold_name of the name and each spelling: lookups by name
    "endings": _KEYWORD,  # the last words of each folded spelling: a surname alone names the person
    "articles": {"type": "integer"},
    "country": _KEYWORD,
    "lat": {"type": "float"},
    "lon": {"type": "float"},
    "hidden": {"type": "boolean"},
    "corrections": {"type": "object", "enabled": False},
}
META_FIELDS: dict[str, Any] = {"generation": {"type": "long"}, "committed": {"type": "double"}}


@dataclass(frozen=True)
class IndexNames:
    articles: str
    registry: str
    meta: str


def index_names(prefix: str = DEFAULT_PREFIX) -> IndexNames:
    """The names of the archive's three indexes under ``prefix``."""
    return IndexNames(f"{prefix}-articles", f"{prefix}-registry", f"{prefix}-meta")


def analysed(text: str, exact: bool = False) -> str:
    """``text`` as the embedded engine's analyser sees it, for a pre-analysed field.

    Normal mode: each word's index terms (:func:`archive.search.analysis.word_forms`) joined by
    :data:`ALTERNATIVES`; exact mode: the words as written. Words are separated by one space.
    """
    words = re.findall(WORD_PATTERN, text or "")
    if exact:
        return " ".join(words)
    return " ".join(ALTERNATIVES.join(word_forms(w)) for w in words)


def _settings(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    index = {"number_of_shards": SHARDS, "number_of_replicas": REPLICAS, "max_result_window": MAX_RESULTS}
    return {"index": {**index, **(extra or {})}}


def index_body(layout: str = DEFAULT_LAYOUT) -> dict[str, Any]:
    """The settings and mappings of a new articles index in ``layout``."""
    extra: dict[str, Any] = {"analysis": ANALYSIS}
    properties = dict(ARTICLE_FIELDS)
    if layout == NESTED:
        extra["mapping.nested_objects.limit"] = MAX_NESTED_PASSAGES
        properties["passages"] = {"type": "nested", "properties": PASSAGE_FIELDS}
    elif layout == PARENT_CHILD:
        properties.update(PASSAGE_FIELDS)
        properties[JOIN] = {"type": "join", "relations": {ARTICLE: PASSAGE}}
    else:
        raise ValueError(f"unknown layout {layout!r}; one of {LAYOUTS}")
    mappings = {"dynamic": "strict", "_meta": {"analysis": ANALYSIS_VERSION}, "properties": properties}
    return {"settings": _settings(extra), "mappings": mappings}


def registry_body() -> dict[str, Any]:
    return {"settings": _settings(), "mappings": {"dynamic": "strict", "properties": REGISTRY_FIELDS}}


def meta_body() -> dict[str, Any]:
    return {"settings": _settings(), "mappings": {"dynamic": "strict", "properties": META_FIELDS}}


def article_source(article: Article) -> dict[str, Any]:
    """The article document's fields (without passages), as the embedded engine indexes them."""
    days = date_range(article.published)
    day = days[0] if days else 0
    return {
        "id": article.id,
        "title_terms": analysed(article.title),
        "title_exact": analysed(article.title, exact=True),
        "person_names": analysed(
            " ".join(sorted({v for p in article.persons for v in [p.name, *p.variants]}))
        ),
        "place_names": analysed(" ".join(sorted({p.name for p in article.places}))),
        "day": day or None,
        "time": time_of_day(article.published) if day else 0,
        "month": f"{day // 10000:04d}-{day // 100 % 100:02d}" if day else None,
        "person": sorted({p.key for p in article.persons}),
        "place": place_keys(article),
        "source": (article.source or "").strip().lower() or None,
        "language": article.language or "",  # "": unknown, a facet value as in the embedded engine
        "story": article.story or article.id,  # an article without copies is a story of its own
        "copy": article.story is not None and article.story != article.id,
        "mentioned": [{"gte": low, "lte": high} for low, high in _mentioned(article)],
        "data": article.to_dict(),
    }


def _mentioned(article: Article) -> list[tuple[int, int]]:
    return sorted({r for r in (date_range(d.value) for d in article.dates) if r is not None})


def passage_sources(article: Article) -> Iterator[dict[str, Any]]:
    """The passage documents' fields; an article without passages is one passage (as the embedded
    engine indexes it), and the captions go with the first."""
    passages = article.passages or [Passage(1, 0, len(article.text))]
    for i, p in enumerate(passages):
        body = article.passage_text(p)
        captions = article.captions if i == 0 else ""
        yield {
            "n": p.n,
            "text": body,
            "body_terms": analysed(body),
            "body_exact": analysed(body, exact=True),
            "captions_terms": analysed(captions),
            "captions_exact": analysed(captions, exact=True),
        }


def passage_id(article_id: str, n: int) -> str:
    return f"{article_id}#{n}"


def actions(article: Article, index: str, layout: str = DEFAULT_LAYOUT) -> Iterator[dict[str, Any]]:
    """The bulk actions that write ``article`` (opensearchpy.helpers.bulk's format).

    A re-import with fewer passages leaves old passage documents behind: delete the article's children
    first (:func:`delete_children`), as the writer does.
    """
    source = article_source(article)
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
            "_id": passage_id(article.id, passage["n"]),
            "_routing": article.id,
            "_source": passage,
        }


def delete_children(article_ids: Iterable[str]) -> dict[str, Any]:
    """The query (for ``delete_by_query``) that removes the passages of ``article_ids``."""
    # the join's parent field is on the article too (its own id): only the passages are meant
    parent = {"terms": {f"{JOIN}#{ARTICLE}": list(article_ids)}}
    return {"query": {"bool": {"filter": [parent, {"term": {JOIN: PASSAGE}}]}}}


def registry_documents(catalog, kind: str, keys: Iterable[str] | None = None) -> Iterator[dict[str, Any]]:
    """The registry documents of ``kind`` ("person"/"place"), all or only ``keys``, from the catalog:
    what :func:`archive.registry.entity` says of each."""
    from archive import registry
    from archive.errors import NotFound
    from archive.store import fold_name

    if keys is None:
        keys = [item["key"] for item in registry.listing(catalog, kind)["items"]]
    for key in keys:
        try:
            entity = registry.entity(catalog, kind, key)
        except NotFound:
            continue
        # a person by any recorded spelling (archive.store.Catalog.find_persons), a place by its name
        spellings = [entity["name"], *entity.get("variants", [])] if kind == "person" else [entity["name"]]
        folded = sorted({fold_name(s) for s in spellings if s})
        words = [f.split() for f in folded]
        yield {
            "_id": f"{kind}:{key}",
            "_source": {
                "kind": kind,
                "key": key,
                "name": entity["name"],
                "variants": entity.get("variants", []),
                "folded": folded,
                "endings": sorted({" ".join(w[i:]) for w in words for i in range(1, len(w))}),
                "articles": entity["articles"],
                "country": entity.get("country"),
                "lat": entity.get("lat"),
                "lon": entity.get("lon"),
                "hidden": entity.get("hidden", False),
                "corrections": entity.get("corrections", []),
            },
        }
