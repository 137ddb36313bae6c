"""Imports while the site serves: real gunicorn workers, concurrent readers, a second importer, /proc fds.

Readers must never see an error or a count going backwards, new articles must show up without a
restart, a second writer is told to wait (or waits), the site never holds the write lock, and the
workers' open files stay bounded over many requests and imports.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from archive.search.whoosh.index import MAX_SEGMENTS
from archive.web import gunicorn_conf
from tests.conftest import ROOT

#: Reader threads hammering the site during the import (the machine has two cores).
READERS = 4
#: Requests the readers make in all: enough to show a leak of one descriptor per request or per import.
MIN_REQUESTS = 1000
QUERY = "/api/search?q=said"
#: How long gunicorn may take to fork all its workers after the first one answers.
WORKERS_FORKED_SECONDS = 30
#: A worker keeps one searcher per request it serves at once (archive.search.whoosh.kept), each holding one
#: file per index segment and the catalog's three (database, WAL, shared memory); the pool is filled
#: before the count starts, so only segments added by the import's commits may add files.
FD_PER_SEARCHER = MAX_SEGMENTS + 1 + 3
#: File descriptors a worker may gain over the whole run (Python, gunicorn and SQLite open a few lazily).
FD_SLACK = 12 + gunicorn_conf.threads * FD_PER_SEARCHER


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def server_pids(port: int, workers: int) -> tuple[int, list[int]]:
    """(master, workers) of the gunicorn bound to ``port``, from /proc, once all ``workers`` are forked
    (gunicorn spawns them one by one, a random fraction of a second apart, and the first may answer
    before the last exists)."""
    deadline = time.monotonic() + WORKERS_FORKED_SECONDS
    while True:
        master, found = _server_pids(port)
        if len(found) >= workers or time.monotonic() > deadline:
            return master, found
        time.sleep(0.1)


def _server_pids(port: int) -> tuple[int, list[int]]:
    found: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if b"gunicorn" in cmdline and f"127.0.0.1:{port}".encode() in cmdline:
            found[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    masters = [pid for pid, ppid in found.items() if ppid not in found]
    assert len(masters) == 1, found
    return masters[0], sorted(pid for pid, ppid in found.items() if ppid == masters[0])


def open_files(pid: int) -> list[str]:
    out = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            out.append(os.readlink(fd))
        except OSError:
            pass
    return out


def lock_is_held(home: Path) -> bool:
    with (home / "write.lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(lock, fcntl.LOCK_UN)
        return False


def import_cmd(source: Path, home: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "archive",
        "import",
        str(source),
        "--home",
        str(home),
        "--workers",
        "1",
        "--no-entities",
        "--quiet",
        *extra,
    ]


def fill_pools(url: str) -> None:
    """As many requests at once as the workers serve, so each worker's searcher pool is full."""
    threads = [
        threading.Thread(target=lambda: [get(url + QUERY) for _ in range(10)])
        for _ in range(2 * gunicorn_conf.threads)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)


@pytest.fixture
def halves(tmp_path, reuters_jsonl) -> tuple[Path, Path, list[str]]:
    lines = reuters_jsonl.read_text(encoding="utf-8").splitlines(keepends=True)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("".join(lines[:150]), encoding="utf-8")
    second.write_text("".join(lines[150:]), encoding="utf-8")
    return first, second, [json.loads(line)["id"] for line in lines[150:]]


def test_imports_while_gunicorn_serves(tmp_path, halves):
    from tests.web_fixtures import gunicorn  # here, not at import: pytest loads that module as a plugin

    first, second, new_ids = halves
    home = tmp_path / "home"
    env = {**os.environ, "ARCHIVE_COMMIT_EVERY": "25"}
    subprocess.run(import_cmd(first, home), env=env, cwd=ROOT, check=True, timeout=120)
    with gunicorn(home, workers=2) as url:
        port = int(url.rsplit(":", 1)[1])
        master, workers = server_pids(port, 2)
        assert len(workers) == 2
        status, body = get(url + QUERY)
        assert status == 200
        start_total = json.loads(body)["total"]
        # the site holds no write lock: a writer could take it right now
        assert not lock_is_held(home)
        fill_pools(url)
        fds_before = {pid: len(open_files(pid)) for pid in workers}

        failures: list[str] = []
        totals: list[list[int]] = [[] for _ in range(READERS)]
        count = [0]
        stop = threading.Event()

        def reader(i: int) -> None:
            paths = [
                QUERY,
                QUERY,
                "/search?q=oil",
                "/api/search?q=oil&person=x",
                f"/api/articles/{new_ids[0]}",
            ]
            n = 0
            while not stop.is_set():
                path = paths[n % len(paths)]
                n += 1
                try:
                    status, body = get(url + path)
                except OSError as exc:
                    failures.append(f"{path}: {exc}")
                    continue
                count[0] += 1
                if path.startswith("/api/articles/"):
                    if status not in (200, 404):
                        failures.append(f"{path}: {status}")
                elif status != 200:
                    failures.append(f"{path}: {status} {body[:200]!r}")
                elif path == QUERY:
                    totals[i].append(json.loads(body)["total"])

        threads = [threading.Thread(target=reader, args=(i,)) for i in range(READERS)]
        for t in threads:
            t.start()
        try:
            log = tmp_path / "import.log"
            with log.open("wb") as stderr:
                importer = subprocess.Popen(import_cmd(second, home), env=env, cwd=ROOT, stderr=stderr)
            # while it writes, a second importer is told the archive is locked ...
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not lock_is_held(home):
                time.sleep(0.02)
            extra = tmp_path / "extra.jsonl"
            extra.write_text(
                json.dumps({"id": "late-1", "text": "A late dispatch about the harbour."}) + "\n"
            )
            locked = subprocess.run(
                import_cmd(extra, home), env=env, cwd=ROOT, capture_output=True, text=True
            )
            # ... or waits for it with --wait (a niced import on a busy machine can take minutes)
            waited = subprocess.run(
                import_cmd(extra, home, "--wait", "400"),
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=460,
            )
            assert importer.wait(timeout=460) == 0, log.read_text()
            while count[0] < MIN_REQUESTS:
                time.sleep(0.1)
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=60)
        assert locked.returncode != 0, locked.stderr  # its status is the CLI's to define
        assert "Another import, delete or reindex is writing to" in locked.stderr
        assert "--wait" in locked.stderr
        assert waited.returncode == 0, waited.stderr

        assert not failures, failures[:10]
        for seq in totals:
            assert seq == sorted(seq), "a total went backwards"
        end_total = json.loads(get(url + QUERY)[1])["total"]
        assert end_total > start_total
        assert max(max(seq) for seq in totals if seq) <= end_total
        # new articles are visible without a restart
        for article_id in (new_ids[-1], "late-1"):
            assert get(f"{url}/api/articles/{article_id}")[0] == 200
        # fds stay bounded; the web processes never opened the write lock
        time.sleep(0.5)
        for pid in [master, *workers]:
            files = open_files(pid)
            assert not [f for f in files if f.endswith(("write.lock", "WRITELOCK"))], files
        fds_after = {pid: len(open_files(pid)) for pid in workers}
        for pid in workers:
            assert fds_after[pid] <= fds_before[pid] + FD_SLACK, (fds_before, fds_after)
        print(f"requests: {count[0]}, total {start_total} -> {end_total}, fds {fds_before} -> {fds_after}")
