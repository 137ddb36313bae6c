"""Per-reader arrays: each passage's article, each article's date, persons, places and mentioned dates.

Built once per index generation and shared by every searcher of that generation in the process, so a
web worker pays for it only after an import; the keyword postings behind it are kept per segment, so
after an import only the new segment is read.
The keyword fields (:data:`LAZY_FIELDS`) are read on first use by a searcher bound to the cache
(:meth:`ReaderCache.bind`), so a CLI search that shows no facets and filters on none never reads them.
Facets, filters and collapsing then run as numpy operations over these arrays, at a cost that follows
the result set rather than the size of a facet field (DESIGN §5).
"""

from __future__ import annotations

import bisect
import itertools
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from archive.search.whoosh import postings, sidecar
from archive.search.whoosh.schema import article_key

#: Generations kept per process: the current one and the one searchers opened just before an import
#: may still be using.
CACHED_GENERATIONS = 4

#: Segment fields whose keyword postings are kept (5 fields per segment).
CACHED_SEGMENT_FIELDS = 5 * 64
#: Keyword fields read only when a search needs them (facets, a filter, a name in the query): they are
#: nearly all of a cold cache's cost (~0.8 s at 1x on a busy machine, ``person`` alone ~0.5 s), which a
#: fresh CLI process showing no facets need not pay.
LAZY_FIELDS = ("person", "place", "source", "language", "mentioned")

_lock = threading.RLock()
_caches: OrderedDict[tuple, ReaderCache] = OrderedDict()
_segments: OrderedDict[tuple, tuple[list[str], np.ndarray, np.ndarray]] = OrderedDict()


@dataclass
class ValueIndex:
    """Which articles carry which value of a multi-valued field (persons, places), as (value, article)
    pairs sorted by value, plus each value's slice of the pairs."""

    keys: list[str]
    positions: dict[str, int]
    pair_value: np.ndarray  # int32, sorted
    pair_article: np.ndarray  # int32
    starts: np.ndarray  # int64, len(keys) + 1

    def articles(self, key: str) -> np.ndarray:
        i = self.positions.get(key)
        if i is None:
            return np.zeros(0, dtype=np.int32)
        return self.pair_article[self.starts[i] : self.starts[i + 1]]

    def counts(self, article_mask: np.ndarray) -> np.ndarray:
        """How many selected articles carry each value."""
        hit = article_mask[self.pair_article]
        return np.bincount(self.pair_value[hit], minlength=len(self.keys))


@dataclass
class ReaderCache:
    doc_count: int
    live: np.ndarray  # bool per document
    live_count: int
    doc_article: np.ndarray  # int32 per document: the article ordinal
    article_count: int
    article_doc: np.ndarray  # int32 per article: one live passage (for the article id), -1 if none
    published: np.ndarray  # int32 per article: YYYYMMDD, 0 when unknown
    month: np.ndarray  # int32 per article: index into ``months``, -1 when unknown
    months: list[str]
    story: np.ndarray  # int32 per article: its story (wire copies share one), its own when it has none
    #: lazily loaded: field name -> token length per document, and the average
    lengths: dict[str, tuple[np.ndarray, float]] = field(default_factory=dict)
    #: lazily filled registry lookups for this generation (names, labels)
    memo: dict = field(default_factory=dict)
    #: int64 per article, sorted: its article key (an article's ordinal is its key's rank)
    article_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    #: the lazily read keyword fields (:data:`LAZY_FIELDS`), by name
    values: dict[str, ValueIndex] = field(default_factory=dict)
    #: the index folder, where segments' keyword postings are saved (:mod:`.sidecar`); None: not saved
    folder: str | None = None
    #: per thread, the open reader lazy fields are read from (set by :meth:`bind`)
    _bound: threading.local = field(default_factory=threading.local, repr=False)

    def bind(self, reader) -> None:
        """Read lazy fields, in this thread, through ``reader`` (open, of this cache's generation)."""
        self._bound.reader = reader

    def value_index(self, fieldname: str) -> ValueIndex:
        """A keyword field's (value, article) pairs, read on first use through the bound reader."""
        found = self.values.get(fieldname)
        if found is not None:
            return found
        reader = self._reader()
        with _lock:
            found = self.values.get(fieldname)
            if found is None:
                found = _value_index(reader, fieldname, self.live, self.doc_article, self.folder)
                self.values[fieldname] = found
        return found

    def has_term(self, fieldname: str, key: str) -> bool:
        """Whether any passage was indexed with ``key`` in a keyword field (as ``key in
        value_index(fieldname).positions``), answered from the term list while the field is unread."""
        found = self.values.get(fieldname)
        if found is not None:
            return key in found.positions
        return (fieldname, key) in self._reader()

    def terms_with_prefix(self, fieldname: str, prefix: str) -> list[str]:
        """A keyword field's indexed terms that start with ``prefix``, sorted."""
        found = self.values.get(fieldname)
        if found is not None:
            start = bisect.bisect_left(found.keys, prefix)
            return list(itertools.takewhile(lambda k: k.startswith(prefix), found.keys[start:]))
        return sorted({t.decode("utf-8") for t in self._reader().expand_prefix(fieldname, prefix)})

    def _reader(self):
        reader = getattr(self._bound, "reader", None)
        if reader is None:
            raise RuntimeError("ReaderCache: no reader bound in this thread (call bind())")
        return reader

    person = property(lambda self: self.value_index("person"))
    place = property(lambda self: self.value_index("place"))
    source = property(lambda self: self.value_index("source"))
    #: one value per article; an index written before the field has none
    language = property(lambda self: self.value_index("language"))

    @property
    def mentioned_article(self) -> np.ndarray:
        """int32 per (article, mentioned range): the article; ranges in ``mentioned_start``/``_end``."""
        return self.value_index("mentioned").pair_article

    @property
    def mentioned_start(self) -> np.ndarray:
        return self._mentioned_bounds()[0]

    @property
    def mentioned_end(self) -> np.ndarray:
        return self._mentioned_bounds()[1]

    def _mentioned_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        bounds = self.memo.get("mentioned_bounds")
        if bounds is None:
            mentioned = self.value_index("mentioned")
            starts = np.array([int(k.split("-")[0]) for k in mentioned.keys], dtype=np.int32)
            ends = np.array([int(k.split("-")[1]) for k in mentioned.keys], dtype=np.int32)
            bounds = (starts[mentioned.pair_value], ends[mentioned.pair_value])
            self.memo["mentioned_bounds"] = bounds
        return bounds

    def ordinals(self, article_ids: list[str]) -> np.ndarray:
        """The ordinal of each article id, -1 for one not in this index (no stored field is read)."""
        wanted = np.fromiter((article_key(i) for i in article_ids), dtype=np.int64, count=len(article_ids))
        if not len(self.article_keys):
            return np.full(len(wanted), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.article_keys, wanted), len(self.article_keys) - 1)
        return np.where(self.article_keys[at] == wanted, at, -1)

    def field_lengths(self, reader, fieldname: str) -> tuple[np.ndarray, float]:
        cached = self.lengths.get(fieldname)
        if cached is None:
            lengths = postings.field_lengths(reader, fieldname)
            total = float(lengths[self.live].sum()) if self.live_count else 0.0
            cached = (lengths, max(total / max(self.live_count, 1), 1.0))
            self.lengths[fieldname] = cached
        return cached

    def warm_up(self, reader) -> None:
        """Load now what searches would load lazily: the keyword fields, every scored field's lengths."""
        self.bind(reader)
        for fieldname in LAZY_FIELDS:
            self.value_index(fieldname)
        for fieldname, fieldobj in reader.schema.items():
            if fieldobj.scorable:
                self.field_lengths(reader, fieldname)


def cache_key(reader, folder: str) -> tuple:
    """What identifies a reader's content: its segments and their deletions."""
    segments = tuple(
        (seg.segment().segment_id(), seg.segment().deleted_count())
        for seg, _ in postings.leaf_readers(reader)
        if hasattr(seg, "segment")
    )
    return (folder, reader.generation(), segments)


def reader_cache(reader, folder: str) -> ReaderCache:
    """The cache for ``reader``, built on first use and shared while the index is unchanged."""
    key = cache_key(reader, folder)
    with _lock:
        cached = _caches.get(key)
        if cached is not None:
            _caches.move_to_end(key)
            return cached
        cached = build(reader)
        cached.folder = folder
        _caches[key] = cached
        while len(_caches) > CACHED_GENERATIONS:
            _caches.popitem(last=False)
        return cached


def clear() -> None:
    """Forget every cached generation and segment (benchmarks measure a cold start with this)."""
    with _lock:
        _caches.clear()
        _segments.clear()


def build(reader) -> ReaderCache:
    """Read the columns and keyword postings of ``reader`` into arrays."""
    live = postings.live_mask(reader)
    doc_count = len(live)
    akeys = _article_keys(reader)
    article_keys, doc_article = np.unique(akeys, return_inverse=True)
    doc_article = doc_article.astype(np.int32).ravel()
    article_count = int(doc_article.max()) + 1 if doc_count else 0
    live_docs = np.flatnonzero(live)
    article_doc = np.full(article_count, -1, dtype=np.int32)
    # reversed, so the first live passage of an article is the one written last
    article_doc[doc_article[live_docs[::-1]]] = live_docs[::-1]
    published_docs = postings.numeric_column(reader, "published", ">u4").astype(np.int32)
    published = np.zeros(article_count, dtype=np.int32)
    published[doc_article[live_docs]] = published_docs[live_docs]
    month_values = published // 100
    months_present = np.unique(month_values[month_values > 0])
    month = np.full(article_count, -1, dtype=np.int32)
    known = month_values > 0
    month[known] = np.searchsorted(months_present, month_values[known]).astype(np.int32)
    months = [f"{m // 100:04d}-{m % 100:02d}" for m in months_present.tolist()]
    cache = ReaderCache(
        doc_count=doc_count,
        live=live,
        live_count=int(live.sum()),
        doc_article=doc_article,
        article_count=article_count,
        article_doc=article_doc,
        published=published,
        month=month,
        months=months,
        story=_stories(reader, live_docs, doc_article, article_count),
        article_keys=article_keys.astype(np.int64),
    )
    cache.bind(reader)
    return cache


def _stories(reader, live_docs: np.ndarray, doc_article: np.ndarray, article_count: int) -> np.ndarray:
    """Each article's story ordinal, from the ``skey`` column; an article without one (``skey`` 0, or a
    segment written before the column) is a story of its own."""
    per_doc = postings.numeric_column(reader, "skey", ">i8")
    skeys = np.zeros(article_count, dtype=np.int64)
    skeys[doc_article[live_docs]] = per_doc[live_docs]
    _, story = np.unique(skeys, return_inverse=True)
    story = story.astype(np.int32).ravel()
    alone = np.flatnonzero(skeys == 0)
    story[alone] = (int(story.max()) + 1 if len(story) else 0) + np.arange(len(alone), dtype=np.int32)
    return story


def _article_keys(reader) -> np.ndarray:
    """Each passage's article key, from the ``akey`` column; a segment written before that column
    existed is read through its stored article ids (slow, but never wrong)."""
    keys = postings.numeric_column(reader, "akey", ">i8")
    for segment, offset in postings.leaf_readers(reader):
        if "akey" in segment.schema and segment.has_column("akey"):
            continue
        for doc in range(segment.doc_count_all()):
            if not segment.is_deleted(doc):
                keys[offset + doc] = article_key(segment.stored_fields(doc).get("article_id") or "")
    return keys


def _segment_values(
    segment, fieldname: str, folder: str | None = None
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """A segment's (term, local document) pairs for a field, remembered by segment id.

    Reading a keyword field's postings costs ~0.1 ms per term (Whoosh unpickles a block per term), and
    NER fills person fields with thousands of terms. Segments never change, so after an import only the
    new segment is read; the others come from here, or from the file the first process to read the
    segment saved in ``folder`` (:mod:`.sidecar`).
    """
    try:
        segment_id = segment.segment().segment_id()
    except AttributeError:
        return postings.field_postings(segment, fieldname)
    key = (segment_id, fieldname)
    with _lock:
        hit = _segments.get(key)
        if hit is not None:
            _segments.move_to_end(key)
            return hit
    found = sidecar.load(folder, segment_id, fieldname) if folder else None
    if found is None:
        found = postings.field_postings(segment, fieldname)
        if folder:
            sidecar.save(folder, segment_id, fieldname, found)
    with _lock:
        _segments[key] = found
        while len(_segments) > CACHED_SEGMENT_FIELDS:
            _segments.popitem(last=False)
    return found


def _value_index(
    reader, fieldname: str, live: np.ndarray, doc_article: np.ndarray, folder: str | None = None
) -> ValueIndex:
    """The (value, article) pairs of a keyword field, deleted passages left out, each pair once."""
    per_segment = [
        (_segment_values(seg, fieldname, folder), offset) for seg, offset in postings.leaf_readers(reader)
    ]
    keys = sorted({k for (seg_keys, _, _), _ in per_segment for k in seg_keys})
    positions = {k: i for i, k in enumerate(keys)}
    value_parts, doc_parts = [], []
    for (seg_keys, seg_values, seg_docs), offset in per_segment:
        if not seg_keys:
            continue
        remap = np.fromiter((positions[k] for k in seg_keys), dtype=np.int64, count=len(seg_keys))
        value_parts.append(remap[seg_values])
        doc_parts.append(seg_docs + offset)
    article_count = int(doc_article.max()) + 1 if len(doc_article) else 1
    if value_parts:
        values, docs = np.concatenate(value_parts), np.concatenate(doc_parts)
        keep = live[docs]
        pairs = np.unique(values[keep] * article_count + doc_article[docs[keep]])
    else:
        pairs = np.zeros(0, dtype=np.int64)
    pair_value = (pairs // article_count).astype(np.int32)
    pair_article = (pairs % article_count).astype(np.int32)
    starts = np.searchsorted(pair_value, np.arange(len(keys) + 1)).astype(np.int64)
    return ValueIndex(keys, positions, pair_value, pair_article, starts)
