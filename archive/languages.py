"""The languages the archive knows, by ISO 639-1 code: which it analyses, and their English names.

Kept apart from the entity code so the search and the site can name a language without loading it.
"""

from __future__ import annotations

#: The languages the archive analyses and extracts entities in.
SUPPORTED = ("en", "ru", "uk", "be", "pl")
#: English names, for the facet and the article page: the supported languages and the European ones
#: news beside them is written in (the detector's other candidates, archive.entities.language).
NAMES = {
    "en": "English",
    "ru": "Russian",
    "uk": "Ukrainian",
    "be": "Belarusian",
    "pl": "Polish",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "cs": "Czech",
    "sk": "Slovak",
    "lt": "Lithuanian",
    "bg": "Bulgarian",
    "sr": "Serbian",
}


def language_name(code: str) -> str:
    """``"ru"`` -> ``"Russian"``; a code the archive does not name is shown as it is."""
    return NAMES.get(code, code)


def analysed_as(code: str | None) -> str:
    """The language whose analysis and entity extraction an article gets: its own, or English."""
    return code if code in SUPPORTED else "en"
