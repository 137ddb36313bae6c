"""Import benchmark: all of Reuters-21578 through the real CLI into a fresh archive home.

Prints, for an import without entity extraction (target <= 60 s), a no-op re-import (target <= 15 s),
and a full import with extraction (target <= 180 s, and within 1.5x of the NER pipeline alone over the
same texts): time, articles/s, CPU seconds (user + system of the import and its workers: the figure
to compare on a shared machine), the load average over the run, passages, index size and the peak
memory of the import process.

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
from typing import NamedTuple

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


class Run(NamedTuple):
    seconds: float
    report: dict
    peak_mb: float  # peak RSS of the largest process of the tree
    cpu: float  # user + system seconds of the whole process tree
    load: float  # the machine's 1-minute load average at the end


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_import(source: Path, home: Path, workers: int, entities: bool) -> Run:
    """Run ``archive import`` in a child process and measure it."""
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
    cpu = _cpu_of_children()
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        sys.exit(f"import failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return Run(seconds, json.loads(proc.stdout), peak, _cpu_of_children() - cpu, os.getloadavg()[0])


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


def _ner_task(texts: list[str]) -> float:
    """NER over ``texts`` as the import runs it; returns the CPU seconds it took."""
    from archive.entities import ner

    started = time.process_time()
    sum(map(len, ner.entities(texts)))
    return time.process_time() - started


def ner_alone(source: Path, workers: int) -> tuple[float, float]:
    """The NER pipeline alone over the same texts, in the same number of processes: seconds, CPU seconds."""
    from archive.entities import ner

    texts = [json.loads(line)["text"] for line in source.open()]
    tasks = [texts[i : i + 64] for i in range(0, len(texts), 64)]
    ner.load()  # before forking, as the import does
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        cpu = sum(pool.map(_ner_task, tasks, chunksize=1))
    return time.perf_counter() - started, cpu


def report_line(label: str, run: Run, target: float | None) -> None:
    done = run.report["imported"] + run.report["updated"]
    goal = f"  (target <= {target:.0f} s: {'met' if run.seconds <= target else 'MISSED'})" if target else ""
    print(
        f"{label:<28} {run.seconds:7.1f} s  {done / run.seconds:7.0f} articles/s  CPU {run.cpu:6.1f} s  "
        f"load {run.load:4.1f}  imported={run.report['imported']} duplicates={run.report['duplicates']} "
        f"failed={len(run.report['failed'])}{goal}"
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
        run = run_import(source, home, args.workers, entities=False)
        report_line("import, no entities", run, TARGET_PLAIN_S)
        figures = stats(home)
        print(
            f"{'':28} passages={figures['passages']} index={folder_mb(home / 'whoosh'):.0f} MB "
            f"catalog={folder_mb(home) - folder_mb(home / 'whoosh'):.0f} MB peak RSS={run.peak_mb:.0f} MB"
        )
        report_line(
            "re-import (no-op)", run_import(source, home, args.workers, entities=False), TARGET_NOOP_S
        )

        if args.skip_entities:
            return
        home = tmp / "full"
        run = run_import(source, home, args.workers, entities=True)
        report_line("import with entities", run, TARGET_FULL_S)
        figures = stats(home)
        print(
            f"{'':28} persons={figures['persons']} places={figures['places']} peak RSS={run.peak_mb:.0f} MB"
        )
        alone, alone_cpu = ner_alone(source, args.workers)
        ratio = run.seconds / alone
        verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
        print(
            f"{'NER pipeline alone':<28} {alone:7.1f} s  CPU in tasks {alone_cpu:6.1f} s  ratio import/NER = "
            f"{ratio:.2f} wall, {run.cpu / alone_cpu:.2f} CPU (target <= {TARGET_RATIO}: {verdict})"
        )


if __name__ == "__main__":
    main()
