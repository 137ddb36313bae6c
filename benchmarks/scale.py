"""The archive growing on a search cluster (issue 13): import rate and search p50/p95 at 1x, 2x, ... Reuters.

Each step writes one more copy of an imported Reuters archive (``--source``: its catalog; the first step
the articles as they are, later steps rotated copies under new ids, as ``benchmarks/search.py`` builds
its 10x) through :class:`archive.search.opensearch.writer.OpenSearchWriter`, committing every
``ARCHIVE_COMMIT_EVERY`` articles as an import does, then answers ``benchmarks/search.py``'s queries
through :class:`OpenSearchEngine` (facets included, as ``/api/search`` does) and prints a row. The
import rate is the cluster side of an import (documents built from prepared articles, bulk writes,
refresh, registry copy): cleaning and entity extraction cost the same on both engines and come on top
(``benchmarks/import.py``). Steps stop at ``--steps`` or when ``--minutes`` have passed.

    .venv/bin/python benchmarks/scale.py --search-url http://127.0.0.1:9200,http://127.0.0.1:9201 \\
        --source /tmp/c_r1 --steps 10
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from search import CONVERTER, QUERIES, api_args  # noqa: E402 - benchmarks/search.py, beside this file

#: Index prefix of the benchmark: its own indexes, deleted first.
PREFIX = "bench-scale"
#: Passes over the queries per step; the first warms the caches and is not counted.
ROUNDS = 3


def copies_of(articles, step: int, rotate):
    """Step 0: the articles; step k: each rotated k words under the id ``<id>-copy<k>`` (its own story)."""
    from archive.chunk import chunk_text

    if step == 0:
        yield from articles
        return
    for article in articles:
        text = rotate(article.text, step)
        yield replace(
            article,
            id=f"{article.id}-copy{step}",
            text=text,
            passages=chunk_text(text),
            story=f"{article.story or article.id}-copy{step}",
            persons=[replace(p, mentions=[]) for p in article.persons],
            places=[replace(p, mentions=[]) for p in article.places],
        )


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def searches(engine) -> tuple[list[float], int]:
    """Milliseconds of each warm search, and how many searches failed."""
    from archive.search.request import SearchRequest

    times, failed = [], 0
    for round_ in range(ROUNDS):
        for q, filters in QUERIES:
            started = time.perf_counter()
            try:
                engine.search(SearchRequest.from_args(api_args(q, filters)))
            except Exception as exc:  # noqa: BLE001 - a failed search is counted, not fatal
                failed += 1
                print(f"  failed: {q!r} {filters}: {exc}", file=sys.stderr)
                continue
            if round_:
                times.append((time.perf_counter() - started) * 1000)
    return times, failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--search-url", required=True, help="the cluster's node URLs, comma-separated")
    parser.add_argument("--source", type=Path, default=Path("/tmp/c_r1"), help="an imported Reuters home")
    parser.add_argument("--steps", type=int, default=10, help="copies of the source, at most")
    parser.add_argument("--minutes", type=float, default=30, help="start no step after this long")
    parser.add_argument("--threads", type=int, default=2, help="bulk requests in flight")
    a = parser.parse_args()

    from archive import config
    from archive.search.opensearch.engine import OpenSearchEngine
    from archive.search.opensearch.writer import OpenSearchWriter
    from archive.store import Catalog

    spec = importlib.util.spec_from_file_location("reuters_jsonl", CONVERTER)
    converter = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(converter)
    started = time.monotonic()
    every = config.commit_every()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(a.source / "catalog.sqlite", tmp)  # the writer records its acknowledgements there
        catalog = Catalog(Path(tmp))
        articles = list(catalog.iter_articles(state="indexed"))
        writer = OpenSearchWriter(a.search_url, prefix=PREFIX, threads=a.threads, fresh=True)
        engine = OpenSearchEngine(a.search_url, prefix=PREFIX)
        print(f"{len(articles)} articles per copy, a commit every {every}, {a.threads} bulk threads")
        print(
            "| copies | articles | documents | primaries (MB) | import (articles/s) | p50 (ms) | p95 (ms) | failed |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for step in range(a.steps):
            if step and time.monotonic() - started > a.minutes * 60:
                print(f"stopped after {step} copies: --minutes {a.minutes} passed")
                break
            began, batch = time.perf_counter(), []
            for article in copies_of(articles, step, converter.rotate):
                batch.append(article)
                if len(batch) == every:
                    writer.write(batch)
                    writer.commit(catalog)
                    batch = []
            writer.write(batch)
            writer.commit(catalog)
            rate = len(articles) / (time.perf_counter() - began)
            stats = writer.client.indices.stats(index=writer.names.articles, metric="docs,store")
            primaries = stats["_all"]["primaries"]
            times, failed = searches(engine)
            p50, p95 = percentiles(times)
            rows.append((step + 1, p95))
            print(
                f"| {step + 1}x | {len(articles) * (step + 1):,} | {primaries['docs']['count']:,} | "
                f"{primaries['store']['size_in_bytes'] / 1e6:.0f} | {rate:.0f} | {p50:.0f} | {p95:.0f} | {failed} |",
                flush=True,
            )
        engine.close()
        catalog.close()
    writer.client.indices.delete(index=f"{PREFIX}-*")
    return 0


if __name__ == "__main__":
    sys.exit(main())
