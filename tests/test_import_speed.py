"""Import speed without a changed entity (issue 16): NER on numpy's BLAS, one thread, instead of thinc's
blis; what every worker needs loaded once, before the fork."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from thinc.api import NumpyOps

from archive.entities import ner
from tests.conftest import WIKINEWS

#: Wikinews seed articles compared: a few thousand sentences of real news, some seconds of NER.
COMPARED = 40


def _layers(nlp):
    return [node for name in nlp.pipe_names for node in nlp.get_pipe(name).model.walk()]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    lines = WIKINEWS.read_text(encoding="utf-8").splitlines()[:COMPARED]
    return [json.loads(line)["text"] for line in lines]


def test_ner_runs_on_numpy_blas():
    assert all(not layer.ops.use_blis for layer in _layers(ner.load()))


def test_numpy_blas_finds_the_entities_blis_finds(texts):
    nlp = ner.load()
    ours = list(ner.entities(texts))
    layers = _layers(nlp)
    kept = [layer.ops for layer in layers]
    try:
        for layer in layers:
            layer.ops = NumpyOps(use_blis=True)
        with_blis = list(ner.entities(texts))
    finally:
        for layer, ops in zip(layers, kept, strict=True):
            layer.ops = ops
    assert sum(map(len, ours)) > 10 * COMPARED  # real news: persons, places and organisations
    assert ours == with_blis


def test_warm_up_loads_what_each_worker_would_load_again():
    """In a fresh process: after warm_up, the language detector and the given names are loaded too."""
    code = (
        "from archive import entities\n"
        "entities.warm_up()\n"
        "from archive.entities import language, persons\n"
        "print(language._identifier.cache_info().currsize, persons._given_names.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "1"]
