"""Which recorded spellings of a person a searched name widens to (shared by both engines' registries).

A name search finds every spelling the registry holds for the person (other scripts, cases, full
names). Two kinds of spelling would widen it to articles about someone else: a person the word names
only by the *given* name ("baker" is not the company "Baker Hughes" NER took for a person, surname
Hughes), and a spelling that is the given name alone ("Kelley" for "Kelley Oil": any Kelley).
"""

from __future__ import annotations


def _given_key(word: str) -> str | None:
    """A one-word name as a key's given part (``"Jim"`` -> ``"james"``)."""
    try:
        from archive.entities.folding import fold
        from archive.entities.persons import canonical_given
    except ImportError:  # the entities package is optional for a bare index
        return None
    return canonical_given(fold(word))


def widened_spellings(text: str, key: str, spellings: list[str]) -> list[str] | None:
    """The spellings of person ``key`` (``surname_given``) that a search for ``text`` adds; ``None`` when
    ``text`` is one word naming the person only by the given name."""
    surname, _, given = key.partition("_")
    if not given:
        return spellings
    if len(text.split()) == 1 and _given_key(text) == given != surname:
        return None
    return [s for s in spellings if len(s.split()) > 1 or _given_key(s) != given]
