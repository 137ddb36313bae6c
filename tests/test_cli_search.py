"""`archive search` and `archive show` print exactly what the HTTP API returns, on the seed archive."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.web.app import create_app

SEED_ID_PREFIX = "a-"


def cli_json(*args: str, home) -> dict:
    result = CliRunner().invoke(cli, [*args, "--json", "--home", str(home)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def client(seed_home):
    return create_app({"TESTING": True, "ARCHIVE_HOME": str(seed_home)}).test_client()


@pytest.mark.parametrize(
    "cli_args, query",
    [
        (["Lukashenko"], "q=Lukashenko"),
        (["Lukashenko", "--exact"], "q=Lukashenko&mode=exact"),
        (["", "--place", "Belarus", "--sort", "newest"], "q=&place=Belarus&sort=newest"),
        (["election", "--from", "2020-01", "--to", "2020-12"], "q=election&from=2020-01&to=2020-12"),
    ],
)
def test_search_json_is_what_the_api_returns(seed_home, client, cli_args, query):
    printed = cli_json("search", *cli_args, home=seed_home)
    served = client.get(f"/api/search?{query}").get_json()
    assert printed == served


def test_name_variants_widen_normal_search_but_not_exact(seed_home):
    normal = cli_json("search", "Lukashenko", home=seed_home)
    exact = cli_json("search", "Lukashenko", "--exact", home=seed_home)
    seed = [r for r in normal["results"] if r["id"].startswith(SEED_ID_PREFIX)]
    assert seed, "the seed article spells him Lukashenka; normal mode must find it"
    assert "Lukashenka" in " ".join(normal["variants"])
    assert not [r for r in exact["results"] if r["id"] == seed[0]["id"]]


def test_limit_has_no_page_cap(seed_home):
    result = cli_json("search", "", "--sort", "oldest", "--limit", "150", home=seed_home)
    assert len(result["results"]) == 150 < result["total"]


def test_show_json_is_what_the_api_returns(seed_home, client):
    hit = cli_json("search", "Karpiankou", home=seed_home)["results"][0]
    shown = cli_json("show", hit["id"], home=seed_home)
    assert shown == client.get(f"/api/articles/{hit['id']}").get_json()
    people = {p["name"]: p for p in shown["persons"]}
    karp = [p for p in shown["persons"] if any("Karpyankov" in v for v in p["variants"])]
    assert len(karp) == 1 and any("Karpiankou" in v for v in karp[0]["variants"]), people.keys()


def test_bad_query_is_a_usage_error(seed_home):
    result = CliRunner().invoke(cli, ["search", "x", "--from", "2020-13", "--home", str(seed_home)])
    assert result.exit_code == 2
    assert "2020-13" in result.output


def test_every_command_documents_an_example():
    for name, command in cli.commands.items():
        assert "Example:" in (command.help or ""), name
