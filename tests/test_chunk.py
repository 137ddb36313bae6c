"""chunk_text: passages of whole sentences with offsets into the text."""

from __future__ import annotations

import gzip
import re
import time

import pytest

from archive.chunk import HARD_MAX_CHARS, MAX_WORDS, MIN_WORDS, chunk_text
from archive.clean import clean_text
from tests.conftest import SHARED, needs_shared

SENTENCE = "The minister said on Tuesday that the talks would continue next week in Vienna. "


def words(text: str) -> int:
    return len(text.split())


def check_passages(text: str) -> list[str]:
    """The passages' texts, after checking the invariants every chunking must keep."""
    passages = chunk_text(text)
    assert [p.n for p in passages] == list(range(1, len(passages) + 1))
    out = []
    previous_end = 0
    for p in passages:
        piece = text[p.start : p.end]
        assert piece and piece == piece.strip()
        assert p.start >= previous_end
        assert not text[previous_end : p.start].strip(), "text between passages was lost"
        previous_end = p.end
        out.append(piece)
    assert not text[previous_end:].strip()
    return out


@pytest.mark.parametrize(
    "text,count",
    [
        ("", 0),
        ("   \n\n  ", 0),
        ("One short sentence.", 1),
        (SENTENCE * 5, 1),  # 70 words: one passage
        ((SENTENCE * 8 + "\n\n") * 6, 6),  # 112-word paragraphs: one passage each
        (SENTENCE * 60, 4),  # one 840-word paragraph: cut between sentences below MAX_WORDS
    ],
)
def test_passage_counts(text, count):
    assert len(check_passages(text)) == count


def test_passages_respect_the_word_limits_and_never_cut_a_sentence():
    text = "\n\n".join(SENTENCE * n for n in (3, 9, 1, 25, 4, 2, 14))
    for piece in check_passages(text):
        assert words(piece) <= MAX_WORDS
        assert piece.endswith(".")
    assert all(words(p) >= MIN_WORDS for p in check_passages(text)[:-1])


@pytest.mark.parametrize(
    "text",
    [
        "Mr. Smith met the U.S. envoy on Jan. 5 in St. Petersburg. He left.",
        "J. R. R. Tolkien wrote it. Dr. No was a film.",
    ],
)
def test_abbreviations_do_not_end_sentences(text):
    # Short text is one passage anyway; check the sentence splitter through a text that must be cut.
    long_text = (SENTENCE * 20 + text + " ") * 3
    for piece in check_passages(long_text):
        assert not re.search(r"(Mr|U\.S|Jan|St|Dr|R)\.$", piece)


def test_a_long_sentence_stays_whole():
    sentence = "Then " + "and then " * 200 + "it ended."  # 403 words, no sentence end before the last word
    passages = check_passages(SENTENCE * 3 + sentence + " " + SENTENCE * 3)
    assert sentence in passages


def test_a_huge_line_without_sentence_ends_is_cut_at_whitespace():
    text = "word " * 1_000_000  # 5 MB, one line, no full stop
    started = time.perf_counter()
    passages = check_passages(text)
    assert time.perf_counter() - started < 10
    assert max(len(p) for p in passages) <= HARD_MAX_CHARS
    assert all(p.startswith("word") and p.endswith("word") for p in passages)


def test_a_huge_token_is_cut_anywhere():
    assert max(len(p) for p in check_passages("x" * 1_000_000)) <= HARD_MAX_CHARS


@needs_shared
def test_reuters_chunks_fast():
    with gzip.open(SHARED / "corpora/reuters21578/reut2-000.sgm.gz", "rt", encoding="latin-1") as f:
        bodies = [clean_text(b) for b in re.findall(r"<BODY>(.*?)</BODY>", f.read(), re.S)]
    started = time.perf_counter()
    chunked = [chunk_text(b) for b in bodies]
    per_article = (time.perf_counter() - started) / len(bodies)
    assert per_article < 0.001  # 19k articles in well under 20 s even on a loaded machine
    assert sum(len(c) for c in chunked) >= len(bodies)
