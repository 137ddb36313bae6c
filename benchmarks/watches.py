"""Watch benchmark: ``archive watch run`` on an archive of 100,000 articles (target <= 1 s).

Builds the archive fast: Reuters-21578 (19,043 articles with a body) six times over, each copy with ids
of its own, imported without entity extraction; the first 100,000 articles, then the watches, then a
new batch (2,000 by default) for them to report. The home is kept (``--home``) and reused: each
measurement first moves the watches' horizons back to before the batch, so every run has the same
batch to report.

Prints, for a run that finds the batch:
- through the CLI (``archive watch run --json``, a new process: interpreter start, imports, catalog,
  index opened and its per-generation arrays built cold; the OS file cache is warm), best and median;
- in-process with cold caches (the library call after ``cache.clear()``: what the CLI pays minus the
  interpreter and imports) and warm (the site's case: its searcher and caches already open);
then the same for a run that finds nothing new, and what the imports alone cost.

    python benchmarks/watches.py [--copies 6] [--base 100000] [--batch 2000] [--home DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
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
#: Marks, in the home, that the benchmark's batch was imported (so a reused home is not imported twice).
STATE_FILE = "watch-bench.json"


def archive(*args: str, home: Path) -> subprocess.CompletedProcess:
    """Run the CLI; exit status 1 of an import (some records failed, e.g. Reuters' empty bodies) is fine."""
    cmd = [sys.executable, "-m", "archive", *args, "--home", str(home)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if done.returncode not in ((0, 1) if args[0] == "import" else (0,)):
        raise SystemExit(f"{' '.join(args[:2])} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done


def corpus(folder: Path, copies: int) -> list[str]:
    """Reuters as JSON Lines records, ``copies`` times over with distinct ids."""
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


def import_records(records: list[str], folder: Path, home: Path) -> float:
    """Import ``records`` (in files the importer accepts); returns the seconds it took."""
    folder.mkdir()
    for n, start in enumerate(range(0, len(records), FILE_RECORDS)):  # the importer refuses files over 50 MB
        chunk = records[start : start + FILE_RECORDS]
        (folder / f"part-{n:02d}.jsonl").write_text("\n".join(chunk) + "\n", encoding="utf-8")
    started = time.monotonic()
    archive("import", str(folder), "--no-entities", "--quiet", "--workers", "2", home=home)
    return time.monotonic() - started


def prepare(home: Path, copies: int, base: int, batch: int) -> None:
    """The archive with ``base`` articles, the watches, then ``batch`` more (whatever is missing)."""
    state_path = home / STATE_FILE
    state = json.loads(state_path.read_text()) if state_path.exists() else {}
    have_watches = (home / "catalog.sqlite").exists() and json.loads(
        archive("watch", "list", "--json", home=home).stdout
    )
    if have_watches and state.get("batch"):
        return
    if copies * 19_043 < base + batch:
        raise SystemExit(f"{copies} copies of Reuters hold fewer than {base + batch:,} articles")
    folder = Path(tempfile.mkdtemp(prefix="watch-bench-"))
    records = corpus(folder, copies)
    if not (home / "catalog.sqlite").exists():
        seconds = import_records(records[:base], folder / "base", home)
        print(f"built {base:,} articles in {seconds:.0f} s", flush=True)
    if not have_watches:
        for name, args in WATCHES:
            archive("watch", "add", name, *args, home=home)
    seconds = import_records(records[base : base + batch], folder / "batch", home)
    print(f"new batch of {batch:,} imported in {seconds:.0f} s", flush=True)
    state_path.write_text(json.dumps({"batch": batch}))


def rewind(home: Path) -> None:
    """Every watch looks again from its creation (before the batch): the next run reports the batch."""
    with sqlite3.connect(home / "catalog.sqlite") as db:
        db.execute("UPDATE watches SET since = created")
        db.execute("DELETE FROM watch_seen")


def cli_run(home: Path) -> float:
    started = time.perf_counter()
    archive("watch", "run", "--json", home=home)
    return time.perf_counter() - started


def in_process(home: Path, cold: bool) -> tuple[float, list[dict]]:
    from archive import watches
    from archive.search.whoosh import cache, postings

    if cold:  # the index's arrays and decoded postings are built again, as a fresh process would
        cache.clear()
        postings.clear_postings_cache()
    started = time.perf_counter()
    report = watches.run(home, mark=False)
    return time.perf_counter() - started, report


def import_cost() -> float:
    """A new interpreter importing what a watch run needs, minus one that imports nothing."""
    code = "import archive.cli, archive.watches, archive.store, archive.search.whoosh.engine"

    def timed(source: str) -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", source], check=True, cwd=ROOT)
        return time.perf_counter() - started

    return min(timed(code) for _ in range(3)) - min(timed("pass") for _ in range(3))


def summary(times: list[float]) -> str:
    return f"best {min(times):.3f} s, median {statistics.median(times):.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=6)
    parser.add_argument("--base", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=2_000)
    parser.add_argument("--home", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="watch-bench-home-"))
    prepare(home, args.copies, args.base, args.batch)
    stats = json.loads(archive("stats", "--json", home=home).stdout)
    print(f"archive: {stats['articles']:,} articles, {stats['passages']:,} passages; {len(WATCHES)} watches")

    cli = []
    for _ in range(args.repeat):
        rewind(home)
        cli.append(cli_run(home))
    rewind(home)
    cold = [in_process(home, cold=True)[0] for _ in range(args.repeat)]
    seconds, report = in_process(home, cold=False)
    warm = [seconds] + [in_process(home, cold=False)[0] for _ in range(args.repeat - 1)]
    news = {entry["name"]: len(entry["new"]) for entry in report}
    print(f"a run that reports the batch (new per watch: {news}):")
    print(f"  CLI, new process:          {summary(cli)}")
    print(f"  in-process, cold caches:   {summary(cold)}")
    print(f"  in-process, warm caches:   {summary(warm)}")

    archive("watch", "run", home=home)  # marks the batch seen
    print("a run that finds nothing new:")
    print(f"  CLI, new process:          {summary([cli_run(home) for _ in range(args.repeat)])}")
    print(
        f"  in-process:                {summary([in_process(home, cold=True)[0] for _ in range(args.repeat)])}"
    )
    print(f"imports of a watch run in a new interpreter: {import_cost():.3f} s")
    print(f"target: a watch run <= {TARGET_S} s")


if __name__ == "__main__":
    main()
