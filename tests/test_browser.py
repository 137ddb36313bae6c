"""The site in a real browser: Debian's chromium driven by Playwright against gunicorn (``-m browser``).

Each test saves screenshots of the pages it visits under pytest's temporary folder (printed with
``-s``), so a reviewer can look at what the browser saw.
"""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

pytest_plugins = ["tests.web_fixtures"]  # the session archive, the gunicorn server, the browser

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("screenshots")
    print(f"\nscreenshots: {folder}")
    return folder


@pytest.fixture
def page(browser, live_server):
    """A fresh page on the live site; fails the test on a JavaScript error or a CSP violation."""
    context = browser.new_context(
        base_url=live_server, viewport={"width": 1280, "height": 800}, accept_downloads=True
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    assert not problems, problems


def shot(page, folder, name: str, full_page: bool = True) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)


def total(page) -> int:
    return int(page.locator("#results-heading .total").inner_text().replace(",", ""))


def test_search_facet_chip_and_back_button(page, screenshots):
    page.goto("/")
    page.fill("#q", "russia")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"/search\?q=russia"))
    start = total(page)
    assert start > 1
    shot(page, screenshots, "results")

    facet = page.locator(".facet-person li[data-value] > a").first
    key = facet.locator("xpath=..").get_attribute("data-value")
    count = int(facet.locator(".count").inner_text())
    facet.click()
    page.wait_for_url(re.compile(r"person="))
    assert parse_qs(urlsplit(page.url).query)["person"] == [key]
    assert total(page) == count
    chip = page.locator(f'.chips a.chip[data-param="person"][data-value="{key}"]')
    assert chip.is_visible()
    shot(page, screenshots, "person-facet")

    chip.click()
    page.wait_for_url(re.compile(r"/search\?q=russia$"))
    assert total(page) == start and page.locator(".chips").count() == 0

    page.go_back()  # every state is in the URL: back returns to the filtered search
    page.wait_for_url(re.compile(r"person="))
    assert total(page) == count


def test_histogram_bar_narrows_to_its_month(page, screenshots):
    page.goto("/search")
    bar = page.locator("svg.histogram a.bar-link").first
    key = bar.get_attribute("data-key")
    count = int(bar.get_attribute("aria-label").split(": ")[1].split()[0])
    bar.click()
    page.wait_for_url(re.compile(rf"from={key}&to={key}"))
    assert total(page) == count
    assert page.locator("#f-from").input_value() == key
    shot(page, screenshots, "histogram")


def test_article_opens_at_the_passage(page, screenshots):
    page.set_viewport_size({"width": 1000, "height": 600})
    page.goto("/search?q=lukashenka")
    links = page.locator("a.snippet")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    href = max(hrefs, key=lambda h: int(h.rsplit("#p", 1)[1]))  # the deepest passage: the page must scroll
    passage = href.rsplit("#", 1)[1]
    assert passage != "p1"
    page.locator(f'a.snippet[href="{href}"]').click()
    page.wait_for_url(re.compile(rf"#{passage}$"))
    target = page.locator(f"#{passage}")
    box = target.bounding_box()
    viewport = page.viewport_size
    assert page.evaluate("window.scrollY") > 0
    assert 0 <= box["y"] < viewport["height"], box  # the passage is on screen
    assert target.locator("mark").count() >= 1  # with the query's words marked
    assert page.evaluate("document.querySelector(':target').id") == passage
    shot(page, screenshots, "article", full_page=False)  # what the reader sees: the passage


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_export_downloads_the_whole_result_set(page, kind):
    page.goto("/search?q=bombing&per_page=2")
    expected = total(page)
    assert expected > 2
    with page.expect_download() as info:
        page.click(f"a.export-{kind}")
    with open(info.value.path(), encoding="utf-8") as file:
        text = file.read()
    if kind == "csv":
        assert text.startswith("\ufeffid,title,")  # Excel's byte-order mark, then the header row
        body, comment = text.rstrip("\n").rsplit("\n", 1)
        assert comment.startswith("# query:") and "q=bombing" in comment
        assert len(list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))) == expected
    else:
        data = json.loads(text)
        assert data["query"] == {"q": "bombing"} and len(data["results"]) == data["count"] == expected


def test_works_without_javascript(browser, live_server, screenshots):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    page.fill("#q", "putin")
    page.select_option("#sort", "newest")
    page.click(".query-box button")
    page.wait_for_url(re.compile(r"q=putin&sort=newest"))
    assert total(page) >= 1
    page.fill("#f-from", "2019")
    page.fill("#f-to", "2019")
    page.click("text=Apply dates")
    page.wait_for_url(re.compile(r"from=2019&to=2019"))
    assert page.locator('.chips a.chip[data-param="from"]').is_visible()
    shot(page, screenshots, "no-javascript")
    context.close()


def test_keyboard_navigation_and_visible_focus(page):
    page.goto("/search?q=putin")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.id || document.activeElement.tagName")
    assert focused == "q"
    page.locator(".hit-title a").first.focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("/")  # the enhancing script: "/" jumps to the search box
    assert page.evaluate("document.activeElement.id") == "q"


def test_readable_on_a_phone(browser, live_server, screenshots):
    context = browser.new_context(
        base_url=live_server, viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    for url, name in [
        ("/search?q=russia", "phone-results"),
        ("/articles/enwn-0001?q=putin", "phone-article"),
    ]:
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (url, width)  # no sideways scrolling
        assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 16
        shot(page, screenshots, name)
    context.close()


def test_hostile_article_runs_nothing(page, screenshots):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for url in ["/search?q=hostile", "/articles/hostile-1?q=script+alert+putin", "/search?q=putin"]:
        page.goto(url)
        page.wait_for_load_state("load")
        assert page.evaluate("document.querySelectorAll('img, iframe, style').length") == 0
        assert page.evaluate("document.scripts.length") == 1
    assert dialogs == []
    shot(page, screenshots, "hostile-article")
