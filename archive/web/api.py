"""The JSON API (DESIGN 3.4): the same search as the results page, articles, and its OpenAPI description."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request

from archive.errors import NotFound
from archive.present import article_json
from archive.search.request import SearchRequest
from archive.web.openapi import SEARCH_PARAMETERS, check_query, openapi_spec
from archive.web.resources import get_searcher
from archive.web.security import valid_article_id

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def search():
    """Exactly what the engine answers; a bad request is a 400 with a message (see archive.web.errors)."""
    check_query(request.args, SEARCH_PARAMETERS)
    return jsonify(get_searcher().search(SearchRequest.from_args(request.args)))


@bp.get("/articles/<article_id>")
def article(article_id: str):
    if not valid_article_id(article_id):
        abort(404)
    engine = get_searcher()
    found = engine.article(article_id)
    if found is None:
        raise NotFound(f"There is no article with the id {article_id!r} in this archive.")
    return jsonify(article_json(found, engine))  # its story and copies, as the engine has them


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_spec(request.host_url.rstrip("/")))
