"""Did you mean, on the cluster: the embedded engine's rules (:mod:`archive.search.whoosh.suggest`),
with the cluster's term suggester over the literal words (``body_exact``) as the vocabulary."""

from __future__ import annotations

from typing import Any

from opensearchpy import OpenSearch
from whoosh import query as wq
from whoosh.support.levenshtein import damerau_levenshtein

from archive.search.opensearch.client import call
from archive.search.opensearch.layout import PASSAGE
from archive.search.whoosh.suggest import (
    KEEP_PREFIX,
    LONG_WORD_CHARS,
    MAX_EDITS,
    MIN_WORD_CHARS,
    VOCABULARY_FIELD,
    respelled,
)

#: Spellings the suggester offers per form of a word (as Whoosh's corrector, ``limit=3``).
CANDIDATES = 3


def _known(client: OpenSearch, index: str, term: str) -> bool:
    body = {"query": {"bool": {"filter": [{"term": {"doc": PASSAGE}}, {"term": {"body_terms": term}}]}}}
    return call(lambda: client.count(index=index, body=body))["count"] > 0


def _respell(client: OpenSearch, index: str, word: str) -> str | None:
    """The vocabulary's spelling closest to ``word`` ignoring case, the more frequent one on a tie."""
    forms = list(dict.fromkeys((word, word.lower(), word.capitalize())))
    prefix = KEEP_PREFIX + (len(word) >= LONG_WORD_CHARS)
    suggest: dict[str, Any] = {
        f"f{i}": {
            "text": form,
            "term": {
                "field": VOCABULARY_FIELD,
                "size": CANDIDATES,
                "max_edits": MAX_EDITS,
                "prefix_length": prefix,
                "min_word_length": MIN_WORD_CHARS,
                "suggest_mode": "always",
                "string_distance": "damerau_levenshtein",
            },
        }
        for i, form in enumerate(forms)
    }
    response = call(lambda: client.search(index=index, body={"size": 0, "suggest": suggest}))
    freq: dict[str, int] = {}
    for entries in response.get("suggest", {}).values():
        for entry in entries:
            for option in entry["options"]:
                freq[option["text"]] = max(freq.get(option["text"], 0), option["freq"])
    ranked = sorted(
        (damerau_levenshtein(c.lower(), word.lower()), -n, c)
        for c, n in freq.items()
        if c.lower() != word.lower()
    )
    if not ranked or ranked[0][0] > MAX_EDITS:
        return None
    return ranked[0][2]


def suggestion(client: OpenSearch, index: str, parsed: wq.Query | None, text: str) -> str | None:
    """The query text with each unknown plain word replaced by the closest frequent spelling."""
    return respelled(
        parsed,
        text,
        known=lambda term: _known(client, index, term),
        closest=lambda word: _respell(client, index, word),
    )
