"""Every form of a word finds its articles (issue 10 item 1), through `archive search` on a real archive.

The archive is imported by the real importer from a few JSON Lines records written for each case.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.search.analysis import LEMMA_MARK, main_form, name_stems, query_forms, word_forms

RECORDS = [
    {"id": "covid-whole", "title": "Cases", "text": "The covid-19 wards filled again in March."},
    {"id": "covid-part", "title": "Flu", "text": "Doctors said covid and flu spread in winter."},
    {"id": "assad", "title": "Syria", "text": "President Bashar al-Assad spoke in Damascus on Monday."},
    {"id": "rourke", "title": "Texas", "text": "Beto O'Rourke campaigned across the state."},
    {"id": "reagan", "title": "Budget", "text": "Reagan's budget plan reached Congress on Tuesday."},
    {"id": "us-caps", "title": "Trade", "text": "The US trade deficit widened, the report said."},
    {"id": "us-dots", "title": "Rates", "text": "U.S. interest rates rose by a quarter point."},
    {"id": "us-pronoun", "title": "Letters", "text": "He told us that the letters arrived late."},
    {"id": "who-caps", "title": "Health", "text": "The WHO warned of a new outbreak in the region."},
    {"id": "who-pronoun", "title": "Winner", "text": "Nobody knew who won the vote in the end."},
    {"id": "stock-exchange", "title": "Listing", "text": "Shares listed on the stock exchange rose."},
    {"id": "stock-in", "title": "Swap", "text": "They paid in stock in exchange for the firm."},
]


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    folder = tmp_path_factory.mktemp("forms")
    source = folder / "records.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    home = folder / "home"
    result = CliRunner().invoke(cli, ["import", str(source), "--home", str(home), "--quiet"])
    assert result.exit_code == 0, result.output
    return home


def found(home, query: str, *extra: str) -> dict:
    result = CliRunner().invoke(
        cli, ["search", query, "--json", "--limit", "50", "--home", str(home), *extra]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def ids(home, query: str) -> set[str]:
    return {r["id"] for r in found(home, query)["results"]}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("covid", {"covid-whole", "covid-part"}),
        ("covid-19", {"covid-whole"}),
        ("Assad", {"assad"}),
        ("al-Assad", {"assad"}),
        ("Rourke", {"rourke"}),
        ("O'Rourke", {"rourke"}),
        ("Reagan", {"reagan"}),
        ("Reagan's", {"reagan"}),
    ],
)
def test_hyphen_and_apostrophe_words_are_found_by_every_form(home, query, expected):
    assert ids(home, query) == expected


@pytest.mark.parametrize(
    "query, expected",
    [
        ("US", {"us-caps", "us-dots"}),
        ("U.S.", {"us-caps", "us-dots"}),
        ("WHO", {"who-caps"}),
        ("us", {"us-caps", "us-dots", "us-pronoun"}),
        ("who", {"who-caps", "who-pronoun"}),
    ],
)
def test_acronyms_in_capitals_are_not_the_pronoun(home, query, expected):
    assert ids(home, query) == expected


def test_a_phrase_skips_no_word(home):
    assert ids(home, '"stock exchange"') == {"stock-exchange"}
    assert ids(home, '"stock in exchange"') == {"stock-in"}


def test_a_part_marks_the_whole_word(home):
    (hit,) = found(home, "Assad")["results"]
    html = hit["snippets"][0]["html"]  # the name may be marked whole too ("Bashar al-Assad")
    assert "al-Assad</mark>" in html and "<mark>Assad" not in html
    marked = {r["id"]: r["snippets"][0]["html"] for r in found(home, "US")["results"]}
    assert "<mark>US</mark>" in marked["us-caps"]
    assert "<mark>U.S.</mark>" in marked["us-dots"]


def test_forms_share_a_position_and_a_phrase_matches_through_a_part(home):
    assert ids(home, '"Assad spoke"') == {"assad"}
    assert ids(home, '"covid-19 wards"') == {"covid-whole"}


def test_word_forms():
    """English forms as before; Polish terms (marked ``=``) come beside them, never in their place."""
    assert word_forms("covid-19", polish=False) == ("covid-19", "covid", "19")
    assert word_forms("al-Assad", polish=False) == ("al-assad", "al", "assad")
    assert word_forms("O'Rourke", polish=False) == ("o'rourk", "rourk")
    assert word_forms("Reagan's", polish=False) == ("reagan",)
    assert word_forms("U.S", polish=False) == ("us", "^us")
    assert query_forms("US", polish=False) == (("^us",), [])
    assert query_forms("NATO", polish=False) == (("^nato", "nato"), [])
    for word in ("covid-19", "al-Assad", "O'Rourke", "Reagan's", "U.S", "Dollars"):
        english = tuple(f for f in word_forms(word) if not f.startswith(LEMMA_MARK))
        assert english == word_forms(word, polish=False), word
    assert query_forms("US") == (("^us",), [])


@pytest.mark.parametrize(
    "words",
    [
        ("Москва", "Москве", "Москвы", "Москву"),
        ("Путин", "Путина", "Путину"),
        ("Лавров", "Лаврова", "Лавровым"),
        ("Земан", "Земану", "Земаном"),
        ("Путін", "Путінові", "Путіна"),
        ("Київ", "Києві", "Києва"),
        ("Зеленський", "Зеленського"),
        ("Лукашэнка", "Лукашэнку", "Лукашенко"),
        ("Мінск", "Мінску"),
        ("Warszawa", "Warszawie", "Warszawy"),
        ("Łukaszenka", "Łukaszenki", "Łukaszenkę", "Łukaszence"),
        ("Kaczyński", "Kaczyńskiego"),
        ("Biden", "Bidena"),
        # Snowball cut these apart (verb or adjective endings, a soft stem's й): the name's stems join them
        ("Земан", "Земана", "Земаном", "Земану"),
        ("Андрей", "Андрея", "Андрею", "Андреем"),
        ("Китай", "Китая", "Китае"),
        ("Людмила", "Людмилой"),
        ("Донован", "Донована", "Доновану"),
        ("Андрій", "Андрія", "Андрієм"),
        ("Матей", "Матея", "Матеєм", "Матеєві"),
        ("Тюлень", "Тюленеві"),
        ("Сальомея", "Сальомеї", "Сальомею", "Сальомеєю"),
        ("Тернова", "Тернової", "Терновою"),
        ("Петриківка", "Петриківці", "Петриківку"),
        ("Ольга", "Ользі"),
        ("Беларусь", "Беларусі"),
        ("Лукашэнка", "Лукашэнкам", "Лукашэнкі"),
        ("Лаўроў", "Лаўровым", "Лаўрова", "Лавров"),  # Belarusian ў is в in its case forms and in Russian
        ("Украіна", "Украінай", "Украіны", "Украіну"),
        ("Зяленскі", "Зяленскаму", "Зяленскага"),
        ("Зеленский", "Зеленского", "Зеленскому", "Зеленским"),
        ("Толстой", "Толстого", "Толстым"),
        ("Горбачёв", "Горбачёва", "Горбачёвым", "Горбачев"),
        ("Шевченко", "Шевченка", "Шевченкові", "Шевченком"),  # Ukrainian -енко declines
        ("Ткачук", "Ткачука", "Ткачукові"),
        ("Смилянец", "Смилянца", "Смилянцем"),  # the vowel other cases drop
        ("Тель-Авив", "Тель-Авиве", "Тель-Авива"),  # a compound's last part
        ("О.Умала", "О.Умалы", "О.Умалу"),  # an initial before the name
        ("Д.Медведев", "Д.Медведева", "Д.Медведевым"),
    ],
)
def test_case_forms_of_a_word_share_a_term(words):
    """A query in each form (its query terms) meets the index terms of every other form."""
    for typed in words:
        for other in words:
            assert set(query_forms(typed)[0]) & set(word_forms(other)), (typed, other)


@pytest.mark.parametrize(
    "name, other", [("Роман", "Романюк"), ("Путин", "Путинцев"), ("Мартин", "Мартинюк"), ("Ткач", "Ткаченко")]
)
def test_another_name_is_not_a_case_form(name, other):
    """-юк, -цев, -енко make another name: Роман does not find Романюк (nor the reverse), typed in any case."""
    for typed, indexed in ((name, other), (other, name), (name.lower(), other), (other.lower(), name)):
        assert not set(query_forms(typed)[0]) & set(word_forms(indexed)), (typed, indexed)


@pytest.mark.parametrize(
    "name, surname",
    [("Иван", "Иванов"), ("Александр", "Александров"), ("Лавр", "Лавров"), ("Сергей", "Сергеев")],
)
def test_a_given_name_does_not_find_the_surname_made_from_it(name, surname):
    """Snowball cut -ов, -ев as a genitive plural (Иванов -> иван): Иван found every Иванов."""
    for typed, indexed in ((name, surname), (name.lower(), surname), (surname, name)):
        assert not set(query_forms(typed)[0]) & set(word_forms(indexed)), (typed, indexed)
    assert set(query_forms(surname)[0]) & set(word_forms(surname + "а"))  # Иванов finds Иванова


def test_a_name_stem_keeps_its_surname_suffix():
    """-ов, -ев, -ин, -ів are a surname's own letters, not case endings (Snowball's stem of Лавров is
    "лавр", which this does not add to)."""
    assert name_stems("Лавров") == ["лавров"] == name_stems("Лаврова")
    assert name_stems("Путіним") == ["путин"] == name_stems("Путінові")
    assert name_stems("Андріїв") == ["андриив"]


def test_a_polish_case_form_is_not_an_english_stem():
    """Porter cut "Łukaszence" to "łukasz"; a word with a Polish letter is not stemmed as English."""
    assert not set(word_forms("Łukaszence")) & set(word_forms("Łukasz"))


@pytest.mark.parametrize(
    "word",
    ["Москве", "Києві", "covid-19", "al-Assad", "O'Rourke", "Reagan's", "U.S", "NATO", "Łukaszence", "5.93"],
)
def test_main_form_is_the_first_index_term(word):
    assert main_form(word) == word_forms(word)[0]


CYRILLIC_RECORDS = [
    {"id": "zeman", "title": "Прага", "text": "Встреча с президентом Земаном прошла в Праге во вторник."},
    {"id": "andrei", "title": "Футбол", "text": "Тренер Андрей Смирнов отказался от комментариев."},
    {"id": "petrykivka", "title": "Музей", "text": "У Петриківці відкрили новий музей розпису."},
    {"id": "belarus", "title": "Выбары", "text": "Сёння ў Беларусі пачаліся выбары ў мясцовыя саветы."},
    {"id": "romaniuk", "title": "Спорт", "text": "Олександр Романюк виграв забіг у Львові."},
    {"id": "stress", "title": "Визит", "text": "Министр Кадырба\u0301ев посетил Астану в среду."},
]


@pytest.fixture(scope="module")
def cyrillic_home(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cases")
    source = folder / "records.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in CYRILLIC_RECORDS), "utf-8")
    home = folder / "home"
    result = CliRunner().invoke(cli, ["import", str(source), "--home", str(home), "--quiet"])
    assert result.exit_code == 0, result.output
    return home


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Земана", {"zeman"}),
        ("земана", {"zeman"}),
        ("Андрея", {"andrei"}),
        ("Петриківка", {"petrykivka"}),
        ("Беларусь", {"belarus"}),
        ("Роман", set()),
        ("Кадырбаевым", {"stress"}),  # written with a stress mark: Кадырба́ев
        ('"Кадырбаев посетил"', {"stress"}),  # the mark does not cut the word in two
    ],
)
def test_a_name_in_one_case_finds_its_other_cases(cyrillic_home, query, expected):
    assert ids(cyrillic_home, query) == expected


def test_exact_mode_stays_literal_and_the_inflected_form_is_marked(cyrillic_home):
    assert ids(cyrillic_home, "Земаном") == {"zeman"}
    assert not found(cyrillic_home, "Земана", "--exact")["results"]
    for query in ("Земана", "земана"):
        (hit,) = found(cyrillic_home, query)["results"]
        assert "<mark>Земаном</mark>" in hit["snippets"][0]["html"], query
