"""Load: concurrent readers against real gunicorn, then the same while an import runs.

Serves ``--home`` (a copy of it, so the import in phase 2 leaves the original alone) with gunicorn and
``--workers`` workers on a loopback port, and runs ``--clients`` threads for ``--seconds`` each phase:
mixed requests (the search benchmark's queries through ``/api/search`` and the results page, plus article
pages of the hits). Phase 2 imports ``--import-articles`` more Reuters articles (converted by the shared
tool, given new ids) while the clients run. Reports requests/s, p50/p95/p99 and errors per phase; the
target is zero errors and p95 <= 500 ms. A fixed query's total must never go backwards.

Example::

    python benchmarks/load.py --home /tmp/bench/imp1
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from search import CONVERTER, CORPUS, QUERIES, api_args  # noqa: E402

from tests.web_fixtures import gunicorn  # noqa: E402

TARGET_P95_MS = 500
MONOTONIC_QUERY = "/api/search?q=said"


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


class Load:
    def __init__(self, url: str, clients: int, seed: int = 1) -> None:
        self.url = url
        self.clients = clients
        self.rng = random.Random(seed)
        self.ids: list[str] = []
        self.lock = threading.Lock()

    def paths(self, rng: random.Random) -> str:
        q, filters = rng.choice(QUERIES)
        roll = rng.random()
        if roll < 0.1:
            return MONOTONIC_QUERY
        if roll < 0.65:
            return "/api/search?" + urlencode(api_args(q, filters))
        if roll < 0.9 or not self.ids:
            return "/search?" + urlencode(api_args(q, filters))
        return "/articles/" + rng.choice(self.ids)

    def run(self, seconds: float, until=None) -> dict:
        """Run the clients for ``seconds`` (and, if given, until ``until()`` is true); returns figures."""
        latencies: list[float] = []
        errors: list[str] = []
        totals: list[list[int]] = [[] for _ in range(self.clients)]
        stop = threading.Event()

        def client(i: int) -> None:
            rng = random.Random(i * 7919 + self.rng.random())
            while not stop.is_set():
                path = self.paths(rng)
                started = time.perf_counter()
                try:
                    with urllib.request.urlopen(self.url + path, timeout=60) as response:
                        body = response.read()
                        status = response.status
                except urllib.error.HTTPError as exc:
                    body, status = exc.read(), exc.code
                except OSError as exc:
                    body, status = str(exc).encode(), 0
                elapsed = (time.perf_counter() - started) * 1000
                with self.lock:
                    latencies.append(elapsed)
                    if status != 200:
                        errors.append(f"{status} {path} {body[:120]!r}")
                    elif path.startswith("/api/search"):
                        data = json.loads(body)
                        if path == MONOTONIC_QUERY:
                            totals[i].append(data["total"])
                        if len(self.ids) < 2000:
                            self.ids.extend(r["id"] for r in data["results"][:3])

        threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(self.clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        while time.perf_counter() - started < seconds or (until is not None and not until()):
            time.sleep(0.1)
        stop.set()
        for t in threads:
            t.join(timeout=120)
        took = time.perf_counter() - started
        backwards = sum(1 for seq in totals if seq != sorted(seq))
        return {
            "seconds": round(took, 1),
            "requests": len(latencies),
            "rps": round(len(latencies) / took, 1),
            "p50_ms": round(percentile(latencies, 0.5), 1),
            "p95_ms": round(percentile(latencies, 0.95), 1),
            "p99_ms": round(percentile(latencies, 0.99), 1),
            "max_ms": round(max(latencies, default=0), 1),
            "errors": len(errors),
            "first_errors": errors[:5],
            "totals_went_backwards": backwards,
            "monotonic_total": [
                min((s[0] for s in totals if s), default=None),
                max((s[-1] for s in totals if s), default=None),
            ],
        }


def new_articles(folder: Path, count: int, prefix: str) -> Path:
    """``count`` Reuters articles (converted by the shared tool) under new ids."""
    subprocess.run(
        [sys.executable, str(CONVERTER), str(CORPUS), str(folder), "--limit", str(count)],
        check=True,
        capture_output=True,
    )
    out = folder / "more.jsonl"
    with (folder / "reuters.jsonl").open(encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        for line in src:
            record = json.loads(line)
            record["id"] = f"{prefix}-{record['id']}"
            dst.write(json.dumps(record, ensure_ascii=False) + "\n")
    return out


def report(name: str, figures: dict) -> None:
    ok = (
        figures["errors"] == 0 and figures["p95_ms"] <= TARGET_P95_MS and not figures["totals_went_backwards"]
    )
    print(
        f"{name}: {figures['requests']} requests in {figures['seconds']} s = {figures['rps']} req/s; "
        f"p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms, "
        f"max {figures['max_ms']} ms; errors {figures['errors']}; totals backwards {figures['totals_went_backwards']}"
        f" ({figures['monotonic_total'][0]} -> {figures['monotonic_total'][1]}) "
        f"[{'OK' if ok else 'MISSED TARGET'}]"
    )
    for line in figures["first_errors"]:
        print("   ", line)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", type=Path, required=True, help="an imported archive (copied before serving)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    ap.add_argument("--seconds", type=float, default=60.0, help="length of each phase")
    ap.add_argument(
        "--import-articles", type=int, default=2000, help="articles imported in phase 2 (0: skip)"
    )
    ap.add_argument("--no-entities", action="store_true", help="import phase 2 without entity extraction")
    ap.add_argument("--in-place", action="store_true", help="serve and import into --home itself, not a copy")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        home = a.home
        if not a.in_place:
            home = tmp / "home"
            shutil.copytree(a.home, home, ignore=shutil.ignore_patterns("write.lock", "users.json"))
        more = new_articles(tmp, a.import_articles, f"load{int(time.time())}") if a.import_articles else None
        with gunicorn(home, workers=a.workers) as url:
            load = Load(url, a.clients)
            load.run(2.0)  # warm the workers' per-searcher caches
            print(f"gunicorn: {a.workers} workers, {a.clients} clients, {len(QUERIES)} queries; {home}")
            quiet = load.run(a.seconds)
            report("serving", quiet)
            busy = None
            if more is not None:
                command = [
                    sys.executable,
                    "-m",
                    "archive",
                    "import",
                    str(more),
                    "--home",
                    str(home),
                    "--workers",
                    "1",
                    "--quiet",
                    *(["--no-entities"] if a.no_entities else []),
                ]
                started = time.perf_counter()
                importer = subprocess.Popen(command, cwd=ROOT, env={**os.environ})
                busy = load.run(a.seconds, until=lambda: importer.poll() is not None)
                took = time.perf_counter() - started
                print(f"import of {a.import_articles} articles: exit {importer.returncode} in {took:.0f} s")
                report("serving during the import", busy)
    failed = [
        f
        for f in (quiet, busy)
        if f and (f["errors"] or f["p95_ms"] > TARGET_P95_MS or f["totals_went_backwards"])
    ]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
