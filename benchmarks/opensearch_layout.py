"""Nested or parent/child? Reuters-21578 in both OpenSearch layouts: indexing rate, size, query latency and
exactness of totals and facets.

Needs the local cluster (``make opensearch``) or ``--url``. The articles come from the archive's own
reader, normalisation and chunking (``importer.prepare``, entities off for speed); their person and place
facet values are Reuters' own PEOPLE and PLACES tags (the converter's gold file), so the facets are as
large as real ones without minutes of NER.

For every query and layout it prints p50/p95 over ``--rounds`` searches (client-side, through
opensearch-py), and proves exactness three ways: the total equals the number of matching ids fetched by a
scroll; each facet's counts equal counts computed in Python from those ids and the tags; each facet count
equals the total of the same query filtered by that value. Both layouts must agree on every total.

Example::

    make opensearch && .venv/bin/python benchmarks/opensearch_layout.py --limit 5000

Measured on all of Reuters (19,043 articles; two 512 MB nodes; a 2-core machine at load ~16 from other
work, so absolute times are pessimistic): nested 315 articles/s, 56.6 MB primaries, p50/p95 64-195 /
89-331 ms; parent/child 314 articles/s, 79.9 MB, p50/p95 23-164 / 36-280 ms; the same totals in both,
no exactness problem in either (no facet needed the composite recount).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from opensearchpy import helpers  # noqa: E402

from archive.importer import prepare  # noqa: E402
from archive.readers import iter_records  # noqa: E402
from archive.search.opensearch import search as os_search  # noqa: E402
from archive.search.opensearch.client import connect  # noqa: E402
from archive.search.opensearch.layout import LAYOUTS, actions, index_body  # noqa: E402

SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpora" / "reuters21578"
CONVERTER = SHARED / "tools" / "reuters_jsonl.py"
LOCAL_URL = "http://127.0.0.1:9200,http://127.0.0.1:9201"
#: Articles prepared and sent per bulk request.
BATCH = 500

#: (words, filters): single words, phrases of two and three words, with person/place/month filters.
QUERIES: list[tuple[str, dict]] = [
    ("oil", {}),
    ("said", {}),
    ("interest rates", {}),
    ("crude oil prices", {}),
    ("coffee", {"place": "brazil"}),
    ("dollar", {"month": "1987-03"}),
    ("trade deficit", {"person": "reagan"}),
    ("bank loans", {"place": "usa"}),
    ('"stock exchange"', {}),
    ("grain", {"place": "ussr"}),
]


def reuters(out: Path, limit: int) -> tuple[list, dict[str, dict]]:
    """Prepared articles and their gold tags, by id."""
    command = [sys.executable, str(CONVERTER), str(CORPUS), str(out)]
    if limit:
        command += ["--limit", str(limit)]
    subprocess.run(command, check=True, capture_output=True)
    gold = {}
    for line in (out / "gold.jsonl").open():
        g = json.loads(line)
        gold[g["id"]] = g
    records = list(iter_records([str(out / "reuters.jsonl")]))
    articles = []
    for start in range(0, len(records), BATCH):
        articles += [a for a, _ in prepare(records[start : start + BATCH], with_entities=False) if a]
    return articles, gold


def build(client, index: str, layout: str, articles, gold) -> dict:
    client.indices.delete(index=index, ignore_unavailable=True)
    client.indices.create(index=index, body=index_body(layout))
    started = time.perf_counter()
    docs = (
        action
        for a in articles
        for action in actions(a, index, layout, gold[a.id]["people"], gold[a.id]["places"])
    )
    ok, errors = helpers.bulk(client, docs, chunk_size=BATCH, max_retries=3, request_timeout=120)
    client.indices.refresh(index=index)
    seconds = time.perf_counter() - started
    client.indices.flush(index=index)
    client.indices.forcemerge(index=index, max_num_segments=1)  # comparable sizes and search times
    stats = client.indices.stats(index=index, metric="store,docs")["_all"]["primaries"]
    return {
        "articles": len(articles),
        "bulk_docs": ok,
        "seconds": round(seconds, 1),
        "articles_per_s": round(len(articles) / seconds),
        "lucene_docs": stats["docs"]["count"],
        "primary_mb": round(stats["store"]["size_in_bytes"] / 2**20, 1),
    }


def latencies(client, index: str, layout: str, rounds: int) -> dict:
    out = {}
    for words, filt in QUERIES:
        os_search.search(client, index, words, layout, **filt)  # warm caches
        times, took = [], []
        for _ in range(rounds):
            started = time.perf_counter()
            res = os_search.search(client, index, words, layout, **filt)
            times.append((time.perf_counter() - started) * 1000)
            took.append(res.took)
        times.sort()
        took.sort()
        out[f"{words} {filt or ''}".strip()] = {
            "total": res.total,
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
            "took_p50_ms": statistics.median(took),  # the cluster's own time, without the client's
            "snippets": sum(len(h.snippets) for h in res.hits),
            "recounted": res.recounted,
        }
    return out


def exactness(client, index: str, layout: str, gold: dict) -> list[str]:
    """Problems found (none expected): total vs ids, facets vs Python counts, facets vs filtered totals."""
    problems = []
    for words, filt in QUERIES:
        res = os_search.search(client, index, words, layout, **filt)
        q = os_search.query(words, layout, os_search.filters(**filt))
        ids = {
            h["_source"]["id"]
            for h in helpers.scan(client, index=index, query={"query": q, "_source": ["id"]})
        }
        if len(ids) != res.total:
            problems.append(f"{layout} {words!r}: total {res.total} but {len(ids)} ids")
        expected = {
            "person": Counter(p for i in ids for p in set(gold[i]["people"])),  # articles, not mentions
            "place": Counter(p for i in ids for p in set(gold[i]["places"])),
            "published": Counter(gold[i]["published"][:7] for i in ids),
        }
        for name, values in res.facets.items():
            want = expected[name]
            if name == "published":
                top = sorted(want.items(), reverse=True)[: os_search.MAX_MONTHS]
            else:
                top = sorted(want.items(), key=lambda kv: (-kv[1], kv[0]))[: os_search.FACET_SIZE]
            if values != top:
                problems.append(f"{layout} {words!r} {name}: {values[:5]} != python {top[:5]}")
            for value, count in values[:3]:  # the filtered total of the top values
                key = {"person": "person", "place": "place", "published": "month"}[name]
                both = [filt[key], value] if key in filt else value
                narrowed = os_search.search(client, index, words, layout, size=0, **{**filt, key: both})
                if narrowed.total != count:
                    problems.append(
                        f"{layout} {words!r} {name}={value}: facet {count} != total {narrowed.total}"
                    )
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=LOCAL_URL, help="cluster node URLs, comma-separated")
    parser.add_argument("--limit", type=int, default=0, help="Reuters articles (0: all ~19k)")
    parser.add_argument("--rounds", type=int, default=20, help="timed searches per query")
    args = parser.parse_args()
    if not CORPUS.exists():
        print(f"skipped: {CORPUS} is absent", file=sys.stderr)
        return 0
    client = connect(args.url)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        articles, gold = reuters(Path(tmp), args.limit)
        print(f"prepared {len(articles)} articles in {time.perf_counter() - started:.1f} s", flush=True)
        report = {}
        for layout in LAYOUTS:
            index = f"bench-{layout.replace('_', '-')}"
            report[layout] = {"indexing": build(client, index, layout, articles, gold)}
            print(layout, json.dumps(report[layout]["indexing"]), flush=True)
            report[layout]["queries"] = latencies(client, index, layout, args.rounds)
            report[layout]["problems"] = exactness(client, index, layout, gold)
            client.indices.delete(index=index)
    for layout in LAYOUTS:
        print(f"\n== {layout}: {json.dumps(report[layout]['indexing'])}")
        for name, row in report[layout]["queries"].items():
            print(f"  {name:40} {json.dumps(row)}")
        print(f"  exactness problems: {report[layout]['problems'] or 'none'}")
    totals = [{k: v["total"] for k, v in report[layout]["queries"].items()} for layout in LAYOUTS]
    print(f"\nsame totals in both layouts: {totals[0] == totals[1]}")
    return 0 if totals[0] == totals[1] and not any(report[x]["problems"] for x in LAYOUTS) else 1


if __name__ == "__main__":
    sys.exit(main())
