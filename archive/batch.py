"""Batch search: one search per row of a list (a CSV with a ``query`` column, or one name a line).

For each row: the total, the first matching articles and the address of the full search. A row that
cannot be searched gets its error and the others go on. Used by ``archive batch-search`` and ``/batch``.
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from archive.errors import ArchiveError, BadQuery
from archive.search.request import SEARCH_PARAMS, SearchRequest

#: Column name -> search argument. ``person`` and ``place`` cells may hold several values split by ";".
COLUMNS = {
    "query": "q",
    "person": "person",
    "place": "place",
    "from": "from",
    "to": "to",
    "mentioned_from": "mentioned_from",
    "mentioned_to": "mentioned_to",
    "source": "source",
    "language": "language",
    "mode": "mode",
    "sort": "sort",
}
MULTI_SEPARATOR = ";"
#: Rows read from one CLI file: a list of officials is hundreds of names; a million-line file is a
#: mistake (each row is a search over the whole archive).
MAX_ROWS = 10_000
#: Results listed per row unless asked otherwise: the top of the list, the link has the rest.
DEFAULT_LIMIT = 3


class BatchError(ArchiveError):
    """A batch input that cannot be read at all (no ``query`` column, too many rows, not text)."""


@dataclass
class Row:
    line: int  # where it came from: the CSV line or the pasted line
    args: dict[str, Any]


@dataclass
class Batch:
    rows: list[Row]
    notices: list[str] = field(default_factory=list)  # columns ignored and why


def parse_text(text: str, max_rows: int = MAX_ROWS) -> Batch:
    """A pasted list: a CSV when its first line names a ``query`` column, else one query a line."""
    text = text.lstrip("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    header = [c.strip().lower() for c in next(csv.reader([first]), [])]
    if "query" in header:
        return parse_csv(text, max_rows)
    rows = [Row(n, {"q": line.strip()}) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    _check_count(len(rows), max_rows)
    return Batch(rows)


def parse_csv(text: str, max_rows: int = MAX_ROWS) -> Batch:
    """Rows of a CSV with a ``query`` column and optional filter columns (see :data:`COLUMNS`).

    :raises BatchError: without a ``query`` column, or with more than ``max_rows`` rows.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = [c.strip().lower() for c in next(reader, [])]
    if "query" not in header:
        found = ", ".join(repr(c) for c in header if c) or "none"
        raise BatchError(f"The CSV needs a 'query' column (one query per row); its columns are: {found}.")
    notices = []
    for name in dict.fromkeys(c for c in header if c and c not in COLUMNS):
        notices.append(
            f"Column {name!r} was ignored: not a search filter. Known columns: {', '.join(COLUMNS)}."
        )
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        if len(rows) == max_rows:
            _check_count(max_rows + 1, max_rows)
        args: dict[str, Any] = {}
        for name, value in zip(header, values, strict=False):
            key, value = COLUMNS.get(name), value.strip()
            if key is None or not value:
                continue
            if key in ("person", "place"):
                args[key] = [v.strip() for v in value.split(MULTI_SEPARATOR) if v.strip()]
            else:
                args[key] = value
        rows.append(Row(reader.line_num, args))
    return Batch(rows, notices)


def _check_count(count: int, max_rows: int) -> None:
    if count > max_rows:
        raise BatchError(f"The list has more than {max_rows:,} rows; split it into batches of {max_rows:,}.")


def search_path(args: dict[str, Any]) -> str:
    """The address of the full search on the site."""
    pairs = [(k, args[k]) for k in SEARCH_PARAMS if args.get(k)]
    return "/search?" + urlencode(pairs, doseq=True) if pairs else "/search"


def run(
    engine, batch: Batch, limit: int = DEFAULT_LIMIT, budget: float | None = None
) -> list[dict[str, Any]]:
    """Search every row, in input order, with the search ``engine`` (``archive.search.engines``).

    :param limit: articles listed per row.
    :param budget: seconds the whole batch may take (the site's bound); rows past it are not searched
        and say so. Each search also keeps the engine's own budget.
    :return: ``[{line, query, filters, total, results: [{id, title, published, source, url}], url,
        error}]`` (``total`` is ``None`` for a row with an error).
    """
    stop = time.monotonic() + budget if budget else None
    out = []
    for row in batch.rows:
        entry: dict[str, Any] = {
            "line": row.line,
            "query": row.args.get("q", ""),
            "filters": {k: v for k, v in row.args.items() if k != "q"},
            "total": None,
            "results": [],
            "url": search_path(row.args),
            "error": None,
        }
        out.append(entry)
        if stop is not None and time.monotonic() > stop:
            entry["error"] = (
                f"Not searched: the batch took longer than {budget:.0f} s; search fewer rows at a time."
            )
            continue
        try:
            entry["total"], entry["results"] = _search(engine, row.args, limit)
        except BadQuery as exc:
            entry["error"] = str(exc)
    return out


def _search(engine, args: dict[str, Any], limit: int) -> tuple[int, list[dict[str, Any]]]:
    """The total and the first ``limit`` articles of one search (no facets, no snippets)."""
    req = SearchRequest.from_args(args)
    if not req.q and not set(req.to_args()) - {"sort", "mode"}:
        raise BadQuery("The row has no query and no filter.")
    total, ids = engine.ids(req, limit)
    results = []
    for article_id in ids:
        found = engine.article(article_id)
        results.append(
            {
                "id": article_id,
                "title": found.title,
                "published": found.published,
                "source": found.source,
                "url": found.url,
            }  # fmt: skip
            if found is not None
            else {"id": article_id}
        )
    return total, results
