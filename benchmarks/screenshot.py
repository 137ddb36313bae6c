"""The README's screenshot: the results page on the seeds, taken by Debian's chromium via Playwright.

Imports ``seeds/`` into a temporary archive (or uses ``--home``), serves it with gunicorn and saves the
results page for ``--query`` to ``docs/screenshot.png``.

Example::

    python benchmarks/screenshot.py                       # seeds, query "russia"
    python benchmarks/screenshot.py --home index --query "lukashenka"
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from web import gunicorn  # noqa: E402 - benchmarks/web.py, found through the path set above

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
#: Wide enough for the facet sidebar beside the results, tall enough for a few hits and the histogram.
VIEWPORT = {"width": 1280, "height": 960}


def take(home: Path, query: str, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    with gunicorn(home) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(f"{url}/search?{urlencode({'q': query})}")
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
        browser.close()
    print(f"saved {out}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--home", type=Path, help="archive to show (default: the seeds, imported into a temp folder)"
    )
    ap.add_argument("--query", default="russia")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    a = ap.parse_args()
    if a.home:
        take(a.home, a.query, a.out)
        return 0
    from archive.importer import import_paths

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        report = import_paths([str(ROOT / "seeds")], home)
        if report.failed:
            print("import failures:", report.to_dict()["failed"], file=sys.stderr)
        take(home, a.query, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
