"""The JSON shapes shared by the CLI and the HTTP API, so ``show --json`` and ``/api/articles/<id>`` agree."""

from __future__ import annotations

from typing import Any

from archive.models import Article

#: Fields of an article as DESIGN 3.4 lists them, in that order.
ARTICLE_FIELDS = (
    "id",
    "title",
    "published",
    "url",
    "source",
    "author",
    "language",
    "text",
    "captions",
    "passages",
    "persons",
    "places",
    "dates",
    "extra",
)


def article_json(article: Article) -> dict[str, Any]:
    """The article as ``/api/articles/<id>`` returns it."""
    data = article.to_dict()
    return {name: data[name] for name in ARTICLE_FIELDS}
