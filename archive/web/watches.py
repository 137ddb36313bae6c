"""Watches on the site: the ``/watches`` page, "Watch this search", and an Atom feed per watch.

Who may do what: anyone who may read the archive may list watches and read their feeds (on a private
archive that is a logged-in user, or a feed reader sending HTTP Basic). Adding or removing one is a
state change, so it needs a logged-in browser session and the form's CSRF token; an open archive has no
sessions, so there watches are added with ``archive watch add`` and the site only shows them. The site
writes only the watch tables of the catalog, one short transaction per change, never the index.
"""

from __future__ import annotations

import re

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for

from archive import watches
from archive.errors import ArchiveError, BadQuery
from archive.search.request import SearchRequest
from archive.store import Catalog
from archive.web.auth import _csrf_ok  # the login form's own check, so both forms agree
from archive.web.resources import get_catalog, get_searcher, home
from archive.web.urls import search_args

bp = Blueprint("watches", __name__)

#: Entries in a watch's feed: its latest-arrived matches (a feed reader keeps what it has seen).
FEED_ENTRIES = 50
#: New matches listed per watch on the page (the count says how many there are).
PAGE_ENTRIES = 20
#: Characters that may not appear in XML 1.0 text: dropped from what the feed carries.
NOT_XML = re.compile(r"[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
OPEN_ARCHIVE = (
    "This archive has no users, so the site cannot tell who adds a watch: add one with "
    "`archive watch add NAME QUERY`, and it shows here."
)


def can_edit() -> bool:
    """A logged-in browser session (not HTTP Basic: a form post needs the session's CSRF token)."""
    return bool(g.get("auth_user")) and session.get("user") == g.get("auth_user")


def _refuse_unless_editor():
    if not can_edit():
        message = OPEN_ARCHIVE if not g.get("private") else "Log in to add or remove watches."
        return render_template("error.html", status=403, title="Cannot change watches", message=message), 403
    if not _csrf_ok():
        message = "The form expired. Go back, reload the page and try again."
        return render_template("error.html", status=400, title="Form expired", message=message), 400
    return None


@bp.get("/watches")
def index():
    """Every watch with the matches that arrived since its last run (nothing is marked seen here)."""
    catalog = get_catalog()
    found = watches.watches(catalog)
    engine = get_searcher() if found else None
    report = watches.run(home(), mark=False, budget=engine.time_budget if engine else None,
                         catalog=catalog, engine=engine)  # fmt: skip
    by_name = {entry["name"]: entry for entry in report}
    items = [{"watch": w, **by_name[w.name]} for w in found]
    return render_template("watches.html", items=items, can_edit=can_edit(), page_entries=PAGE_ENTRIES,
                           error=request.args.get("error"))  # fmt: skip


@bp.post("/watches")
def add():
    """Save the posted search as a watch (a logged-in user, with the form's CSRF token)."""
    refused = _refuse_unless_editor()
    if refused is not None:
        return refused
    try:
        req = SearchRequest.from_args(search_args(request.form))
        with Catalog(home()) as catalog:
            watches.add(catalog, request.form.get("name", ""), req, user=g.get("auth_user"))
    except (BadQuery, ArchiveError) as exc:
        return render_template("error.html", status=400, title="Cannot add the watch", message=str(exc)), 400
    return redirect(url_for("watches.index"), 303)


@bp.post("/watches/<name>/remove")
def remove(name: str):
    refused = _refuse_unless_editor()
    if refused is not None:
        return refused
    try:
        with Catalog(home()) as catalog:
            watches.remove(catalog, name)
    except ArchiveError as exc:
        return render_template("error.html", status=404, title="No such watch", message=str(exc)), 404
    return redirect(url_for("watches.index"), 303)


def xml_text(value) -> str:
    return NOT_XML.sub("", "" if value is None else str(value))


@bp.get("/watches/<name>.atom")
def feed(name: str):
    """The watch's latest matches as an Atom feed, newest arrival first."""
    catalog = get_catalog()
    watch = watches.get(catalog, name)
    if watch is None:
        abort(404)
    error = None
    try:
        entries = watches.latest(get_searcher(), catalog, watch, FEED_ENTRIES)
    except BadQuery as exc:
        entries, error = [], f"This watch's search no longer runs: {exc}"
    updated = max([e["updated"] for e in entries] + [watch.created])
    body = render_template(
        "watch_feed.xml",
        watch=watch,
        entries=entries,
        error=error,
        updated=watches.iso(updated),
        iso=watches.iso,
        root=request.host_url.rstrip("/"),
        xml=xml_text,
    )
    return body, 200, {"Content-Type": "application/atom+xml; charset=utf-8"}
