"""Segments' keyword postings saved beside them: a fresh process loads them instead of decoding postings,
answers exactly as before, ignores a torn file, and a reindex leaves none of a retired segment behind."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.importer import import_paths
from archive.search.whoosh import cache as reader_caches
from archive.search.whoosh import postings, sidecar
from archive.search.whoosh.engine import open_searcher
from archive.search.whoosh.index import index_dir

SAVED = re.compile(r"^(MAIN_[0-9a-z]+)\.values\d+_(\w+)\.npz$")


@pytest.fixture()
def home(tmp_path, wikinews_slice) -> Path:
    home = tmp_path / "home"
    report = import_paths([str(wikinews_slice)], home, workers=1)
    assert report.count("imported") and not report.failed
    return home


def saved_files(home: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(index_dir(home).iterdir()):
        if m := SAVED.match(path.name):
            found.setdefault(m.group(2), []).append(m.group(1))
    return found


def search_json(home: Path, *words: str) -> dict:
    reader_caches.clear()  # as a fresh process: nothing in memory
    done = CliRunner().invoke(cli, ["search", *words, "--json", "--home", str(home)])
    assert done.exit_code == 0, done.output
    return json.loads(done.output)


def current_segments(home: Path) -> set[str]:
    with open_searcher(home) as searcher:
        return {seg.segment().segment_id() for seg, _ in postings.leaf_readers(searcher.searcher.reader())}


def count_decodes(monkeypatch) -> list[str]:
    """Record each field whose postings are decoded from Whoosh's files (the real function still runs)."""
    decoded: list[str] = []
    real = postings.field_postings

    def counted(reader, fieldname):
        decoded.append(fieldname)
        return real(reader, fieldname)

    monkeypatch.setattr(postings, "field_postings", counted)
    return decoded


def test_second_fresh_search_loads_saved_postings_and_answers_the_same(home, monkeypatch):
    decoded = count_decodes(monkeypatch)
    first = search_json(home, "election")
    assert first["facets"]["person"] and first["facets"]["place"]
    assert {"person", "place"} <= set(decoded)
    segments = current_segments(home)
    saved = saved_files(home)
    assert set(saved["person"]) == set(saved["place"]) == segments
    decoded.clear()
    assert search_json(home, "election") == first
    assert not {"person", "place"} & set(decoded), f"decoded again: {decoded}"


def test_saved_postings_equal_whoosh(home):
    search_json(home, "election")
    with open_searcher(home) as searcher:
        for segment, _ in postings.leaf_readers(searcher.searcher.reader()):
            segment_id = segment.segment().segment_id()
            for fieldname in ("person", "place"):
                terms, values, docs = sidecar.load(index_dir(home), segment_id, fieldname)
                want_terms, want_values, want_docs = postings.field_postings(segment, fieldname)
                assert terms == want_terms
                assert values.tolist() == want_values.tolist()
                assert docs.tolist() == want_docs.tolist()


def test_a_torn_file_is_ignored_and_written_again(home, monkeypatch):
    first = search_json(home, "election")
    torn = sidecar.path(index_dir(home), sorted(current_segments(home))[0], "person")
    torn.write_bytes(torn.read_bytes()[:40])
    decoded = count_decodes(monkeypatch)
    assert search_json(home, "election") == first
    assert "person" in decoded
    assert sidecar.load(index_dir(home), torn.name.split(".")[0], "person") is not None


def test_reindex_leaves_no_saved_postings_of_retired_segments(home, tmp_path):
    search_json(home, "election")
    before = current_segments(home)
    done = CliRunner().invoke(cli, ["reindex", "--home", str(home)])
    assert done.exit_code == 0, done.output
    after = current_segments(home)
    assert not before & after  # the rebuild wrote new segments
    first = search_json(home, "election")
    saved = {s for segments in saved_files(home).values() for s in segments}
    assert saved == after
    copy = tmp_path / "copy"
    shutil.copytree(home, copy)  # a home copied with its saved postings answers the same
    assert search_json(copy, "election") == first
