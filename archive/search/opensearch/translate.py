"""The rewritten query (the embedded engine's Whoosh tree, :mod:`archive.search.whoosh.rewrite`) as an
OpenSearch query on article documents, with the embedded engine's semantics.

A word, phrase or pattern matches within one passage (a ``has_child`` query) or in an article field
(the title, names); AND, OR and NOT combine articles. Terms are the index terms the rewrite computed
with our own analyser (:func:`archive.search.opensearch.layout.analysed` wrote the same ones), so they
are named directly: ``term``, ``span_near``, ``prefix``, ``wildcard``, ``fuzzy``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq

from archive.errors import BadQuery
from archive.search.opensearch.layout import PASSAGE

#: The embedded engine's field -> (the index field, whether it lives on the passage documents).
FIELDS = {
    "title": ("title_terms", False),
    "title_exact": ("title_exact", False),
    "body": ("body_terms", True),
    "body_exact": ("body_exact", True),
    "captions": ("captions_terms", True),
    "captions_exact": ("captions_exact", True),
    "person_names": ("person_names", False),
    "place_names": ("place_names", False),
    "person": ("person", False),
    "place": ("place", False),
}
#: Title matches weigh double (the embedded schema's ``field_boost``).
FIELD_BOOST = {"title": 2.0, "title_exact": 2.0}
#: The fields whose matched terms snippets and article pages mark.
MARKED_FIELDS = ("title", "body", "captions")
#: A pattern stands for at most this many index words (as ``archive.search.whoosh.evaluate``); a
#: pattern is expanded into scored term clauses, and the cluster refuses more than its clause limit.
MAX_EXPANSIONS = 1000
#: Whoosh's phrase slop 1 means adjacent words; a span's slop counts the words between.
WHOOSH_ADJACENT = 1

#: The name of a positive article-level leaf, numbered (in a hit's ``matched_queries``).
ARTICLE_LEAF = "article-leaf"
MATCH_NONE: dict[str, Any] = {"match_none": {}}
MATCH_ALL: dict[str, Any] = {"match_all": {}}


@dataclass
class Translated:
    """The article query, and what snippets need: the positive passage-level leaves."""

    query: dict[str, Any]
    #: positive leaves on passage fields (their OR finds the passages to show)
    passage_leaves: list[dict[str, Any]] = field(default_factory=list)
    #: positive leaves' terms per embedded field (exact words, stems), for marking
    terms: dict[str, set[str]] = field(default_factory=dict)
    #: positive patterns: (embedded field, kind, text, maxdist, prefix length)
    patterns: list[tuple[str, str, str, int, int]] = field(default_factory=list)
    #: every article's passages stand for snippets (a NOT or everything: the embedded engine's mask),
    #: besides those of the articles that an article-level leaf (named ARTICLE_LEAF) matched
    all_passages: bool = False


def pattern_label(kind: str, text: str) -> str:
    return {"fuzzy": f"{text}~", "prefix": f"{text}*"}.get(kind, text)


class Translator:
    def __init__(self) -> None:
        self.out = Translated(MATCH_NONE)
        self.named = 0

    def run(self, q: wq.Query, negated: bool = False) -> dict[str, Any]:
        if isinstance(q, wq.And):
            return {"bool": {"must": [self.run(c, negated) for c in q.subqueries]}}
        if isinstance(q, wq.DisjunctionMax):
            return {"dis_max": {"queries": [self.run(c, negated) for c in q.subqueries]}}
        if isinstance(q, wq.Or):
            return self._or(q.subqueries, negated)
        if isinstance(q, wq.Not):
            self.out.all_passages = True
            return {"bool": {"must_not": [self.run(q.query, not negated)]}}
        if isinstance(q, wq.AndNot):
            return {"bool": {"must": [self.run(q.a, negated)], "must_not": [self.run(q.b, not negated)]}}
        if isinstance(q, wq.AndMaybe):
            return {"bool": {"must": [self.run(q.a, negated)], "should": [self.run(q.b, negated)]}}
        if isinstance(q, wq.Require):
            return {"bool": {"must": [self.run(q.a, negated)], "filter": [self.run(q.b, negated)]}}
        if isinstance(q, wq.Every):
            self.out.all_passages = True
            return MATCH_ALL
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return MATCH_NONE
        leaf, on_passage = self.leaf(q, negated)
        return _on_passages(leaf) if on_passage else leaf

    def _or(self, children: list[wq.Query], negated: bool) -> dict[str, Any]:
        """An OR of articles; its passage-level leaves as one ``has_child`` (the same articles)."""
        passage, article = [], []
        for child in children:
            if child.is_leaf() and _field(child)[1]:
                passage.append(self.leaf(child, negated)[0])
            else:
                article.append(self.run(child, negated))
        if passage:
            article.append(_on_passages(passage[0] if len(passage) == 1 else _should(passage)))
        return article[0] if len(article) == 1 else _should(article)

    def leaf(self, q: wq.Query, negated: bool) -> tuple[dict[str, Any], bool]:
        name = getattr(q, "fieldname", None)
        index_field, on_passage = _field(q)
        boost = q.boost * FIELD_BOOST.get(name, 1.0)
        if isinstance(q, wq.Term):
            clause = {"term": {index_field: {"value": q.text, "boost": boost}}}
            words = [q.text]
        elif isinstance(q, wq.Phrase):
            words = list(q.words)
            if len(words) == 1:
                clause = {"term": {index_field: {"value": words[0], "boost": boost}}}
            else:
                clause = {
                    "span_near": {
                        "clauses": [{"span_term": {index_field: w}} for w in words],
                        "slop": max(0, q.slop - WHOOSH_ADJACENT),
                        "in_order": True,
                        "boost": boost,
                    }
                }
        elif isinstance(q, wq.FuzzyTerm):
            clause = {
                "fuzzy": {
                    index_field: {
                        "value": q.text,
                        "fuzziness": q.maxdist,
                        "prefix_length": q.prefixlength,
                        "transpositions": True,  # as the embedded engine (whoosh/fuzzy.py)
                        "max_expansions": MAX_EXPANSIONS,
                        "boost": boost,
                    }
                }
            }
            words = []
            if not negated:
                self.out.patterns.append((name, "fuzzy", q.text, q.maxdist, q.prefixlength))
        elif isinstance(q, wq.Prefix | wq.Wildcard):
            kind = "prefix" if isinstance(q, wq.Prefix) else "wildcard"
            # each expansion a scored term (the embedded engine sums them); more than the cluster's
            # clause limit is refused, and reported as the embedded engine's too-broad pattern
            clause = {kind: {index_field: {"value": q.text, "rewrite": "scoring_boolean", "boost": boost}}}
            words = []
            if not negated:
                self.out.patterns.append((name, kind, q.text, 0, 0))
        else:
            raise BadQuery(f"This search cannot run on the cluster: {q!r}")
        if not negated:
            if name.split("_")[0] in MARKED_FIELDS:
                self.out.terms.setdefault(name, set()).update(words)
            if on_passage:
                self.out.passage_leaves.append(clause)
            else:  # the hit says whether it matched: then all its passages stand for snippets
                self.named += 1  # names are unique: the cluster keeps one query per name
                clause = _named(clause, f"{ARTICLE_LEAF}{self.named}")
        return clause, on_passage


def _field(q: wq.Query) -> tuple[str, bool]:
    name = getattr(q, "fieldname", None)
    if name not in FIELDS:
        raise BadQuery(f"This search cannot run on the cluster: no field {name!r}")
    return FIELDS[name]


def _named(clause: dict[str, Any], name: str) -> dict[str, Any]:
    """``clause`` with a ``_name`` (inside the field's object for a single-field query)."""
    kind, body = next(iter(clause.items()))
    if kind == "span_near":
        return {kind: {**body, "_name": name}}
    ((fld, params),) = body.items()
    return {kind: {fld: {**params, "_name": name}}}


def _should(clauses: list[dict[str, Any]]) -> dict[str, Any]:
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def _on_passages(q: dict[str, Any]) -> dict[str, Any]:
    """Articles with a passage matching ``q``, scored by their best passage."""
    return {"has_child": {"type": PASSAGE, "query": q, "score_mode": "max"}}


def translate(q: wq.Query | None) -> Translated:
    """The article query for a rewritten query (``None``: every article)."""
    t = Translator()
    t.out.query = MATCH_ALL if q is None else t.run(q)
    t.out.all_passages = t.out.all_passages or q is None
    return t.out
