"""Normal-mode analysis: every form of a word is an index term, so no spelling of it is missed.

One token of text gives one or more index terms, all at the token's position (so phrases still match
through any of them):

- the folded, stemmed word: ``Dollars`` -> ``dollar``;
- a compound's parts beside the whole: ``covid-19`` -> ``covid-19``, ``covid``, ``19``; ``al-Assad`` ->
  ``al-assad``, ``al``, ``assad``; ``O'Rourke`` -> ``o'rourk``, ``rourk`` (one-letter parts and
  contraction endings are not words);
- a possessive as its owner: ``Reagan's`` -> ``reagan``;
- dotted initials as one word: ``U.S.`` -> ``us``;
- a word in capitals (2-6 characters) also as an acronym term, ``^us``, that lower-case text never
  produces: a query in capitals (``US``, ``IT``, ``WHO``) then finds the acronym, not the pronoun.

No word is a stop word: measured on Reuters, keeping them costs little index space and lets a phrase
match only the words it says (``"stock exchange"`` never matches "stock in exchange").
"""

from __future__ import annotations

import re
from functools import lru_cache

from whoosh.analysis import STOP_WORDS, Filter, RegexTokenizer
from whoosh.lang.porter import stem
from whoosh.lang.stopwords import stoplists
from whoosh.support.charset import accent_map

#: Words: letters and digits, with inner apostrophes, dots or hyphens kept ("U.S", "o'neill", "covid-19").
WORD_PATTERN = r"\w+(?:[.'’\-]\w+)*"
#: Marks an acronym term; the tokenizer's words never contain it, so ``^us`` never meets "us".
ACRONYM_MARK = "^"
#: A word in capitals this long at most is read as an acronym too (NASDAQ, UNESCO); longer ones are
#: shouted words.
ACRONYM_MAX_CHARS = 6
#: Endings after an apostrophe that are contractions, not words ("we'll", "they're", "I've").
CONTRACTIONS = frozenset({"ll", "re", "ve"})
#: English function words and their stems. A query word in capitals that folds to one of these (US, IT,
#: WHO, AM; WA, the stem of "was") means only the acronym; any other (NATO, OPEC) also finds the word
#: in lower case ("Nato").
FUNCTION_WORDS = frozenset(STOP_WORDS) | frozenset(stoplists["en"])
FUNCTION_TERMS = FUNCTION_WORDS | frozenset(stem(w) for w in FUNCTION_WORDS)
#: Changes whenever an index term of some word changes: an index built with another version needs
#: ``archive reindex`` (searches say so).
ANALYSIS_VERSION = 2
#: Distinct words whose forms are remembered: analysis runs per token at import and per word in snippets.
FORMS_CACHE = 1 << 18

_SPLIT = re.compile(r"[-'.]")
_POSSESSIVE = re.compile(r"['’][sS]$")


def fold(text: str) -> str:
    """Lower case, diacritics folded, typographic apostrophes made plain."""
    return text.lower().translate(accent_map).replace("’", "'")


def is_acronym(word: str) -> bool:
    """A word in capitals (digits allowed, dots between single letters allowed): ``US``, ``U.S``, ``G7``."""
    letters = word.replace(".", "")
    return (
        2 <= len(letters) <= ACRONYM_MAX_CHARS
        and letters.isalnum()
        and letters.isupper()
        and ("." not in word or is_initials(word))
    )


def is_initials(word: str) -> bool:
    """Single letters joined by dots, as the tokenizer cuts them ("U.S" of "U.S.")."""
    parts = word.split(".")
    return len(parts) > 1 and all(len(p) == 1 and p.isalpha() for p in parts)


def acronym_term(word: str) -> str:
    return ACRONYM_MARK + fold(word.replace(".", ""))


@lru_cache(maxsize=FORMS_CACHE)
def word_forms(word: str) -> tuple[str, ...]:
    """The index terms of one token, its main form first."""
    if _POSSESSIVE.search(word) and len(word) > 3:
        return word_forms(word[:-2])
    folded = fold(word)
    if "-" in word and not folded.replace("-", "").replace(".", "").isdigit():
        # a compound: the whole, then every form of each part ("Sino-U.S" -> ..., us, ^us)
        last = _SPLIT.split(folded)[-1]
        forms = [folded[: len(folded) - len(last)] + stem(last)]
        for part in word.split("-"):
            if len(part) > 1:
                forms.extend(word_forms(part))
    elif is_initials(word):
        forms = [folded.replace(".", "")]
    else:
        segments = [s for s in _SPLIT.split(folded) if s]
        if len(segments) <= 1:
            forms = [stem(folded)]
        elif all(s.isdigit() for s in segments):  # 5.93, 1-2: a number as written
            forms = [folded]
        else:
            forms = [folded[: len(folded) - len(segments[-1])] + stem(segments[-1])]
            after_apostrophe = {m.end() for m in re.finditer("'", folded)}
            position = 0
            for segment in segments:
                start = folded.index(segment, position)
                position = start + len(segment)
                if len(segment) < 2 or (start in after_apostrophe and segment in CONTRACTIONS):
                    continue
                forms.append(stem(segment))
    if is_acronym(word):
        forms.append(acronym_term(word))
    return tuple(dict.fromkeys(forms))


def query_forms(word: str) -> tuple[tuple[str, ...], list[str]]:
    """How a typed word searches: the terms any of which it matches, and a compound's parts.

    A word in capitals matches its acronym term (and the word itself unless it is a function word);
    a compound also matches its parts as a phrase (``covid-19`` finds "covid 19").
    """
    forms = word_forms(word)
    if is_acronym(word):
        acronym = acronym_term(word)
        main = forms[0]
        return ((acronym,) if main in FUNCTION_TERMS else (acronym, main)), []
    main = forms[0]
    if "-" not in word:
        return (main,), []
    parts = [word_forms(p)[0] for p in word.split("-") if len(p) > 1]
    return (main,), parts if len(parts) > 1 else []


class FormsFilter(Filter):
    """Replaces each token by its index forms (:func:`word_forms`), all at the token's position."""

    def __init__(self) -> None:
        self.version = ANALYSIS_VERSION  # pickled with the index's schema

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, tokens):
        for t in tokens:
            word = t.text
            for form in word_forms(word):
                t.text = form
                yield t


def is_current(schema) -> bool:
    """Whether an index's schema analyses its text as this version does."""
    analyzer = schema["body"].analyzer if "body" in schema else None
    return any(getattr(f, "version", None) == ANALYSIS_VERSION for f in getattr(analyzer, "items", ()))


def analyzer():
    """The normal-mode analyzer of the text fields."""
    return RegexTokenizer(WORD_PATTERN) | FormsFilter()
