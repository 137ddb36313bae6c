"""Watch benchmark: ``archive watch run`` on an archive of 100,000 articles (target <= 1 s).

Builds the archive fast: Reuters-21578 (19,043 articles with a body) six times over (each copy with ids of its own), imported without
entity extraction; the first 100,000 articles, then watches, then the rest as a new batch. Prints the
time of a watch run in-process (the library call: catalog read, index opened and its caches built cold,
every watch's search) and through the CLI (a new process: Python start-up included), then of a second run
that finds nothing new.

    python benchmarks/watches.py [--copies 6] [--base 100000] [--home DIR (kept and reused)]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
TARGET_S = 1.0
#: Records per input file (Reuters records average ~1 KB; the importer's file limit is 50 MB).
FILE_RECORDS = 20_000
#: Watches of the kinds a newsroom keeps: words, a phrase, a word with a date filter, a broad word.
WATCHES = [
    ("oil", ["oil"]),
    ("crude-price", ['"crude oil" price']),
    ("coffee-1987", ["coffee", "--from", "1987-03"]),
    ("bank-rate", ["bank rate"]),
    ("said", ["said"]),  # matches most articles: the worst case for the engine's part
]


def archive(*args: str, home: Path) -> subprocess.CompletedProcess:
    """Run the CLI; exit status 1 of an import (some records failed, e.g. Reuters' empty bodies) is fine."""
    cmd = [sys.executable, "-m", "archive", *args, "--home", str(home)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if done.returncode not in ((0, 1) if args[0] == "import" else (0,)):
        raise SystemExit(f"{' '.join(args[:2])} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done


def corpus(folder: Path, copies: int) -> list[str]:
    subprocess.run(
        [
            sys.executable,
            str(SHARED / "tools/reuters_jsonl.py"),
            str(SHARED / "corpora/reuters21578"),
            str(folder),
        ],
        check=True,
        capture_output=True,
    )
    lines = (folder / "reuters.jsonl").read_text(encoding="utf-8").splitlines()
    out = []
    for copy in range(copies):
        for line in lines:
            record = json.loads(line)
            record["id"] = f"{record['id']}-c{copy}"
            out.append(json.dumps(record))
    return out


def build(home: Path, copies: int, base: int) -> Path:
    """The archive with ``base`` articles and watches; returns the file of the batch still to import."""
    folder = Path(tempfile.mkdtemp(prefix="watch-bench-"))
    records = corpus(folder, copies)
    first, rest = folder / "first", folder / "rest.jsonl"
    first.mkdir()
    for n, start in enumerate(range(0, base, FILE_RECORDS)):  # the importer refuses files over 50 MB
        chunk = records[start : min(start + FILE_RECORDS, base)]
        (first / f"part-{n:02d}.jsonl").write_text("\n".join(chunk) + "\n", encoding="utf-8")
    rest.write_text("\n".join(records[base:]) + "\n", encoding="utf-8")
    started = time.monotonic()
    archive("import", str(first), "--no-entities", "--quiet", "--workers", "2", home=home)
    print(f"built {base:,} articles in {time.monotonic() - started:.0f} s", flush=True)
    for name, args in WATCHES:
        archive("watch", "add", name, *args, home=home)
    return rest


def timed_run(home: Path) -> tuple[float, list[dict]]:
    from archive import watches
    from archive.search import cache

    cache.clear()  # cold: the index's arrays are built as a fresh process would
    started = time.perf_counter()
    report = watches.run(home)
    return time.perf_counter() - started, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=6)
    parser.add_argument("--base", type=int, default=100_000)
    parser.add_argument("--home", type=Path)
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="watch-bench-home-"))
    rest = build(home, args.copies, args.base) if not (home / "catalog.sqlite").exists() else None
    if rest is not None:
        started = time.monotonic()
        archive("import", str(rest), "--no-entities", "--quiet", "--workers", "2", home=home)
        print(f"new batch imported in {time.monotonic() - started:.0f} s", flush=True)
    stats = json.loads(archive("stats", "--json", home=home).stdout)
    print(f"archive: {stats['articles']:,} articles, {stats['passages']:,} passages; {len(WATCHES)} watches")
    seconds, report = timed_run(home)
    news = {entry["name"]: len(entry["new"]) for entry in report}
    print(f"watch run, in-process, cold caches: {seconds:.3f} s  (new per watch: {news})")
    started = time.perf_counter()
    archive("watch", "run", "--json", home=home)
    print(f"watch run again via the CLI (new process, nothing new): {time.perf_counter() - started:.3f} s")
    seconds, report = timed_run(home)
    print(f"watch run again in-process (nothing new): {seconds:.3f} s")
    print(f"target: a watch run <= {TARGET_S} s")


if __name__ == "__main__":
    main()
