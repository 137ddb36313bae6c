"""Issue 15 (and issue 10 item 9), the record side through the real CLI: ids stay distinct, copies from
two outlets stay two, an older version re-imported is stored, dates and titles are read safely, and the
report says what happened to a value it could not use."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from urllib.parse import unquote

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.cli import cli
from archive.errors import ReadError
from archive.models import Record
from archive.normalize import MAX_TITLE_CHARS, TITLE_FULL_KEY, article_from_record


def invoke(home: Path, *args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, [*args, "--home", str(home)], input=stdin, catch_exceptions=False)


def import_records(home: Path, records: list[dict]) -> tuple[int, dict]:
    stdin = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    result = invoke(home, "import", "-", "--json", "--workers", "1", "--no-entities", stdin=stdin)
    return result.exit_code, json.loads(result.stdout)


def show(home: Path, article_id: str) -> dict | None:
    result = invoke(home, "show", article_id, "--json")
    return json.loads(result.stdout) if result.exit_code == 0 else None


def test_distinct_ids_stay_distinct_and_read_back(tmp_path):
    """Medium 7: ``a/b``, ``a-b``, ``a b``, ``a\\b`` were one article (imported, updated x3)."""
    given_ids = ["a/b", "a-b", "a b", "a\\b", "a%2Fb", "a\tb"]
    home = tmp_path / "home"
    code, report = import_records(home, [{"id": i, "text": f"Body of {i!r}."} for i in given_ids])
    assert code == 0
    assert [i["status"] for i in report["items"]] == ["imported"] * len(given_ids)
    ids = [i["id"] for i in report["items"]]
    assert len(set(ids)) == len(given_ids)
    assert [unquote(i) for i in ids] == given_ids
    for article_id, original in zip(ids, given_ids, strict=True):
        assert show(home, article_id)["text"] == f"Body of {original!r}."
    assert json.loads(invoke(home, "stats", "--json").stdout)["articles"] == len(given_ids)


#: Ids a record may give (a blank one means "derive it from the content").
IDS = st.text(min_size=1, max_size=12).filter(str.strip)


@settings(max_examples=200, deadline=None)
@given(first=IDS, second=IDS)
def test_two_different_ids_never_become_one_article(first, second):
    """The id rule is one-to-one: what it keeps, ``unquote`` gives back."""
    made = []
    for value in (first, second):
        try:
            made.append(article_from_record(Record(source="-", data={"id": value, "text": "x"})).id)
        except ReadError:
            continue
        assert unquote(made[-1], errors="surrogatepass") == unicodedata.normalize("NFC", value).strip()
    if len(made) == 2 and made[0] == made[1]:
        assert unicodedata.normalize("NFC", first).strip() == unicodedata.normalize("NFC", second).strip()


def test_dot_ids_are_refused_with_a_reason(tmp_path):
    code, report = import_records(tmp_path / "home", [{"id": ".", "text": "x"}, {"id": "..", "text": "y"}])
    assert code == 1
    assert [f["reason"] for f in report["failed"]] == [
        "'id' '.' cannot be an id: a web address reads it as a folder",
        "'id' '..' cannot be an id: a web address reads it as a folder",
    ]


def test_one_story_from_two_outlets_stays_two_articles(tmp_path):
    """Medium 7: id-less copies collapsed and one outlet's url, source and date were lost."""
    story = {"title": "Grain exports rise", "text": "Grain exports rose 5 percent in March, traders said."}
    copies = [
        {**story, "source": "Wire A", "url": "https://a.example/grain", "published": "2023-04-01"},
        {**story, "source": "Paper B", "url": "https://b.example/news/1", "published": "2023-04-02"},
        {**story, "url": "https://c.example/x"},
        {**story, "url": "https://d.example/y"},
    ]
    home = tmp_path / "home"
    code, report = import_records(home, copies)
    assert code == 0
    assert [i["status"] for i in report["items"]] == ["imported"] * 4
    shown = [show(home, i["id"]) for i in report["items"]]
    assert [(a["source"], a["url"]) for a in shown] == [(c.get("source"), c["url"]) for c in copies]
    assert [a["published"] for a in shown[:2]] == ["2023-04-01", "2023-04-02"]
    code, again = import_records(home, copies[:1])
    assert [i["status"] for i in again["items"]] == ["duplicate"]


def test_an_older_version_imported_after_a_newer_one_is_stored(tmp_path):
    """Medium 10: it was reported ``duplicate`` while the archive kept the newer text."""
    home = tmp_path / "home"
    old = {"id": "story-1", "title": "Draft", "text": "First version of the story."}
    new = {"id": "story-1", "title": "Final", "text": "Second, corrected version of the story."}
    assert [i["status"] for i in import_records(home, [old])[1]["items"]] == ["imported"]
    assert [i["status"] for i in import_records(home, [new])[1]["items"]] == ["updated"]
    assert [i["status"] for i in import_records(home, [old])[1]["items"]] == ["updated"]
    assert show(home, "story-1")["text"] == old["text"]
    assert [i["status"] for i in import_records(home, [old])[1]["items"]] == ["duplicate"]
    assert [i["status"] for i in import_records(home, [new])[1]["items"]] == ["updated"]
    assert show(home, "story-1")["title"] == "Final"


def test_an_unreadable_date_is_a_warning_and_kept_in_extra(tmp_path):
    """Issue 10 item 9: ``"published": "yesterday"`` was dropped without a word."""
    home = tmp_path / "home"
    code, report = import_records(
        home,
        [
            {"id": "d1", "text": "x", "published": "yesterday"},
            {"id": "d2", "text": "y", "date": "2023-05-01"},
        ],
    )
    assert code == 0 and report["imported"] == 2
    (warning,) = report["warnings"]
    assert (warning["source"], warning["line"], warning["id"]) == ("-", 1, "d1")
    assert "'yesterday' could not be read as a date" in warning["message"]
    article = show(home, "d1")
    assert article["published"] is None and article["extra"]["published_raw"] == "yesterday"
    text_run = invoke(
        home,
        "import",
        "-",
        "--workers",
        "1",
        "--no-entities",
        stdin='{"id": "d3", "text": "z", "published": "soon"}\n',
    )
    assert "warning: -:1: d3: the publication date 'soon'" in text_run.stderr


def test_dates_read_safely(tmp_path):
    """Low: ``10:00 PM`` was stored as 10:00, Arabic-Indic digits kept raw, ``…Z garbage`` accepted."""
    home = tmp_path / "home"
    dates = {
        "pm": ("2023-10-24 10:00 PM", "2023-10-24T22:00:00"),
        "arabic": ("٢٠٢٣-١٠-٢٤", "2023-10-24"),
        "arabic-time": ("٢٠٢٣-١٠-٢٤T٠٨:٣٠:٠٠Z", "2023-10-24T08:30:00"),
        "garbage": ("2023-10-24T10:00:00Z garbage", None),
        "zone": ("2023-10-24T10:00:00+05:30", "2023-10-24T10:00:00"),
    }
    code, report = import_records(home, [{"id": k, "text": k, "published": v} for k, (v, _) in dates.items()])
    assert code == 0
    assert {k: show(home, k)["published"] for k in dates} == {k: want for k, (_, want) in dates.items()}
    assert [w["id"] for w in report["warnings"]] == ["garbage"]


def test_titles_are_bounded_and_kept_whole_in_extra(tmp_path):
    """Low: a 1.15 MB title made every listing 1.16 MB."""
    home = tmp_path / "home"
    title = "Harbour " * 150_000
    code, report = import_records(home, [{"id": "t1", "title": title, "text": "Body."}])
    assert code == 0
    article = show(home, "t1")
    assert len(article["title"]) <= MAX_TITLE_CHARS and article["title"].endswith("…")
    assert article["extra"][TITLE_FULL_KEY] == title.strip()
    listing = invoke(home, "search", "harbour", "--json")
    assert len(listing.stdout) < 20_000
    assert "title" in report["warnings"][0]["message"]
