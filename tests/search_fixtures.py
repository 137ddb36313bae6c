"""Fixtures for the search engine's tests: one real archive, imported once per session.

The seed article, a slice of the Wikinews sample and a hostile article go through the real importer,
so the search is tested against exactly what an import writes. An oracle reads the catalog's cleaned
articles and answers "which articles contain this word" independently of the index.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED_ARTICLE = ROOT / "seeds" / "000_be4fb1b354845740.txt"
WIKINEWS = ROOT / "seeds" / "wikinews-en" / "articles.jsonl"
#: Wikinews records in the fixture: enough to page through and to give facets several values.
WIKINEWS_RECORDS = 45

HOSTILE_ID = "search-hostile-1"
SCRIPT = "<script>alert(1)</script>"
MARK_ATTACK = '<mark onclick="steal()">clickme</mark>'
HOSTILE = {
    "id": HOSTILE_ID,
    "title": "Markup in the zebrafish report",
    "text": (
        f"The zebrafish committee reviewed the page. {SCRIPT} was pasted into the zebrafish notes, and "
        f"{MARK_ATTACK} too, with <b>bold</b> & <i>italic</i> tags.\n\n"
        "A second paragraph about the zebrafish budget & the committee's vote."
    ),
    "published": "2024-02-03",
    "source": "Test Wire",
}


@pytest.fixture(scope="session")
def search_home(tmp_path_factory) -> Path:
    """An archive of the seed article, 45 Wikinews records and one hostile article."""
    from archive.importer import import_paths

    inputs = tmp_path_factory.mktemp("search-inputs")
    lines = WIKINEWS.read_text(encoding="utf-8").splitlines()[:WIKINEWS_RECORDS]
    (inputs / "wikinews.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (inputs / "hostile.jsonl").write_text(json.dumps(HOSTILE) + "\n", encoding="utf-8")
    home = tmp_path_factory.mktemp("search-home")
    paths = [str(SEED_ARTICLE), str(inputs / "wikinews.jsonl"), str(inputs / "hostile.jsonl")]
    report = import_paths(paths, home)
    assert not report.failed, report.to_dict()["failed"]
    return home


@pytest.fixture(scope="session")
def articles(search_home):
    """Every article of the fixture archive as the catalog holds it: ``{id: Article}``."""
    from archive.store import Catalog

    with Catalog(search_home) as catalog:
        return {a.id: a for a in catalog.iter_articles()}


@pytest.fixture
def searcher(search_home):
    from archive.search.whoosh.engine import open_searcher

    s = open_searcher(search_home)
    yield s
    s.close()


def article_terms(article) -> set[str]:
    """The folded index terms of an article's title, text and captions, every form (the oracle's view)."""
    from archive.search.whoosh.schema import FOLDED

    text = " ".join([article.title or "", article.text or "", article.captions or ""])
    return {t.text for t in FOLDED(text)}


def containing(articles: dict, word: str) -> set[str]:
    """Ids of the articles whose title, text or captions hold ``word`` (folded and stemmed)."""
    from archive.search.whoosh.rewrite import analyze

    (term,) = analyze(word, exact=False)
    return {aid for aid, a in articles.items() if term in article_terms(a)}
