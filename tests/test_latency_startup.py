"""Commands and the site that do not extract never import the NER stack (spaCy takes seconds to load).

Each check runs a fresh interpreter with ``-X importtime``, which lists every module the process
imported, so what is checked is the real command's import chain, not this test process's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from archive.importer import import_paths
from tests.conftest import ROOT

#: Packages only extraction needs; each costs from a tenth of a second to seconds to import.
HEAVY = ("spacy", "thinc", "torch", "trafilatura")


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
    "module", ["archive.cli", "archive.web.app", "archive.store", "archive.search.engine", "archive.entities"]
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
