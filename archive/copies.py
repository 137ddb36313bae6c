"""Wire copies: articles whose text is nearly the same (one agency story run by several outlets) form a story.

Each article's text becomes a set of word shingles; a MinHash signature of that set (``datasketch``)
is cut into LSH bands, and the bands live in the catalog, so a new arrival finds the earlier articles
that may be copies of it with one indexed lookup. Every candidate is then checked with the real
similarity of the two shingle sets, so a shared band alone never joins two stories. An arrival joins the
story of the copy it is most similar to; with none it starts a story of its own, named by its id.
Stories never merge: an existing article's story changes only when a member it depended on is updated
or deleted (:func:`regroup`). ``benchmarks/copies.py`` measures the choices below on Reuters-21578.
"""

from __future__ import annotations

import functools
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from archive.models import Article

#: Words per shingle. With 4, a changed word breaks 4 shingles, yet two different articles that share a
#: common phrase ("said in a statement") rarely share a whole run of four words.
SHINGLE_WORDS = 4
#: Texts with fewer shingles stay stories of their own: a short notice (a dividend, a results table)
#: differs from another company's by a name the headline holds, and its text alone cannot tell them apart.
MIN_SHINGLES = 40
#: Two texts are copies when the shared shingles are at least this share of the shorter text's shingles
#: (the overlap coefficient) and every figure of the shorter text is in the longer one. Tuned on one
#: half of Reuters (``benchmarks/copies.py --half tune``).
THRESHOLD = 0.6
#: MinHash permutations, cut into BANDS bands of ROWS rows: two texts share a band (become candidates)
#: with probability 1 - (1 - J^ROWS)^BANDS; at Jaccard 0.3 that is 0.99, so a copy whose new lead
#: and credit line dilute its Jaccard is still found.
NUM_PERM = 64
BANDS = 32
ROWS = NUM_PERM // BANDS  # 2: a band's two 32-bit values pack into one 64-bit key
#: The MinHash family, fixed: the bands of every article in the catalog were made with it.
SEED = 1
SCHEME = "affine32"

_WORD = re.compile(r"\w+")
#: An odd 64-bit multiplier (from splitmix64) that combines word hashes into a shingle hash.
_MIX = np.uint64(0xBF58476D1CE4E5B9)
#: A figure: digits with their separators ("1.5", "21,782,929", "1/8").
_FIGURE = re.compile(r"\d+(?:[.,/]\d+)*")


@functools.cache
def _minhash():
    """``datasketch.MinHash`` and the family's permutations, imported on first use: datasketch pulls in
    scipy (~0.9 s), which an import, delete or reindex that computes no bands should not pay."""
    from datasketch import MinHash

    return MinHash, MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def _identity(value: int) -> int:
    return value


@dataclass(frozen=True)
class Print:
    """What two texts are compared by: their shingles and their figures."""

    shingles: frozenset[int]
    figures: frozenset[str]


def fingerprint(text: str) -> Print:
    return Print(shingles(text), frozenset(_FIGURE.findall(text)))


def shingles(text: str) -> frozenset[int]:
    """The text's shingles (runs of ``SHINGLE_WORDS`` words, case folded) as stable 32-bit hashes.

    Each word is hashed once (CRC-32) and a shingle's hash combines its words' in numpy, so the cost is
    one hash per word rather than one per joined shingle.
    """
    words = _WORD.findall(text.casefold())
    if len(words) < SHINGLE_WORDS:
        return frozenset()
    hashes = np.fromiter(
        (zlib.crc32(w.encode("utf-8", "surrogatepass")) for w in words), dtype=np.uint64, count=len(words)
    )
    count = len(words) - SHINGLE_WORDS + 1
    combined = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):  # arithmetic modulo 2^64, on purpose
        for offset in range(SHINGLE_WORDS):
            combined = combined * _MIX + hashes[offset : offset + count]
        combined ^= combined >> np.uint64(29)
        combined *= _MIX
    return frozenset((combined >> np.uint64(32)).tolist())


def similarity(a: Print, b: Print) -> float:
    """The overlap coefficient: shared shingles over the shorter text's. A copy with a new first line,
    a credit line or paragraphs dropped keeps nearly all of the shorter text's shingles.

    0 when the shorter text has a figure the longer lacks: copies keep the figures, while the same
    template filled with new ones (a weekly crop report, a Fed operation, a bond issue) is another story.
    """
    if not a.shingles or not b.shingles:
        return 0.0
    short, long = (a, b) if len(a.shingles) <= len(b.shingles) else (b, a)
    if not short.figures <= long.figures:
        return 0.0
    return len(a.shingles & b.shingles) / len(short.shingles)


def band_keys(shingle_set: frozenset[int]) -> list[int]:
    """The LSH band keys of a shingle set (signed 64-bit, band number included); none when too short."""
    if len(shingle_set) < MIN_SHINGLES:
        return []
    minhash, permutations = _minhash()
    sketch = minhash(
        num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashfunc=_identity, permutations=permutations
    )
    sketch.update_batch(np.fromiter(shingle_set, dtype=np.uint32, count=len(shingle_set)))
    rows = np.asarray(sketch.hashvalues, dtype=np.uint64).reshape(BANDS, ROWS)
    packed = np.zeros(BANDS, dtype=np.uint64)
    for row in range(ROWS):  # ROWS 32-bit values in one 64-bit key: equal bands, equal keys
        packed = (packed << np.uint64(32)) | rows[:, row]
    # the band number, mixed in so equal values in different bands do not meet
    return (packed ^ (np.arange(BANDS, dtype=np.uint64) * _MIX)).view(np.int64).tolist()


@dataclass
class Grouping:
    """What :func:`assign` and :func:`regroup` decided: each article's story, and the articles already in
    the archive whose story changed (their passages must be written again)."""

    moved: dict[str, str]


def assign(catalog, articles: Iterable[Article]) -> Grouping:
    """Put arriving (new or updated) articles into stories, in order, and record them in the catalog.

    Sets ``article.story`` on each. An updated article first leaves its old story (whose other members
    are regrouped); then every article joins the story of its most similar earlier copy, or starts one.
    The catalog is written but not committed: the caller commits with the batch.
    """
    articles = list(articles)
    moved = regroup(catalog, [a.id for a in articles]).moved
    arrived: dict[str, Print] = {}
    for article in articles:
        mine = fingerprint(article.text)
        keys = band_keys(mine.shingles)
        article.story = _best_story(catalog, article.id, mine, keys, arrived) or article.id
        catalog.set_story(article.id, article.story, keys)
        if keys:
            arrived[article.id] = mine
    for article in articles:
        moved.pop(article.id, None)
    return Grouping(moved)


def _best_story(
    catalog, article_id: str, mine: Print, keys: list[int], arrived: dict[str, Print]
) -> str | None:
    """The story of the most similar verified copy among the candidates sharing a band, if any."""
    if not keys:
        return None
    best, best_score = None, THRESHOLD
    for other in catalog.story_candidates(keys):
        if other == article_id:
            continue
        theirs = arrived.get(other)
        if theirs is None:
            theirs = fingerprint(catalog.article_text(other) or "")
        score = similarity(mine, theirs)
        if score >= best_score:
            best, best_score = other, score
    return catalog.story_of(best) if best is not None else None


def regroup(catalog, leaving: Iterable[str]) -> Grouping:
    """Take articles out of their stories (deleted, or about to be re-added) and regroup what remains.

    The remaining members of each touched story are grouped again in arrival order with the same rule
    as arrivals, so no member stays joined through one that left. The first group keeps the story's
    name; others are named by their first member.

    :return: the remaining articles whose story changed, with their new story.
    """
    leaving = set(leaving)
    stories = {catalog.story_of(i) for i in leaving} - {None}
    for article_id in leaving:
        catalog.forget_story(article_id)
    moved: dict[str, str] = {}
    for story in stories:
        members = catalog.story_members(story)  # in arrival order
        if len(members) < 1:
            continue
        sets = {m: fingerprint(catalog.article_text(m) or "") for m in members}
        groups: dict[str, str] = {}
        for i, member in enumerate(members):
            scores = [(similarity(sets[member], sets[o]), o) for o in members[:i]]
            match = max((s for s in scores if s[0] >= THRESHOLD), default=None)
            groups[member] = groups[match[1]] if match else (story if i == 0 else member)
        for member, group in groups.items():
            if group != story:
                catalog.move_story(member, group)
                moved[member] = group
    return Grouping(moved)


def attach(catalog, articles: list[Article]) -> None:
    """Set each article's story from the catalog (a reindex keeps stories as they are); articles without
    one (an archive made before stories) are grouped now, in the order given."""
    known = catalog.stories_of(a.id for a in articles)
    for article in articles:
        article.story = known.get(article.id)
    assign(catalog, [a for a in articles if a.story is None])
