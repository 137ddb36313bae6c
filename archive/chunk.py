"""Passages: runs of whole sentences, the unit of retrieval, with character offsets into the text.

Regular expressions only (no NLP): Reuters' 19k articles chunk in about a second.
"""

from __future__ import annotations

import re

from .models import Passage

# A passage should hold a thought: long enough to read as a snippet and to rank on its own (a lone
# sentence is too little context), short enough that the passage that matched wins the ranking and its
# snippet opens near the hit. 80-250 words is one to three news paragraphs.
MIN_WORDS = 80
MAX_WORDS = 250
# A "sentence" past this many words is no sentence (a table flattened to one line, a 5 MB line with no
# full stop): it is cut at whitespace into pieces of MAX_WORDS words. Genuine long sentences (legal
# prose runs to 150 words) stay whole below it.
HARD_MAX_WORDS = 4 * MAX_WORDS
# The same cut applies past this many characters (six characters a word, with room), and a "word" longer
# than HARD_MAX_WORD_CHARS (base64, a run of digits) is cut anywhere, so every passage stays bounded.
HARD_MAX_CHARS = 10 * HARD_MAX_WORDS
HARD_MAX_WORD_CHARS = 200

PARAGRAPH = re.compile(r"[^\n]+(?:\n(?![ \t]*\n)[^\n]*)*")
# A sentence ends at . ! ? or … (with closing quotes/brackets) before whitespace and a capital, digit
# or opening quote; or at a line end.
SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*[ \t]+(?=[\"'“‘«(\[]?[A-Z0-9À-ÖØ-ÞА-ЯЁІЎЄЇҐ])|\n")
# Words before a full stop that does not end the sentence: titles, initials, "U.S.", months, "No.".
ABBREVIATION = re.compile(
    r"(?:^|[\s(\"'“])(?:[A-Z]|[A-Za-z](?:\.[A-Za-z])+|Mr|Mrs|Ms|Dr|Prof|St|Sr|Jr|Gen|Col|Lt|Sgt|Capt|Gov|Sen|Rep"
    r"|Rev|Hon|Inc|Corp|Co|Ltd|No|Nos|vs|etc|approx|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.$"
)
WORD = re.compile(r"\S+")


def chunk_text(text: str) -> list[Passage]:
    """Split text into passages of whole sentences, numbered from 1, with ``text[start:end]`` the passage.

    Passages end at paragraph ends once they reach :data:`MIN_WORDS`, and before a sentence that would
    take them past :data:`MAX_WORDS`; a single longer sentence is a passage of its own.
    """
    spans: list[tuple[int, int, int]] = []  # (start, end, words) of the passages
    current: list[tuple[int, int, int]] = []  # (start, end, words) of the sentences in the open passage
    words = 0

    def close() -> None:
        nonlocal words
        if current:
            spans.append((current[0][0], current[-1][1], words))
            current.clear()
            words = 0

    for paragraph in PARAGRAPH.finditer(text):
        for start, end, count in _sentences(text, paragraph.start(), paragraph.end()):
            if current and words + count > MAX_WORDS:
                close()
            current.append((start, end, count))
            words += count
        if words >= MIN_WORDS:
            close()
    close()
    # A short last passage joins the one before when they fit together.
    if len(spans) > 1 and spans[-1][2] < MIN_WORDS and spans[-2][2] + spans[-1][2] <= MAX_WORDS:
        spans[-2:] = [(spans[-2][0], spans[-1][1], spans[-2][2] + spans[-1][2])]
    return [Passage(n=n, start=start, end=end) for n, (start, end, _) in enumerate(spans, start=1)]


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """(start, end, word count) of each sentence in ``text[start:end]``, whitespace stripped."""
    found: list[tuple[int, int, int]] = []
    cursor = start
    for match in SENTENCE_END.finditer(text, start, end):
        if match.group() != "\n" and ABBREVIATION.search(text, max(0, match.start() - 12), match.start() + 1):
            continue
        found.extend(_stripped(text, cursor, match.start() + len(match.group().rstrip())))
        cursor = match.end()
    found.extend(_stripped(text, cursor, end))
    return found


def _stripped(text: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """The span without surrounding whitespace and its word count, cut up if it is past the hard cap."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        return []
    count = text.count(" ", start, end) + text.count("\n", start, end) + 1  # cleaned text: single spaces
    if count <= HARD_MAX_WORDS and end - start <= HARD_MAX_CHARS:
        return [(start, end, count)]
    return _cut(text, start, end)


def _cut(text: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """Pieces of at most MAX_WORDS words and about HARD_MAX_CHARS characters of an endless span.

    Each piece counts as MAX_WORDS words, so it becomes a passage of its own.
    """
    pieces: list[tuple[int, int, int]] = []
    piece_start, count, last_end = None, 0, start
    for word in WORD.finditer(text, start, end):
        for w_start in range(word.start(), word.end(), HARD_MAX_WORD_CHARS):
            w_end = min(w_start + HARD_MAX_WORD_CHARS, word.end())
            if piece_start is None:
                piece_start = w_start
            count += 1
            last_end = w_end
            if count == MAX_WORDS or last_end - piece_start >= HARD_MAX_CHARS:
                pieces.append((piece_start, last_end, MAX_WORDS))
                piece_start, count = None, 0
    if piece_start is not None:
        pieces.append((piece_start, last_end, MAX_WORDS))
    return pieces
