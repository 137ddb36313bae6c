"""Exports: the whole result set of a search, streamed as CSV or JSON, with the query recorded in the file.

No cap: rows are written as the engine yields them, so memory stays flat however large the result set.
Each export opens its own searcher (not the request's), because the response body is produced after the
view has returned, and closes it when the stream ends.

A CSV opens cleanly in Excel, Sheets and ``csv.DictReader``: a byte-order mark (Excel reads UTF-8 only
with it), the header on the first row, one row per article, and the query, time and count in the file
name and a last ``#`` line (a file without that line was cut short). JSON records them as fields.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import chain

from anyascii import anyascii
from flask import Blueprint, Response, request

from archive.errors import BadQuery
from archive.search.engines import MAX_SNIPPETS
from archive.search.request import SearchRequest
from archive.web import resources
from archive.web.openapi import EXPORT_PARAMETERS, check_query
from archive.web.urls import search_args, url_with_args

bp = Blueprint("export", __name__)

COLUMNS = ["id", "title", "published", "source", "author", "url", "persons", "places", "snippets"]
#: ``fulltext=1`` adds the article's whole text: a last CSV column, a field of each JSON result.
FULLTEXT = "fulltext"
FULLTEXT_VALUES = {"1": True, "true": True, "0": False, "false": False}
#: Excel takes a CSV for UTF-8 only when it starts with a byte-order mark (else "Łukaszenka" is garbled).
BOM = "\ufeff"
#: Spreadsheets run a cell that starts with one of these as a formula (or a DDE command); an imported
#: article must not run in Excel either, so such a cell gets a leading ``'``, unless it is a plain number.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
#: Snippets of one article in a cell: one a line.
SNIPPET_SEPARATOR = "\n"
#: Rows per chunk written to the socket: small enough to start at once, large enough to be efficient.
ROWS_PER_CHUNK = 200
#: The query's part of a file name: enough to tell exports apart, short enough for any file system.
MAX_NAME_CHARS = 60


def _names(items) -> list[str]:
    return [i["name"] if isinstance(i, dict) else str(i) for i in items or []]


def export_row(hit: dict, fulltext: bool = False) -> dict:
    """One result as exported: plain text, every snippet, names rather than keys."""
    row = {
        "id": hit.get("id"),
        "title": hit.get("title"),
        "published": hit.get("published"),
        "source": hit.get("source"),
        "author": list(hit.get("author") or []),
        "url": hit.get("url"),
        "persons": _names(hit.get("persons")),
        "places": _names(hit.get("places")),
        "snippets": list(hit.get("snippets") or []),
    }
    if fulltext:
        row["text"] = hit.get("text") or ""
    return row


def _cell(value, separator: str = "; ") -> str:
    text = separator.join(value) if isinstance(value, list) else ("" if value is None else str(value))
    return "'" + text if text.startswith(FORMULA_START) and not PLAIN_NUMBER.match(text) else text


def _fulltext(args) -> bool:
    value = args.get(FULLTEXT, "0")
    if value not in FULLTEXT_VALUES:
        raise BadQuery(f"{FULLTEXT} must be 1 or 0 (true or false); got {value[:40]!r}.")
    return FULLTEXT_VALUES[value]


def file_name(args, stamp: str, extension: str) -> str:
    """``archive-<query>-<UTC time>.<ext>``: the search in ASCII letters and digits, bounded."""
    words = " ".join(f"{k} {v}" for k, values in args.lists() for v in values)
    slug = re.sub(r"[^a-z0-9]+", "-", anyascii(words).lower()).strip("-")[:MAX_NAME_CHARS].strip("-")
    return f"archive-{slug or 'all'}-{stamp}.{extension}"


class Export:
    """One export request: its search, the moment it was asked for, and the searcher that streams it."""

    def __init__(self, extension: str) -> None:
        check_query(request.args, EXPORT_PARAMETERS)
        self.args = search_args(request.args)
        self.args.poplist("page")  # an export is the whole result set: paging is not part of its query
        self.args.poplist("per_page")
        self.args.poplist("facet_size")
        self.fulltext = _fulltext(request.args)
        self.extension = extension
        now = datetime.now(UTC).replace(microsecond=0)
        self.exported_at = now.isoformat()
        self.file_name = file_name(self.args, now.strftime("%Y%m%d-%H%M%S"), extension)
        self.search_url = request.host_url.rstrip("/") + url_with_args("/search", self.args)
        req = SearchRequest.from_args(self.args)
        self.searcher = resources.new_searcher()
        self.hits = _started(self.searcher, req)

    def record(self) -> dict:
        """What the file says about itself: the query, the search page's address, the time."""
        out = {
            "query": {k: (v if len(v) > 1 else v[0]) for k, v in self.args.lists()},
            "search_url": self.search_url,
            "exported_at": self.exported_at,
            "file_name": self.file_name,
        }
        if self.fulltext:
            out[FULLTEXT] = True
        return out

    def response(self, body: Iterator[str], mimetype: str) -> Response:
        """The streamed attachment; the searcher also closes when the server closes the body (a client
        that hung up before the end)."""
        response = Response(body, mimetype=mimetype)
        response.call_on_close(self.searcher.close)
        response.headers["Content-Disposition"] = f'attachment; filename="{self.file_name}"'
        response.headers["Cache-Control"] = "no-store"
        return response


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
        yield from searcher.iter_all(req, max_snippets=MAX_SNIPPETS)
    finally:
        searcher.close()


@bp.get("/export.csv")
def export_csv():
    """CSV: a byte-order mark, the header row, one row per article, and a last ``#`` line recording the
    query, the time and the number of articles."""
    export = Export("csv")
    columns = COLUMNS + (["text"] if export.fulltext else [])

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write(BOM)
        writer.writerow(columns)
        count = 0
        for count, hit in enumerate(export.hits, 1):
            row = export_row(hit, export.fulltext)
            writer.writerow([_cell(row[c], SNIPPET_SEPARATOR if c == "snippets" else "; ") for c in columns])
            if count % ROWS_PER_CHUNK == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        # the URL is percent-encoded and the time has no comma: this line is one cell, never quoted
        buffer.write(
            f"# query: {export.search_url}; exported_at: {export.exported_at}; articles: {count}\r\n"
        )
        yield buffer.getvalue()

    return export.response(rows(), "text/csv")


@bp.get("/export.json")
def export_json():
    """JSON: ``{"query", "search_url", "exported_at", "file_name", "results": [...], "count"}``."""
    export = Export("json")

    def chunks() -> Iterator[str]:
        head = json.dumps(export.record(), ensure_ascii=False)
        yield head[:-1] + ', "results": ['
        count = 0
        parts: list[str] = []
        for count, hit in enumerate(export.hits, 1):
            row = json.dumps(export_row(hit, export.fulltext), ensure_ascii=False)
            parts.append(("," if count > 1 else "") + "\n" + row)
            if len(parts) >= ROWS_PER_CHUNK:
                yield "".join(parts)
                parts = []
        yield "".join(parts) + f'\n], "count": {count}}}\n'

    return export.response(chunks(), "application/json")
