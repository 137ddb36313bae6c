"""Did you mean, on the cluster: the embedded engine's rules (:mod:`archive.search.whoosh.suggest`),
with the cluster's term suggester over the literal words (``body_exact``) as the vocabulary."""

from __future__ import annotations

from typing import Any

from opensearchpy import OpenSearch
from whoosh import query as wq
from whoosh.support.levenshtein import damerau_levenshtein

from archive.search.opensearch.client import call
from archive.search.opensearch.layout import PASSAGE
from archive.search.query import DEFAULT_FIELD
from archive.search.whoosh.rewrite import analyze
from archive.search.whoosh.suggest import (
    KEEP_PREFIX,
    LONG_WORD_CHARS,
    MAX_EDITS,
    MAX_RESPELLED_WORDS,
    MAX_WORD_CHARS,
    MIN_WORD_CHARS,
)

VOCABULARY_FIELD = "body_exact"
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
    if parsed is None:
        return None
    replacements: list[tuple[int, int, str]] = []
    tried = 0
    for leaf in parsed.leaves():
        if tried >= MAX_RESPELLED_WORDS:
            break
        if type(leaf) is not wq.Term or leaf.fieldname not in (DEFAULT_FIELD, "title"):
            continue
        word, start, end = leaf.text, getattr(leaf, "startchar", None), getattr(leaf, "endchar", None)
        if (
            start is None
            or end is None
            or text[start:end] != word
            or not MIN_WORD_CHARS <= len(word) <= MAX_WORD_CHARS
        ):
            continue
        folded = analyze(word, exact=False)
        if folded and _known(client, index, folded[0]):
            continue
        tried += 1
        best = _respell(client, index, word)
        if best is not None:
            replacements.append((start, end, best))
    if not replacements:
        return None
    out = text
    for start, end, new in sorted(replacements, reverse=True):
        out = out[:start] + new + out[end:]
    return out
