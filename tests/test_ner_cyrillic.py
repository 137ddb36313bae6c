"""Persons and places in Russian and Ukrainian text (issue 12, natasha's path), read through the site's API.

Self-written sentences (CC0), each a case where natasha's spans need reading: a person's span that runs
on past the name, a given name tagged as a place, a title tagged as a person, a region.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

RECORDS = [
    # natasha's span "Оксана Левчук з Полтави" runs past the name into a place
    ("uk-span", "uk", "Власниками фірми є Оксана Левчук з Полтави і Богдан Мороз."),
    # "Анна" and "Роман" are small towns abroad too (Anna, Russia; Roman, Romania)
    ("uk-given", "uk", "Анна повернулася додому пізно, а Роман ні."),
    # natasha calls the title "Міністра" a person of its own; a title stands before it
    ("uk-title", "uk", "Про це розповів заступник Міністра освіти України Петро Гаврилюк."),
    # regions: US states by their Russian names, a Russian oblast (its ISO name is romanised Russian)
    (
        "ru-regions",
        "ru",
        "Губернатор Калифорнии встретился с фермерами из Техаса. В Московской области открыли школу.",
    ),
    ("uk-region", "uk", "У Каталонії оголосили вибори."),
    # a country by its name before a city's alternate name (Куба is not Cubatão, Brazil); Джорджия is
    # the US state, though the gazetteer reads "Georgia" as the country first
    ("ru-cuba-georgia", "ru", "Туристы вернулись с Кубы. Губернатор Джорджии выступил вчера."),
    # a region named without its kind (ISO 3166-2: "Автономна Республіка Крим"); natasha misses it
    ("uk-region-short", "uk", "Туристи повернулися з Криму вчора."),
    # places by their adjectives, as English "Russian" is Russia; "братские" is a brother's, not Bratsk's
    (
        "ru-adjectives",
        "ru",
        "Российские власти и американские дипломаты встретились в московском офисе. Братские народы.",
    ),
    # Ukrainian surnames simplemma does not know, in four cases each
    (
        "uk-surnames",
        "uk",
        "Педагог Остап Гайворонський відкрив школу в селі. Учні Гайворонського вивчали поезію, а"
        " Гайворонському дарували квіти. Про Остапа Кіщука писали газети: Кіщуком пишалися.",
    ),
    # natasha's Russian persons whose names only small towns abroad have (George, Obama)
    (
        "ru-persons",
        "ru",
        "Министр финансов Джордж Осборн прилетел в Вашингтон. Позиция Обамы, по его словам, не изменилась.",
    ),
    # places natasha cannot put in the nominative (it leaves "Нидерландах", makes "Соединенном Королевство")
    ("ru-nominatives", "ru", "Он жил в Нидерландах, потом в Соединённом Королевстве."),
    # natasha finds nobody: a person named by a given name alone, in two cases
    ("uk-lone", "uk", "Ірма відчинила вікно і довго дивилася на сад. Ірмі здавалося, що весна вже близько."),
    # a name that is also a place's: "Сталін" was Donetsk's name, "Килина" reads as Jilin, China
    ("uk-only-names", "uk", "Лист отримав Сталін наприкінці року. Сталіну доповіли про врожай."),
    ("uk-dictionary", "uk", "Вчителька похвалила Килину за твір. Килина зраділа."),
    # a common word that opens a sentence and is a name to the dictionary too ("Тому": "so"; Тома)
    ("uk-common", "uk", "Тому ми вирішили поїхати. Калина цвіла біля хати."),
    # natasha's full name whose given name is also a word ("Сонні": sleepy); the surname is only a name
    ("uk-foreign", "uk", "Найкраще соло зіграв Сонні Роллінз у Нью-Йорку."),
    # natasha's span runs from a party's name into the person's
    ("uk-party", "uk", "Представник Блоку Порошенка Костянтину Яринічу не відповів."),
    # names of streets and institutions' patrons: no person, and no Franco da Rocha (Brazil) either
    (
        "uk-patron",
        "uk",
        "Міністерство переїхало на вул. Франка, а кафе стоїть у парку ім. Т.Г. Шевченка. Франко писав вірші.",
    ),
    (
        "ru-patron",
        "ru",
        "Магазин открылся на улице Ленина. Она вышла замуж за человека по имени Джон Табмен. От имени"
        " Владимира Путина выступил Дмитрий Песков.",
    ),
    # possessive adjectives name a person: Шевченко's verses, Шекспір's sonnets, Ірма's face
    ("uk-possessive", "uk", "Учні довго читали Шевченкові вірші, а Шекспірових сонетів не знали."),
    ("uk-possessive-lone", "uk", "Пізно ввечері Ірма зайшла до кімнати. Ірмине обличчя сяяло."),
    # an adjectival surname in three cases (simplemma makes "Садовим" the adjective садовий, "garden");
    # "Петро" is a nominative, though the dictionary also reads it as Петра's vocative
    (
        "uk-adjectival",
        "uk",
        "Мер Андрій Садовий приїхав. З Андрієм Садовим говорили довго. Садового хвалили. Прийшов Петро Симоненко.",
    ),
    # natasha misses a Belarusian surname alone opening a sentence; another article names him in full
    ("be-full", "be", "Уладзімір Пуцін правёў перамовы ў Маскве."),
    ("be-alone", "be", "Пуціну далажылі пра сітуацыю на мяжы."),
    # a word with an apostrophe is one word, not a name "Пам"; "Тобі" (to you) opens a sentence, not Toby
    ("uk-apostrophe", "uk", "Пам’ять про це досі жива. Не раджу рватися сюди. Тобі тут не сподобається."),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from archive.importer import import_paths
    from archive.web.app import create_app

    inputs = tmp_path_factory.mktemp("cyrillic-inputs") / "articles.jsonl"
    lines = [
        json.dumps({"id": i, "language": lang, "title": i, "text": text}, ensure_ascii=False)
        for i, lang, text in RECORDS
    ]
    inputs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    home = tmp_path_factory.mktemp("cyrillic-home")
    report = import_paths([str(inputs)], Path(home), workers=1)
    assert not report.failed, report.failed
    app = create_app({"ARCHIVE_HOME": str(home), "TESTING": True})
    return app.test_client()


def article(client, article_id: str) -> tuple[dict[str, list[str]], set[str]]:
    """An article's persons (key -> the text of each mention) and place keys, from the JSON API."""
    data = client.get(f"/api/articles/{article_id}").get_json()
    text = data["text"]
    persons = {p["key"]: [text[m["start"] : m["end"]] for m in p["mentions"]] for p in data["persons"]}
    return persons, {p["key"] for p in data["places"]}


def test_a_person_span_that_runs_on_is_cut_at_its_lowercase_words(client):
    persons, places = article(client, "uk-span")
    assert persons["levchuk_oksana"] == ["Оксана Левчук"]
    assert "UA/696643" in places  # Полтави, the rest of the span, is Poltava


def test_a_given_name_is_a_person_not_a_small_town_abroad(client):
    persons, places = article(client, "uk-given")
    assert sorted(m for mentions in persons.values() for m in mentions) == ["Анна", "Роман"]
    assert not places


def test_a_title_alone_is_not_a_person(client):
    persons, places = article(client, "uk-title")
    assert list(persons) == ["gavriliuk_pyotr"]
    assert "UA" in places


def test_regions_are_places_us_states_their_own_and_others_their_country(client):
    """Калифорнии, Техаса: the gazetteer's US states; Московской области and Каталонії, which it does
    not hold, are their countries' (as England and Scotland are the United Kingdom's)."""
    _, places = article(client, "ru-regions")
    assert places == {"US/5332921", "US/4736286", "RU"}
    assert article(client, "uk-region")[1] == {"ES"}
    assert article(client, "uk-region-short")[1] == {"UA"}
    assert article(client, "ru-cuba-georgia")[1] == {"CU", "US/4197000"}
    found = client.get("/api/search?place=Texas&per_page=50").get_json()
    assert {hit["id"] for hit in found["results"]} == {"ru-regions"}


def test_a_given_name_alone_that_ner_missed_is_one_person_in_its_case_forms(client):
    persons, _ = article(client, "uk-lone")
    assert list(persons.values()) == [["Ірма", "Ірмі"]]


def test_a_country_or_big_city_adjective_is_its_place(client):
    _, places = article(client, "ru-adjectives")
    assert places == {"RU", "US", "RU/524901"}  # Russia, the United States, Moscow


def test_ukrainian_surnames_go_to_the_nominative_by_their_declension(client):
    """-ський and -ук surnames in any case are one person with the nominative's key."""
    persons, _ = article(client, "uk-surnames")
    assert persons == {
        "gaivoronski_ostap": ["Остап Гайворонський", "Гайворонського", "Гайворонському"],
        "kishchuk_ostap": ["Остапа Кіщука", "Кіщуком"],
    }


def test_a_russian_person_stays_a_person_when_only_a_small_town_has_the_name(client):
    persons, places = article(client, "ru-persons")
    assert sorted(m for mentions in persons.values() for m in mentions) == ["Джордж Осборн", "Обамы"]
    assert places == {"US/4140963"}  # Washington only


def test_a_russian_place_natasha_cannot_decline_is_put_in_the_nominative_by_the_dictionary(client):
    assert article(client, "ru-nominatives")[1] == {"NL", "GB"}


def test_a_ukrainian_name_the_dictionary_knows_only_as_a_name_is_a_person_not_a_place(client):
    """natasha finds "Сталін" and "Килину"; a gazetteer alias (Donetsk's old name, Jilin) made them places.
    pymorphy3's Ukrainian dictionary knows them only as names, so they are persons, in their cases."""
    assert article(client, "uk-only-names") == ({"stalin": ["Сталін", "Сталіну"]}, set())
    assert article(client, "uk-dictionary") == ({"kilina": ["Килину", "Килина"]}, set())


def test_a_sentence_opening_word_that_is_also_a_name_stays_a_word(client):
    assert article(client, "uk-common") == ({}, set())


def test_a_surname_after_an_initial_is_no_common_word():
    """ "Д. Лебедя": the initial's full stop is no sentence end, and лебідь ("swan") no common word here."""
    from archive.entities.ner_slavic import common_word

    text = "На думку Д. Лебедя, мову треба захищати. Лебедя бачили над ставком."
    assert not common_word(text, text.index("Лебедя"), "uk")
    assert common_word(text, text.rindex("Лебедя"), "uk")


def test_a_lone_word_the_dictionary_knows_only_as_a_thing_is_no_person():
    """natasha, reading Ukrainian, calls regions and other things persons ("Донбасі"); pymorphy3's
    dictionary knows the word, and only as an inanimate noun. A surname it knows as a name stays."""
    from archive.entities.ner_slavic import PER, Found, persons

    def lone(text: str, word: str, normal: str) -> list[str]:
        start = text.index(word)
        return [p.key for p in persons(text, [Found(PER, start, start + len(word), normal)], "uk")]

    assert lone("Про це багато писали на Донбасі.", "Донбасі", "Донбас") == []
    assert lone("Про це багато писав Гнатюк.", "Гнатюк", "Гнатюк") == ["gnatiuk"]
    # an adjective to the dictionary, but after an initial a surname
    assert lone("Про це писав С. Реформатський.", "Реформатський", "Реформатський") == ["reformatski"]


def test_a_russian_name_natasha_leaves_oblique_is_keyed_by_the_dictionary_nominative(client):
    """natasha returns "Обамы" as written; pymorphy3 knows it only as a surname, so the key is Obama's
    (the same as the full name's), not a person "obami" of its own."""
    persons, _ = article(client, "ru-persons")
    assert persons["obama"] == ["Обамы"]


def test_a_full_name_whose_given_name_is_also_a_word_stays_a_person(client):
    persons, _ = article(client, "uk-foreign")
    assert persons == {"rolinz_soni": ["Сонні Роллінз"]}
    persons, _ = article(client, "uk-party")  # the person starts at the given name
    assert persons == {"iarinich_konstantin": ["Костянтину Яринічу"]}


def test_a_street_or_patron_name_is_neither_a_person_nor_a_place(client):
    """ "вул. Франка", "ім. Т.Г. Шевченка", "улице Ленина" name a street or a park after a person the
    article is not about; "по имени" (by the name of) is no patron word, so Джон Табмен stays."""
    from archive.entities.ner_slavic import patron

    for text in ("Звернення від імені Зеленського", "Заява ад імя Ціханоўскай", "От имени Путина"):
        assert not patron(text, text.rindex(" ") + 1)
    for text in ("Університет імені Шевченка", "Універсітэт імя Купалы", "Театр имени Вахтангова"):
        assert patron(text, text.rindex(" ") + 1)
    persons, places = article(client, "uk-patron")
    assert persons == {"franko": ["Франко"]}
    assert places == set()
    persons, _ = article(client, "ru-patron")  # "от имени" (on behalf of) is none either
    assert persons == {
        "tabmen_dzhon": ["Джон Табмен"],
        "putin_vladimir": ["Владимира Путина"],
        "peskov_dmitry": ["Дмитрий Песков"],
    }


def test_a_word_with_an_apostrophe_or_a_pronoun_opening_a_sentence_is_no_person(client):
    assert article(client, "uk-apostrophe") == ({}, set())


def test_natasha_s_person_spelt_as_a_place_is_a_person_unless_in_a_place():
    """ "Сава" is a name and the Sava river or Saveh, Iran; the dictionary spells the name as the place,
    so natasha's reading wins. "Лондоні" reads as the surname Лондон's too, but after "у" it is London."""
    from archive.entities.ner_slavic import LOC, PER, _classify, lemma

    def one(text: str, word: str, label: str = PER) -> list[tuple[str, str]]:
        start = text.index(word)
        found = _classify(label, start, start + len(word), [(lemma(word, "uk"), word)], text, "uk")
        return [(f.label, f.normal) for f in found]

    assert one("Потім Сава підвівся і вийшов.", "Сава") == [(PER, "Сава")]
    assert one("Він тоді жив у Лондоні.", "Лондоні") == [(LOC, "Лондон")]
    # natasha's place, though the dictionary knows the word only as a name and a small town has it
    assert one("Усі читали Мелвіла того літа.", "Мелвіла", LOC) == [(PER, "Мелвіл")]
    assert one("Усі їздили до Львова того літа.", "Львова", LOC) == [(LOC, "Львів")]


def test_a_possessive_adjective_is_a_mention_of_its_owner(client):
    """Ukrainian says "Шевченкові вірші" (Shevchenko's verses): the dictionary reads the adjective and
    its owner's name, which keys the person, and joins it to the owner's other mentions."""
    persons, _ = article(client, "uk-possessive")
    assert persons == {"shevchenko": ["Шевченкові"], "shekspir": ["Шекспірових"]}
    persons, _ = article(client, "uk-possessive-lone")
    assert persons == {"irma": ["Ірма", "Ірмине"]}


def test_an_adjectival_surname_is_one_person_in_its_nominative(client):
    data = client.get("/api/articles/uk-adjectival").get_json()
    names = {p["key"]: p["name"] for p in data["persons"]}
    persons, _ = article(client, "uk-adjectival")
    assert persons == {
        "sadovi_andrei": ["Андрій Садовий", "Андрієм Садовим", "Садового"],
        "simonenko_pyotr": ["Петро Симоненко"],
    }
    assert names == {"sadovi_andrei": "Андрій Садовий", "simonenko_pyotr": "Петро Симоненко"}


def test_a_surname_alone_that_ner_missed_is_a_person_named_in_full_elsewhere_in_the_batch(client):
    persons, _ = article(client, "be-alone")
    assert persons == {"putin_vladimir": ["Пуціну"]}  # the registry's person of that surname
