"""Polish names (issue 12): the KPWr reader of benchmarks/multilingual.py and the morfeusz2 reading.

Every text here is self-written (CC0); KPWr's own text stays out of the repository.
"""

from __future__ import annotations

import json

import pytest

from benchmarks.multilingual import kpwr_docs

#: Two documents in KPWr's n82 IOB layout (orth, base, ctag, label), one of them in wikinews/.
KPWR_SNIPPET = """\
-DOCSTART CONFIG FEATURES orth base ctag
-DOCSTART FILE dap/00000001
Wizyta\twizyta\tsubst:sg:nom:f\tO
w\tw\tprep:loc:nwok\tO
Gdańsku\tGdańsk\tsubst:sg:loc:m3\tB-nam_loc_gpe_city

Premier\tpremier\tsubst:sg:nom:m1\tO
Jan\tJan\tsubst:sg:nom:m1\tB-nam_liv_person
Nowak\tNowak\tsubst:sg:nom:m1\tI-nam_liv_person
(\t(\tinterp\tO
PO\tPO\tbrev:npun\tB-nam_org_political_party
)\t)\tinterp\tO
odwiedził\todwiedzić\tpraet:sg:m1:perf\tO
Pomorze\tPomorze\tsubst:sg:acc:n\tB-nam_loc_gpe_admin1
i\ti\tconj\tO
Wisłę\tWisła\tsubst:sg:acc:f\tB-nam_loc_hydronym_river
.\t.\tinterp\tO

-DOCSTART FILE wikinews/00000002
Anna\tAnna\tsubst:sg:nom:f\tB-nam_liv_person
śpi\tspać\tfin:sg:ter:imperf\tO
.\t.\tinterp\tO
"""


def test_kpwr_reader_rebuilds_text_and_gold_offsets_and_holds_wikinews_out(tmp_path):
    path = tmp_path / "kpwr.iob"
    path.write_text(KPWR_SNIPPET, encoding="utf-8")
    [(folder, text, spans)] = kpwr_docs(path)
    assert folder == "dap"
    # a heading without a final mark ends its line; no space before ")" "." nor after "("
    assert text == "Wizyta w Gdańsku\nPremier Jan Nowak (PO) odwiedził Pomorze i Wisłę."
    assert [(label, text[s:e]) for label, s, e, _ in spans] == [
        ("CITY", "Gdańsku"),
        ("PERSON", "Jan Nowak"),
        ("STATE_OR_PROVINCE", "Pomorze"),
        ("LOCATION", "Wisłę"),
    ]
    assert all(text[s:e] == surface for _, s, e, surface in spans)
    [(held_out, _, [(label, s, e, surface)])] = kpwr_docs(path, "wikinews")
    assert (held_out, label, surface) == ("wikinews", "PERSON", "Anna")


#: Self-written Polish articles, each for one way a name was missed or misread before.
ARTICLES = [
    {
        "id": "foreign",
        "text": "Marc Andreessen i Elinor Ostrom rozmawiali w Stanach Zjednoczonych. "
        "Wieczorem Jarek pojechał do Bawarii.",
    },
    {
        "id": "sport",
        "text": "Gole strzelali Szpiegowski i Chmielecki. Samolot pilotował H. Skrzypiński, a na zmianę "
        "wszedł Herski Marcin. Szkoła stoi przy ul. Adama Mickiewicza w Zielonej Górze, "
        "w województwie lubuskim.",
    },
    {"id": "trip", "text": "Turyści z Warszawy odwiedzili Medellin i Cartagenę."},
    {
        "id": "located",
        "text": "Festiwal zakończył się w Dubrovniku. Występowanie: Chiny i Japonia. Tam było ciepło.",
    },
    {"id": "names", "text": "Lawrence Lessig ogłosił to w Krakowie. Wtedy przyjechał Andy z bratem."},
    {
        "id": "declined",
        "text": "Książkę napisał Benkler. Teksty Benklera czyta wielu, a Benklerowi nikt nie przeczy. "
        "Program Qwerty działa.",
    },
    {"id": "subject", "text": "Róża milczała. Róże kwitną w ogrodzie."},
    {"id": "union", "text": "Mieszka w Unii od lat, a pracuje w Kantonie."},
    {"id": "home", "text": "Tam wrócili do Warszawy i zostali w Warszawie."},
    {
        "id": "campaign",
        "text": "Kampania wyborcza ruszyła. Bawaria wybrała rząd, a turyści jadą do Kampanii.",
    },
    {
        "id": "things",
        "text": "Nad Bzurą stoi biblioteka im. K. K. Baczyńskiego. "
        "Domy budują w Janowie. Pytanie do pani minister: Kiedy to będzie?",
    },
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """The articles imported with the real importer, read through the JSON API."""
    from archive.importer import import_paths
    from archive.web.app import create_app

    inputs = tmp_path_factory.mktemp("pl-inputs") / "pl.jsonl"
    records = [{**a, "title": a["id"], "language": "pl"} for a in ARTICLES]
    inputs.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    home = tmp_path_factory.mktemp("pl-home")
    report = import_paths([str(inputs)], home, workers=1)
    assert not report.failed, report.failed
    return create_app({"ARCHIVE_HOME": str(home), "TESTING": True}).test_client()


def names(client, article_id: str, kind: str) -> dict[str, list[str]]:
    """An article's persons or places: key -> the text of each mention."""
    article = client.get(f"/api/articles/{article_id}").get_json()
    text = article["text"]
    return {x["key"]: [text[m["start"] : m["end"]] for m in x["mentions"]] for x in article[kind]}


def test_foreign_full_names_a_given_name_alone_and_places_in_the_nominative(client):
    """Names morfeusz2 does not know, after a given name of the name list; a given name alone (not
    joined to the sentence's first word); a two-word country and a region in an oblique case."""
    assert names(client, "foreign", "persons") == {
        "andresen_marc": ["Marc Andreessen"],
        "ostrom_elinor": ["Elinor Ostrom"],
        "iarek": ["Jarek"],
    }
    assert names(client, "foreign", "places") == {"US": ["Stanach Zjednoczonych"], "DE": ["Bawarii"]}


def test_surnames_in_lists_initials_and_patrons(client):
    """A surname that is also an adjective, an initial with a surname, a surname before its given
    name; a street's patron is no person; a sentence's first word that is a common word is no place;
    a two-word city and a voivodeship by its adjective are."""
    assert names(client, "sport", "persons") == {
        "shpiegovski": ["Szpiegowski"],
        "chmieleki": ["Chmielecki"],
        "skzhipinski": ["H. Skrzypiński"],
        "herski_martin": ["Herski Marcin"],
    }
    assert names(client, "sport", "places") == {"PL/3080165": ["Zielonej Górze"], "PL": ["lubuskim"]}


def test_a_foreign_city_morfeusz_does_not_know_in_a_case_form(client):
    assert names(client, "trip", "places") == {
        "PL/756135": ["Warszawy"],
        "CO/3674962": ["Medellin"],
        "CO/3687238": ["Cartagenę"],
    }


def test_a_small_town_after_in_and_a_country_opening_a_sentence(client):
    """Dubrovnik is smaller than an unknown word needs to be a place, but "w" (in) says it is one;
    "Chiny" opens a sentence and is also a noun (china), "Tam" (there) an adverb and no place."""
    assert names(client, "located", "places") == {
        "HR/3201047": ["Dubrovniku"],
        "CN": ["Chiny"],
        "JP": ["Japonia"],
    }


def test_given_names_morfeusz_knows_only_as_a_place_or_by_another_lemma(client):
    """Lawrence is a surname and a US town to morfeusz2, a given name to the name list; Andy is a
    given name and the Andes, and no town Anda (a case ending guessed on morfeusz2's own lemma)."""
    assert names(client, "names", "persons") == {"lesig_lawrence": ["Lawrence Lessig"], "andi": ["Andy"]}
    assert names(client, "names", "places") == {"PL/3094802": ["Krakowie"]}


def test_an_unknown_word_the_article_declines_is_one_person(client):
    """No dictionary knows "Benkler", and no full name confirms it; its case forms in the article do
    (and join under its bare form). "Qwerty", written once and never declined, stays out."""
    assert names(client, "declined", "persons") == {"benkler": ["Benkler", "Benklera", "Benklerowi"]}


def test_a_given_name_that_is_a_word_opening_a_sentence_before_its_verb(client):
    """Róża is a rose too: opening a sentence it is a person when a verb follows (milczała), and the
    plural Róże before kwitną is no one."""
    assert names(client, "subject", "persons") == {"roza": ["Róża"]}


def test_a_far_towns_alternate_name_that_is_a_polish_word_is_no_place_even_after_in(client):
    """ "Unia" (a union) is an alternate name of a small Turkish town: "w" does not make it one. Kanton,
    Guangzhou's Polish name, is a big city's."""
    assert names(client, "union", "places") == {"CN/1809858": ["Kantonie"]}


def test_an_articles_place_has_only_its_own_mentions(client):
    """Warsaw in two articles: each has its own mentions (the cached place once gathered both)."""
    assert names(client, "home", "places") == {"PL/756135": ["Warszawy", "Warszawie"]}


def test_rivers_patrons_and_plural_given_names_are_no_persons(client):
    """A surname that is also a river (Bzura); a library's patron after "im." and initials; a given
    name in the plural (Janowie: a village Janów); a sentence's first word after a title and a colon."""
    assert names(client, "things", "persons") == {}


def test_a_sentence_opening_common_noun_is_no_region_abroad_unless_the_word_is_archaic(client):
    """ "Kampania" (a campaign) opening a sentence is not Campania, Italy, which "do Kampanii" is;
    "Bawaria" is Bavaria there, its common reading being archaic."""
    assert names(client, "campaign", "places") == {"DE": ["Bawaria"], "IT": ["Kampanii"]}
