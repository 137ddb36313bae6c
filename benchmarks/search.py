"""Search latency on Reuters-21578 (+ the seeds), through the JSON API, against bare Whoosh.

Builds (or reuses, ``--home``) an archive of all of Reuters-21578 and the seeds through the real
importer, runs a fixed set of realistic queries through ``/api/search`` (Flask's test client: a searcher
and catalog opened per request, facets and snippets included), and prints p50/p95 next to the same
queries on bare Whoosh (top 10, no facets or snippets). Then it checks exactness on a sample: each
facet count equals the total with that facet added as a filter, and single-word totals equal Whoosh's
own count of distinct articles.

Examples::

    python benchmarks/search.py                          # 1x: build into a temporary home
    python benchmarks/search.py --home /tmp/r1           # build once, then reuse
    python benchmarks/search.py --copies 10 --home /tmp/r10
    python benchmarks/search.py --copies 10 --from-home /tmp/r1 --home /tmp/r10   # copy entities

Entity extraction over Reuters takes minutes per copy, so ``--from-home`` makes the 10x archive from
an imported 1x one instead: each article's copies get new ids and the converter's perturbation (their
paragraphs rotated), are chunked again, keep the original's persons, places and dates, and go into the
catalog and the index through the same functions the importer uses.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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
    from archive.search.index import create_index, open_index
    from archive.search.schema import passage_documents
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


def make_client(home: Path):
    """A Flask test client on the archive, or ``None`` when the web app is not available."""
    try:
        from archive.web.app import create_app
    except ImportError:
        return None
    return create_app({"TESTING": True, "ARCHIVE_HOME": str(home)}).test_client()


def api_call(client, home: Path, args: dict) -> dict:
    """One search through the JSON API (or, without the web app, the engine plus ``json.dumps``)."""
    if client is not None:
        response = client.get("/api/search?" + urlencode(args))
        if response.status_code != 200:
            raise SystemExit(
                f"/api/search?{urlencode(args)} answered {response.status_code}: {response.data!r}"
            )
        return response.get_json()
    from archive.search.engine import open_searcher
    from archive.search.request import SearchRequest

    with open_searcher(home) as searcher:
        return json.loads(json.dumps(searcher.search(SearchRequest.from_args(args))))


def time_api(client, home: Path) -> tuple[list[float], list[float], list[dict]]:
    cold, warm, answers = [], [], []
    for round_no in range(ROUNDS + 1):
        for q, filters in QUERIES:
            started = time.perf_counter()
            answer = api_call(client, home, api_args(q, filters))
            elapsed = (time.perf_counter() - started) * 1000
            (cold if round_no == 0 else warm).append(elapsed)
            if round_no == 0:
                answers.append(answer)
    return cold, warm, answers


def bare_whoosh(home: Path) -> list[float]:
    """The same queries on Whoosh itself: top 10 passages, filters as Whoosh filter queries."""
    from whoosh import qparser
    from whoosh import query as wq

    from archive.search.index import open_index
    from archive.search.schema import date_range
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


def check_exact(client, home: Path, answers: list[dict]) -> list[str]:
    """Facet count = filtered total for a sample; single-word totals = Whoosh's distinct articles."""
    from whoosh import query as wq

    from archive.search.index import open_index
    from archive.search.rewrite import analyze

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
            total = api_call(client, home, args)["total"]
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
    from archive.search.cache import clear
    from archive.search.postings import clear_postings_cache

    reindex(home)
    clear()
    clear_postings_cache()
    client = make_client(home)
    problems = []
    for (q, filters), before in zip(QUERIES, answers, strict=True):
        after = api_call(client, home, api_args(q, filters))
        if after["total"] != before["total"]:
            problems.append(
                f"after reindex {q!r}{filters or ''}: total {before['total']} -> {after['total']}"
            )
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", type=Path, help="archive home to build into, or to reuse when it exists")
    ap.add_argument("--copies", type=int, default=1, help="Reuters copies (10 for the 10x archive)")
    ap.add_argument("--workers", type=int, default=2, help="import worker processes")
    ap.add_argument("--from-home", type=Path, help="make the --copies archive from this imported archive")
    ap.add_argument(
        "--check",
        action="store_true",
        help="rebuild drill: reindex the home, then compare every query's total",
    )
    a = ap.parse_args()
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
    from archive.search.cache import clear
    from archive.search.engine import open_searcher
    from archive.search.postings import clear_postings_cache

    clear()
    clear_postings_cache()
    started = time.perf_counter()
    with open_searcher(home) as s:
        cache = s.cache
        build_ms = (time.perf_counter() - started) * 1000
    print(
        f"archive: {cache.article_count} articles, {cache.doc_count} passages; "
        f"per-reader cache built in {build_ms:.0f} ms"
    )
    client = make_client(home)
    path = "Flask test client GET /api/search" if client else "ArchiveSearcher.search + json.dumps"
    print(f"path: {path}; {len(QUERIES)} queries, first pass cold, then {ROUNDS} warm passes")
    cold, warm, answers = time_api(client, home)
    bare = bare_whoosh(home)
    c50, c95 = percentiles(cold)
    w50, w95 = percentiles(warm)
    b50, b95 = percentiles(bare)
    print(f"ours, cold (first pass):  p50 {c50:7.1f} ms   p95 {c95:7.1f} ms")
    print(f"ours, warm:               p50 {w50:7.1f} ms   p95 {w95:7.1f} ms")
    print(f"bare Whoosh top-10:       p50 {b50:7.1f} ms   p95 {b95:7.1f} ms")
    print(f"ratio ours/bare (warm):   p50 {w50 / b50:5.2f}x    p95 {w95 / b95:5.2f}x")
    slowest = sorted(zip(cold, QUERIES, strict=True), key=lambda x: -x[0])[:5]
    print("slowest cold:", "; ".join(f"{q!r}{f or ''} {t:.0f} ms" for t, (q, f) in slowest))
    for (q, filters), answer in zip(QUERIES, answers, strict=True):
        print(f"  {answer['total']:7d}  {q!r} {filters or ''}")
    problems = check_exact(client, home, answers)
    if a.check:
        started = time.perf_counter()
        drill = reindex_drill(home, answers)
        same = len(QUERIES) - len(drill)
        print(
            f"rebuild drill: reindexed in {time.perf_counter() - started:.1f} s; {same}/{len(QUERIES)} same totals"
        )
        problems += drill
    for p in problems:
        print("  MISMATCH", p)
    if tmp is not None:
        tmp.cleanup()
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
