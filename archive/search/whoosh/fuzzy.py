"""A fuzzy word's index terms: every term within ``maxdist`` edits that shares its first letters.

An adjacent transposition counts as one edit ("bundesbnak~" finds "bundesbank"), as in Lucene's and
OpenSearch's fuzzy query with ``transpositions`` (optimal string alignment distance). Whoosh itself
answered this two ways: one segment's term automaton counts a transposition as two edits, a reader of
several segments as one, so the same search matched 1 article or 144 depending on whether the index had
been merged.
"""

from __future__ import annotations

from collections.abc import Iterator


def fuzzy_terms(reader, fieldname: str, text: str, maxdist: int, prefix: int) -> Iterator[bytes]:
    """The indexed terms of ``fieldname`` (as bytes) within ``maxdist`` edits of ``text`` whose first
    ``prefix`` characters are ``text``'s."""
    from rapidfuzz.distance import OSA  # 15 ms to import: only for a search with a fuzzy word

    if fieldname not in reader.schema:
        return
    fieldobj = reader.schema[fieldname]
    for btext in reader.expand_prefix(fieldname, text[:prefix]):
        if OSA.distance(text, fieldobj.from_bytes(btext), score_cutoff=maxdist) <= maxdist:
            yield btext
