"""Newsroom workflows in a real browser (``-m browser``): watch a search, see what an import brought, batch.

A private archive of its own (watches are added by logged-in users), served by gunicorn as in production.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import cli

pytest_plugins = ["tests.web_fixtures"]

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
WIKINEWS = ROOT / "seeds" / "wikinews-en" / "articles.jsonl"
PASSWORD = "correct horse battery"


def archive(*args: str, home: Path, stdin: str | None = None) -> str:
    result = CliRunner().invoke(cli, [*args, "--home", str(home)], input=stdin)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A private archive with the first Wikinews records, served by gunicorn; yields (url, home, batch 2)."""
    from tests.web_fixtures import gunicorn

    monkeypatch.delenv("ARCHIVE_USERS", raising=False)
    lines = WIKINEWS.read_text(encoding="utf-8").splitlines()
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("\n".join(lines[:15]) + "\n", encoding="utf-8")
    second.write_text("\n".join(lines[15:30]) + "\n", encoding="utf-8")
    home = tmp_path / "home"
    archive("import", str(first), "--no-entities", "--quiet", "--workers", "1", home=home)
    with gunicorn(home, workers=1) as url:  # it probes an open route, so the archive turns private after
        archive("users", "add", "alice", home=home, stdin=PASSWORD + "\n")
        yield url, home, second


def test_watch_a_search_see_the_next_import_then_batch_it(browser, site, tmp_path):
    url, home, second = site
    context = browser.new_context(base_url=url, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    page.goto("/search?q=killed")
    page.fill("input[name=name]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click(".login-page button[type=submit]")
    page.wait_for_url(re.compile(r"/search\?q=killed"))
    page.fill("#watch-name", "killed")
    page.click("form.watch-this button")
    page.wait_for_url(re.compile(r"/watches$"))
    watch = page.locator('.watch[data-name="killed"]')
    assert watch.locator(".watch-count .count").inner_text() == "0"

    report = json.loads(
        archive("import", str(second), "--json", "--no-entities", "--workers", "1", home=home)
    )
    [counted] = report["watches"]
    assert counted["name"] == "killed" and counted["new"] > 0
    page.reload()
    assert watch.locator(".watch-new li").count() == counted["new"]
    page.screenshot(path=str(tmp_path / "watches.png"), full_page=True)
    feed = page.request.get(f"{url}/watches/killed.atom")
    matches = json.loads(archive("search", "killed", "--json", home=home))["total"]
    assert feed.status == 200 and feed.text().count("<entry>") == matches  # every match, not just new

    page.goto("/search?q=killed&from=2019-02")
    page.click("a.add-to-batch")
    page.wait_for_url(re.compile(r"/batch\?q=killed&from=2019-02"))
    page.fill("#batch-text", "killed\nbutterfly\nzzzznothing")
    page.click("#batch-form button[type=submit]")
    rows = page.locator("tr.batch-row")
    rows.first.wait_for()
    assert rows.count() == 3
    page.locator("form.batch-sort", has_text="most results first").locator("button").click()
    page.wait_for_load_state()
    totals = [int(t.replace(",", "")) for t in page.locator("tr.batch-row .total").all_inner_texts()]
    assert totals == sorted(totals, reverse=True) and totals[-1] == 0
    with page.expect_download() as download:
        page.locator("form.batch-download-csv button").click()
    body = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert [int(r["total"]) for r in csv.DictReader(io.StringIO(body))] == totals
    page.locator("tr.batch-row a.batch-search-link", has_text="butterfly").click()
    page.wait_for_url(re.compile(r"/search\?q=butterfly$"))
    page.screenshot(path=str(tmp_path / "batch-search.png"))
    context.close()
    assert not errors, errors
