"""Wire copies as one story (issue 14 item 3): grouping at import, collapse in the CLI, API and site,
kept right through update, delete and reindex."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from archive import copies
from archive.cli import cli
from archive.importer import delete, import_paths
from archive.reindex import reindex

PARAGRAPHS = [
    "The central bank of Norway raised its main interest rate by 25 basis points to 4.5 percent on "
    "Thursday, its highest level since 2008, and said it expected to lift borrowing costs once more "
    "before the end of the year as inflation stayed well above its target.",
    "Governor Ida Wolden Bache told reporters in Oslo that the weak crown had pushed up the price of "
    "imported goods and that wage growth of 5.4 percent this year was higher than the bank had forecast "
    "in its June report, leaving policymakers little choice.",
    "Economists polled before the decision had been split, with 14 of 22 expecting a hike and the rest "
    "forecasting that the bank would wait until December to see whether the slowdown in the housing "
    "market would cool prices on its own.",
    "The crown strengthened 0.6 percent against the euro after the announcement, while yields on "
    "two-year government bonds rose eight basis points, traders in the Norwegian capital said later in "
    "the afternoon.",
]
ORIGINAL = "\n\n".join(PARAGRAPHS)
#: The same news told in other words: one topic, another story.
SAME_TOPIC = (
    "Norway's policymakers lifted borrowing costs again this week. Rates now stand at 4.5 percent after "
    "a quarter-point move, the steepest level in fifteen years. Bache, who leads the Norges Bank, blamed "
    "a feeble currency for dearer imports and said pay settlements had run ahead of projections. Most "
    "analysts surveyed by news agencies had predicted the step, though a minority thought the board would "
    "hold off until December. Markets reacted calmly: the krone firmed slightly versus the euro and "
    "short-dated bond yields edged up during the session in Oslo."
)
UNRELATED = (
    "A ferry carrying 212 passengers ran aground off the coast of western Scotland early on Sunday, and "
    "all on board were taken safely to shore by lifeboat crews, the coastguard said. The vessel had left "
    "Oban for the island of Mull shortly after dawn when it struck rocks in heavy fog, according to the "
    "operator, which said it would inspect the hull before the ship sailed again. No injuries were "
    "reported and the cause was being investigated by marine accident officials."
)


def with_lead(text: str) -> str:
    return "OSLO (Nordic Daily) - Norway's central bank surprised few with its latest move.\n\n" + text


def with_credit(text: str) -> str:
    return text + "\n\n(Reporting by Terje Solsvik; Editing by Toby Chopra)"


def with_words_changed(text: str) -> str:
    return text.replace("told reporters", "informed journalists").replace("polled", "surveyed")


RECORDS = [
    {"id": "wire", "title": "Norway raises rates to 4.5 pct", "text": ORIGINAL, "source": "Wire", "published": "2023-09-21"},
    {"id": "lead", "title": "Norges Bank hikes again", "text": with_lead(ORIGINAL), "source": "Nordic Daily", "published": "2023-09-21"},
    {"id": "credit", "title": "Norway lifts rates", "text": with_credit(ORIGINAL), "source": "Gazette", "published": "2023-09-22"},
    {"id": "words", "title": "Norway rate hike", "text": with_words_changed(with_credit(with_lead(ORIGINAL))), "source": "Courier", "published": "2023-09-22"},
    {"id": "topic", "title": "Oslo lifts borrowing costs", "text": SAME_TOPIC, "source": "Analyst", "published": "2023-09-21"},
    {"id": "ferry", "title": "Ferry runs aground", "text": UNRELATED, "source": "Wire", "published": "2023-09-24"},
]  # fmt: skip


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def home(tmp_path) -> Path:
    home = tmp_path / "home"
    import_paths([str(write_jsonl(tmp_path / "in.jsonl", RECORDS))], home, with_entities=False)
    return home


def api(home: Path, **args) -> dict:
    from archive.web.app import create_app

    client = create_app(
        {"TESTING": True, "ARCHIVE_HOME": str(home), "SEARCH_TIME_BUDGET": 10.0}
    ).test_client()
    response = client.get("/api/search", query_string=args)
    assert response.status_code == 200, response.data
    return response.get_json()


def stories(home: Path) -> list[set[str]]:
    """The archive's stories as sets of article ids, from the collapsed API answer."""
    result = api(home, collapse="1", per_page="100")
    return sorted(({r["id"], *(c["id"] for c in r["copies"])} for r in result["results"]), key=sorted)


# -- the rule, on real-looking texts -------------------------------------------------------------------


@pytest.mark.parametrize(
    "edit", [with_lead, with_credit, with_words_changed], ids=["lead", "credit", "words"]
)
def test_a_copy_is_similar_enough(edit):
    score = copies.similarity(copies.fingerprint(ORIGINAL), copies.fingerprint(edit(ORIGINAL)))
    assert score >= copies.THRESHOLD


def test_the_same_topic_in_other_words_is_not_a_copy():
    score = copies.similarity(copies.fingerprint(ORIGINAL), copies.fingerprint(SAME_TOPIC))
    assert score < copies.THRESHOLD / 4


def test_a_template_with_new_figures_is_another_story():
    """Next week's figures in the same wording: nearly every shingle shared, yet a different story."""
    next_week = ORIGINAL.replace("4.5 percent", "4.75 percent").replace("5.4 percent", "5.6 percent")
    mine, theirs = copies.fingerprint(ORIGINAL), copies.fingerprint(next_week)
    assert len(mine.shingles & theirs.shingles) / len(mine.shingles) > 0.9
    assert copies.similarity(mine, theirs) == 0.0


def test_short_texts_have_no_bands():
    assert copies.band_keys(copies.shingles("Qtly div ten cts vs ten cts prior, pay April one")) == []
    assert len(copies.band_keys(copies.shingles(ORIGINAL))) == copies.BANDS


# -- import and search ---------------------------------------------------------------------------------


def test_import_groups_copies_and_keeps_other_stories_apart(home):
    assert stories(home) == [{"credit", "lead", "wire", "words"}, {"ferry"}, {"topic"}]


def test_api_collapse_returns_one_result_per_story_with_its_copies(home):
    flat = api(home, q="norway")
    assert flat["total"] == 5 and flat["stories"] == 2
    assert "copies" not in flat["results"][0]
    collapsed = api(home, q="norway", collapse="1")
    assert collapsed["total"] == 5 and collapsed["stories"] == 2
    assert len(collapsed["results"]) == 2
    wire = next(r for r in collapsed["results"] if r["id"] in {"wire", "lead", "credit", "words"})
    assert {c["id"] for c in wire["copies"]} == {"wire", "lead", "credit", "words"} - {wire["id"]}
    by_id = {r["id"]: r for r in RECORDS}
    for copy in wire["copies"]:
        assert copy == {k: by_id[copy["id"]][k] for k in ("id", "title", "source", "published")}


def test_api_collapse_lists_only_matching_copies(home):
    """A copy the query does not match is not a result, so it is not listed under one either."""
    result = api(home, q="Chopra", collapse="1")
    assert result["total"] == 2 and result["stories"] == 1
    assert {result["results"][0]["id"], *(c["id"] for c in result["results"][0]["copies"])} == {
        "credit",
        "words",
    }


def test_api_refuses_a_bad_collapse_value(home):
    from archive.web.app import create_app

    client = create_app({"TESTING": True, "ARCHIVE_HOME": str(home)}).test_client()
    response = client.get("/api/search?collapse=maybe")
    assert response.status_code == 400
    assert "collapse" in response.get_json()["error"]


def test_openapi_describes_collapse(home):
    from archive.web.app import create_app

    spec = (
        create_app({"TESTING": True, "ARCHIVE_HOME": str(home)})
        .test_client()
        .get("/api/openapi.json")
        .get_json()
    )
    params = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert "collapse" in params
    schemas = spec["components"]["schemas"]
    assert "stories" in schemas["SearchResult"]["required"]
    assert set(schemas["Copy"]["properties"]) == {"id", "title", "source", "published"}
    assert "copies" in schemas["Hit"]["properties"]


def test_api_article_has_its_story_and_copies_as_the_article_page(home, tmp_path):
    from archive.web.app import create_app

    client = create_app({"TESTING": True, "ARCHIVE_HOME": str(home)}).test_client()
    lead = client.get("/api/articles/lead").get_json()
    assert lead["story"] == "wire"  # named by its first article
    assert [c["id"] for c in lead["copies"]] == ["wire", "credit", "words"]  # oldest arrival first
    assert lead["copies"][0] == {
        "id": "wire",
        "title": "Norway raises rates to 4.5 pct",
        "source": "Wire",
        "published": "2023-09-21",
    }
    on_page = {
        a["href"].rsplit("/", 1)[1] for a in page(home, "/articles/lead").select("section.copies li a")
    }
    assert on_page == {c["id"] for c in lead["copies"]}
    alone = client.get("/api/articles/topic").get_json()
    assert (alone["story"], alone["copies"]) == ("topic", [])
    shown = CliRunner().invoke(cli, ["show", "lead", "--json", "--home", str(home)])
    assert json.loads(shown.output) == lead  # show --json is what the API returns
    schema = client.get("/api/openapi.json").get_json()["components"]["schemas"]["Article"]
    assert {"story", "copies"} <= set(schema["required"])
    assert schema["properties"]["copies"]["items"] == {"$ref": "#/components/schemas/Copy"}


def test_cli_collapse(home):
    runner = CliRunner()
    result = runner.invoke(cli, ["search", "norway", "--collapse", "--json", "--home", str(home)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["total"], data["stories"], len(data["results"])) == (5, 2, 2)
    text = runner.invoke(cli, ["search", "norway", "--collapse", "--home", str(home)])
    assert text.exit_code == 0, text.output
    assert text.output.startswith("5 articles in 2 stories\n")
    assert text.output.count("    also: ") == 3
    flat = runner.invoke(cli, ["search", "norway", "--json", "--home", str(home)])
    assert len(json.loads(flat.output)["results"]) == 5


# -- the site ------------------------------------------------------------------------------------------


def page(home: Path, url: str) -> BeautifulSoup:
    from archive.web.app import create_app

    client = create_app(
        {"TESTING": True, "ARCHIVE_HOME": str(home), "SEARCH_TIME_BUDGET": 10.0}
    ).test_client()
    response = client.get(url)
    assert response.status_code == 200, response.data
    return BeautifulSoup(response.data, "html.parser")


def test_results_page_collapses_by_default_with_a_switch(home):
    soup = page(home, "/search?q=norway")
    assert len(soup.select("li.hit")) == 2
    assert soup.select_one(".stories-count").text == "2"
    hit = next(h for h in soup.select("li.hit") if h.select("details.copies"))
    assert len(hit.select("details.copies li")) == 3
    switch = soup.select_one("a.copies-switch")
    assert switch.text == "Show all copies"
    every = page(home, switch["href"])
    assert len(every.select("li.hit")) == 5
    assert not every.select("details.copies")
    back = every.select_one("a.copies-switch")
    assert back.text == "Group copies into stories"
    assert len(page(home, back["href"]).select("li.hit")) == 2


def test_article_page_lists_also_published_as(home):
    soup = page(home, "/articles/lead")
    links = soup.select("section.copies li a")
    assert {a["href"] for a in links} == {"/articles/wire", "/articles/credit", "/articles/words"}
    assert not page(home, "/articles/topic").select("section.copies")


# -- kept right as the archive changes -----------------------------------------------------------------


def test_delete_regroups_copies_that_were_joined_through_the_deleted_article(tmp_path):
    """The first half and the second half of a story are each a copy of the whole, not of each other."""
    first, second = "\n\n".join(PARAGRAPHS[:2]), "\n\n".join(PARAGRAPHS[2:])
    records = [
        {"id": "whole", "title": "Whole", "text": ORIGINAL},
        {"id": "first", "title": "First half", "text": first},
        {"id": "second", "title": "Second half", "text": second},
    ]
    home = tmp_path / "home"
    import_paths([str(write_jsonl(tmp_path / "in.jsonl", records))], home, with_entities=False)
    assert stories(home) == [{"first", "second", "whole"}]
    assert delete(["whole"], home) == []
    assert stories(home) == [{"first"}, {"second"}]


def test_update_moves_an_article_out_of_its_story(home, tmp_path):
    changed = {**RECORDS[2], "text": UNRELATED.replace("212", "213") + " A second ferry was not affected."}
    report = import_paths([str(write_jsonl(tmp_path / "update.jsonl", [changed]))], home, with_entities=False)
    assert report.count("updated") == 1
    assert stories(home) == [{"credit"}, {"ferry"}, {"lead", "wire", "words"}, {"topic"}]


def test_a_copy_arriving_later_joins_the_story(home, tmp_path):
    late = {"id": "late", "title": "Late", "text": with_credit(with_lead(ORIGINAL)), "source": "Weekly"}
    import_paths([str(write_jsonl(tmp_path / "late.jsonl", [late]))], home, with_entities=False)
    assert stories(home) == [{"credit", "late", "lead", "wire", "words"}, {"ferry"}, {"topic"}]


def test_reindex_keeps_stories(home):
    before = stories(home)
    assert reindex(home) == len(RECORDS)
    assert stories(home) == before


def test_delete_reindex_and_a_repeated_import_do_not_load_datasketch(home, tmp_path):
    """datasketch (and scipy, ~0.9 s) is imported only where bands are computed: these compute none."""
    again = write_jsonl(tmp_path / "again.jsonl", RECORDS)
    commands = [
        ["import", str(again), "--no-entities", "--home", str(home)],  # every record unchanged
        ["delete", "topic", "--home", str(home)],
        ["reindex", "--home", str(home)],
    ]
    script = (
        "import json, sys\n"
        "from click.testing import CliRunner\n"
        "from archive.cli import cli\n"
        f"for args in {commands!r}:\n"
        "    result = CliRunner().invoke(cli, args)\n"
        "    assert result.exit_code == 0, (args, result.output)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('datasketch', 'scipy'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.splitlines()[-1]) == []
    assert stories(home) == [{"credit", "lead", "wire", "words"}, {"ferry"}]
