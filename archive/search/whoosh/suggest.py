"""Did you mean: respell the query's unknown words from the index's own vocabulary."""

from __future__ import annotations

import time
from collections.abc import Callable

from whoosh import query as wq
from whoosh.support.levenshtein import damerau_levenshtein

from archive.search.query import DEFAULT_FIELD
from archive.search.whoosh.rewrite import analyze

#: Only words this long are respelled: short words have too many neighbours within two edits.
MIN_WORD_CHARS = 4
#: ... and only words up to this long: Whoosh builds an edit-distance automaton per word, whose cost
#: grows with the word (a 30-letter word took ~0.1 s; 32 of them 9.5 s). Misspelt words are rarely longer.
MAX_WORD_CHARS = 20
#: Unknown words respelled per query: each costs a walk of the term graph; a query of many unknown words
#: is not a misspelling.
MAX_RESPELLED_WORDS = 4
#: The literal-word field: its terms are real spellings ("Lukashenka"), not stems ("lukashenk").
VOCABULARY_FIELD = "body_exact"
MAX_EDITS = 2
#: Letters a respelling keeps from the start of the word: Whoosh's corrector then walks one branch of
#: the term graph (milliseconds) instead of all of it (seconds).
KEEP_PREFIX = 1
#: From this length a word keeps one letter more: on Reuters a 10-letter word cost ~0.2 s per form
#: with one letter kept, ~25 ms with two.
LONG_WORD_CHARS = 8


def suggestion(searcher, parsed: wq.Query | None, text: str, deadline: float) -> str | None:
    """The query text with each unknown plain word replaced by the closest frequent spelling.

    Stops at ``deadline`` (a ``time.monotonic()`` value) with what it has, and respells at most
    ``MAX_RESPELLED_WORDS`` words of at most ``MAX_WORD_CHARS`` letters, so it never outlasts the search.
    """
    if parsed is None:
        return None
    reader = searcher.reader()
    if VOCABULARY_FIELD not in reader.schema:
        return None
    corrector = searcher.corrector(VOCABULARY_FIELD)
    return respelled(
        parsed,
        text,
        known=lambda term: reader.doc_frequency("body", term) > 0,
        closest=lambda word: _respell(corrector, reader, word, deadline),
        stop=lambda: time.monotonic() >= deadline,
    )


def respelled(
    parsed: wq.Query | None,
    text: str,
    known: Callable[[str], bool],
    closest: Callable[[str], str | None],
    stop: Callable[[], bool] = lambda: False,
) -> str | None:
    """Did you mean, by the rules above, for any engine: ``text`` with each plain word of ``parsed`` whose
    index term is not ``known`` replaced by its ``closest`` spelling; ``None`` when nothing was replaced.
    Stops early when ``stop()`` says so."""
    if parsed is None:
        return None
    replacements: list[tuple[int, int, str]] = []
    tried = 0
    for leaf in parsed.leaves():
        if tried >= MAX_RESPELLED_WORDS or stop():
            break
        if type(leaf) is not wq.Term or leaf.fieldname not in (DEFAULT_FIELD, "title"):
            continue
        word, start, end = leaf.text, getattr(leaf, "startchar", None), getattr(leaf, "endchar", None)
        if (
            start is None
            or end is None
            or text[start:end] != word
            or not MIN_WORD_CHARS <= len(word) <= MAX_WORD_CHARS
        ):
            continue
        folded = analyze(word, exact=False)
        if folded and known(folded[0]):
            continue
        tried += 1
        best = closest(word)
        if best is not None:
            replacements.append((start, end, best))
    if not replacements:
        return None
    out = text
    for start, end, new in sorted(replacements, reverse=True):
        out = out[:start] + new + out[end:]
    return out


def _respell(corrector, reader, word: str, deadline: float) -> str | None:
    """The index spelling closest to ``word`` ignoring case, the more frequent one on a tie.

    The vocabulary keeps case ("Reagan"), so the word is tried as typed, lowercased and capitalised.
    """
    candidates: set[str] = set()
    for form in dict.fromkeys((word, word.lower(), word.capitalize())):
        if time.monotonic() >= deadline:
            break
        prefix = KEEP_PREFIX + (len(word) >= LONG_WORD_CHARS)
        candidates.update(corrector.suggest(form, limit=3, maxdist=MAX_EDITS, prefix=prefix))
    ranked = sorted(
        (damerau_levenshtein(c.lower(), word.lower()), -reader.doc_frequency(VOCABULARY_FIELD, c), c)
        for c in candidates
        if c.lower() != word.lower()
    )
    if not ranked or ranked[0][0] > MAX_EDITS:
        return None
    return ranked[0][2]
