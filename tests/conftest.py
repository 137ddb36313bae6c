"""Shared fixtures: real archives built once per session from the seeds and a slice of Reuters."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The shared corpora and tools beside the repository; ``ARCHIVE_SHARED`` points elsewhere (a missing
#: path shows what a newcomer's clone without them sees: the tests that need them skip).
SHARED = Path(os.environ.get("ARCHIVE_SHARED") or ROOT.parent / "shared")
SHARED_MISSING = f"needs the shared corpora: {SHARED} does not exist"
#: Marks a test that reads ``SHARED`` directly; fixtures that need it skip by themselves.
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=SHARED_MISSING)
SEEDS = ROOT / "seeds"
SEED_ARTICLE = SEEDS / "000_be4fb1b354845740.txt"
WIKINEWS = SEEDS / "wikinews-en" / "articles.jsonl"
DATA = Path(__file__).parent / "data"
#: Reuters articles in the test slice: enough for several commits and real entity counts, still quick.
REUTERS_SLICE = 400


@pytest.fixture(scope="session")
def reuters_jsonl(tmp_path_factory) -> Path:
    """The first Reuters-21578 articles as JSON Lines, converted by the shared tool (not copied)."""
    if not SHARED.is_dir():
        pytest.skip(SHARED_MISSING)
    out = tmp_path_factory.mktemp("reuters")
    subprocess.run(
        [
            sys.executable,
            str(SHARED / "tools/reuters_jsonl.py"),
            str(SHARED / "corpora/reuters21578"),
            str(out),
            "--limit",
            str(REUTERS_SLICE),
        ],
        check=True,
        capture_output=True,
    )
    return out / "reuters.jsonl"


#: Wikinews records in the small slice that import tests use (the whole sample is for shared archives).
WIKINEWS_SLICE = 25


@pytest.fixture(scope="session")
def wikinews_slice(tmp_path_factory) -> Path:
    """The first Wikinews seed records, as a JSON Lines file of their own."""
    path = tmp_path_factory.mktemp("wikinews") / "slice.jsonl"
    lines = WIKINEWS.read_text(encoding="utf-8").splitlines(keepends=True)[:WIKINEWS_SLICE]
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def seed_home(tmp_path_factory) -> Path:
    """An archive of all of seeds/ (the seed article and the Wikinews sample), imported once."""
    from archive.importer import import_paths

    home = tmp_path_factory.mktemp("seed-home")
    report = import_paths([str(SEED_ARTICLE), str(WIKINEWS)], home, workers=2)
    assert not report.failed, report.failed
    return home
