"""The HTML pages: the search page (results, facets, chips) and the article page."""

from __future__ import annotations

from functools import partial
from urllib.parse import quote

from flask import Blueprint, abort, render_template, request

from archive.errors import BadQuery, NotFound
from archive.languages import language_name
from archive.search.highlight import match_spans
from archive.search.request import MAX_FACET_SIZE, SearchRequest
from archive.web import histogram, present
from archive.web.article_html import article_body, mark_spans, render_layers
from archive.web.related import more_like_this
from archive.web.resources import get_searcher
from archive.web.security import valid_article_id
from archive.web.urls import search_args, url_with_args

bp = Blueprint("pages", __name__)

#: Each "more" link lists this many times as many people and places (20, 100, then the most, 200).
FACET_GROWTH = 5


@bp.get("/")
@bp.get("/search")
def search():
    """Results with highlighted snippets, facets, chips and paging; every state in the URL."""
    args = search_args(request.args)
    link = partial(url_with_args, present.SEARCH_PATH, args)
    try:
        req = SearchRequest.from_args(args)
        if req.collapse is None:  # the site shows one result per story unless asked for every copy
            req.collapse = True
        result = get_searcher().search(req)
    except BadQuery as exc:
        page = render_template("search.html", args=args, link=link, error=str(exc), result=None, req=None)
        return page, 400
    return render_template("search.html", args=args, link=link, error=None, req=req, result=result,
                           **_result_context(args, req, result))  # fmt: skip


def _result_context(args, req: SearchRequest, result: dict) -> dict:
    facets = result.get("facets", {})
    unit, bars = histogram.bars(
        facets.get("published", []),
        lambda key: url_with_args(present.SEARCH_PATH, args, **{"from": key, "to": key}),
    )
    return {
        "chips": present.chips(args, result),
        "place_groups": present.place_groups(facets.get("place", [])),
        "bars": bars,
        "bar_unit": unit,
        "histogram": histogram,
        "pages": present.page_links(args, _listed(req, result), result["page"], result["per_page"]),
        "last_page": present.last_page(_listed(req, result), result["per_page"]),
        # the switch between one result per story and every copy (a plain link: no JavaScript needed)
        "copies_switch": url_with_args(present.SEARCH_PATH, args, collapse="0" if req.collapse else None),
        "variants": name_variants(result),
        "article_url": partial(article_url, args),
        "facet_size": req.facet_size,
        "more_facets": more_facets_link(args, req.facet_size),
        "export_csv": url_with_args("/export.csv", args, page=None, per_page=None),
        "export_json": url_with_args("/export.json", args, page=None, per_page=None),
    }


def _listed(req: SearchRequest, result: dict) -> int:
    """How many results the pages list: stories when copies are collapsed, else articles."""
    return result["stories"] if req.collapse else result["total"]


def more_facets_link(args, size: int) -> str | None:
    """The same search listing more people and places (``facet_size``), or ``None`` at the most."""
    if size >= MAX_FACET_SIZE:
        return None
    return url_with_args(present.SEARCH_PATH, args, facet_size=min(MAX_FACET_SIZE, size * FACET_GROWTH))


def article_url(args, article_id: str, passage: int | None = None) -> str:
    """An article link that keeps the query's highlight and opens at the passage."""
    keep = {"q": args.get("q"), "mode": args.get("mode")}
    url = url_with_args(f"/articles/{quote(article_id, safe='')}", keep)
    return f"{url}#p{int(passage)}" if passage is not None else url


def name_variants(result: dict) -> list[dict]:
    """Which person each name in the query was read as, and the other spellings that matched."""
    out = []
    for e in result.get("expansions") or []:
        others = [v for v in e.get("variants", []) if v.casefold() != e.get("text", "").casefold()]
        out.append({**e, "others": others})
    if not out and result.get("variants"):
        out.append({"text": "", "key": None, "name": "", "others": list(result["variants"])})
    return out


def query_marks(q: str, exact: bool):
    """A function giving the spans of a text to mark for ``q``: the index terms the search matched.

    Asking the engine (rather than re-reading the query here) marks what the results page marked: name
    spellings the query was expanded to, prefix and fuzzy matches. A query that cannot run marks nothing.
    """
    terms: set[str] = set()
    if q.strip():
        try:
            req = SearchRequest.from_args({"q": q, "mode": "exact" if exact else "normal"})
            terms = get_searcher().marked_terms(req)
        except BadQuery:
            pass
    return lambda text: match_spans(text, terms, exact)


def entity_link(kind: str, value: str) -> str:
    """The search that filters the archive by one person, place or mentioned date."""
    if kind == "date":
        return url_with_args(present.SEARCH_PATH, {}, mentioned_from=value, mentioned_to=value)
    return url_with_args(present.SEARCH_PATH, {}, **{kind: value})


@bp.get("/articles/<article_id>")
def article(article_id: str):
    """The full text with passage anchors (#pN), the query's words marked and entities linked."""
    if not valid_article_id(article_id):
        abort(404)
    engine = get_searcher()
    found = engine.article(article_id)
    if found is None:
        raise NotFound(f"There is no article with the id {article_id!r} in this archive.")
    q = request.args.get("q", "")
    exact = request.args.get("mode") == "exact"
    marks = query_marks(q, exact)
    back = url_with_args(present.SEARCH_PATH, {"q": q, "mode": "exact" if exact else None})
    return render_template(
        "article.html",
        article=found,
        body=article_body(found, entity_link, marks(found.text)),
        captions=render_layers(found.captions or "", [mark_spans(marks(found.captions or ""))]),
        q=q,
        back=back if q else None,
        related=more_like_this(found),
        copies=engine.story_and_copies(found.id)[1],
        entity_link=entity_link,
        language_name=language_name,
    )
