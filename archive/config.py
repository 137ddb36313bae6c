"""Settings shared by the CLI and the web app, each overridable by an environment variable."""

from __future__ import annotations

import os
from pathlib import Path

#: Where the archive lives: the Whoosh index, the catalog and the stored originals.
DEFAULT_HOME = Path("index")
HOME_ENV = "ARCHIVE_HOME"


def archive_home(value: str | os.PathLike | None = None) -> Path:
    """The archive home: an explicit value, else ``$ARCHIVE_HOME``, else ``./index``."""
    if value:
        return Path(value)
    return Path(os.environ.get(HOME_ENV) or DEFAULT_HOME)


def default_workers() -> int:
    """Worker processes for the CPU-heavy import stages: one per core."""
    return max(1, os.cpu_count() or 1)


#: Articles per index commit: large enough that Whoosh's per-commit cost is small, small enough that a
#: killed import loses little work (about 20 s of it) and a re-run resumes close to where it stopped. Each
#: large commit adds one segment per worker, so this also sets how soon the index needs a (slow) merge:
#: all of Reuters-21578 lands in 4 segments, with no merge.
DEFAULT_COMMIT_EVERY = 10000
COMMIT_EVERY_ENV = "ARCHIVE_COMMIT_EVERY"


def commit_every() -> int:
    """Articles per commit; ``$ARCHIVE_COMMIT_EVERY`` lowers it for crash tests."""
    return max(1, int(os.environ.get(COMMIT_EVERY_ENV) or DEFAULT_COMMIT_EVERY))


#: Fewest articles per segment a worker writes: a commit's batch is split between the workers only when
#: each share reaches this (below it, one writer is cheaper than the merges many segments would need).
DEFAULT_MIN_SEGMENT_ARTICLES = 1000
MIN_SEGMENT_ARTICLES_ENV = "ARCHIVE_MIN_SEGMENT_ARTICLES"


def min_segment_articles() -> int:
    """Articles per worker-built segment, at least; ``$ARCHIVE_MIN_SEGMENT_ARTICLES`` lowers it for tests."""
    return max(1, int(os.environ.get(MIN_SEGMENT_ARTICLES_ENV) or DEFAULT_MIN_SEGMENT_ARTICLES))


SEARCH_URL_ENV = "ARCHIVE_SEARCH_URL"


def search_url() -> str | None:
    """The search cluster's node URLs (comma-separated), from ``$ARCHIVE_SEARCH_URL``; unset: the embedded
    engine in the archive's home."""
    return os.environ.get(SEARCH_URL_ENV, "").strip() or None
