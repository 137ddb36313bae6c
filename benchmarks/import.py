"""Import benchmark: all of Reuters-21578 through the real CLI into a fresh archive home.

Prints, for an import without entity extraction (target <= 60 s), a no-op re-import (target <= 15 s),
and a full import with extraction (target <= 180 s, and within 1.5x of the NER pipeline alone over the
same texts): time, articles/s, passages, index size and the peak memory of the import process.

    python benchmarks/import.py [--limit N] [--workers 2] [--skip-entities]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
TARGET_PLAIN_S = 60
TARGET_NOOP_S = 15
TARGET_FULL_S = 180  # issue 16 (was 300 s)
TARGET_RATIO = 1.5


def convert(out: Path, limit: int) -> Path:
    cmd = [
        sys.executable,
        str(SHARED / "tools/reuters_jsonl.py"),
        str(SHARED / "corpora/reuters21578"),
        str(out),
    ]
    if limit:
        cmd += ["--limit", str(limit)]
    subprocess.run(cmd, check=True)
    return out / "reuters.jsonl"


def run_import(source: Path, home: Path, workers: int, entities: bool) -> tuple[float, dict, float]:
    """Run ``archive import`` in a child process; return seconds, the JSON report and its peak RSS (MB)."""
    cmd = [
        sys.executable,
        "-m",
        "archive",
        "import",
        str(source),
        "--home",
        str(home),
        "--json",
        "--workers",
        str(workers),
    ]
    if not entities:
        cmd.append("--no-entities")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        sys.exit(f"import failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return seconds, json.loads(proc.stdout), peak


def folder_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def stats(home: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "archive", "stats", "--json", "--home", str(home)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return json.loads(out.stdout)


def _ner_task(texts: list[str]) -> int:
    from archive.entities.ner import load as load_nlp

    nlp = load_nlp()
    return sum(len(doc.ents) for doc in nlp.pipe(texts, batch_size=64))


def ner_alone(source: Path, workers: int) -> float:
    """The NER pipeline alone over the same texts, in the same number of processes."""
    texts = [json.loads(line)["text"] for line in source.open()]
    tasks = [texts[i : i + 256] for i in range(0, len(texts), 256)]
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(_ner_task, tasks, chunksize=1)
    return time.perf_counter() - started


def report_line(label: str, seconds: float, report: dict, target: float | None) -> None:
    done = report["imported"] + report["updated"]
    goal = f"  (target <= {target:.0f} s: {'met' if seconds <= target else 'MISSED'})" if target else ""
    print(
        f"{label:<28} {seconds:7.1f} s  {done / seconds:7.0f} articles/s  imported={report['imported']} "
        f"duplicates={report['duplicates']} failed={len(report['failed'])}{goal}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=0, help="Only the first N Reuters articles.")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--skip-entities", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        source = convert(tmp / "data", args.limit)
        records = sum(1 for _ in source.open())
        print(f"Reuters-21578: {records} articles with a body; {args.workers} workers")

        home = tmp / "plain"
        seconds, report, peak = run_import(source, home, args.workers, entities=False)
        report_line("import, no entities", seconds, report, TARGET_PLAIN_S)
        figures = stats(home)
        print(
            f"{'':28} passages={figures['passages']} index={folder_mb(home / 'whoosh'):.0f} MB "
            f"catalog={folder_mb(home) - folder_mb(home / 'whoosh'):.0f} MB peak RSS={peak:.0f} MB"
        )
        seconds, report, _ = run_import(source, home, args.workers, entities=False)
        report_line("re-import (no-op)", seconds, report, TARGET_NOOP_S)

        if args.skip_entities:
            return
        home = tmp / "full"
        seconds, report, peak = run_import(source, home, args.workers, entities=True)
        report_line("import with entities", seconds, report, TARGET_FULL_S)
        figures = stats(home)
        print(f"{'':28} persons={figures['persons']} places={figures['places']} peak RSS={peak:.0f} MB")
        alone = ner_alone(source, args.workers)
        ratio = seconds / alone
        verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
        print(
            f"{'NER pipeline alone':<28} {alone:7.1f} s  ratio import/NER = {ratio:.2f} "
            f"(target <= {TARGET_RATIO}: {verdict})"
        )


if __name__ == "__main__":
    main()
