"""A fuzzy word matches the same terms whether the index is one segment or several (Whoosh's own fuzzy
expansion counted a transposition as one edit on several segments and as two on one)."""

from __future__ import annotations

import json

from whoosh import index as whoosh_index

from archive.importer import import_paths
from archive.search.request import SearchRequest
from archive.search.whoosh.engine import open_searcher
from archive.search.whoosh.index import index_dir


def segment_count(home) -> int:
    ix = whoosh_index.open_dir(str(index_dir(home)))
    try:
        return len(ix._segments())
    finally:
        ix.close()


def total(home, q: str) -> int:
    with open_searcher(home) as searcher:
        return searcher.search(SearchRequest(q=q, per_page=1))["total"]


def test_fuzzy_answer_does_not_depend_on_segments(tmp_path, wikinews_slice):
    lines = wikinews_slice.read_text(encoding="utf-8").splitlines(keepends=True)
    whole = tmp_path / "whole"
    assert not import_paths([str(wikinews_slice)], whole, workers=1).failed
    parts = tmp_path / "parts"
    for n in range(3):
        part = tmp_path / f"part{n}.jsonl"
        part.write_text("".join(lines[n::3]), encoding="utf-8")
        assert not import_paths([str(part)], parts, workers=1).failed
    assert segment_count(whole) == 1 and segment_count(parts) > 1
    plain = total(whole, "scientists")
    assert plain > 0
    for home in (whole, parts):
        assert total(home, "scinetists~") == total(home, "scientists OR scinetists~") >= plain, json.dumps(
            {"home": home.name, "segments": segment_count(home)}
        )
    assert total(whole, "scinetists~") == total(parts, "scinetists~")
