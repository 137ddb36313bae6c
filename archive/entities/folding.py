"""Folding: one ASCII, lowercase spelling of a name written in any script, used by every lookup."""

from __future__ import annotations

import re
from functools import lru_cache

from anyascii import anyascii

# Apostrophes vanish rather than split a word: "Mins'k" (a transliterated soft sign) folds to "minsk".
_APOSTROPHES = re.compile(r"['`\u2019\u02bc\u02b9]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")

#: Names repeat a lot across a corpus; caching the fold makes repeated lookups nearly free.
FOLD_CACHE_SIZE = 1 << 16


@lru_cache(maxsize=FOLD_CACHE_SIZE)
def fold(text: str) -> str:
    """Fold ``text`` to lowercase ASCII words separated by single spaces.

    Diacritics are dropped (Ł -> l), other scripts transliterated (Лукашенко -> lukashenko), and
    punctuation other than apostrophes becomes a word break ("U.S." -> "u s").
    """
    ascii_text = _APOSTROPHES.sub("", anyascii(text)).lower()
    return _NON_ALNUM.sub(" ", ascii_text).strip()
