"""Search latency on Reuters-21578 (+ the seeds): ours in-process and over HTTP, next to SQLite FTS5.

Builds (or reuses, ``--home``) an archive of all of Reuters-21578 and the seeds through the real
importer, then answers a fixed set of realistic queries (top 10, exact total, person/place/month facets
and snippets) four ways in one run, a first cold pass reported apart from the warm passes:

- ours in-process: the engine with a searcher kept open (the site's pool, :mod:`archive.search.whoosh.kept`),
  answer serialised to JSON, with the web worker's malloc settings (:mod:`archive.memory`);
- ours over HTTP: ``/api/search`` served by gunicorn as the ``Procfile`` runs it, one keep-alive client;
- SQLite FTS5 built from the catalog, the same answers (``benchmarks/fts5.py``);
- optionally bare Whoosh top 10 (``--bare``).

Then the first search after an import (a copy of the archive served by gunicorn, small imports into it,
each followed at once by searches on new connections), the start-up of ``archive search/show/stats``,
and an exactness check on a sample (each facet count equals the total with that facet as a filter;
single-word totals equal Whoosh's own count of distinct articles). Targets (issue 16) are printed
beside the figures.

Examples::

    python benchmarks/search.py --home /tmp/r1                      # 1x: build once, then reuse
    python benchmarks/search.py --home /tmp/r1 --ten /tmp/r10       # also 10x (long: builds it once)
    python benchmarks/search.py --copies 10 --from-home /tmp/r1 --home /tmp/r10   # 10x alone
    python benchmarks/search.py --home /tmp/r1 --search-url URLS                  # both engines, 1x
    python benchmarks/search.py --search-url URLS --search-prefix P --cluster-only  # API on a cluster

Entity extraction over Reuters takes minutes per copy, so the 10x archive is made from an imported 1x
one instead (``--ten``, ``--from-home``): each article's copies get new ids and the converter's
perturbation (their paragraphs rotated), are chunked again, keep the original's persons, places and
dates, and go into the catalog and the index through the same functions the importer uses.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive.memory import keep_search_memory  # noqa: E402

SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpora" / "reuters21578"
CONVERTER = SHARED / "tools" / "reuters_jsonl.py"

#: (query, filters): words, phrases, booleans, prefixes and fuzzy words, with and without filters.
QUERIES: list[tuple[str, dict]] = [
    ("oil", {}),
    ("said", {}),
    ("trade", {}),
    ("coffee", {}),
    ("dollar", {}),
    ("interest rates", {}),
    ("bank loans", {}),
    ("crude oil prices", {}),
    ('"trade surplus"', {}),
    ('"interest rates"', {}),
    ('"stock exchange"', {}),
    ('"oil prices" OR "crude prices"', {}),
    ('"money supply"~3', {}),
    ("gold OR silver", {}),
    ("wheat OR corn OR soybeans", {}),
    ("oil -gas", {}),
    ("opec NOT saudi", {}),
    ("(gold OR silver) mine", {}),
    ("(japan OR tokyo) semiconductor", {}),
    ("comp*", {}),
    ("petro*", {}),
    ("acqui*", {}),
    ("export*", {}),
    ("bundesbnak~", {}),
    ("title:coffee", {}),
    ("title:merger", {}),
    ("Reagan", {}),
    ("Baker", {}),
    ("Volcker", {}),
    ("James Baker", {}),
    ("", {"place": "Japan"}),
    ("", {"place": "US", "from": "1987-03", "to": "1987-03"}),
    ("", {"from": "1987-04-01", "to": "1987-04-07"}),
    ("oil", {"place": "Saudi Arabia"}),
    ("trade", {"place": "Japan"}),
    ("trade deficit", {"place": "US", "from": "1987-03"}),
    ("dollar", {"person": "Baker"}),
    ("interest rates", {"person": "Volcker"}),
    ("sugar", {"from": "1987-03", "to": "1987-03"}),
    ("grain", {"to": "1987-03-15"}),
    ("shares", {"sort": "newest"}),
    ("profit OR loss", {"sort": "oldest"}),
    ("takeover bid", {"place": "GB"}),
    ("merger", {"mentioned_from": "1987", "mentioned_to": "1987"}),
]
#: Passes over the query set after the first; the first pass (cold caches) is reported on its own.
ROUNDS = 3


def build(home: Path, copies: int, workers: int) -> None:
    """Convert Reuters with the shared tool and import it, with the seeds, through the real importer."""
    from archive.importer import import_paths

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, str(CONVERTER), str(CORPUS), tmp, "--copies", str(copies)], check=True
        )  # fmt: skip
        started = time.perf_counter()
        report = import_paths([str(Path(tmp) / "reuters.jsonl"), str(ROOT / "seeds")], home, workers=workers)
        took = time.perf_counter() - started
    summary = {k: v for k, v in report.to_dict().items() if k != "items"}
    print(f"imported into {home} in {took:.0f} s: {json.dumps(summary)[:300]}")


def build_copies(source: Path, home: Path, copies: int) -> None:
    """A ``copies``-times archive from an imported one (see the module docstring)."""
    import importlib.util
    from dataclasses import replace

    from archive.chunk import chunk_text
    from archive.search.whoosh.index import create_index, open_index
    from archive.search.whoosh.schema import passage_documents
    from archive.store import Catalog

    spec = importlib.util.spec_from_file_location("reuters_jsonl", CONVERTER)
    converter = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(converter)
    started = time.perf_counter()
    create_index(home)
    ix = open_index(home)
    catalog = Catalog(home, create=True)
    writer = ix.writer(procs=2, multisegment=True, limitmb=256)
    ids: list[str] = []
    with Catalog(source) as original:
        for article in original.iter_articles(state="indexed"):
            batch = [article]
            for c in range(1, copies):
                text = converter.rotate(article.text, c)
                copy = replace(
                    article,
                    id=f"{article.id}-copy{c}",
                    text=text,
                    passages=chunk_text(text),
                    persons=[replace(p, mentions=[]) for p in article.persons],
                    places=[replace(p, mentions=[]) for p in article.places],
                )
                batch.append(copy)
            catalog.stage_articles(batch)
            for a in batch:
                for doc in passage_documents(a):
                    writer.add_document(**doc)
            ids += [a.id for a in batch]
    writer.commit()
    catalog.mark_indexed(ids)
    catalog.commit()
    catalog.close()
    print(f"built {len(ids)} articles into {home} in {time.perf_counter() - started:.0f} s")


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def api_args(q: str, filters: dict) -> dict:
    return {"q": q, **filters} if q else dict(filters)


def ours(home: Path, args: dict) -> dict:
    """One search in-process, as a web worker answers it: a pooled searcher, the answer as JSON."""
    from werkzeug.datastructures import MultiDict

    from archive.search.request import SearchRequest
    from archive.search.whoosh import kept

    pool = kept.pool(home)
    searcher = pool.acquire()
    try:
        return json.loads(json.dumps(searcher.search(SearchRequest.from_args(MultiDict(args)))))
    finally:
        pool.release(searcher)


def timed_passes(answer, rounds: int) -> tuple[list[float], list[float], list]:
    """``answer(q, filters)`` over every query: (cold first-pass ms, warm ms, first-pass answers)."""
    cold, warm, answers = [], [], []
    for round_no in range(rounds + 1):
        for q, filters in QUERIES:
            started = time.perf_counter()
            result = answer(q, filters)
            (cold if round_no == 0 else warm).append((time.perf_counter() - started) * 1000)
            if round_no == 0:
                answers.append(result)
    return cold, warm, answers


class Client:
    """A keep-alive HTTP client of ``/api/search`` (one connection, reopened if the server closes it)."""

    def __init__(self, base: str) -> None:
        import http.client

        host, port = base.removeprefix("http://").split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=60)

    def get(self, args: dict) -> dict:
        self.connection.request("GET", "/api/search?" + urlencode(args))
        response = self.connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"/api/search?{urlencode(args)} answered {response.status}: {body[:300]!r}")
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        return json.loads(body)

    def close(self) -> None:
        self.connection.close()


def bare_whoosh(home: Path) -> list[float]:
    """The same queries on Whoosh itself: top 10 passages, filters as Whoosh filter queries."""
    from whoosh import qparser
    from whoosh import query as wq

    from archive.search.whoosh.index import open_index
    from archive.search.whoosh.schema import date_range
    from archive.store import Catalog

    ix = open_index(home)
    catalog = Catalog(home)
    parser = qparser.MultifieldParser(["title", "body", "captions"], ix.schema, group=qparser.AndGroup)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    times: list[float] = []
    try:
        with ix.searcher() as searcher:
            for _ in range(ROUNDS):
                for q, filters in QUERIES:
                    started = time.perf_counter()
                    parts = []
                    for value in [filters["person"]] if "person" in filters else []:
                        parts.append(wq.Or([wq.Term("person", k) for k in catalog.find_persons(value)]))
                    for value in [filters["place"]] if "place" in filters else []:
                        parts.append(wq.Or([wq.Term("place", k) for k in catalog.find_places(value)]))
                    if "from" in filters or "to" in filters:
                        low = date_range(filters.get("from"))[0] if "from" in filters else None
                        high = date_range(filters.get("to"))[1] if "to" in filters else None
                        parts.append(wq.NumericRange("published", low, high))
                    query = parser.parse(q) if q else wq.Every()
                    searcher.search(query, limit=10, filter=wq.And(parts) if parts else None)
                    times.append((time.perf_counter() - started) * 1000)
    finally:
        catalog.close()
    return times


def check_exact(home: Path, answers: list[dict]) -> list[str]:
    """Facet count = filtered total for a sample; single-word totals = Whoosh's distinct articles."""
    from whoosh import query as wq

    from archive.search.whoosh.index import open_index
    from archive.search.whoosh.rewrite import analyze

    problems: list[str] = []
    checked = 0
    for (q, filters), answer in list(zip(QUERIES, answers, strict=True))[::4]:
        base = api_args(q, filters)
        facets = answer["facets"]
        samples = [("person", f["key"], f["count"]) for f in facets["person"][:2]]
        samples += [("place", f["key"], f["count"]) for f in facets["place"][:2]]
        if facets["published"]:
            month = facets["published"][0]
            samples.append(("month", month["key"], month["count"]))
        for kind, key, count in samples:
            args = dict(base)
            if kind == "month":
                if "from" in args or "to" in args:
                    continue
                args.update({"from": key, "to": key})
            elif kind in args:
                continue
            else:
                args[kind] = key
            total = ours(home, args)["total"]
            checked += 1
            if total != count:
                problems.append(
                    f"{q!r} {filters}: facet {kind}={key} says {count}, filtered total is {total}"
                )
    ix = open_index(home)
    with ix.searcher() as searcher:
        for (q, filters), answer in zip(QUERIES, answers, strict=True):
            if filters or not q.isalpha():
                continue
            terms = analyze(q, exact=False)
            whoosh_q = wq.Or([wq.Term(f, terms[0]) for f in ("title", "body", "captions")])
            found = {hit["article_id"] for hit in searcher.search(whoosh_q, limit=None)}
            checked += 1
            if len(found) != answer["total"]:
                problems.append(f"{q!r}: total {answer['total']}, Whoosh finds {len(found)} articles")
    print(f"exactness: {checked} checks, {len(problems)} problems")
    return problems


def reindex_drill(home: Path, answers: list[dict]) -> list[str]:
    """Rebuild the index from the catalog (``archive reindex``), then compare each query's total and
    top-10 ids with ``answers`` (taken before). Returns the differences."""
    from archive.reindex import reindex
    from archive.search.whoosh.cache import clear
    from archive.search.whoosh.postings import clear_postings_cache

    reindex(home)
    clear()
    clear_postings_cache()
    problems = []
    for (q, filters), before in zip(QUERIES, answers, strict=True):
        after = ours(home, api_args(q, filters))
        if after["total"] != before["total"]:
            problems.append(
                f"after reindex {q!r}{filters or ''}: total {before['total']} -> {after['total']}"
            )
    return problems


#: Targets of issue 16 (ms): HTTP p95 at 1x and 10x, HTTP p95 over in-process p95, the first search
#: after an import beyond a warm one at 1x and 10x, and a read command's start-up.
TARGET_HTTP_P95 = {1: 50, 10: 100}
TARGET_HTTP_RATIO = 1.3
TARGET_FIRST_AFTER_IMPORT = {1: 500, 10: 1000}
TARGET_CLI_START = 500
#: Small imports into the served copy, each followed by first searches on fresh connections.
IMPORTS = 3
IMPORT_ARTICLES = 40
FIRST_SEARCHES = 4
AFTER_IMPORT_QUERY = {"q": "oil prices"}


def run_fts5(home: Path, tmp: Path, rounds: int) -> dict:
    import fts5

    from archive.store import Catalog

    db, took = fts5.build(home, tmp / "fts5.sqlite")
    print(f"FTS5 built from the catalog in {took:.1f} s")
    with Catalog(home) as catalog:
        cold, warm, answers = timed_passes(lambda q, f: fts5.search(db, catalog, q, f), rounds)
    db.close()
    return {"cold": cold, "warm": warm, "answers": answers}


def run_http(home: Path, rounds: int, workers: int, expected: list[dict]) -> dict:
    """The queries over HTTP; every answer must equal the in-process one."""
    from tests.web_fixtures import gunicorn

    started = time.perf_counter()
    with gunicorn(home, workers=workers) as base:
        ready = time.perf_counter() - started
        client = Client(base)
        try:
            cold, warm, answers = timed_passes(lambda q, f: client.get(api_args(q, f)), rounds)
            paired = interleaved(home, client, rounds)
        finally:
            client.close()
    differ = [f"{q!r}{f or ''}" for (q, f), a, b in zip(QUERIES, answers, expected, strict=True) if a != b]
    return {"cold": cold, "warm": warm, "ready_s": ready, "differ": differ, "paired": paired}


def interleaved(home: Path, client: Client, rounds: int) -> tuple[list[float], list[float]]:
    """Each query over HTTP and in-process in turn (which goes first alternates): (HTTP ms, in-process ms).

    The passes above measure the two paths one after the other, so a change in the machine's state
    between them (another process, the CPU's clock, caches) lands on one path only; here both share it.
    """
    http_ms, inproc_ms = [], []
    for round_no in range(rounds):
        for i, (q, filters) in enumerate(QUERIES):
            args = api_args(q, filters)
            order = ("http", "in") if (round_no + i) % 2 == 0 else ("in", "http")
            for name in order:
                started = time.perf_counter()
                client.get(args) if name == "http" else ours(home, args)
                (http_ms if name == "http" else inproc_ms).append((time.perf_counter() - started) * 1000)
    return http_ms, inproc_ms


def run_after_import(home: Path, tmp: Path, workers: int) -> list[tuple[float, float, float]]:
    """Serve a copy of the archive, import small batches into it; per import: (import s, warm ms,
    slowest first search ms on a fresh connection)."""
    import shutil

    from archive.search.whoosh.index import open_index
    from archive.search.whoosh.schema import SCHEMA
    from tests.web_fixtures import gunicorn

    if set(open_index(home).schema.names()) != set(SCHEMA.names()):
        print(f"first search after an import: skipped, {home} was built with another index schema "
              f"(run `archive reindex --home {home}`)")  # fmt: skip
        return []
    copy = tmp / "served"
    shutil.copytree(home, copy, ignore=shutil.ignore_patterns("write.lock"))
    source = _copies_for_import(home, tmp)
    out = []
    with gunicorn(copy, workers=workers) as base:
        for n in range(IMPORTS):
            warm_client = Client(base)
            for _ in range(3):
                warm_client.get(AFTER_IMPORT_QUERY)
            warm = []
            for _ in range(5):
                started = time.perf_counter()
                warm_client.get(AFTER_IMPORT_QUERY)
                warm.append((time.perf_counter() - started) * 1000)
            warm_client.close()
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "archive", "import", str(source[n]), "--home", str(copy),
                 "--no-entities", "--quiet"],
                cwd=ROOT, capture_output=True, text=True,
            )  # fmt: skip
            took = time.perf_counter() - started
            if done.returncode != 0:  # e.g. an archive built before a schema change: reindex it
                print(f"import {n + 1} failed, phase skipped: {done.stderr.strip().splitlines()[-1:]}")
                break
            firsts = []
            for _ in range(FIRST_SEARCHES):  # new connections reach both workers
                client = Client(base)
                started = time.perf_counter()
                client.get(AFTER_IMPORT_QUERY)
                firsts.append((time.perf_counter() - started) * 1000)
                client.close()
            out.append((took, statistics.median(warm), max(firsts)))
    return out


def _copies_for_import(home: Path, tmp: Path) -> list[Path]:
    """JSON Lines files of archive articles under new ids, one per import."""
    from archive.store import Catalog

    files = []
    with Catalog(home) as catalog:
        wanted = IMPORTS * IMPORT_ARTICLES
        articles = itertools.cycle(list(itertools.islice(catalog.iter_articles(state="indexed"), wanted)))
        for n in range(IMPORTS):
            path = tmp / f"import-{n}.jsonl"
            with path.open("w", encoding="utf-8") as out:
                for i in range(IMPORT_ARTICLES):
                    a = next(articles)
                    record = {
                        "id": f"{a.id}-late{n}-{i}",
                        "title": a.title,
                        "text": a.text,
                        "published": a.published,
                    }
                    out.write(json.dumps(record) + "\n")
            files.append(path)
    return files


def cli_start(home: Path, article_id: str) -> dict[str, float]:
    """Median wall seconds of three runs of each read command, in a fresh interpreter each time."""
    commands = {
        "search": ["search", "oil", "--limit", "10"],  # as typed at a terminal: no facets shown
        "search (person)": ["search", "Reagan", "--limit", "10"],
        "search --json": ["search", "oil", "--limit", "10", "--json"],  # facets: every keyword field read
        "show": ["show", article_id, "--json"],
        "stats": ["stats", "--json"],
        "people list": ["people", "list"],
    }
    out = {}
    for name, args in commands.items():
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "archive", *args, "--home", str(home)],
                cwd=ROOT, check=True, capture_output=True,
            )  # fmt: skip
            runs.append(time.perf_counter() - started)
        out[name] = statistics.median(runs)
    return out


def run_scale(label: str, scale: int, home: Path, a) -> tuple[list[list[str]], list[str]]:
    """Every measurement on one archive; returns table rows and problems."""
    from archive.search.whoosh.cache import clear
    from archive.search.whoosh.engine import open_searcher
    from archive.search.whoosh.postings import clear_postings_cache

    clear()
    clear_postings_cache()
    started = time.perf_counter()
    with open_searcher(home) as s:
        cache = s.cache
        build_ms = (time.perf_counter() - started) * 1000
    print(f"\n== {label}: {cache.article_count} articles, {cache.doc_count} passages; "
          f"searcher + per-reader cache opened in {build_ms:.0f} ms")  # fmt: skip
    rows: list[list[str]] = []
    problems: list[str] = []
    cold, warm, answers = timed_passes(lambda q, f: ours(home, api_args(q, f)), a.rounds)
    inproc = percentiles(warm)
    rows.append([label, "ours, in-process, searcher kept", *_fmt(warm, cold)])
    slowest = sorted(zip(warm[: len(QUERIES)], QUERIES, strict=True), key=lambda x: -x[0])[:5]
    print("slowest warm:", "; ".join(f"{q!r}{f or ''} {t:.0f} ms" for t, (q, f) in slowest))
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if not a.no_http:
            http = run_http(home, a.rounds, a.workers, answers)
            rows.append(
                [
                    label,
                    f"ours, HTTP /api/search (gunicorn, {a.workers} workers)",
                    *_fmt(http["warm"], http["cold"]),
                ]
            )
            print(f"gunicorn ready (warmed) in {http['ready_s']:.1f} s")
            problems += [f"HTTP answer differs from in-process: {d}" for d in http["differ"]]
            p95 = percentiles(http["warm"])[1]
            target = TARGET_HTTP_P95.get(scale)
            if target:
                print(f"HTTP p95 {p95:.1f} ms (target <= {target}); HTTP / in-process p95 {p95 / inproc[1]:.2f}x "
                      f"(target <= {TARGET_HTTP_RATIO}x)")  # fmt: skip
            (_, http_p95), (_, in_p95) = (percentiles(v) for v in http["paired"])
            print(f"interleaved, query by query: HTTP p95 {http_p95:.1f} ms, in-process p95 {in_p95:.1f} ms, "
                  f"HTTP / in-process p95 {http_p95 / in_p95:.2f}x (target <= {TARGET_HTTP_RATIO}x)")  # fmt: skip
        fts = run_fts5(home, tmp, a.rounds)
        rows.append([label, "SQLite FTS5, same answers", *_fmt(fts["warm"], fts["cold"])])
        for (q, f), mine, theirs in zip(QUERIES, answers, fts["answers"], strict=True):
            print(f"  {mine['total']:7d} {theirs['total']:7d}  {q!r} {f or ''}")
        if a.bare:
            bare = bare_whoosh(home)
            rows.append([label, "bare Whoosh top-10 (no facets, no snippets)", *_fmt(bare, bare)])
        if not a.no_import:
            after = run_after_import(home, tmp, a.workers)
            limit = TARGET_FIRST_AFTER_IMPORT.get(scale, 1000)
            for n, (took, warm_ms, first_ms) in enumerate(after, start=1):
                print(f"import {n} ({IMPORT_ARTICLES} articles, {took:.1f} s): first search {first_ms:.0f} ms, "
                      f"warm {warm_ms:.0f} ms, extra {first_ms - warm_ms:.0f} ms (target <= {limit})")  # fmt: skip
    if scale == 1:
        first_id = next(r["id"] for answer in answers for r in answer["results"])
        starts = cli_start(home, first_id)
        print("CLI start-up (median of 3): " + ", ".join(f"{k} {v:.2f} s" for k, v in starts.items())
              + f" (target <= {TARGET_CLI_START / 1000} s)")  # fmt: skip
    problems += check_exact(home, answers)
    if a.check:
        started = time.perf_counter()
        drill = reindex_drill(home, answers)
        print(f"rebuild drill: reindexed in {time.perf_counter() - started:.1f} s; "
              f"{len(QUERIES) - len(drill)}/{len(QUERIES)} same totals")  # fmt: skip
        problems += drill
    return rows, problems


def run_cluster(home: Path, url: str, prefix: str, rounds: int) -> int:
    """Both engines on the same archive (issue 13): the home copied into the cluster at ``url`` (resumed
    when already there), each query answered by each engine in-process as JSON; totals and facets
    compared, p50/p95 of each engine."""
    from archive.search.opensearch import migrate
    from archive.search.opensearch.engine import OpenSearchEngine
    from archive.search.request import SearchRequest

    started = time.perf_counter()
    sent = migrate.move(home, url, prefix=prefix)
    print(f"copied {sent} articles to {url} ({prefix}) in {time.perf_counter() - started:.0f} s")
    cluster = OpenSearchEngine(url, prefix=prefix)

    def theirs(q: str, filters: dict) -> dict:
        req = SearchRequest.from_args(api_args(q, filters))
        return json.loads(json.dumps(cluster.search(req)))

    engines = {"whoosh": lambda q, f: ours(home, api_args(q, f)), "opensearch": theirs}
    figures = {name: timed_passes(answer, rounds) for name, answer in engines.items()}
    mismatches = 0
    for i, (q, f) in enumerate(QUERIES):
        a, b = (figures[name][2][i] for name in engines)
        same = {k: a[k] for k in ("total", "stories", "facets")} == {
            k: b[k] for k in ("total", "stories", "facets")
        }
        top = [r["id"] for r in a["results"][:1]] == [r["id"] for r in b["results"][:1]]
        mismatches += not same
        print(f"  {'same' if same else 'DIFFERENT'} totals/facets, {'same' if top else 'other'} first result: "
              f"{q!r}{f or ''} {a['total']} vs {b['total']}")  # fmt: skip
        if not same:
            for key in ("total", "stories", "facets"):
                if a[key] != b[key]:
                    print(
                        f"      {key}: whoosh {json.dumps(a[key])[:300]}\n      {key}: cluster {json.dumps(b[key])[:300]}"
                    )
    print("\n| engine | warm p50 (ms) | warm p95 (ms) | first pass p95 (ms) |\n|---|---|---|---|")
    for name, (cold, warm, _) in figures.items():
        print(f"| {name} | " + " | ".join(_fmt(warm, cold)) + " |")
    print(f"{len(QUERIES) - mismatches}/{len(QUERIES)} queries with identical totals and facet counts")
    cluster.close()
    return 1 if mismatches else 0


def run_cluster_http(url: str, prefix: str, rounds: int, workers: int) -> int:
    """The queries through ``/api/search`` of a web node that has only the cluster's URL (an empty home),
    next to the same engine in-process: the issue's "p95 through the API" on an archive already in the
    cluster (no copy, no comparison with the embedded engine)."""
    from archive.search.opensearch.engine import OpenSearchEngine
    from archive.search.request import SearchRequest
    from tests.web_fixtures import gunicorn

    cluster = OpenSearchEngine(url, prefix=prefix)
    print(f"{cluster.health()['articles']} articles in the cluster ({prefix})")

    def theirs(q: str, filters: dict) -> dict:
        return json.loads(json.dumps(cluster.search(SearchRequest.from_args(api_args(q, filters)))))

    figures = {"opensearch, in-process": timed_passes(theirs, rounds)}
    saved = {k: os.environ.get(k) for k in ("ARCHIVE_SEARCH_URL", "ARCHIVE_SEARCH_PREFIX")}
    os.environ.update(ARCHIVE_SEARCH_URL=url, ARCHIVE_SEARCH_PREFIX=prefix)
    try:
        with tempfile.TemporaryDirectory() as empty, gunicorn(Path(empty), workers=workers) as base:
            client = Client(base)
            try:
                figures[f"opensearch, HTTP /api/search ({workers} workers)"] = timed_passes(
                    lambda q, f: client.get(api_args(q, f)), rounds
                )
            finally:
                client.close()
    finally:
        for key, value in saved.items():
            os.environ.pop(key) if value is None else os.environ.__setitem__(key, value)
    print("\n| path | warm p50 (ms) | warm p95 (ms) | first pass p95 (ms) |\n|---|---|---|---|")
    for name, (cold, warm, _) in figures.items():
        print(f"| {name} | " + " | ".join(_fmt(warm, cold)) + " |")
    (_, _, inproc), (_, _, http) = figures.values()
    differ = sum(
        a["total"] != b["total"] or a["facets"] != b["facets"] for a, b in zip(inproc, http, strict=True)
    )
    print(f"HTTP and in-process answers with other totals or facets: {differ}")
    cluster.close()
    return 1 if differ else 0


def _fmt(warm: list[float], cold: list[float]) -> list[str]:
    w50, w95 = percentiles(warm)
    return [f"{w50:.1f}", f"{w95:.1f}", f"{percentiles(cold)[1]:.1f}"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", type=Path, help="archive home to build into, or to reuse when it exists")
    ap.add_argument("--copies", type=int, default=1, help="Reuters copies of --home (10 for a 10x archive)")
    ap.add_argument("--workers", type=int, default=2, help="import processes; gunicorn workers")
    ap.add_argument("--from-home", type=Path, help="make the --copies archive from this imported archive")
    ap.add_argument("--ten", type=Path, metavar="HOME10", help="also run on a 10x archive (made from --home)")
    ap.add_argument("--rounds", type=int, default=ROUNDS, help="warm passes over the queries")
    ap.add_argument("--no-http", action="store_true", help="skip the gunicorn measurements")
    ap.add_argument("--no-import", action="store_true", help="skip the first-search-after-import phase")
    ap.add_argument("--bare", action="store_true", help="also time bare Whoosh top-10")
    ap.add_argument("--check", action="store_true", help="rebuild drill: reindex, then compare every total")
    ap.add_argument("--cli-only", action="store_true", help="only time the CLI's start-up on --home")
    ap.add_argument(
        "--search-url", help="also copy --home to this cluster and compare both engines (only that)"
    )
    ap.add_argument("--search-prefix", default="bench", help="the cluster indexes' prefix (--search-url)")
    ap.add_argument(
        "--cluster-only",
        action="store_true",
        help="with --search-url: the archive already there, in-process and HTTP",
    )
    a = ap.parse_args()
    keep_search_memory()  # the in-process engine runs as a web worker does
    if a.search_url and a.cluster_only:
        return run_cluster_http(a.search_url, a.search_prefix, a.rounds, a.workers)
    if a.search_url:
        if a.home is None or not (a.home / "whoosh").is_dir():
            ap.error("--search-url needs an existing --home")
        return run_cluster(a.home, a.search_url, a.search_prefix, a.rounds)
    if a.cli_only:
        if a.home is None or not (a.home / "whoosh").is_dir():
            ap.error("--cli-only needs an existing --home")
        first_id = json.loads(
            subprocess.run(
                [sys.executable, "-m", "archive", "search", "", "--limit", "1", "--json", "--home", str(a.home)],
                cwd=ROOT, check=True, capture_output=True, text=True,
            ).stdout
        )["results"][0]["id"]  # fmt: skip
        starts = cli_start(a.home, first_id)
        print("CLI start-up (median of 3): " + ", ".join(f"{k} {v:.2f} s" for k, v in starts.items()))
        return 0
    sys.path.insert(0, str(ROOT / "benchmarks"))
    tmp = None
    home = a.home
    if home is None:
        tmp = tempfile.TemporaryDirectory()
        home = Path(tmp.name) / "home"
    if not (home / "whoosh").is_dir():
        if a.from_home:
            build_copies(a.from_home, home, a.copies)
        else:
            build(home, a.copies, a.workers)
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    print(f"load average {' '.join(load)}; {len(QUERIES)} queries, a cold pass, then {a.rounds} warm")
    scales = [(f"{a.copies}x", a.copies, home)]
    if a.ten:
        if not (a.ten / "whoosh").is_dir():
            build_copies(home, a.ten, 10)
        scales.append(("10x", 10, a.ten))
    rows, problems = [], []
    for label, scale, scale_home in scales:
        more_rows, more_problems = run_scale(label, scale, scale_home, a)
        rows += more_rows
        problems += more_problems
    print("\n| scale | path | warm p50 (ms) | warm p95 (ms) | first pass p95 (ms) |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    for p in problems:
        print("  MISMATCH", p)
    if tmp is not None:
        tmp.cleanup()
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
