"""Exports: the whole result set of a search, streamed as CSV or JSON, with the query recorded in the file.

No cap: rows are written as the engine yields them, so memory stays flat however large the result set.
Each export opens its own searcher (not the request's), because the response body is produced after the
view has returned, and closes it when the stream ends.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import chain

from flask import Blueprint, Response, request

from archive.search.request import SearchRequest
from archive.web import resources
from archive.web.urls import search_args, url_with_args

bp = Blueprint("export", __name__)

COLUMNS = ["id", "title", "published", "source", "url", "persons", "places", "snippet"]
#: Spreadsheets run cells that start like a formula; an imported article must not run in Excel either.
FORMULA_START = re.compile(r"^(?:[=+@\t\r]|-(?![\d.]))")
TAG = re.compile(r"<[^>]*>")
#: Rows per chunk written to the socket: small enough to start at once, large enough to be efficient.
ROWS_PER_CHUNK = 200


def snippet_text(hit: dict) -> str:
    """The best snippet as plain text (marks dropped, entities unescaped)."""
    value = hit.get("snippet")
    if value is None and hit.get("snippets"):
        value = hit["snippets"][0]
    if isinstance(value, dict):
        value = value.get("html") or value.get("text") or ""
    return html.unescape(TAG.sub("", value or "")).strip()


def _names(items) -> list[str]:
    return [i["name"] if isinstance(i, dict) else str(i) for i in items or []]


def export_row(hit: dict) -> dict:
    return {
        "id": hit.get("id"),
        "title": hit.get("title"),
        "published": hit.get("published"),
        "source": hit.get("source"),
        "url": hit.get("url"),
        "persons": _names(hit.get("persons")),
        "places": _names(hit.get("places")),
        "snippet": snippet_text(hit),
    }


def _cell(value) -> str:
    text = "; ".join(value) if isinstance(value, list) else ("" if value is None else str(value))
    return "'" + text if FORMULA_START.match(text) else text


def _query_record(args) -> dict:
    return {
        "query": {k: (v if len(v) > 1 else v[0]) for k, v in args.lists()},
        "search_url": request.host_url.rstrip("/") + url_with_args("/search", args),
        "exported_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
    }


def _drop_paging(args) -> None:
    """An export is the whole result set: paging is not part of its query."""
    args.poplist("page")
    args.poplist("per_page")


def _open(args):
    req = SearchRequest.from_args(args)
    return req, resources.new_searcher()


def _started(searcher, req) -> Iterator[dict]:
    """Every result, with the search already run: a query that fails (bad, too slow) fails here, as a
    400 before any byte of the file is sent, instead of cutting the download short."""
    hits = _all(searcher, req)
    first = next(hits, None)
    return iter(()) if first is None else chain([first], hits)


def _all(searcher, req) -> Iterator[dict]:
    """Every result, the searcher closed as soon as the last one is out (its files are not held open
    while the last chunk is sent, nor until garbage collection when a client never closes the body)."""
    try:
        yield from searcher.iter_all(req)
    finally:
        searcher.close()


def _download(body: Iterator[str], mimetype: str, extension: str, searcher) -> Response:
    """The streamed attachment; the searcher also closes when the server closes the body (a client that
    hung up before the end)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    response = Response(body, mimetype=mimetype)
    response.call_on_close(searcher.close)
    response.headers["Content-Disposition"] = f'attachment; filename="archive-export-{stamp}.{extension}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/export.csv")
def export_csv():
    """CSV: a ``#`` comment line recording the query and time, a header row, one row per article."""
    args = search_args(request.args)
    _drop_paging(args)
    req, searcher = _open(args)
    hits = _started(searcher, req)
    record = _query_record(args)

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write(f"# query: {record['search_url']} exported_at: {record['exported_at']}\n")
        writer.writerow(COLUMNS)
        for n, hit in enumerate(hits, 1):
            row = export_row(hit)
            writer.writerow([_cell(row[c]) for c in COLUMNS])
            if n % ROWS_PER_CHUNK == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return _download(rows(), "text/csv", "csv", searcher)


@bp.get("/export.json")
def export_json():
    """JSON: ``{"query": ..., "search_url": ..., "exported_at": ..., "results": [...], "count": n}``."""
    args = search_args(request.args)
    _drop_paging(args)
    req, searcher = _open(args)
    hits = _started(searcher, req)
    record = _query_record(args)

    def chunks() -> Iterator[str]:
        head = json.dumps(record, ensure_ascii=False)
        yield head[:-1] + ', "results": ['
        count = 0
        parts: list[str] = []
        for count, hit in enumerate(hits, 1):
            parts.append(("," if count > 1 else "") + "\n" + json.dumps(export_row(hit), ensure_ascii=False))
            if len(parts) >= ROWS_PER_CHUNK:
                yield "".join(parts)
                parts = []
        yield "".join(parts) + f'\n], "count": {count}}}\n'

    return _download(chunks(), "application/json", "json", searcher)
