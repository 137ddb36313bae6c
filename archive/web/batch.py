"""Batch search on the site: ``/batch`` takes a CSV upload or a pasted list and shows one row per search.

The page keeps no state: the table's sort links and downloads post the same list again (it rides in
the form), so sorting works without JavaScript and a download is exactly the table on screen. The list
is bounded (:data:`MAX_ROWS`, :data:`MAX_BYTES`) and so is the time the whole batch may take.
"""

from __future__ import annotations

import csv
import io
import json

from flask import Blueprint, Response, g, render_template, request

from archive import batch
from archive.errors import ArchiveError
from archive.web.auth import _csrf_ok  # the login form's own check, so every form agrees
from archive.web.export import _cell  # the export's formula guard: one rule for every CSV
from archive.web.resources import get_searcher
from archive.web.urls import search_args

bp = Blueprint("batch", __name__)

#: Rows one request may search: a newsroom's list of officials is a few hundred names; more is a job for
#: ``archive batch-search``, which holds no web worker.
MAX_ROWS = 500
#: Bytes of upload or pasted text: 500 rows of names and filters fit many times over.
MAX_BYTES = 256 * 1024
#: Seconds the whole batch may take on a web worker; rows past it say they were not searched.
TIME_BUDGET_SECONDS = 30.0
#: Articles listed per row on the page.
RESULTS_PER_ROW = 3
SORTS = {"": "input order", "total": "most results first", "-total": "fewest results first"}
CSV_COLUMNS = ["line", "query", "filters", "total", "first_match", "url", "error"]


@bp.before_request
def bound_the_body() -> None:
    request.max_content_length = MAX_BYTES  # the site's default is sized for the login form


def _form_text() -> str:
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        raw = upload.read()
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise batch.BatchError("The uploaded file is not UTF-8 text; save it as CSV UTF-8.") from None
    return request.form.get("text", "")


def _prefill(args) -> str:
    """The list an "add to batch" link carries: the search's query, as a CSV row when it has filters."""
    args = search_args(args)
    if not args:
        return ""
    filters = [k for k in batch.COLUMNS if k != "query" and batch.COLUMNS[k] in args]
    if not filters:
        return args.get("q", "")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["query", *filters])
    writer.writerow([args.get("q", ""), *(";".join(args.getlist(batch.COLUMNS[k])) for k in filters)])
    return out.getvalue()


def _sorted(rows: list[dict], sort: str) -> list[dict]:
    if sort not in ("total", "-total"):
        return rows
    sign = -1 if sort == "total" else 1
    return sorted(rows, key=lambda r: (r["total"] is None, sign * (r["total"] or 0), r["line"]))


def _run(text: str) -> tuple[list[dict], list[str]]:
    parsed = batch.parse_text(text, max_rows=MAX_ROWS)
    if not parsed.rows:
        raise batch.BatchError(
            "The list is empty: paste one query a line, or upload a CSV with a 'query' column."
        )
    return batch.run(
        get_searcher(), parsed, limit=RESULTS_PER_ROW, budget=TIME_BUDGET_SECONDS
    ), parsed.notices


def _page(text: str, status: int = 200, **context):
    context = {"text": text, "rows": None, "notices": [], "error": None, "sort": "", "sorts": SORTS,
               "max_rows": MAX_ROWS, **context}  # fmt: skip
    return render_template("batch.html", **context), status


@bp.get("/batch")
def form():
    """The form, prefilled by an "add to batch" link (``/batch?q=...&person=...``)."""
    return _page(_prefill(request.args))


def _checked_input() -> tuple[str | None, tuple | None]:
    """The posted list, or the error page to answer instead."""
    if g.get("private") and not _csrf_ok():  # an open archive has no sessions, and nothing to protect
        return None, _page("", 400, error="The form expired. Reload the page and try again.")
    try:
        return _form_text(), None
    except ArchiveError as exc:
        return None, _page("", 400, error=str(exc))


@bp.post("/batch")
def results():
    """One search per row; the table sorted as asked (``sort``: ``total`` or ``-total``)."""
    text, refused = _checked_input()
    if refused is not None:
        return refused
    sort = request.form.get("sort", "")
    try:
        rows, notices = _run(text)
    except ArchiveError as exc:
        return _page(text, 400, error=str(exc))
    return _page(text, rows=_sorted(rows, sort), notices=notices, sort=sort if sort in SORTS else "")


@bp.post("/batch.<fmt>")
def download(fmt: str):
    """The table as CSV (UTF-8 with a BOM, formula cells guarded) or JSON, in the order asked."""
    if fmt not in ("csv", "json"):
        return _page("", 404, error="Downloads are batch.csv or batch.json.")
    text, refused = _checked_input()
    if refused is not None:
        return refused
    try:
        rows, _ = _run(text)
    except ArchiveError as exc:
        return {"error": str(exc), "status": 400}, 400
    rows = _sorted(rows, request.form.get("sort", ""))
    headers = {"Content-Disposition": f'attachment; filename="batch.{fmt}"'}
    if fmt == "json":
        body = json.dumps(rows, ensure_ascii=False, indent=1)
        return Response(body, mimetype="application/json", headers=headers)
    return Response(to_csv(rows, request.host_url.rstrip("/")), mimetype="text/csv", headers=headers)


def to_csv(rows: list[dict], root: str) -> str:
    """The batch table as CSV text with a BOM (spreadsheets then read it as UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        first = r["results"][0] if r["results"] else {}
        filters = "; ".join(
            f"{k}={'|'.join(v) if isinstance(v, list) else v}" for k, v in r["filters"].items()
        )
        values = [r["line"], r["query"], filters, r["total"], first.get("title") or first.get("id"), root + r["url"],
                  r["error"]]  # fmt: skip
        writer.writerow([_cell(v) for v in values])
    return "\ufeff" + out.getvalue()


@bp.errorhandler(413)
def too_large(exc):
    message = (
        f"The list is larger than {MAX_BYTES // 1024} KB. Split it, or run `archive batch-search FILE.csv`, "
        "which has no such bound."
    )
    if request.path.endswith((".csv", ".json")):
        return {"error": message, "status": 413}, 413
    return _page("", 413, error=message)
