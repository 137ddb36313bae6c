"""The language of an article: the one a record states, else the one py3langid reads in its text.

The archive analyses five languages (:data:`archive.languages.SUPPORTED`). The detector chooses among those and a few
neighbours it would otherwise confuse them with, so a German or Czech article is not called Polish; a
language outside them is kept on the article and read like English.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from archive.languages import NAMES, SUPPORTED

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

#: What the detector may answer: the supported languages and the European ones news beside them is
#: written in. Restricting the set is what makes it reliable on Cyrillic (uk/be/ru differ in a few
#: letters, and the full 97-language model drifts to mk, bg or kk on short texts).
CANDIDATES = tuple(NAMES)
#: The detector reads at most this many characters: a few paragraphs decide, and the cost stays flat.
SAMPLE_CHARS = 3000
#: Fewer letters than this decide nothing (a title of two words, a number): no language is recorded.
MIN_LETTERS = 12


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE)
    ident.set_languages(list(CANDIDATES))
    return ident


def detect(text: str) -> str | None:
    """The ISO 639-1 code of the language ``text`` is written in, or ``None`` when it is too short."""
    sample = text[:SAMPLE_CHARS]
    if sum(c.isalpha() for c in sample) < MIN_LETTERS:
        return None
    return _identifier().classify(sample)[0]


__all__ = ["detect", "SUPPORTED"]
