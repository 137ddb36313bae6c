"""Commands and the site that do not extract never import the NER stack (spaCy takes seconds to load),
the CLI's reading commands not the web stack, and a text search reads no keyword field it does not show.

Each check runs a fresh interpreter with ``-X importtime``, which lists every module the process
imported, so what is checked is the real command's import chain, not this test process's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.importer import import_paths
from archive.search.whoosh import cache as reader_caches
from archive.search.whoosh.engine import open_searcher
from tests.conftest import ROOT

#: Packages only extraction needs; each costs from a tenth of a second to seconds to import.
HEAVY = ("spacy", "thinc", "torch", "trafilatura")
#: The web stack (werkzeug alone ~0.1 s): no CLI reading command needs it.
WEB = ("flask", "werkzeug", "jinja2")
#: The search stack (numpy + whoosh ~0.3 s): only commands that search the index need it.
SEARCH = ("numpy", "whoosh")


def imported_modules(*args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run ``python -X importtime ARGS``; return the process and the top-level packages it imported."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return done, names


@pytest.fixture(scope="module")
def small_home(tmp_path_factory, wikinews_slice) -> Path:
    home = tmp_path_factory.mktemp("startup-home")
    report = import_paths([str(wikinews_slice)], home, workers=1)
    assert report.count("imported") and not report.failed
    return home


@pytest.mark.parametrize(
    "module",
    ["archive.cli", "archive.web.app", "archive.store", "archive.search.whoosh.engine", "archive.entities"],
)
def test_reading_modules_do_not_import_ner(module):
    done, names = imported_modules("-c", f"import {module}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert module.split(".")[0] in names  # the listing works
    assert not names & set(HEAVY), f"import {module} pulls in {sorted(names & set(HEAVY))}"


def _first_id(home: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "archive", "search", "", "--limit", "1", "--json", "--home", str(home)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)["results"][0]["id"]


@pytest.mark.parametrize("command", ["search", "show", "stats"])
def test_read_commands_do_not_import_ner(small_home, command):
    args = {
        "search": ["search", "election", "--json"],
        "show": ["show", _first_id(small_home), "--json"],
        "stats": ["stats", "--json"],
    }[command]
    done, names = imported_modules("-m", "archive", *args, "--home", str(small_home))
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)  # the command answered
    assert not names & set(HEAVY), f"archive {command} imports {sorted(names & set(HEAVY))}"


def test_site_serves_a_search_without_ner(small_home):
    code = (
        "import sys\n"
        "from archive.web.app import create_app\n"
        f"app = create_app({{'ARCHIVE_HOME': {str(small_home)!r}}})\n"
        "response = app.test_client().get('/api/search?q=election')\n"
        "assert response.status_code == 200, response.status_code\n"
        "print(response.get_json()['total'])\n"
    )
    done, names = imported_modules("-c", code)
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout) >= 0
    assert not names & set(HEAVY), f"the site imports {sorted(names & set(HEAVY))}"


@pytest.mark.parametrize("command", ["search", "show", "stats", "people"])
def test_read_commands_do_not_import_the_web_stack(small_home, command):
    args = {
        "search": ["search", "election"],  # the text output, as typed at a terminal
        "show": ["show", _first_id(small_home)],
        "stats": ["stats"],
        "people": ["people", "list"],
    }[command]
    done, names = imported_modules("-m", "archive", *args, "--home", str(small_home))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip()  # the command answered
    assert not names & set(WEB), f"archive {command} imports {sorted(names & set(WEB))}"
    if command != "search":
        assert not names & set(SEARCH), f"archive {command} imports {sorted(names & set(SEARCH))}"


def test_text_search_reads_no_keyword_fields_until_asked(small_home):
    """A fresh process's text search reads no person/place/... postings (most of a cold cache's cost);
    ``--json`` shows facets, so it reads them, and both list the same results."""
    reader_caches.clear()
    runner = CliRunner()
    text = runner.invoke(cli, ["search", "election", "--limit", "5", "--home", str(small_home)])
    assert text.exit_code == 0, text.output
    (built,) = reader_caches._caches.values()
    assert not built.values, f"a text search read {sorted(built.values)}"
    as_json = runner.invoke(cli, ["search", "election", "--limit", "5", "--json", "--home", str(small_home)])
    assert as_json.exit_code == 0, as_json.output
    result = json.loads(as_json.output)
    assert result["facets"]["person"] and result["facets"]["place"]
    assert {"person", "place"} <= set(built.values)
    assert [line.split()[0] for line in text.output.splitlines()[2:] if line[:1].isalnum()] == [
        hit["id"] for hit in result["results"]
    ]


def test_person_names_from_the_term_list_match_the_loaded_field(small_home):
    """Before ``person`` is read, name lookups answer from Whoosh's term list; after, from the array:
    the two must agree, or a query's name expansion would depend on what ran before it."""
    reader_caches.clear()
    prefixes = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    with open_searcher(small_home) as searcher:
        cache = searcher.cache
        lexicon = {p: cache.terms_with_prefix("person", p) for p in prefixes}
        some = [keys[0] for keys in lexicon.values() if keys]
        known = [cache.has_term("person", k) for k in [*some, "zz_not_a_person"]]
        assert not cache.values and some  # nothing read yet, and the archive names people
        loaded = cache.person.keys
        assert {p: cache.terms_with_prefix("person", p) for p in prefixes} == lexicon
        assert (
            [cache.has_term("person", k) for k in [*some, "zz_not_a_person"]]
            == known
            == [True] * len(some) + [False]
        )
        assert sorted(k for keys in lexicon.values() for k in keys) == [
            k for k in loaded if k[:1] in prefixes
        ]
