"""Snippets: a window of a passage around its matched words, HTML-escaped, matches in ``<mark>``.

We mark words ourselves rather than through Whoosh's highlighter: the passage text is re-analysed
with the index's analyzer, each token whose index form matched is marked, and every other piece of
text goes through ``markupsafe.escape``, so the only markup a snippet can carry is ``<mark>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import escape

from archive.search.analysis import LEMMA_MARK, WORD_PATTERN, is_initials, word_forms

#: Characters of passage text shown per snippet: two or three lines in the results list.
SNIPPET_CHARS = 280
#: Context kept before the first match, so the snippet does not open on the matched word.
LEAD_CHARS = 60
ELLIPSIS = "…"
_WORD = re.compile(WORD_PATTERN)
_SPACES = re.compile(r"\s+")


@dataclass
class Snippet:
    passage: int
    html: str
    text: str

    def to_dict(self) -> dict:
        return {"passage": self.passage, "html": self.html}


def match_spans(text: str, terms: set[str], exact: bool) -> list[tuple[int, int]]:
    """Character spans of the words in ``text`` with an index form in ``terms`` (the whole word, when
    only a part of it matched); matched words with only spaces between them are one span, so a phrase
    reads as one mark."""
    if not terms:
        return []
    if exact:
        spans = [m.span() for m in _WORD.finditer(text) if m.group() in terms]
    else:
        polish = any(t.startswith(LEMMA_MARK) for t in terms)  # no Polish dictionary for other searches
        spans = [
            (m.start(), m.end() + int(text[m.end() : m.end() + 1] == "." and is_initials(m.group())))
            for m in _WORD.finditer(text)
            if not terms.isdisjoint(word_forms(m.group(), polish))
        ]  # initials keep their last dot: "U.S." is marked whole
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and text[merged[-1][1] : start].isspace():
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _window(text: str, spans: list[tuple[int, int]]) -> tuple[int, int]:
    if len(text) <= SNIPPET_CHARS:
        return 0, len(text)
    start = max(0, spans[0][0] - LEAD_CHARS) if spans else 0
    start = min(start, len(text) - SNIPPET_CHARS)
    if start > 0:
        space = text.find(" ", start)
        if space != -1 and (not spans or space < spans[0][0]):
            start = space + 1
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", start, end)
        if space > start:
            end = space
    return start, end


def _squeeze(text: str) -> str:
    """Runs of whitespace (line breaks, indents of wire copy) as one space."""
    return _SPACES.sub(" ", text)


def snippet(passage: int, text: str, terms: set[str], exact: bool) -> Snippet:
    """The snippet of one passage: escaped text with ``<mark>`` around matched words."""
    spans = match_spans(text, terms, exact)
    start, end = _window(text, spans)
    pieces: list[str] = [ELLIPSIS] if start > 0 else []
    cursor = start
    for s, e in spans:
        if s < start or e > end:
            continue
        pieces.append(str(escape(_squeeze(text[cursor:s]))))
        pieces.append(f"<mark>{escape(_squeeze(text[s:e]))}</mark>")
        cursor = e
    pieces.append(str(escape(_squeeze(text[cursor:end]))))
    if end < len(text):
        pieces.append(ELLIPSIS)
    plain = (ELLIPSIS if start > 0 else "") + text[start:end] + (ELLIPSIS if end < len(text) else "")
    return Snippet(passage, "".join(pieces).strip(), " ".join(plain.split()))
