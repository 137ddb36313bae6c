"""Fixtures for the site's tests: one real archive (seed article, Wikinews slice, a hostile article).

Built once per session with the real importer, so the pages are tested against what an import makes.
Test modules import the fixtures they use from here (``tests/conftest.py`` holds the shared ones).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED_ARTICLE = ROOT / "seeds" / "000_be4fb1b354845740.txt"
WIKINEWS = ROOT / "seeds" / "wikinews-en" / "articles.jsonl"
#: Wikinews records in the fixture: several months of dates, enough results to page through.
WIKINEWS_RECORDS = 30

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
HOSTILE_ID = "hostile-1"
#: Every field a reader sees carries a payload; the text also names a person, a place and a date, so
#: the payloads sit next to the marks and links the article page adds.
HOSTILE = {
    "id": HOSTILE_ID,
    "title": f"{SCRIPT} Hostile {IMG} headline",
    "text": (
        f"Vladimir Putin met officials in Moscow on 3 March 2021. {SCRIPT} The payload {IMG} sat in it. "
        f'<a href="{JS_URL}">click</a> and <svg onload=alert(1)> and <iframe src={JS_URL}></iframe>.\n\n'
        "The second paragraph names Putin again, and Moscow, with <style>body{display:none}</style> style."
    ),
    "source": f"{SCRIPT} Hostile Wire",
    "url": JS_URL,
    "published": "2021-03-04",
    "author": [IMG],
    "note": f"{SCRIPT}{IMG}",
    "homepage": JS_URL,
}


@pytest.fixture(scope="session")
def web_home(tmp_path_factory) -> Path:
    """An archive of the seed article, 30 Wikinews records and the hostile article."""
    from archive.importer import import_paths

    inputs = tmp_path_factory.mktemp("web-inputs")
    lines = WIKINEWS.read_text(encoding="utf-8").splitlines()[:WIKINEWS_RECORDS]
    (inputs / "wikinews.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (inputs / "hostile.jsonl").write_text(json.dumps(HOSTILE) + "\n", encoding="utf-8")
    home = tmp_path_factory.mktemp("web-home")
    report = import_paths(
        [str(SEED_ARTICLE), str(inputs / "wikinews.jsonl"), str(inputs / "hostile.jsonl")], home
    )
    assert not report.failed, report.to_dict()["failed"]
    return home


@pytest.fixture(scope="session")
def web_app(web_home):
    from archive.web.app import create_app

    # a generous search budget: these tests check what pages show, not speed, on machines that may be busy
    return create_app({"TESTING": True, "ARCHIVE_HOME": str(web_home), "SEARCH_TIME_BUDGET": 10.0})


@pytest.fixture
def web_client(web_app):
    return web_app.test_client()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(home: Path, workers: int = 2, timeout: float = 60.0) -> Iterator[str]:
    """The app served by real gunicorn (as the Procfile runs it) on a free loopback port; yields its URL."""
    port = free_port()
    env = {**os.environ, "ARCHIVE_HOME": str(home), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "gunicorn", "--config", "python:archive.web.gunicorn_conf",
               "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(url + "/api/openapi.json", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start (exit {process.poll()})") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def live_server(web_home) -> Iterator[str]:
    """The fixture archive served by gunicorn with two workers."""
    with gunicorn(web_home) as url:
        yield url


#: Debian's chromium, which Playwright drives (its own browser download is not reachable here).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
