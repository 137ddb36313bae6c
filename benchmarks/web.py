"""Site latency through HTTP: the search benchmark's queries against gunicorn with two workers.

Serves an archive with real gunicorn (as the ``Procfile`` does), then for each query of
``benchmarks/search.py`` fetches the results page (``/search``), the JSON API (``/api/search``) and the
article page of the query's first hit (``/articles/<id>?q=...``, highlights and "more like this"
included). Prints p50/p95 per page type (a first cold pass reported apart), then requests/s with several
clients at once. Target (issue 5): results page p95 <= 150 ms on the Reuters + seeds archive.

Examples::

    python benchmarks/web.py --home /tmp/r1          # an archive built by benchmarks/search.py
    python benchmarks/web.py --home /tmp/r1 --clients 8 --seconds 30
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.web_fixtures import gunicorn  # noqa: E402 - the launcher the browser tests use

#: Passes over the query set after the cold one.
ROUNDS = 3
TARGET_RESULTS_P95_MS = 150


def load_search_benchmark():
    """``benchmarks/search.py`` as a module: its queries, percentiles and archive builder."""
    spec = importlib.util.spec_from_file_location("search_benchmark", Path(__file__).with_name("search.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fetch(url: str) -> tuple[float, int, bytes]:
    """One GET: (milliseconds, status, body)."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            body, status = response.read(), response.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    return (time.perf_counter() - started) * 1000, status, body


def page_urls(base: str, bench) -> dict[str, list[str]]:
    """The three page types for every query; the article page opens the query's first hit."""
    urls: dict[str, list[str]] = {"results page": [], "API": [], "article page": []}
    for q, filters in bench.QUERIES:
        query = urlencode(bench.api_args(q, filters), doseq=True)
        urls["results page"].append(f"{base}/search?{query}")
        urls["API"].append(f"{base}/api/search?{query}")
        _, status, body = fetch(f"{base}/api/search?{query}&per_page=1")
        hits = json.loads(body)["results"] if status == 200 else []
        if hits:
            article = f"{base}/articles/{quote(hits[0]['id'], safe='')}"
            urls["article page"].append(article + (f"?{urlencode({'q': q})}" if q else ""))
    return urls


def latency(urls: dict[str, list[str]], rounds: int) -> tuple[dict, dict, list[str]]:
    """Cold (first pass) and warm timings per page type, and any URL that did not answer 200."""
    cold: dict[str, list[float]] = {kind: [] for kind in urls}
    warm: dict[str, list[float]] = {kind: [] for kind in urls}
    errors: list[str] = []
    for round_no in range(rounds + 1):
        for kind, kind_urls in urls.items():
            for url in kind_urls:
                ms, status, _ = fetch(url)
                (cold if round_no == 0 else warm)[kind].append(ms)
                if status != 200:
                    errors.append(f"{status} {url}")
    return cold, warm, errors


def throughput(
    urls: dict[str, list[str]], clients: int, seconds: float
) -> tuple[int, int, float, list[float]]:
    """Requests/s with ``clients`` threads cycling through every URL: (done, failed, seconds, timings)."""
    mixed = [u for kind_urls in urls.values() for u in kind_urls]
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    timings: list[float] = []
    failed = [0]

    def client(offset: int) -> None:
        i = offset
        while time.monotonic() < stop:
            ms, status, _ = fetch(mixed[i % len(mixed)])
            with lock:
                timings.append(ms)
                failed[0] += status != 200
            i += clients

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(timings), failed[0], time.perf_counter() - started, timings


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--home", type=Path, required=True, help="archive home (built by benchmarks/search.py if absent)"
    )
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    ap.add_argument("--rounds", type=int, default=ROUNDS, help="warm passes over the queries")
    ap.add_argument("--clients", type=int, default=4, help="concurrent clients for the requests/s phase")
    ap.add_argument("--seconds", type=float, default=20, help="length of the requests/s phase")
    a = ap.parse_args()
    bench = load_search_benchmark()
    if not (a.home / "whoosh").is_dir():
        bench.build(a.home, copies=1, workers=2)
    with gunicorn(a.home, workers=a.workers) as base:
        urls = page_urls(base, bench)
        print(f"gunicorn, {a.workers} workers; {len(bench.QUERIES)} queries; cold pass, then {a.rounds} warm")
        cold, warm, errors = latency(urls, a.rounds)
        for kind in urls:
            c50, c95 = bench.percentiles(cold[kind])
            w50, w95 = bench.percentiles(warm[kind])
            print(
                f"{kind:13s} warm p50 {w50:6.1f} ms  p95 {w95:6.1f} ms  (cold p50 {c50:6.1f}  p95 {c95:6.1f})"
            )
        done, failed, took, timings = throughput(urls, a.clients, a.seconds)
        t50, t95 = bench.percentiles(timings)
        print(f"{a.clients} clients, {took:.0f} s, mixed pages: {done / took:.1f} requests/s, "
              f"p50 {t50:.1f} ms, p95 {t95:.1f} ms, {failed} failed")  # fmt: skip
    for error in errors:
        print("  ERROR", error)
    results_p95 = bench.percentiles(warm["results page"])[1]
    verdict = "meets" if results_p95 <= TARGET_RESULTS_P95_MS else "MISSES"
    print(f"results page p95 {results_p95:.1f} ms {verdict} the {TARGET_RESULTS_P95_MS} ms target")
    return 1 if errors or failed else 0


if __name__ == "__main__":
    sys.exit(main())
