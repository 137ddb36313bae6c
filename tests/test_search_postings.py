"""The bulk readers of Whoosh's structures agree with Whoosh's own one-at-a-time API."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.models import Article, Passage, Person, Place
from archive.search.whoosh import postings
from archive.search.whoosh.index import create_index, open_index, open_writer, replace_articles
from archive.search.whoosh.schema import article_key


def _article(i: int) -> Article:
    words = " ".join(["alpha"] * (i % 4 + 1) + (["beta"] if i % 3 == 0 else []) + [f"w{i}"])
    text = f"{words}. Second sentence about gamma {i}."
    return Article(
        id=f"a{i}",
        title=f"Title {i} alpha",
        text=text,
        published=f"2020-{i % 12 + 1:02d}-0{i % 9 + 1}",
        passages=[Passage(1, 0, len(words) + 1), Passage(2, len(words) + 2, len(text))],
        persons=[Person(key=f"p{i % 7}", name=f"Person {i % 7}")],
        places=[Place(key=f"X{i % 3}/1{i % 5}", name=f"City {i % 5}", country="X")],
    )


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    """Three segments (so offsets matter), 300+ postings for some terms (several blocks), deletions."""
    home = tmp_path_factory.mktemp("postings")
    create_index(home)
    ix = open_index(home)
    for start in (0, 200, 260):
        writer = open_writer(ix)
        replace_articles(writer, [_article(i) for i in range(start, start + (200 if start == 0 else 60))])
        writer.commit(merge=False)
    writer = open_writer(ix)
    writer.delete_by_term("article_id", "a5")
    writer.delete_by_term("article_id", "a210")
    writer.commit(merge=False)
    ix.storage.supports_mmap = False
    searcher = ix.searcher()
    yield searcher.reader()
    searcher.close()


def test_reader_has_several_segments(reader):
    assert len(postings.leaf_readers(reader)) == 3


@pytest.mark.parametrize(
    "fieldname,text", [("body", "alpha"), ("body", "beta"), ("title", "alpha"), ("body", "w7")]
)
def test_term_postings_equal_whoosh(reader, fieldname, text):
    ids, weights = postings.term_postings(reader, fieldname, text)
    expected_ids, expected_weights = [], []
    for segment, offset in postings.leaf_readers(reader):
        if (fieldname, text) not in segment:
            continue
        m = segment._terms.matcher(fieldname, text.encode(), segment.schema[fieldname].format)
        while m.is_active():
            expected_ids.append(m.id() + offset)
            expected_weights.append(m.weight())
            m.next()
    assert ids.tolist() == expected_ids and weights.tolist() == expected_weights
    if text == "alpha":
        assert len(ids) > 300  # more than two blocks of 128


def test_columns_lengths_and_deletions_equal_whoosh(reader):
    n = reader.doc_count_all()
    akeys = postings.numeric_column(reader, "akey", ">i8")
    published = postings.numeric_column(reader, "published", ">u4")
    lengths = postings.field_lengths(reader, "body")
    live = postings.live_mask(reader)
    for doc in range(n):
        stored = reader.stored_fields(doc)
        assert akeys[doc] == article_key(stored["article_id"])
        assert published[doc] == stored["published"]
        assert lengths[doc] == reader.doc_field_length(doc, "body")
        assert live[doc] == (not reader.is_deleted(doc))
    assert (~live).sum() == 4  # two articles, two passages each


def test_field_postings_list_every_pair(reader):
    keys, values, docs = postings.field_postings(reader, "person")
    pairs = {(keys[v], d) for v, d in zip(values.tolist(), docs.tolist(), strict=True)}
    expected = {
        (k, d) for d in range(reader.doc_count_all()) for k in reader.stored_fields(d)["person"].split(",")
    }
    assert pairs == expected


@pytest.mark.parametrize(
    "words,slop,some",
    [(["alpha", "alpha"], 1, True), (["alpha", "beta"], 1, True), (["beta", "alpha"], 1, False),
     (["alpha", "w7"], 1, True), (["alpha", "alpha", "beta"], 1, True), (["alpha", "beta"], 3, True),
     (["alpha", "w7"], 3, True), (["titl", "alpha"], 1, False), (["titl", "alpha"], 2, True)],
)  # fmt: skip
def test_phrase_matches_equal_whoosh(reader, words, slop, some):
    import numpy as np
    from whoosh import query as wq
    from whoosh.searching import Searcher

    fieldname = "title" if words[0] == "titl" else "body"
    searcher = Searcher(reader)
    matcher = wq.Phrase(fieldname, words, slop=slop).matcher(searcher, searcher.boolean_context())
    expected = []
    while matcher.is_active():
        expected.append(matcher.id())
        matcher.next()
    candidates = np.arange(reader.doc_count_all(), dtype=np.int64)
    live = postings.live_mask(reader)
    found = postings.phrase_matches(reader, fieldname, words, slop, candidates)
    assert [d for d in found.tolist() if live[d]] == expected
    assert bool(expected) == some


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=70_000), min_size=1, max_size=1_200, unique=True),
        min_size=1,
        max_size=12,
    ),
    st.booleans(),
)
def test_position_keys_equal_whoosh_decoding(position_lists, trim_stop):
    """Positions read straight from the encoded bytes (one-byte deltas) or unpickled (wider deltas,
    batches of more than 1,000) equal Whoosh's own decoding, document by document, in order."""
    from whoosh.formats import Positions

    fmt = Positions()
    values = []
    for positions in position_lists:
        value = fmt.encode(sorted(positions))
        values.append(value[:-1] if trim_stop and value.endswith(b".") else value)
    docs = list(range(3, 3 + len(values)))
    keys = postings._keys(docs, values)
    expected = [
        (doc << 32) | p for doc, value in zip(docs, values, strict=True) for p in fmt.decode_positions(value)
    ]
    assert keys.tolist() == expected
