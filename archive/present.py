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


def article_json(article: Article, catalog: Any) -> dict[str, Any]:
    """The article as ``/api/articles/<id>`` returns it, with its ``story`` and its ``copies``
    (``[{id, title, source, published}]``) from the open ``catalog``."""
    data = article.to_dict()
    out = {name: data[name] for name in ARTICLE_FIELDS}
    out["story"], out["copies"] = catalog.story_and_copies(article.id)
    return out
