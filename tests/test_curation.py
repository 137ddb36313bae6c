"""Curation through the command line: people and places list, show, merge, split, rename, hide, unhide,
places move, history and undo; corrections survive reindex, reindex --reextract and new imports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.locking import write_lock

ROOT = Path(__file__).resolve().parents[1]
SEED_ARTICLE = ROOT / "seeds" / "000_be4fb1b354845740.txt"
KARPIANKOU, KARPIENKA = "karpiankov_nikolai", "karpienko_igor"
THE_HAGUE, MINSK = "NL/2747373", "BY/625144"


def run(*args: str, home: Path, code: int = 0):
    result = CliRunner().invoke(cli, [*args, "--home", str(home)], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


def as_json(*args: str, home: Path):
    return json.loads(run(*args, "--json", home=home).output)


def search_ids(home: Path, **filters: str) -> list[str]:
    args = [x for k, v in filters.items() for x in (f"--{k}", v)]
    return [r["id"] for r in as_json("search", "", *args, home=home)["results"]]


@pytest.fixture(scope="module")
def seed_base(tmp_path_factory) -> Path:
    """The seed article imported once (NER loads once); tests correct copies of it."""
    home = tmp_path_factory.mktemp("curation-base")
    run("import", str(SEED_ARTICLE), "--workers", "1", home=home)
    return home


@pytest.fixture
def home(seed_base, tmp_path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(seed_base, copy)
    return copy


def people(home: Path, query: str = "") -> dict[str, dict]:
    return {p["key"]: p for p in as_json("people", "list", "--query", query, home=home)["items"]}


def test_list_and_show(home):
    found = people(home, "karp")
    assert set(found) == {KARPIANKOU, KARPIENKA}  # never merged by anything automatic
    assert found[KARPIANKOU]["articles"] == 1
    assert "Mikalai Karpyankov" in found[KARPIANKOU]["variants"]
    shown = as_json("people", "show", KARPIANKOU, home=home)
    assert shown["name"] == "Mikałaj Karpiankou" and shown["hidden"] is False
    text = run("people", "list", "--query", "KARPIENKA", home=home).output
    assert "karpienko_igor  Ihar Karpienka" in text and "1 people" in text
    place = as_json("places", "show", MINSK, home=home)
    assert place["name"] == "Minsk" and place["country"] == "Belarus"
    assert (
        run("people", "show", "nobody_here", home=home, code=1)
        .output.strip()
        .endswith("No person with the key 'nobody_here' in this archive.")
    )


def test_merge_history_and_undo(home):
    article = search_ids(home, person=KARPIENKA)
    out = run("people", "merge", KARPIANKOU, KARPIENKA, "--name", "M. Karpiankou", "--as", "olga", home=home)
    assert "Correction #1" in out.output and "1 articles rewritten" in out.output
    merged = people(home, "karp")
    assert set(merged) == {KARPIANKOU}
    assert merged[KARPIANKOU]["name"] == "M. Karpiankou"
    assert {"Ihar Karpienka", "Mikalai Karpyankov"} <= set(merged[KARPIANKOU]["variants"])
    assert search_ids(home, person=KARPIANKOU) == article  # the index follows at once
    assert search_ids(home, person="Ihar Karpienka") == article  # by a merged spelling too
    facets = as_json("search", "", home=home)["facets"]["person"]
    assert KARPIENKA not in {f["key"] for f in facets}
    history = as_json("history", home=home)
    assert [(h["id"], h["who"], h["verb"]) for h in history] == [(1, "olga", "merge")]
    assert history[0]["what"] == f"merged persons {KARPIENKA} into {KARPIANKOU} as 'M. Karpiankou'"
    run("history", "undo", "1", "--as", "ivan", home=home)
    assert set(people(home, "karp")) == {KARPIANKOU, KARPIENKA}
    assert people(home, "karp")[KARPIANKOU]["name"] == "Mikałaj Karpiankou"
    assert as_json("history", home=home)[0]["undone_by"] == "ivan"
    assert "already undone" in run("history", "undo", "1", home=home, code=1).output
    assert "No correction #9" in run("history", "undo", "9", home=home, code=1).output


def test_split_rename_hide_unhide(home):
    run("people", "split", KARPIANKOU, "--variant", "Mikalai Karpyankov", home=home)
    found = people(home, "karp")
    new_key = next(k for k in found if k not in (KARPIANKOU, KARPIENKA))
    assert found[new_key]["variants"] == ["Mikalai Karpyankov"]
    assert "Mikalai Karpyankov" not in found[KARPIANKOU]["variants"]
    run("people", "rename", "klaskovsk_aleksandr", "A. Kłaskousk", home=home)
    assert as_json("people", "show", "klaskovsk_aleksandr", home=home)["name"] == "A. Kłaskousk"
    run("people", "hide", KARPIENKA, home=home)
    assert KARPIENKA not in people(home)
    assert search_ids(home, person=KARPIENKA) == []
    shown = as_json("people", "show", KARPIENKA, home=home)
    assert shown["hidden"] is True and shown["articles"] == 0
    assert "already hidden" in run("people", "hide", KARPIENKA, home=home, code=1).output
    run("people", "unhide", KARPIENKA, home=home)
    assert people(home)[KARPIENKA]["articles"] == 1
    assert "is not hidden" in run("people", "unhide", KARPIENKA, home=home, code=1).output
    verbs = [h["verb"] for h in as_json("history", home=home)]
    assert verbs == ["split", "rename", "hide", "unhide"]


def test_places_move_merge_rename_hide(home):
    article = search_ids(home, place=THE_HAGUE)
    run("places", "move", THE_HAGUE, "--to", MINSK, home=home)
    assert search_ids(home, place=THE_HAGUE) == []
    assert search_ids(home, place="BY") == article  # the country includes the moved city
    keys = {p["key"] for p in as_json("places", "list", home=home)["items"]}
    assert THE_HAGUE not in keys and MINSK in keys
    run("places", "rename", MINSK, "Mensk", home=home)
    assert as_json("places", "show", MINSK, home=home)["name"] == "Mensk"
    assert search_ids(home, place="Mensk") == article
    run("places", "merge", "RU/524901", "RU/491687", home=home)  # Smolensk into Moscow
    assert "RU/491687" not in {p["key"] for p in as_json("places", "list", home=home)["items"]}
    run("places", "hide", "KP", home=home)
    assert search_ids(home, place="KP") == []
    out = run("places", "move", "UA", "--to", "XX/none", home=home, code=1).output
    assert "No place with the key 'XX/none'" in out


def test_corrections_survive_reindex_reextract_and_new_imports(home, tmp_path):
    run("people", "merge", "putin_vladimir", "ianukovich_viktor", "--name", "Two Men", home=home)
    run("people", "hide", "klaskovsk_aleksandr", home=home)
    run("places", "move", THE_HAGUE, "--to", MINSK, home=home)
    expected = people(home)
    run("reindex", "--workers", "1", home=home)
    assert people(home) == expected
    run("reindex", "--reextract", "--workers", "1", home=home)
    assert people(home) == expected
    assert set(people(home, "karp")) == {KARPIANKOU, KARPIENKA}
    assert search_ids(home, place=THE_HAGUE) == []
    new = tmp_path / "new.jsonl"
    record = {
        "id": "new-1",
        "title": "A later report",
        "text": "Viktor Yanukovych spoke in Kyiv on Monday. Alaksandr Kłaskousk reported it. Yanukovych left.",
        "published": "2024-02-01",
    }
    new.write_text(json.dumps(record) + "\n", encoding="utf-8")
    run("import", str(new), "--workers", "1", home=home)
    shown = as_json("show", "new-1", home=home)
    assert [p["key"] for p in shown["persons"]] == ["putin_vladimir"]  # the merged key, hidden dropped
    assert shown["persons"][0]["name"] == "Two Men"
    assert sorted(search_ids(home, person="putin_vladimir")) == sorted(
        [*search_ids(home, person=KARPIANKOU), "new-1"]
    )


def test_a_correction_waits_for_the_writer_lock(home):
    with write_lock(home):
        result = CliRunner().invoke(cli, ["people", "hide", KARPIENKA, "--home", str(home)])
    assert result.exit_code == 3, result.output
    assert "Another import, delete or reindex is writing" in result.output
    assert as_json("history", home=home) == []


def test_users_add_role(tmp_path, monkeypatch):
    monkeypatch.delenv("ARCHIVE_USERS", raising=False)
    home = tmp_path / "users-home"
    for args in (["ed", "--role", "editor"], ["rita"]):
        result = CliRunner().invoke(cli, ["users", "add", *args, "--home", str(home)], input="password123\n")
        assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["users", "add", "ed", "--home", str(home)], input="password456\n")
    assert result.exit_code == 0  # a new password keeps the role
    listed = CliRunner().invoke(cli, ["users", "list", "--home", str(home)]).output.split("\n")
    assert listed[:2] == ["ed (editor)", "rita"]
