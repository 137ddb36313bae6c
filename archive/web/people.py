"""People and places: directories, a page per person and place, and editors' correction forms.

Reading is for everyone who may read the archive. The forms (merge, rename, hide, unhide, and for places
move) are for users with the editor role; they post with the session's CSRF token. A correction from the
site takes the archive's write lock with a short wait: while an import holds it, the editor is told to
try again (409) instead of the request waiting for the import.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, abort, g, jsonify, redirect, render_template, request

from archive import corrections
from archive.errors import ArchiveError, IndexLocked, NotFound
from archive.search.request import SearchRequest
from archive.web import histogram, present
from archive.web.auth import _csrf_ok, is_editor
from archive.web.openapi import REGISTRY_PARAMETERS, check_query
from archive.web.resources import get_searcher, home
from archive.web.urls import url_with_args

bp = Blueprint("people", __name__)

#: Rows per directory page.
PAGE_SIZE = 50
#: Most rows the JSON directory gives per page.
MAX_PER_PAGE = 500
#: Latest articles a person's or place's page lists.
LATEST = 10
#: People and places shown as mentioned with one.
ALONGSIDE = 15
#: Seconds a correction from the site waits for another writer: short, so a web worker is never held
#: by an import.
SITE_LOCK_WAIT = 2.0
LOCKED = "An import or another correction is writing to the archive right now. Try again in a minute."
#: What the forms post, per kind.
SITE_VERBS = {
    "person": ("merge", "rename", "hide", "unhide"),
    "place": ("merge", "rename", "hide", "unhide", "move"),
}
KIND_OF = {"people": "person", "places": "place"}


def _kind(section: str) -> str:
    kind = KIND_OF.get(section)
    if kind is None:
        abort(404)
    return kind


def _page_number() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


def _per_page(default: int) -> int:
    try:
        return min(MAX_PER_PAGE, max(1, int(request.args.get("per_page", default))))
    except ValueError:
        return default


@bp.get("/<any(people, places):section>")
def directory(section: str):
    """Everyone (or every place) the archive found, most articles first; ``?q=`` narrows it."""
    kind = _kind(section)
    q = request.args.get("q", "").strip()
    page = _page_number()
    found = get_searcher().registry_listing(kind, q, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    last = max(1, -(-found["total"] // PAGE_SIZE))
    link = lambda n: url_with_args(f"/{section}", {"q": q or None}, page=n if n > 1 else None)  # noqa: E731
    return render_template(
        "people_index.html", section=section, kind=kind, q=q, found=found, page=page, last=last, link=link,
        entity_url=lambda key: entity_url(section, key),
    )  # fmt: skip


def entity_url(section: str, key: str) -> str:
    return f"/{section}/{quote(key, safe='/')}"


@bp.get("/<any(people, places):section>/<path:key>")
def entity(section: str, key: str):
    """One person or place: spellings, articles over time, who and what is mentioned with them, latest
    articles, corrections; the editors' forms."""
    kind = _kind(section)
    found = get_searcher().registry_entity(kind, key)
    result = None
    if found["articles"]:
        req = SearchRequest.from_args({kind: key, "sort": "newest", "per_page": str(LATEST)})
        result = get_searcher().search(req)
    facets = (result or {}).get("facets", {})
    unit, bars = histogram.bars(
        facets.get("published", []),
        lambda period: url_with_args(present.SEARCH_PATH, {kind: key}, **{"from": period, "to": period}),
    )
    people = [p for p in facets.get("person", []) if p["key"] != key][:ALONGSIDE]
    places = [p for p in facets.get("place", []) if p["key"] != key][:ALONGSIDE]
    return render_template(
        "people_entity.html", section=section, kind=kind, entity=found, result=result, bars=bars,
        bar_unit=unit, histogram=histogram, people=people, places=places,
        search_url=url_with_args(present.SEARCH_PATH, {kind: key}), editor=is_editor(),
        verbs=SITE_VERBS[kind], done=request.args.get("done"), entity_url=entity_url,
        article_url=lambda article_id: f"/articles/{quote(article_id, safe='')}",
    )  # fmt: skip


def _keys(value: str) -> list[str]:
    return [k for k in value.replace(",", " ").split() if k]


@bp.post("/<any(people, places):section>/<path:key>")
def correct(section: str, key: str):
    """An editor's correction of this person or place; then back to its page (or where it went)."""
    kind = _kind(section)
    if not is_editor():
        message = "Only editors may correct people and places. Ask an administrator for the editor role."
        return render_template("error.html", status=403, title="Cannot correct", message=message), 403
    if not _csrf_ok():
        message = "The form expired. Go back, reload the page and try again."
        return render_template("error.html", status=400, title="Form expired", message=message), 400
    verb = request.form.get("verb", "")
    if verb not in SITE_VERBS[kind]:
        abort(400)
    form = request.form
    keys = [key, *_keys(form.get("others", ""))] if verb == "merge" else [key]
    try:
        done = corrections.correct(
            home(), kind, verb, keys, who=g.auth_user, wait=SITE_LOCK_WAIT,
            name=form.get("name") or None, to=form.get("to", "").strip() or None,
            articles=_keys(form.get("articles", "")),
        )  # fmt: skip
    except IndexLocked:
        return render_template("error.html", status=409, title="Archive busy", message=LOCKED), 409
    except NotFound as exc:
        return render_template("error.html", status=404, title="Not found", message=str(exc)), 404
    except ArchiveError as exc:
        return render_template("error.html", status=400, title="Cannot correct", message=str(exc)), 400
    target = done["rule"].get("to") if verb == "move" else key
    return redirect(entity_url(section, target) + f"?done={done['id']}", code=303)


@bp.get("/api/<any(people, places):section>")
def api_directory(section: str):
    """The directory as JSON: ``{"total", "page", "per_page", "items": [{key, name, variants, articles}]}``."""
    kind = _kind(section)
    check_query(request.args, REGISTRY_PARAMETERS)  # the OpenAPI document's contract
    page, per_page = _page_number(), _per_page(PAGE_SIZE)
    found = get_searcher().registry_listing(
        kind, request.args.get("q", ""), offset=(page - 1) * per_page, limit=per_page
    )
    return jsonify({"total": found["total"], "page": page, "per_page": per_page, "items": found["items"]})


@bp.get("/api/<any(people, places):section>/<path:key>")
def api_entity(section: str, key: str):
    return jsonify(get_searcher().registry_entity(_kind(section), key))


def init_app(app) -> None:
    app.register_blueprint(bp)
