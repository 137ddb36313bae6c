"""Run a query over every passage at once: numpy arrays of match flags and BM25 scores.

Whoosh's collectors visit one matching document at a time in Python; a search that needs the whole
result set (exact totals, facets, collapsing to articles) pays for that on every hit. Here each term's
postings are read in bulk (:mod:`archive.search.whoosh.postings`) and boolean operators are array operations.
Words and phrases match within a passage; AND, OR and NOT combine articles (``police -election``: the
articles that mention police and never election). Phrases are checked by Whoosh's own position
matcher, only on the passages that hold all their words.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
from whoosh import query as wq

from archive.errors import BadQuery, SearchTimeout
from archive.search.whoosh import postings
from archive.search.whoosh.cache import ReaderCache
from archive.search.whoosh.fuzzy import fuzzy_terms

#: BM25 parameters (the usual values): term-frequency saturation and length normalisation.
BM25_K1 = 1.2
BM25_B = 0.75
#: A pattern (prefix*, wild?card, fuzzy~) may stand for at most this many index words; a broader one is
#: refused with a message rather than slowing every worker (DESIGN §5: comp* took 3.6 s at 10x).
MAX_EXPANSIONS = 1000
#: Phrases whose verified passages are remembered per index generation: checking positions is the one
#: step that decodes Whoosh's posting blocks one by one, and journalists repeat their phrase searches.
PHRASE_MEMO_SIZE = 1024
#: How often long loops look at the clock.
CLOCK_EVERY = 256

TIMEOUT_MESSAGE = "The search took too long; narrow it (fewer patterns, longer prefixes, or add filters)."


@dataclass
class Hits:
    """Which articles match, and which of their passages matched how well.

    Boolean operators combine *articles* (``police -election`` finds the articles that mention police
    and never election, wherever the words sit); a phrase or a single word matches within one passage.
    ``mask`` marks the passages that hold a positive match, ``scores`` their BM25 sum: the best passage
    ranks the article and supplies its snippet.
    """

    articles: np.ndarray  # bool per article
    mask: np.ndarray  # bool per document
    scores: np.ndarray  # float32 per document (0 where not matching)


@dataclass
class Evaluator:
    searcher: object
    cache: ReaderCache
    deadline: float
    #: bool per document: the only passages looked at (``None``: every live one). It must hold every
    #: live passage of the articles it touches; only segments holding one are read.
    scope: np.ndarray | None = None
    #: index terms that matched positively, per field: what the snippets mark
    terms: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.live = self.cache.live if self.scope is None else self.cache.live & self.scope
        self.segments = None
        if self.scope is not None:
            self.segments = {
                offset
                for segment, offset in postings.leaf_readers(self.reader)
                if self.live[offset : offset + segment.doc_count_all()].any()
            }

    @property
    def reader(self):
        return self.searcher.reader()

    def check_clock(self) -> None:
        if time.monotonic() > self.deadline:
            raise SearchTimeout(TIMEOUT_MESSAGE)

    def empty(self) -> Hits:
        n = self.cache.doc_count
        return Hits(
            np.zeros(self.cache.article_count, dtype=bool), np.zeros(n, dtype=bool), np.zeros(n, np.float32)
        )

    def everything(self) -> Hits:
        live = self.live
        return Hits(
            self.cache.article_doc >= 0, live.copy(), np.zeros(self.cache.doc_count, dtype=np.float32)
        )

    def from_docs(self, ids: np.ndarray, scores: np.ndarray | None = None) -> Hits:
        hits = self.empty()
        hits.mask[ids] = True
        hits.articles[self.cache.doc_article[ids]] = True
        if scores is not None:
            hits.scores[ids] = scores
        return hits

    def restrict(self, hits: Hits, articles: np.ndarray) -> Hits:
        """Keep only the passages of the given articles."""
        mask = hits.mask & articles[self.cache.doc_article]
        return Hits(articles, mask, np.where(mask, hits.scores, 0).astype(np.float32))

    def run(self, q: wq.Query, negated: bool = False) -> Hits:
        """Evaluate ``q``; ``negated`` is True under a NOT (its terms are then not highlighted)."""
        self.check_clock()
        if isinstance(q, wq.Term):
            return self.term(q, negated)
        if isinstance(q, wq.And):
            return self._and([self.run(c, negated) for c in q.subqueries])
        if isinstance(q, wq.DisjunctionMax):
            return self._or([self.run(c, negated) for c in q.subqueries], use_max=True)
        if isinstance(q, wq.Or):
            return self._or([self.run(c, negated) for c in q.subqueries])
        if isinstance(q, wq.Not):
            inner = self.run(q.query, not negated)
            return self._not(inner)
        if isinstance(q, wq.AndNot):
            positive, negative = self.run(q.a, negated), self.run(q.b, not negated)
            return self.restrict(positive, positive.articles & ~negative.articles)
        if isinstance(q, wq.AndMaybe):
            required, optional = self.run(q.a, negated), self.run(q.b, negated)
            both = self._or([required, optional])
            return self.restrict(both, required.articles)
        if isinstance(q, wq.Require):
            required, scope = self.run(q.a, negated), self.run(q.b, negated)
            return self.restrict(required, required.articles & scope.articles)
        if isinstance(q, wq.Phrase):
            return self.phrase(q, negated)
        if isinstance(q, wq.MultiTerm):
            return self.pattern(q, negated)
        if isinstance(q, wq.Every):
            return self.everything()
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return self.empty()
        return self.generic(q)

    def _not(self, inner: Hits) -> Hits:
        """Every live article without a match; all its passages stand (unscored) for snippets."""
        articles = (self.cache.article_doc >= 0) & ~inner.articles
        mask = self.live & articles[self.cache.doc_article]
        return Hits(articles, mask, np.zeros(self.cache.doc_count, dtype=np.float32))

    # -- leaves --------------------------------------------------------------------------------------

    def term_arrays(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Live document numbers holding the term, and each one's BM25 score for it."""
        if fieldname not in self.reader.schema:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        ids, weights = postings.term_postings(self.reader, fieldname, text, self.segments)
        if not len(ids):
            return ids, weights
        keep = self.live[ids]
        ids, weights = ids[keep], weights[keep]
        fieldobj = self.reader.schema[fieldname]
        if not fieldobj.scorable:
            return ids, np.zeros(len(ids), dtype=np.float32)
        lengths, average = self.cache.field_lengths(self.reader, fieldname)
        df = len(ids)
        idf = math.log(1.0 + (self.cache.live_count - df + 0.5) / (df + 0.5))
        norm = BM25_K1 * ((1.0 - BM25_B) + BM25_B * lengths[ids] / average)
        scores = (idf * fieldobj.format.field_boost) * weights * (BM25_K1 + 1.0) / (weights + norm)
        return ids, scores.astype(np.float32)

    def term(self, q: wq.Term, negated: bool, boost: float = 1.0) -> Hits:
        ids, scores = self.term_arrays(q.fieldname, q.text)
        if len(ids) and not negated:
            self.terms.setdefault(q.fieldname, set()).add(q.text)
        return self.from_docs(ids, scores * (q.boost * boost))

    def phrase(self, q: wq.Phrase, negated: bool) -> Hits:
        mask = self.live.copy()
        scores = np.zeros(self.cache.doc_count, dtype=np.float32)
        for word in q.words:
            ids, word_scores = self.term_arrays(q.fieldname, word)
            present = np.zeros(self.cache.doc_count, dtype=bool)
            present[ids] = True
            mask &= present
            scores[ids] += word_scores
        candidates = np.flatnonzero(mask)
        if not len(candidates):
            return self.empty()
        # a scoped search verifies fewer candidates: it neither reads nor fills the memo of whole answers
        memo = self.cache.memo.setdefault("phrases", {}) if self.scope is None else {}
        key = (q.fieldname, tuple(q.words), q.slop)
        matched = memo.get(key)
        if matched is None:
            matched = postings.phrase_matches(self.reader, q.fieldname, list(q.words), q.slop, candidates)
            if matched is None:
                matched = self._verify_phrase(q, candidates)
            if len(memo) >= PHRASE_MEMO_SIZE:
                memo.clear()
            memo[key] = matched
        if len(matched) and not negated:
            self.terms.setdefault(q.fieldname, set()).update(q.words)
        return self.from_docs(matched, scores[matched] * q.boost)

    def _verify_phrase(self, q: wq.Phrase, candidates: np.ndarray) -> np.ndarray:
        """The candidates whose word positions form the phrase, checked by Whoosh's span matcher."""
        matcher = q.matcher(self.searcher, self.searcher.boolean_context())
        found: list[int] = []
        wanted = set(candidates.tolist())
        steps = 0
        while matcher.is_active():
            doc = matcher.id()
            if doc in wanted:
                found.append(doc)
            matcher.next()
            steps += 1
            if steps % CLOCK_EVERY == 0:
                self.check_clock()
        return np.asarray(found, dtype=np.int64)

    def pattern(self, q: wq.MultiTerm, negated: bool) -> Hits:
        """prefix*, wild?card and fuzzy~: every index word the pattern stands for, capped."""
        texts = []
        if isinstance(q, wq.FuzzyTerm):
            words = fuzzy_terms(self.reader, q.fieldname, q.text, q.maxdist, q.prefixlength)
        else:
            words = q._btexts(self.reader)
        for i, btext in enumerate(words):
            if i % CLOCK_EVERY == 0:
                self.check_clock()
            texts.append(btext)
            if len(texts) > MAX_EXPANSIONS:
                raise BadQuery(
                    f"{_pattern_label(q)} stands for more than {MAX_EXPANSIONS} words; make it more specific."
                )
        fieldobj = self.reader.schema[q.fieldname]
        parts = [
            self.term(
                wq.Term(q.fieldname, b if isinstance(b, str) else fieldobj.from_bytes(b)), negated, q.boost
            )
            for b in texts
        ]
        return self._or(parts) if parts else self.empty()

    def generic(self, q: wq.Query) -> Hits:
        """Any other query type: Whoosh's matcher, match flags only."""
        found: list[int] = []
        matcher = q.matcher(self.searcher, self.searcher.boolean_context())
        while matcher.is_active():
            found.append(matcher.id())
            matcher.next()
            if len(found) % CLOCK_EVERY == 0:
                self.check_clock()
        ids = np.asarray(found, dtype=np.int64)
        return self.from_docs(ids[self.live[ids]] if len(ids) else ids)

    # -- operators -----------------------------------------------------------------------------------

    def _and(self, parts: list[Hits]) -> Hits:
        """Articles that match every part; their passages that match any part, scores summed."""
        if not parts:
            return self.empty()
        articles = parts[0].articles.copy()
        for part in parts[1:]:
            articles &= part.articles
        return self.restrict(self._or(parts), articles)

    def _or(self, parts: list[Hits], use_max: bool = False) -> Hits:
        if not parts:
            return self.empty()
        articles = parts[0].articles.copy()
        mask = parts[0].mask.copy()
        scores = parts[0].scores.copy()
        for part in parts[1:]:
            articles |= part.articles
            mask |= part.mask
            if use_max:
                np.maximum(scores, part.scores, out=scores)
            else:
                scores += part.scores
        return Hits(articles, mask, scores)


def _pattern_label(q: wq.MultiTerm) -> str:
    text = getattr(q, "text", "")
    if isinstance(q, wq.FuzzyTerm):
        return f"{text}~"
    if isinstance(q, wq.Prefix):
        return f"{text}*"
    return text


def evaluate(
    searcher, cache: ReaderCache, q: wq.Query, deadline: float, scope: np.ndarray | None = None
) -> tuple[Hits, dict[str, set[str]]]:
    """Match and score every passage for ``q``.

    :param scope: bool per document: match only these passages (whole articles; see ``Evaluator.scope``).
        Scores then count document frequencies within the scope: they rank its passages only.

    :return: the hits and the index terms that matched (per field), for highlighting.
    :raises SearchTimeout: past ``deadline`` (a ``time.monotonic()`` value).
    :raises BadQuery: for a pattern that stands for too many words.
    """
    evaluator = Evaluator(searcher, cache, deadline, scope)
    hits = evaluator.run(q)
    hits.mask &= evaluator.live
    hits.articles &= cache.article_doc >= 0
    return hits, evaluator.terms
