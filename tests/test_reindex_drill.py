"""The rebuild drill: ``archive reindex`` rebuilds the index from the catalog, and the rebuilt archive
answers the search benchmark's queries with the same totals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from archive.cli import cli
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from search import QUERIES, api_args, reindex_drill  # noqa: E402

#: Enough of the benchmark's queries to cover words, phrases, booleans, prefixes and filters.
DRILL_QUERIES = 12


def totals(home: Path) -> list[dict]:
    from archive.search.request import SearchRequest
    from archive.search.whoosh.engine import open_searcher

    out = []
    with open_searcher(home) as searcher:
        for q, filters in QUERIES:
            out.append(json.loads(json.dumps(searcher.search(SearchRequest.from_args(api_args(q, filters))))))
    return out


def test_reindex_answers_the_benchmark_queries_identically(tmp_path, reuters_jsonl):
    home = tmp_path / "home"
    lines = reuters_jsonl.read_text(encoding="utf-8").splitlines(keepends=True)[:150]
    source = tmp_path / "slice.jsonl"
    source.write_text("".join(lines), encoding="utf-8")
    command = [sys.executable, "-m", "archive", "import", str(source), "--home", str(home), "--workers", "1",
               "--no-entities", "--quiet"]  # fmt: skip
    env = {**os.environ, "ARCHIVE_COMMIT_EVERY": "40"}  # several segments before, one after
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    before = totals(home)
    assert sum(1 for a in before if a["total"] > 0) >= DRILL_QUERIES
    result = CliRunner().invoke(cli, ["reindex", "--home", str(home)])
    assert result.exit_code == 0, result.output
    assert "Reindexed 150 articles" in result.output
    after = totals(home)
    for (q, filters), b, a in zip(QUERIES, before, after, strict=True):
        assert a["total"] == b["total"], (q, filters)
        assert [r["id"] for r in a["results"]] == [r["id"] for r in b["results"]], (q, filters)
    # the benchmark's own drill (``search.py --check``) agrees, and the archive checks clean
    assert reindex_drill(home, before) == []
    check = CliRunner().invoke(cli, ["check", "--home", str(home)])
    assert check.exit_code == 0, check.output
