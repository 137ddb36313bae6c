"""Persons, places and dates in Russian, Ukrainian, Belarusian and Polish text (never the English model).

- Russian, Ukrainian, Belarusian: natasha's news NER (it ships its weights); Russian names go to the
  nominative with natasha's own morphology (Путина -> Путин), Ukrainian and Belarusian ones with
  simplemma's Ukrainian lemmas (Зеленського -> Зеленський; simplemma has no Belarusian). natasha reads
  Ukrainian text with its letters as Russian ones (і -> и), and pymorphy3's Ukrainian dictionary,
  which tags given names and surnames, adds the names it still misses and keeps its names that a
  gazetteer alias would make places.
- Polish: no NER model with weights is on PyPI, so capitalised words are read with morfeusz2's
  dictionary tags (given name, surname, geographical name) and lemmas (Kaczyńskiego -> Kaczyński).

A person's key then comes from :func:`archive.entities.persons.name_parts` on the nominative, so it
joins the English and other-script spellings (Лукашенко = Łukaszenka = Lukashenko). A place is its
nominative resolved through the gazetteer (Москве -> Москва -> Moscow), or a country by its name in the
language (pycountry's translations: Україна, Białoruś), or a first-level region by its ISO 3166-2 name or
translation (a US state itself, any other as its country: Калифорнии -> California, Московской области
-> Russia); in Russian also a country's or big city's adjective (российские -> Russia).
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache

from archive.entities.folding import fold
from archive.entities.names_data import PARTICLES, SLAVIC_TITLES
from archive.entities.persons import canonical_given, is_given_name, name_parts
from archive.entities.places import resolve_place
from archive.models import DateMention, Mention, Person, Place

#: simplemma's dictionary for each language's lemmas (Belarusian is nearest Ukrainian in its forms).
LEMMA_LANGUAGE = {"uk": "uk", "be": "uk"}
#: Ukrainian letters as the Russian ones nearest them in spelling, one for one (the offsets stay):
#: natasha's Russian model reads "Иван Франко" where it misses "Іван Франко". On ner-uk's DEV part its
#: own person recall went 0.80 -> 0.85. Belarusian gained nothing on its sample and lost names
#: ("Калеснікавай"), so it is read as written.
AS_RUSSIAN = str.maketrans("іїєґІЇЄҐ'’ʼ", "ииегИИЕГъъъ")
AS_RUSSIAN_LANGUAGES = frozenset({"uk"})
#: Russian case endings that natasha sometimes leaves on a name it cannot put in the nominative
#: ("Обамы"); not -е, -а or -ов/-ин, which end foreign names and surnames in the nominative too
#: (Фоссе, Даниэле, Сагитов).
RUSSIAN_OBLIQUE_ENDINGS = ("ы", "ой", "ом", "ем", "у", "ю")
#: Languages whose dictionary tags names (:func:`dictionary_name`), and the tags that mark one.
NAME_DICTIONARY_LANGUAGES = frozenset({"uk"})
NAME_TAGS = frozenset({"Name", "Surn", "Patr"})
ANIMATE_TAGS = NAME_TAGS | {"anim"}
#: Endings of a Ukrainian possessive adjective's dictionary form: a man's (Шекспірів, Петрів) and a
#: woman's or a name in -а/-я's (Лесин, Оленчин). See :func:`possessive_owner`.
MASCULINE_OWNER = ("ів", "їв")
FEMININE_OWNER = ("ин", "ін", "їн")
#: The endings a possessive adjective's forms can have: a cheap test before the dictionary's.
_POSSESSIVE_ENDING = re.compile(r"(?:ов|ев|єв|ів|їв|ин|ін|їн)(?:а|е|і|у|ого|ому|им|ій|ої|ою|их|ими)?$")
#: natasha's labels, also given to the Polish reader's names.
PER, LOC = "PER", "LOC"
#: Case endings tried, longest first, when a given name in an oblique case is not in the name list
#: (Уладзімірам -> Уладзімір, Jarosławowi -> Jarosław).
GIVEN_ENDINGS = (
    "ові",
    "еві",
    "owi",
    "ego",
    "ому",
    "ам",
    "ым",
    "ом",
    "ем",
    "ем",
    "iem",
    "em",
    "a",
    "у",
    "ю",
    "а",
    "я",
    "e",
    "u",
)
#: Belarusian case endings of names and the nominative's, longest first, from the declension tables
#: (simplemma has no Belarusian): -скі adjectives (Бяляцкаму -> Бяляцкі), -ская (Ціханоўскую), -ава and
#: -іна surnames (Калеснікавай), -ка nouns (Лукашэнкі, Лукашэнкам), the instrumental (Пуціным, Макронам).
#: Not the -ку, -а, -у that a -ка noun and a consonant's share (Латушку of Латушка, Пазняку of Пазняк).
BELARUSIAN_ENDINGS = (
    *((f"{s}{e}", f"{s}{n}") for s in ("ск", "цк") for e, n in (("аму", "і"), ("ага", "і"), ("ім", "і"))),
    *((f"{s}{e}", f"{s}ая") for s in ("ск", "цк") for e in ("ую", "ай")),
    *((f"{s}ай", f"{s}а") for s in ("ав", "ев", "ов", "ін", "ын")),
    ("скі", "скі"),  # a nominative (Бяляцкі), not a -ка noun's genitive
    ("цкі", "цкі"),
    ("кам", "ка"),
    ("ым", ""),
    ("ім", ""),
    ("ом", ""),
    ("ам", ""),
    ("кі", "ка"),
    ("гі", "га"),
    ("хі", "ха"),
    ("яй", "я"),
)
#: Belarusian endings whose nominative is the place the gazetteer knows: Украіну -> Украіна,
#: Украіны -> Украіна, Парыжы -> Парыж, Украінай, Польшчай -> Украіна, Польшча.
BELARUSIAN_OPEN_ENDINGS = (("у", ("", "а")), ("ы", ("", "а")), ("ай", ("а",)))
#: The one of them that is otherwise a consonant stem's dative (Пратасевічу -> Пратасевіч), unless
#: the stem ends in к, г, х, where a -ка noun's is the same (Латушку of Латушка, Пазняку of Пазняк).
BELARUSIAN_DATIVE = "у"
#: A Belarusian -оў/-еў surname's stem writes в before an ending (Лаўроў, Лаўровым).
BELARUSIAN_U = {"ов": "оў", "ев": "еў"}
#: A place word's case ending, and what its nominative may end in instead, tried when the lemma does not
#: resolve (Мінску -> Мінск, Вільні -> Вільня, Мінскам -> Мінск).
PLACE_ENDINGS = (
    ("ам", ""),
    ("ом", ""),
    ("у", ""),
    ("ю", "ь"),
    ("е", ""),
    ("і", ""),
    ("і", "я"),
    ("і", "а"),
    ("ы", "а"),
    ("е", "а"),
    ("и", "а"),
    ("ie", ""),
    ("u", ""),
    ("a", ""),
    ("y", "a"),
    ("i", "a"),
)
#: The shortest word :func:`confirmed_surnames` reads as a surname alone: shorter ones ("Ян", "Лі") are
#: too often other words or parts of names.
MIN_LONE_SURNAME_CHARS = 4
#: Languages where a one-word person that looks like a common word needs evidence (a title before it,
#: a full name in the article, the batch or the archive): natasha is trained on Russian news, and on
#: Ukrainian its one-word persons were right about 0.6 of the time (ner-uk DEV: "Вона", "Отже").
EVIDENCE_LANGUAGES = frozenset({"uk", "be"})
#: Words after which a name is a street's or an institution's patron ("вул. Франка", "улица Ленина",
#: "ім. Т.Г. Шевченка", "імя Янкі Купалы"), not a person or place the article is about. Lowercase, an
#: abbreviation with its dot ("им." but not the pronoun "им"), and not folded: Belarusian "імя" is a
#: patron word, Russian "имя" (name) is not ("носил имя Ким").
PATRON_WORDS = frozenset(
    (
        "вул. вулиця вулиці вулицю вулицею пров. провулок провулку просп. проспект проспекту проспекті "
        "бульв. бульвар бульвару бульварі пл. площа площі площу майдан майдану набережна набережній ім. "
        "імені ул. улица улицы улице улицу улицей пер. переулок переулка проспекта проспекте бульвара "
        "бульваре площадь площади набережная набережной им. имени "
        "вуліца вуліцы вуліцу праспект праспекта плошча плошчы імя"
    ).split()
)
#: "имени", "імені", "імя" (of the name) are a patron word after an institution, not after these words:
#: "by the name of" ("по имени Джон Табмен"), "on behalf of" ("от имени Путина", "від імені Зеленського",
#: "ад імя Ціханоўскай").
NAME_OF = frozenset({"имени", "імені", "імя"})
NOT_PATRON_BEFORE_NAME_OF = frozenset({"по", "от", "від", "од", "ад"})
#: Countries' abbreviations and short names in Russian, Ukrainian, Belarusian and Polish news that neither
#: CLDR nor the gazetteer knows (США, КНДР, ОАЭ they do): "РФ" alone was NEREL train's most missed place.
COUNTRY_ABBREVIATIONS = {
    "РФ": "Russia",
    "СССР": "Soviet Union",
    "ССРС": "Soviet Union",
    "ФРГ": "Germany",
    "ФРН": "Germany",
    "КНР": "China",
    "ЮАР": "South Africa",
    "RFN": "Germany",
    "ChRL": "China",
    "ZSRR": "Soviet Union",
    "Америка": "United States",  # in Russian and Ukrainian news the country, as NEREL marks it
}
#: A city NER missed is taken from the gazetteer only this big: smaller towns share their names with
#: surnames and words (Мельник, a Czech town).
MISSED_PLACE_POPULATION = 100_000
#: Shorter words are not looked up as places NER missed: folded, they meet short alternate names of
#: far cities ("Він" -> "vin", a name of Vienna; "Та" -> Dazhou).
MIN_MISSED_PLACE_CHARS = 4
#: Words that say what kind of region a name is, and that news leaves out ("Республика Татарстан" is
#: Татарстан), folded; self-written from ISO 3166-2's kinds of region in its four translations.
REGION_TYPE_WORDS = frozenset(
    fold(w)
    for w in "республика республіка рэспубліка republika автономная автономна аўтаномная autonomiczna".split()
)
#: Letters of each word that name a region of several words in any case and gender (a Ukrainian
#: lemma is masculine: "львівський область").
REGION_STEM_CHARS = 5
#: Ukrainian surnames' case endings by declension, and their nominative: -ський/-цький (itself too, which
#: simplemma cuts: Гайворонський -> "Гайворон"), -ська, -енко, -ук/-юк, a consonant stem's dative -ові.
UKRAINIAN_SURNAME_ENDINGS = [
    (re.compile(p + "$"), n)
    for p, n in (
        (r"(?<=[сцз]ьк)(?:ий|ого|ому|им|ім)", "ий"),
        (r"(?<=[сцз]ьк)(?:ої|ій|ою)", "а"),
        (r"(?<=енк)(?:а|у|ом|ові)", "о"),
        (r"(?<=[уюі]к)(?:а|у|ом|ові)", ""),
        (r"(?<=[бвгджзклмнпрстфхцчшщ])ові", ""),
    )
]
#: Letters a surname keeps before its ending ("Кука" is not read as Кук + а).
MIN_SURNAME_STEM = 3
#: Languages whose place adjectives are places (NEREL's Russian marks "российский" COUNTRY; ner-uk
#: leaves "український" unmarked).
ADJECTIVE_LANGUAGES = frozenset({"ru"})
#: A place adjective in any case: its stem, then -ск- and an adjective ending.
_PLACE_ADJECTIVE = re.compile(
    r"(?<![^\W\d_])(?P<stem>[^\W\d_]+?)ск(?:ий|ого|ому|им|ом|ая|ой|ую|ое|ие|их|ими|ые|ых|ым|ыми|ую)(?![^\W\d_])",
    re.IGNORECASE,
)
#: "английский язык": a language's adjective, not a place's.
_LANGUAGE_WORD = re.compile(r"\s+(?:язык|языка|языке|языку|языком)\b")
#: Shorter stems meet too many names ("рус", "вен").
MIN_ADJECTIVE_STEM = 4
#: The longest case ending after a title's nominative ("президентом", "premiera").
TITLE_ENDING_CHARS = 3
_TITLES = frozenset(fold(t) for t in SLAVIC_TITLES)
_WORD = re.compile(r"[^\W\d_]+(?:[-‐'’ʼ][^\W\d_]+)*")
#: BLAS threads while natasha's models run: their matrices are small, and OpenBLAS's threads (one per
#: core) spent more time waiting on each other than computing: NER 3x and morphology 8x slower on NEREL
#: train with a busy 2-core machine, and each import worker would start its own.
BLAS_THREADS = 1
#: Tokens read either side of a name when tagging its morphology (natasha's tagger sees a few words of
#: context): of 2,426 names in 150 NEREL train articles, 2 got another nominative than with whole
#: sentences (Ужахов/Ужахова, either way about as right).
MORPH_CONTEXT = 4
#: What may stand between a sentence's end and its first word: spaces, a dialogue dash, opening quotes.
_OPENERS = ' \t—–-«"„“('
#: Tokens that end a sentence inside a span natasha ran across it.
_SENTENCE_MARKS = frozenset(".!?…")
#: A Ukrainian or Belarusian given name's case ending, cut to join the forms of a given name alone
#: (Ірма, Ірмі, Ірмою; Андрій, Андрія).
_LONE_ENDING = re.compile(r"(?:ою|ею|ові|еві|ом|ем|ам|ой|ей|[уюіїаяеоийы])$")
_WORD_BEFORE = re.compile(r"([^\W\d_]+) $")
#: An initial's letter and full stop ahead of a surname ("В.Ющенка", "Ю.В.Романюк", "Д. Лебедя").
_AFTER_INITIAL = re.compile(r"(?:^|[\s(.])([^\W\d_])\. ?$")
#: "у", "в", "уві", "на" right before a word: where a place is ("у Лондоні"), hardly a person.
_IN_PLACE = re.compile(r"(?:^|[\s(«\"„])(?:[ВвУу]|[Уу]ві|[Нн]а)\s+$")
#: The word before a name, past any initials ("ім. Т.Г. Шевченка"): a patron word's place.
_PATRON_BEFORE = re.compile(r"(?:^|(?<=[^\w’'ʼ]))([^\W\d_]+\.?)\s+(?:[^\W\d_]\.\s*)*$")
_SENTENCE_END = re.compile(r"(?:^|[.!?…:\n]|[.!?][\"»”])\s*$")


@lru_cache(maxsize=1)
def _natasha():
    from natasha import Doc, MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter

    embedding = NewsEmbedding()
    return Doc, Segmenter(), MorphVocab(), NewsMorphTagger(embedding), NewsNERTagger(embedding)


@lru_cache(maxsize=2)
def _morph(language: str):
    """pymorphy3's analyzer of a language ("uk", "ru"), loaded once per process (~0.05 s)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=language)


@lru_cache(maxsize=65536)
def dictionary_name(word: str, language: str, only: bool = False) -> bool:
    """Whether the language's dictionary reads a capitalised word as a given name, surname or
    patronymic in some parse (Ukrainian: pymorphy3's dictionary of VESUM, "Ющенка", "Лізою"), or with
    ``only``, in every parse ("Павлом", not "Калина" or "Тому", which are also common words). natasha, a
    Russian model, misses many Ukrainian names; this is the evidence it lacks."""
    if language not in NAME_DICTIONARY_LANGUAGES or not word[:1].isupper() or word.isupper():
        return False
    named = [bool(NAME_TAGS & p.tag.grammemes) for p in _morph("uk").parse(word)]
    return bool(named) and (all(named) if only else any(named))


def _russian_name_nominative(word: str, normal: str) -> str:
    """natasha's nominative of a Russian name, or, where it left the word as written with a case ending
    (:data:`RUSSIAN_OBLIQUE_ENDINGS`), the dictionary's, of the same gender, when it knows the word only
    as a name and in no nominative (Обамы -> Обама, Назарбаевой -> Назарбаева; Меркель stays)."""
    if normal != word or not word[:1].isupper() or not word.endswith(RUSSIAN_OBLIQUE_ENDINGS):
        return normal
    parses = [p for p in _morph("ru").parse(word) if p.is_known]
    if not parses or not all(NAME_TAGS & p.tag.grammemes for p in parses):
        return normal
    if any("nomn" in p.tag.grammemes for p in parses):
        return normal
    nominative = parses[0].inflect({"nomn", "sing"})
    if nominative is None:
        return normal
    return nominative.word[:1].upper() + nominative.word[1:]


@lru_cache(maxsize=65536)
def dictionary_name_of(word: str, name: str, language: str) -> bool:
    """Whether the dictionary reads a word as a form of a name spelt ``name`` ("Сави" of Сава, "Франка"
    of Франко), not of another name that only shares letters with it ("Львові" is Лев's, "Києві" Кий's)."""
    if not dictionary_name(word, language):
        return False
    wanted = name.lower()
    return any(NAME_TAGS & p.tag.grammemes and p.normal_form == wanted for p in _morph("uk").parse(word))


@lru_cache(maxsize=65536)
def possessive_owner(word: str, language: str) -> str | None:
    """The person a capitalised possessive adjective is of, by the names dictionary: "Шекспірових" ->
    Шекспір, "Лесиного" -> Леся, "Оленчиним" -> Оленка (a masculine owner's -ів, a feminine's -ин), or None.
    Ukrainian names a person's things so ("Шевченкові вірші"): a mention of the person."""
    if language not in NAME_DICTIONARY_LANGUAGES or not word[:1].isupper() or word.isupper():
        return None
    if not _POSSESSIVE_ENDING.search(word):  # most words: no dictionary lookup
        return None
    morph = _morph("uk")
    for parse in morph.parse(word):
        if not parse.is_known or parse.tag.POS != "ADJF":
            continue
        form, stem = parse.normal_form, parse.normal_form[:-2]
        if form.endswith(MASCULINE_OWNER):
            owners = [stem, stem + "о"]  # Шекспірів, Петрів (Петро)
        elif form.endswith(FEMININE_OWNER):
            owners = [stem + "а", stem + "я"] + ([stem[:-1] + "ка"] if stem.endswith("ч") else [])
        else:
            continue
        for owner in owners:
            if any(
                p.is_known
                and NAME_TAGS & p.tag.grammemes
                and "nomn" in p.tag.grammemes
                and p.normal_form == owner
                for p in morph.parse(owner)
            ):
                return owner[:1].upper() + owner[1:]
    return None


@lru_cache(maxsize=65536)
def dictionary_thing(word: str, language: str) -> bool:
    """Whether the language's dictionary knows a word and only as a thing: no name, nothing animate
    ("Донбасі", "Європи", "Церкви"). Alone, such a word is no person, whatever NER said."""
    if language not in NAME_DICTIONARY_LANGUAGES:
        return False
    if possessive_owner(word, language):  # "Шекспірових": an adjective, and a person's
        return False
    parses = _morph("uk").parse(word)
    return bool(parses) and all(p.is_known and not (ANIMATE_TAGS & p.tag.grammemes) for p in parses)


@lru_cache(maxsize=1)
def _blas():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Each country's name in Russian, Ukrainian, Belarusian and Polish (folded) -> its English name:
    CLDR's short names (Росія, Białoruś) through Babel, then pycountry's official ones."""
    import pycountry
    from babel import Locale

    table: dict[str, str] = {}
    for language in ("ru", "uk", "be", "pl"):
        for code, name in Locale(language).territories.items():
            country = pycountry.countries.get(alpha_2=code) if len(code) == 2 and code.isalpha() else None
            if country is not None:
                table.setdefault(fold(name), country.name)
    for language in ("ru", "uk", "be", "pl"):
        translate = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language]).gettext
        for country in pycountry.countries:
            for attr in ("name", "common_name", "official_name"):
                english = getattr(country, attr, None)
                if english:
                    table.setdefault(fold(translate(english)), country.name)
    return table


def _gazetteer():
    from archive.entities.gazetteer import gazetteer

    return gazetteer()


@lru_cache(maxsize=4096)
def named_place(name: str) -> Place | None:
    """A country by its ru/uk/be/pl name or usual abbreviation, else the gazetteer's place of a
    nominative name."""
    english = _country_names().get(fold(name)) or COUNTRY_ABBREVIATIONS.get(name)
    place = resolve_place(english) if english else None  # Куба is Cuba before a city's alternate name
    return place or resolve_place(name)


def _region_keys(name: str) -> list[str]:
    """A region's name folded, and for a name of several words each word's first letters, which
    the case and gender endings do not reach ("Львівська область" = Ukrainian lemmas "львівський
    область")."""
    folded = fold(name)
    words = folded.split()
    return [folded, " ".join(w[:REGION_STEM_CHARS] for w in words)] if len(words) > 1 else [folded]


@lru_cache(maxsize=1)
def _regions() -> dict[str, tuple[str, str]]:
    """First-level regions (states, provinces, oblasts, republics: ISO 3166-2 in pycountry) by their
    names, as written there (romanised, which Russian folds to: Moskovskaya oblast') and translated into
    ru/uk/be/pl (Калифорния, Каліфорнія) -> (the ISO name, the country's code)."""
    import pycountry

    translations = [
        gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[language]).gettext
        for language in ("ru", "uk", "be", "pl")
    ]
    table: dict[str, tuple[str, str]] = {}
    for region in pycountry.subdivisions:
        if region.parent_code:
            continue
        names = {region.name, *(translate(region.name) for translate in translations)}
        for name in list(names):  # "Tatarstan, Respublika", "Catalunya [Cataluña]"
            parts = [p.strip() for p in re.split(r"[\[\]]", name) if p.strip()]
            names.update(parts)
            for part in (p.split(", ") for p in parts if ", " in p):  # and "Tatarstan"
                names.update((" ".join(reversed(part)), part[0]))
        for name in list(names):  # "Автономна Республіка Крим" is Крим
            kept = [w for w in name.split() if fold(w) not in REGION_TYPE_WORDS]
            if kept and len(kept) < len(name.split()):
                names.add(" ".join(kept))
        for name in names:
            for key in _region_keys(name):
                table.setdefault(key, (region.name, region.country_code))
    return table


@lru_cache(maxsize=4096)
def resolve(name: str) -> Place | None:
    """The place a nominative name stands for: the gazetteer's, else a country named in ru/uk/be/pl
    by its name or its usual abbreviation (РФ, ФРГ, RFN), else a first-level region (a US state by
    its English name; any other, which the gazetteer does not hold, as its country)."""
    place = named_place(name)
    region = None
    if place is None or not major_place(place):  # Юта is Utah before a small town of that name
        region = next(filter(None, map(_regions().get, _region_keys(name))), None)
    if region is not None:
        iso_name, code = region
        state = _gazetteer().states.get(fold(iso_name))  # Джорджия: the state, not the country
        place = resolve_place(state.key if state and state.country_code == code else iso_name)
        if place is None or place.key[:2] != code or not major_place(place):
            place = resolve_place(code)
    return place


@lru_cache(maxsize=65536)
def lemma(word: str, language: str) -> str:
    """The dictionary form of a Ukrainian or Belarusian word (the word itself when unknown)."""
    import simplemma

    if language == "be" and word[:1].isupper() and (found := _belarusian_lemma(word)):
        return found
    found = simplemma.lemmatize(word, lang=LEMMA_LANGUAGE.get(language, language))
    unknown = found.lower() == word.lower()  # simplemma only lowercased it
    if language == "uk" and word[:1].isupper() and (surname := _ukrainian_surname(word)):
        if unknown or (found[:1].isupper() and not found.endswith(surname[-2:]) and "ськ" in surname):
            return surname  # Кузьменка, unknown; Сухомлинського, which simplemma made "Сухомлинсьхто"
    if unknown and dictionary_name(word, language, only=True):  # only a name: Ірмі -> Ірма, which
        return dictionary_name_nominative(word, language) or word  # simplemma does not know
    return word if unknown else found


def dictionary_name_nominative(word: str, language: str) -> str | None:
    """The nominative of the name a capitalised word is to the language's dictionary, a surname's first
    ("Садовим" -> Садовий, an adjectival surname simplemma makes the adjective садовий), capitalised;
    None when the dictionary knows no such name or the word is a name's nominative already."""
    if not dictionary_name(word, language):
        return None
    parses = [p for p in _morph("uk").parse(word) if NAME_TAGS & p.tag.grammemes]
    if any("nomn" in p.tag.grammemes and p.normal_form == word.lower() for p in parses):
        return None
    parse = next((p for p in parses if "Surn" in p.tag.grammemes), parses[0])
    return parse.normal_form[:1].upper() + parse.normal_form[1:]


def _ukrainian_surname(word: str) -> str | None:
    """A Ukrainian surname's nominative by its declension (:data:`UKRAINIAN_SURNAME_ENDINGS`), or None."""
    for pattern, nominative in UKRAINIAN_SURNAME_ENDINGS:
        if (m := pattern.search(word)) and m.start() >= MIN_SURNAME_STEM:
            return word[: m.start()] + nominative
    return None


def _belarusian_lemma(word: str) -> str | None:
    """A capitalised Belarusian word's nominative by its ending (:data:`BELARUSIAN_ENDINGS`), or None."""
    if is_given_name(fold(word)):  # Максім, Адам: a nominative that looks like an instrumental
        return word
    for ending in GIVEN_ENDINGS:  # given names: Уладзімірам -> Уладзімір
        if word.endswith(ending) and is_given_name(fold(word[: -len(ending)])):
            return word[: -len(ending)]
    for ending, nominative in BELARUSIAN_ENDINGS:
        if word.endswith(ending) and len(word) > len(ending) + 2:
            stem = word[: -len(ending)]
            if nominative and resolve(stem + nominative[:-1]):  # Мінскам -> Мінск, not a -ка noun
                return stem + nominative[:-1]
            if not nominative and stem[-2:] in BELARUSIAN_U:
                stem = stem[:-2] + BELARUSIAN_U[stem[-2:]]  # Лаўровым -> Лаўроў
            return stem + nominative
    for ending, nominatives in BELARUSIAN_OPEN_ENDINGS:
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) > 2 and stem[-1].lower() not in "аеёіоуыэюяўьй":
            for nominative in nominatives:
                if resolve(stem + nominative):
                    return stem + nominative
            if ending == BELARUSIAN_DATIVE and stem[-1] not in "кгх":
                return stem
    return None


def place_of(lemma_form: str, surface: str) -> tuple[str, Place] | None:
    """The place a one-word name is, from its lemma or its surface form with a case ending undone."""
    candidates = [lemma_form, surface]
    for ending, nominative in PLACE_ENDINGS:
        if surface.endswith(ending) and len(surface) > len(ending) + 2:
            candidates.append(surface[: -len(ending)] + nominative)
    for name in candidates:
        place = resolve(name)
        if place is not None:
            return name, place
    return None


def given_name(word: str) -> str | None:
    """The canonical given name a word is, in any case form (``"Уладзімірам"`` -> ``"vladimir"``)."""
    from archive.entities.persons import _GIVEN, skeleton

    folded = fold(word)
    if skeleton(folded) in _GIVEN:
        return canonical_given(folded)
    for ending in GIVEN_ENDINGS:
        stem = folded[: -len(fold(ending))] if folded.endswith(fold(ending)) else ""
        if len(stem) >= 3 and skeleton(stem) in _GIVEN:
            return canonical_given(stem)
    return None


@dataclass
class Found:
    """One name in the text: a person's or a place's, with its nominative."""

    label: str
    start: int
    end: int
    normal: str
    weak: bool = False  # a one-word person that may be a common word: kept only beside a full name


def _cyrillic(text: str, language: str) -> list[Found]:
    doc_class, segmenter, vocab, morph, ner = _natasha()
    doc = doc_class(text.translate(AS_RUSSIAN) if language in AS_RUSSIAN_LANGUAGES else text)
    doc.segment(segmenter)
    with _blas().limit(limits=BLAS_THREADS, user_api="blas"):
        doc.tag_ner(ner)
        if language == "ru":
            _tag_morph(doc, morph)
    if language in AS_RUSSIAN_LANGUAGES:  # the words as written, at the same offsets
        for token in doc.tokens:
            token.text = text[token.start : token.stop]
        for span in doc.spans:
            span.text = text[span.start : span.stop]
    found = []
    taken = [(s.start, s.stop) for s in doc.spans]
    for span in doc.spans:
        if span.type not in (PER, LOC):
            continue
        if language == "ru":
            span.normalize(vocab)
            normals = span.normal.split()
            if span.type == PER and len(normals) == len(span.tokens):
                normals = [
                    _russian_name_nominative(t.text, n) for t, n in zip(span.tokens, normals, strict=True)
                ]
        else:
            normals = [lemma(t.text, language) for t in span.tokens]
        if len(normals) != len(span.tokens):  # natasha's normal form joined or split a word: keep it whole
            runs = [(span.start, span.stop, list(zip(normals, [t.text for t in span.tokens], strict=False)))]
        else:
            runs = _runs(text, span.tokens, normals, language, span.type)
        for start, stop, words in runs:
            if span.type == PER and (given := _given_before(text, start, taken)):
                start -= len(given) + 1  # "Іван [Підгорський]": NER knew the surname, not the given name
                words.insert(0, (lemma(given, language), given))
            found.extend(_classify(span.type, start, stop, words, text, language))
    for start, end in given_name_pairs(text, [(s.start, s.stop) for s in doc.spans if s.type in (PER, LOC)]):
        words = [(lemma(w, language), w) for w in text[start:end].split()]
        found.extend(_classify(PER, start, end, words, text, language))
    for start, end in dictionary_names(text, language, [*taken, *((f.start, f.end) for f in found)]):
        words = [(lemma(w, language), w) for w in text[start:end].split()]
        found.extend(_classify(PER, start, end, words, text, language))
    found.extend(missed_places(text, language, [*taken, *((f.start, f.end) for f in found)]))
    if language in ADJECTIVE_LANGUAGES:
        found.extend(place_adjectives(text, [*taken, *((f.start, f.end) for f in found)]))
    return found


def _adjective_nominatives(stem: str) -> list[str]:
    """The names a place adjective's stem (before -ск-) may come from, by the ways Russian derives
    them: Лондон/лондонский, Томск/томский, Россия/российский, Канада/канадский, Москва/московский,
    Америка/американский."""
    out = [stem, stem + "ск", stem + "а", stem + "ия"]
    if stem.endswith("ий"):
        out.append(stem[:-2] + "ия")
    if stem.endswith(("ов", "ев")):
        out.append(stem[:-2] + "ва")
    if stem.endswith(("ан", "ян")):
        out += [stem[:-2] + "а", stem[:-2]]
    return out


def place_adjectives(text: str, taken: list[tuple[int, int]]) -> list[Found]:
    """A country's or a big city's adjective outside every span ("российской", "московского"), as
    English "Russian" is its country: NEREL marks them COUNTRY and CITY. Not before a language's word
    ("английский язык")."""
    out = []
    for m in _PLACE_ADJECTIVE.finditer(text):
        if any(m.start() < e and s < m.end() for s, e in taken) or _LANGUAGE_WORD.match(text, m.end()):
            continue
        stem = m.group("stem").lower()
        if len(stem) < MIN_ADJECTIVE_STEM:
            continue
        hits = [
            (n, p)
            for n in (name.capitalize() for name in _adjective_nominatives(stem))
            if (p := named_place(n)) is not None and _plain_major(n, p)
        ]
        hits.sort(key=lambda hit: "/" in hit[1].key)  # a country first: американский is not Americana
        if hits and "/" in hits[0][1].key and _common_noun(stem):
            continue  # "братский" is a brother's, "королевский" a king's: not Bratsk's or Korolyov's
        if hits:
            out.append(Found(LOC, m.start(), m.end(), hits[0][0]))
    return out


@lru_cache(maxsize=65536)
def _nominative(word: str) -> str:
    """A Russian word in the nominative of its number, by the dictionary (Нидерландах -> Нидерланды,
    Соединённых -> Соединённые), capitalised as written; the word itself when it cannot be."""
    form = _natasha()[2].parse(word)[0].inflect({"Nom"})  # natasha names grammemes as UD does
    if form is None:
        return word
    return form.word.capitalize() if word[:1].isupper() else form.word


@lru_cache(maxsize=65536)
def _common_noun(word: str) -> bool:
    """Whether Russian's dictionary reads a word first as a common noun, not a place or a name."""
    vocab = _natasha()[2]
    parse = vocab.parse(word)[0]
    return parse.is_known and not {"Geox", "Name", "Surn"} & set(parse.tag.grammemes)


def _plain_major(name: str, place: Place) -> bool:
    """A country or state, or a city of :data:`MISSED_PLACE_POPULATION` called so by its likeliest
    namesake (not a far town's alternate name)."""
    if "/" not in place.key:
        return True
    city = _gazetteer().city(fold(name))
    return major_place(place) and (city is None or city.key == place.key)


def missed_places(text: str, language: str, taken: list[tuple[int, int]]) -> list[Found]:
    """Places NER missed (on Ukrainian it misses Києва, Львів, Італії): a capitalised word outside
    every span that, in some case form, is a country or a city of :data:`MISSED_PLACE_POPULATION`."""
    out = []
    for m in _WORD.finditer(text):
        word = m.group()
        if not word[:1].isupper() or word.isupper() or any(m.start() < e and s < m.end() for s, e in taken):
            continue
        if len(word) < MIN_MISSED_PLACE_CHARS or is_given(word) or common_word(text, m.start(), language):
            continue
        if patron(text, m.start()):  # "вул. Шевченка", "площа Європи": a street's name
            continue
        hit = place_of(lemma(word, language), word)
        if hit is None:
            continue
        city = _gazetteer().city(fold(hit[0])) if "/" in hit[1].key else None
        if "/" not in hit[1].key or (
            city and city.key == hit[1].key and city.population >= MISSED_PLACE_POPULATION
        ):
            out.append(Found(LOC, m.start(), m.end(), hit[0]))
    return out


def _tag_morph(doc, morph) -> None:
    """Morphology for the tokens of each person and place, read with :data:`MORPH_CONTEXT` tokens
    either side: all that their nominatives need. Tagging every sentence cost more than NER itself."""
    index = {id(t): i for i, t in enumerate(doc.tokens)}
    spans = [s for s in doc.spans if s.type in (PER, LOC) and s.tokens]
    windows = []
    for span in spans:
        first, last = index[id(span.tokens[0])], index[id(span.tokens[-1])]
        windows.append((max(0, first - MORPH_CONTEXT), first, last + 1))
    chunks = [[t.text for t in doc.tokens[lo : last + MORPH_CONTEXT]] for lo, _, last in windows]
    for (lo, first, last), markup in zip(windows, morph.map(chunks), strict=True):
        for token, tagged in zip(doc.tokens[first:last], markup.tokens[first - lo :], strict=False):
            token.pos, token.feats = tagged.pos, tagged.feats


def _runs(
    text: str, tokens, normals: list[str], language: str, label: str = PER
) -> list[tuple[int, int, list[tuple[str, str]]]]:
    """A natasha span cut where it crosses a line, a sentence end ("Прекрасно. Вона", "З\nЗвичайно")
    or, in a person's span, a lowercase word that is no particle ("Оксана Левчук з Полтави"), each part
    without punctuation, and in :data:`EVIDENCE_LANGUAGES` without a leading common word
    ("Невже Ти", "Проте Одеса"): ``(start, end, [(normal, surface)])`` per part."""
    runs: list[list] = [[]]
    for i, (token, normal) in enumerate(zip(tokens, normals, strict=True)):
        if i and "\n" in text[tokens[i - 1].stop : token.start]:
            runs.append([])
        if token.text in _SENTENCE_MARKS:
            if i and len(tokens[i - 1].text) > 1:  # not an initial's full stop ("Т.Г. Шевченка")
                runs.append([])
            continue
        if label == PER and token.text[:1].islower() and token.text not in PARTICLES:
            runs.append([])
            continue
        if label == PER and len(token.text) == 1 and token.text.isupper():  # "С. М. Реформатського"
            continue
        runs[-1].append((token, normal))
    out = []
    for run in runs:
        while (
            len(run) > 1 and language in EVIDENCE_LANGUAGES and common_word(text, run[0][0].start, language)
        ):
            run = run[1:]
        if run:
            out.append((run[0][0].start, run[-1][0].stop, [(n, t.text) for t, n in run]))
    return out


def _given_before(text: str, start: int, taken: list[tuple[int, int]]) -> str | None:
    """The given name one space before a person's span, outside every other span, if there is one."""
    m = _WORD_BEFORE.search(text, max(0, start - 40), start)
    if m is None or not m.group(1)[:1].isupper() or any(s < start and m.start(1) < e for s, e in taken):
        return None
    return m.group(1) if is_given(m.group(1)) else None


def is_given(word: str) -> bool:
    """Whether a capitalised word is a given name in some case form (Івана, Ігоря, Богдана), and not
    a title that is also somebody's name (Генерал)."""
    folded = fold(word)
    if titled_word(folded):
        return False
    if given_name(word) is not None or is_given_name(folded):
        return True
    for ending in GIVEN_ENDINGS:
        stem = folded[: -len(fold(ending))] if folded.endswith(fold(ending)) else ""
        if len(stem) >= 3 and is_given_name(stem):
            return True
    return False


def dictionary_names(text: str, language: str, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Names NER missed that the language's dictionary knows (:func:`dictionary_name`): runs of such
    words one space apart, outside every span found, none of them a place, a title or a common word
    (:func:`common_word`: "Тобі" opening a sentence), with at least one word that is only a name."""
    if language not in NAME_DICTIONARY_LANGUAGES:
        return []
    runs: list[list] = []
    for m in _WORD.finditer(text):
        word = m.group()
        if (
            not dictionary_name(word, language)
            or any(m.start() < e and s < m.end() for s, e in taken)
            or titled_word(fold(word))
            or (not dictionary_name(word, language, only=True) and place_of(lemma(word, language), word))
            or common_word(text, m.start(), language)
        ):
            continue
        if runs and text[runs[-1][-1].end() : m.start()] == " ":
            runs[-1].append(m)
        else:
            runs.append([m])
    # one word alone must be a name in every reading; in a run ("Олена Кисільчук") one word suffices
    return [
        (run[0].start(), run[-1].end())
        for run in runs
        if any(dictionary_name(m.group(), language, only=True) for m in run)
    ]


def given_name_pairs(text: str, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Names NER missed: a given name followed one space later by another capitalised word, both
    outside every span NER found ("кошовий отаман Іван Сірко"), the second not a place or a title."""
    words = [m for m in _WORD.finditer(text) if m.group()[0].isupper() and not m.group().isupper()]
    spans = []
    for first, second in zip(words, words[1:], strict=False):
        if text[first.end() : second.start()] != " " or any(
            first.start() < e and s < second.end() for s, e in taken
        ):
            continue
        if is_given(first.group()) and not titled_word(fold(second.group())):
            if place_of(second.group(), second.group()) is None:
                spans.append((first.start(), second.end()))
    return spans


def titled_word(folded: str) -> bool:
    """Whether a folded word is a title in some case form ("prezidenta" of "президента")."""
    return any(
        folded[:n] in _TITLES for n in range(max(1, len(folded) - TITLE_ENDING_CHARS), len(folded) + 1)
    )


def titled(text: str, start: int) -> bool:
    """Whether a title stands right before the name at ``start`` ("президента Зеленського")."""
    before = text[max(0, start - 40) : start].split()
    return bool(before) and before[-1][:1].islower() and titled_word(fold(before[-1]))


def _classify(
    label: str, start: int, end: int, words: list[tuple[str, str]], text: str, language: str
) -> list[Found]:
    """A natasha span as places and a person: a leading place word is split off ("України Володимир
    Зеленський"), a lowercase lemma is a common word, a one-word span that resolves is a place unless it
    is a given name that only a small town has ("Анна", a town in Russia). natasha is a Russian model: in
    Russian a person it found stays one when only a small town has its name ("Обамы", "Джордж Осборн"),
    in Ukrainian and Belarusian a place no gazetteer knows that opens with a given name is a person. In
    Ukrainian the names dictionary (:func:`dictionary_name`) also decides: a word that is only a name,
    or a name spelt as the place is and not after "у"/"на" ("Сава", not "у Лондоні"), stays a person
    whatever place shares it, and makes a span with a common word in it a full name. A name after a
    street or patron word (:func:`patron`) is neither."""
    out: list[Found] = []
    if patron(text, start):
        return out  # "вул. Франка", "ім. Т.Г. Шевченка": a street's or an institution's namesake
    offset = start
    trusted = label == PER and language not in EVIDENCE_LANGUAGES  # natasha's persons, in Russian
    while (
        len(words) > 1
        and not _given_word(words[0])
        and (hit := place_of(*words[0]))
        and (not trusted or "/" not in hit[1].key)  # "Джордж Осборн": not George, South Africa
    ):
        pos = text.find(words[0][1], offset, end)
        out.append(Found(LOC, pos, pos + len(words[0][1]), hit[0]))
        offset = pos + len(words[0][1])
        words = words[1:]
    if not words:
        return out
    first = text.find(words[0][1], offset, end)
    normal = " ".join(w for w, _ in words)
    if label == LOC and language == "ru" and not resolve(normal):  # natasha's "Соединенных Штаты"
        words = [(_nominative(surface), surface) for _, surface in words]
        normal = " ".join(w for w, _ in words)
    hit = place_of(*words[0]) if len(words) == 1 else None
    named = label == PER and dictionary_name(words[0][1], language)  # "Франка", "Сави"
    if hit and (_given_word(words[0]) or trusted or named) and not major_place(hit[1]):
        hit = None  # "Анна", "Обамы": a person, though a small town abroad has the name
    if (
        hit
        and dictionary_name(words[0][1], language, only=True)
        and (label == PER or not major_place(hit[1]))
    ):
        hit = None  # "Сталіну", "Лариса", natasha's place "Мелвіла": only a name, though a town had it
    if (
        hit
        and label == PER
        and dictionary_name_of(words[0][1], hit[0], language)
        and not _IN_PLACE.search(text, max(0, first - 8), first)
    ):
        hit = None  # "Сава", "Юра", "Франка": natasha's person, a name the dictionary spells as the place

    if hit or (label == LOC and len(words) > 1 and resolve(normal)):
        out.append(Found(LOC, first, end, hit[0] if hit else normal))
        return out
    if label == LOC and (
        language not in EVIDENCE_LANGUAGES
        or not (_given_word(words[0]) or dictionary_name(words[0][1], language, only=True))
    ):
        return out  # no place, and in Ukrainian or Belarusian no name NER called one ("Анна", "Урмана")
    if label == PER and len(words) == 1 and (owner := possessive_owner(words[0][1], language)):
        words, normal = [(owner, words[0][1])], owner  # "Шекспірових" sonnets: Шекспір's
    if len(words) == 1 and fold(words[0][0]) in _TITLES:  # "заступник Міністра": a title, no name
        return out
    if any(w[:1].islower() for w, _ in words):
        if len(words) > 1 and any(dictionary_name(s, language, only=True) for _, s in words):
            given = next((i for i, (_, s) in enumerate(words) if given_name(s)), 0)
            if given:  # "Блоку Порошенка Костянтину Яринічу": the person starts at the given name
                first = text.find(words[given][1], first, end)
                words = words[given:]
            words = [  # "Сонні Роллінза": its words; "Андрієм Садовим": Садовий, a surname
                (w if w[:1].isupper() else dictionary_name_nominative(s, language) or s, s) for w, s in words
            ]
            normal = " ".join(w for w, _ in words)
        elif len(words) == 1 or given_name(words[0][1]) is None:
            if len(words) > 1:
                return out
            name = dictionary_name_nominative(words[0][1], language) or words[0][1]  # "Садового" -> Садовий
            return [*out, Found(PER, first, end, name, weak=True)]
    out.append(Found(PER, first, end, normal, weak=len(words) == 1 and not words[0][1][:1].isupper()))
    return out


def major_place(place: Place) -> bool:
    """Whether a place is a country, a state or a city of :data:`MISSED_PLACE_POPULATION` or more."""
    entry = _gazetteer().by_key.get(place.key) if "/" in place.key else None
    return entry is None or entry.kind != "city" or entry.population >= MISSED_PLACE_POPULATION


def _given_word(word: tuple[str, str]) -> bool:
    """Whether a (lemma, surface) pair is a given name: "Льва" of "Лев" is, though no place is."""
    return is_given(word[1]) or (word[0] != word[1] and is_given(word[0]))


@dataclass
class _Group:
    key: str
    surname: str
    name: str
    variants: list[str] = field(default_factory=list)
    mentions: list[tuple[int, int]] = field(default_factory=list)
    titled: bool = False
    given: str | None = None

    def add(self, surface: str, normal: str, span: tuple[int, int]) -> None:
        for v in (normal, surface):
            if v not in self.variants:
                self.variants.append(v)
        if span not in self.mentions:
            self.mentions.append(span)


def _person_parts(normal: str) -> tuple[str, str | None] | None:
    words = normal.split()
    parts = name_parts(words[-1])
    if parts is None:
        return None
    given = given_name(words[0]) if len(words) > 1 else None
    if len(words) > 1 and given is None:
        given = canonical_given(fold(words[0]))
    return parts.surname, given


def word_before_name(text: str, start: int) -> re.Match | None:
    """The word before the name at ``start``, past any initials, with its full stop if it has one
    (group 1): "ім." of "ім. Т.Г. Шевченка", "im." of "im. K. K. Baczyńskiego". Where a street or patron
    word stands, in every language's reader."""
    return _PATRON_BEFORE.search(text, max(0, start - 20), start)


def patron(text: str, start: int) -> bool:
    """Whether the name at ``start`` follows a street or patron word (:data:`PATRON_WORDS`), initials
    between them allowed ("ім. Т.Г. Шевченка")."""
    m = word_before_name(text, start)
    if m is None or m.group(1).lower() not in PATRON_WORDS:
        return False
    if m.group(1).lower() not in NAME_OF:
        return True
    before = _WORD_BEFORE.search(text, max(0, m.start(1) - 12), m.start(1))
    return before is None or before.group(1).lower() not in NOT_PATRON_BEFORE_NAME_OF


def after_initial(text: str, start: int) -> bool:
    """Whether the word at ``start`` follows an initial, as a surname does ("В.Ющенка", "Д. Лебедя")."""
    m = _AFTER_INITIAL.search(text[max(0, start - 4) : start])
    return m is not None and m.group(1).isupper()


@lru_cache(maxsize=4)
def _text_words(text: str) -> frozenset[str]:
    """The words of a text as written, for asking whether it also writes a word in lowercase: its runs
    of letters and its words with their hyphens and apostrophes. Cached: asked for every name."""
    return frozenset(re.findall(r"[^\W\d_]+", text)) | frozenset(_WORD.findall(text))


def common_word(text: str, start: int, language: str) -> bool:
    """Whether the capitalised word at ``start`` reads as a common word, not a name: the text also
    writes it in lowercase ("Церква ... церква"), or it opens a sentence and the language's dictionary
    knows its lowercase form and it is no given name ("Вона", "Отже", "Навіть"), nor a word a names
    dictionary reads only as a name ("Марічка"). A word after an initial ("Д. Лебедя") is a name."""
    import simplemma

    m = _WORD.match(text, start)
    if m is None:
        return True
    word = m.group()
    lower = word.lower()
    if lower in _text_words(text):
        return True
    if after_initial(text, start):
        return False
    before = text[max(0, start - 8) : start].rstrip(_OPENERS)  # "— Агов", "« Журавель"
    initial = not before or bool(_SENTENCE_END.search(before[-3:]))
    if not initial:
        return False
    if _form_of_common_word(lower, language):  # "Тобі", ти's dative, though Toby is a given name
        return True
    if dictionary_name(word, language, only=True):  # "Марічка", only a name
        return False
    return simplemma.is_known(lower, lang=LEMMA_LANGUAGE.get(language, language)) and not is_given(word)


def _form_of_common_word(lower: str, language: str) -> bool:
    """Whether simplemma reads a lowercase word as a form of another word, lowercase and no name to the
    names dictionary ("тобі" of "ти", "ліз" of "лізти"; not "славко", which it makes "славка", a name's
    form): opening a sentence, such a word is that common word, not the rare name it may also be."""
    import simplemma

    if language not in NAME_DICTIONARY_LANGUAGES:
        return False
    found = simplemma.lemmatize(lower, lang=LEMMA_LANGUAGE.get(language, language))
    return found != lower and found.islower() and not dictionary_name(found.capitalize(), language)


def _join_mentions(
    text: str, full: dict[str, _Group], alone: dict[str, _Group], found: list[Found], language: str
) -> None:
    """Words NER left out that name a person of the article: its surname in any case ("Лукашэнка
    заявіў", "a Duda obiecał") and a given name alone ("Іван родом із села") when one person has it."""
    by_given: dict[str, list[_Group]] = {}
    by_surname: dict[str, _Group] = {}
    for g in [*full.values(), *alone.values()]:
        by_given.setdefault(g.given or "", []).append(g)
        by_surname.setdefault(g.surname, g)
    taken = [(f.start, f.end) for f in found]
    lone: dict[str, _Group] = {}  # the persons named by a given name alone, by its stem
    for m in _WORD.finditer(text):
        word = m.group()
        if not word[:1].isupper() or word.isupper() or any(m.start() < e and s < m.end() for s, e in taken):
            continue
        if patron(text, m.start()):  # "вул. Франка" is no mention of Франко
            continue
        surface = word  # "Ірмине" (Ірма's) is Ірма
        word = possessive_owner(word, language) or word
        surnames = {p.surname for w in {word, lemma(word, language)} if (p := name_parts(w))}
        if group := next((by_surname[s] for s in surnames if s in by_surname), None):
            group.add(surface, word, m.span())
            continue
        folded = fold(word)
        forms = {folded} | {folded[: -len(fold(e))] for e in GIVEN_ENDINGS if folded.endswith(fold(e))}
        groups = {id(g): g for f in forms if len(f) >= 3 for g in by_given.get(canonical_given(f), [])}
        if len(groups) > 1 or not is_given(word) or common_word(text, m.start(), language):
            continue
        if groups:
            next(iter(groups.values())).add(surface, word, m.span())
        elif lone_given_name(word, language) and place_of(normal := lemma(word, language), word) is None:
            if parts := name_parts(normal):  # a person named by a given name alone ("Ірма", "Ірмі")
                group = lone.get(_LONE_ENDING.sub("", word)) or by_surname.setdefault(
                    parts.surname, _Group(parts.surname, parts.surname, normal)
                )
                lone[_LONE_ENDING.sub("", word)] = alone.setdefault(group.key, group)
                group.add(surface, normal, m.span())


def lone_given_name(word: str, language: str) -> bool:
    """Whether a given name NER missed names a person without a surname in the article: in
    :data:`EVIDENCE_LANGUAGES` (natasha misses them there), written in the language's script, and not a
    word its dictionary knows (given names in some case form include "Тому", "Біля", "Добре")."""
    import simplemma

    if language not in EVIDENCE_LANGUAGES or word.isascii():
        return False
    return not simplemma.is_known(word.lower(), lang=LEMMA_LANGUAGE.get(language, language))


def confirmed_surnames(
    text: str, found: list[Found], language: str, confirmed: frozenset[str] | set[str]
) -> list[Found]:
    """Surnames NER missed whose person is named in full elsewhere (``confirmed``: the article, the
    batch, the archive): a capitalised word outside every name found, whose nominative is such a surname,
    and no common word, patron's name or place ("Пуціну далажылі", natasha missing a Belarusian dative
    that opens a sentence)."""
    taken = [(f.start, f.end) for f in found]
    out = []
    for m in _WORD.finditer(text):
        word = m.group()
        if len(word) < MIN_LONE_SURNAME_CHARS or not word[:1].isupper() or word.isupper():
            continue
        if any(m.start() < e and s < m.end() for s, e in taken):
            continue
        normal = lemma(word, language)
        parts = name_parts(normal) if normal[:1].isupper() else None
        if parts is None or parts.surname not in confirmed:
            continue
        if common_word(text, m.start(), language) or patron(text, m.start()) or place_of(normal, word):
            continue
        out.append(Found(PER, m.start(), m.end(), normal))
    return out


def full_surnames(found: list[Found]) -> set[str]:
    """The surnames of the persons named in full among ``found``: evidence for a surname alone."""
    out = set()
    for f in found:
        words = f.normal.split()
        if f.label == PER and len(words) > 1 and is_given(words[0]) and (parts := _person_parts(f.normal)):
            out.add(parts[0])
    return out


def persons(
    text: str, found: list[Found], language: str = "ru", confirmed: frozenset[str] | set[str] = frozenset()
) -> list[Person]:
    """One person per key; a surname alone joins the full name with that surname in the article. One
    that joins none and may be a common word (``weak``, unless the dictionary reads it as a name; in
    :data:`EVIDENCE_LANGUAGES` also one that :func:`common_word` reads as one) is kept only after a title
    or when a person of that surname is named in full in ``confirmed`` (surname skeletons: the batch,
    the archive). A given name alone joins the one person named in full with it ("Іван", "Іван Марчук").
    In :data:`EVIDENCE_LANGUAGES` a surname alone that NER missed is added when ``confirmed`` has it
    (:func:`confirmed_surnames`)."""
    full: dict[str, _Group] = {}
    alone: dict[str, _Group] = {}
    if confirmed and language in EVIDENCE_LANGUAGES:  # natasha, a Russian model, misses more there
        found = [*found, *confirmed_surnames(text, found, language, confirmed)]
    people = [f for f in found if f.label == PER]
    for f in sorted(people, key=lambda f: -len(f.normal.split())):
        parts = _person_parts(f.normal)
        if parts is None:
            continue
        surname, given = parts
        surface = text[f.start : f.end]
        if given:
            key = f"{surname}_{given}"
            group = full.setdefault(key, _Group(key, surname, f.normal, given=given))
        else:
            group = next((g for g in full.values() if g.surname == surname), None)
            if group is None and (named := given_name(surface)):  # "Іван" of "Іван Марчук"
                same = [g for g in full.values() if g.given == named]
                group = same[0] if len(same) == 1 else None
            if group is None:
                if (
                    f.weak
                    and language not in NAME_DICTIONARY_LANGUAGES  # there the dictionary judges, below
                    and surname not in confirmed
                    and not titled(text, f.start)
                ):
                    continue
                group = alone.setdefault(surname, _Group(surname, surname, f.normal))
                group.titled = group.titled or titled(text, f.start)
        group.add(surface, f.normal, (f.start, f.end))
    _join_mentions(text, full, alone, found, language)
    if language in EVIDENCE_LANGUAGES:
        alone = {
            k: g
            for k, g in alone.items()
            if g.titled
            or (
                (g.surname in confirmed or not all(common_word(text, s, language) for s, _ in g.mentions))
                and not all(
                    dictionary_thing(text[s:e], language) and not after_initial(text, s)
                    for s, e in g.mentions
                )
            )
        }
    return [
        Person(
            key=g.key,
            name=g.name,
            variants=g.variants,
            mentions=[Mention(s, e) for s, e in sorted(g.mentions)],
        )
        for g in [*full.values(), *alone.values()]
    ]


def places(found: list[Found]) -> list[Place]:
    by_key: dict[str, Place] = {}
    for f in found:
        if f.label != LOC:
            continue
        place = resolve(f.normal)
        if place is None:
            continue
        kept = by_key.setdefault(place.key, replace(place, mentions=[]))  # resolve() is cached: a copy
        kept.mentions.append(Mention(f.start, f.end))
    for place in by_key.values():
        place.mentions.sort(key=lambda m: m.start)
    return list(by_key.values())


def read(text: str, language: str) -> list[Found]:
    """The person and place names of a text in ``language`` (ru, uk, be or pl), with nominatives."""
    if language == "pl":
        from archive.entities.ner_polish import read_polish

        return read_polish(text)
    return _cyrillic(text, language)


def entities(
    text: str, language: str, confirmed: frozenset[str] | set[str] = frozenset()
) -> tuple[list[Person], list[Place]]:
    """The persons and places of a text in ``language`` (ru, uk, be or pl); ``confirmed``: surname
    skeletons named in full elsewhere (see :func:`persons`)."""
    found = read(text, language)
    return persons(text, found, language, confirmed | full_surnames(found)), places(found)


# Month names as dates write them (genitive, "19 октября"), by their first letters: enough to tell
# the twelve apart in each language, and every case ending follows.
MONTH_STEMS = {
    "ru": (
        "январ",
        "феврал",
        "март",
        "апрел",
        "ма[яйе]",
        "июн",
        "июл",
        "август",
        "сентябр",
        "октябр",
        "ноябр",
        "декабр",
    ),
    "uk": (
        "січн",
        "лют",
        "березн",
        "квітн",
        "травн",
        "червн",
        "липн",
        "серпн",
        "вересн",
        "жовтн",
        "листопад",
        "грудн",
    ),
    "be": (
        "студзен",
        "лют",
        "сакавік",
        "красавік",
        "мая|трав",
        "чэрвен",
        "ліпен",
        "жнів",
        "верас",
        "кастрычнік",
        "лістапад",
        "снеж",
    ),
    "pl": (
        "stycz",
        "lut",
        "mar[cz]",
        "kwie[tc]n",
        "maj",
        "czerw",
        "lip",
        "sierp",
        "wrze[sś]",
        "październik",
        "listopad",
        "grud",
    ),
}
_DATE_TEMPLATE = r"(?<!\d)(?P<day>[12]\d|3[01]|0?[1-9])\s+(?P<month>{months})[^\W\d_]*(?:\s+(?P<year>(?:1[89]|20)\d\d)(?!\d))?"


@lru_cache(maxsize=4)
def _date_pattern(language: str) -> re.Pattern:
    months = "|".join(f"(?P<m{i}>{stem})" for i, stem in enumerate(MONTH_STEMS[language], 1))
    return re.compile(_DATE_TEMPLATE.format(months=months), re.IGNORECASE)


def dates(text: str, language: str, published: str | None) -> list[DateMention]:
    """Day-month dates written in ``language`` ("19 жовтня", "19 października 2023"); a date without a
    year takes the publication year that puts it nearest the publication date, and is dropped without one."""
    anchor = _anchor(published)
    out = []
    for m in _date_pattern(language).finditer(text):
        month = next(
            int(name[1:])
            for name, value in m.groupdict().items()
            if name.startswith("m") and name != "month" and value
        )
        day = int(m.group("day"))
        year = int(m.group("year")) if m.group("year") else _nearest_year(month, day, anchor)
        if year is None:
            continue
        try:
            value = date(year, month, day).isoformat()
        except ValueError:
            continue
        out.append(DateMention(value, "day", m.group(), m.start(), m.end()))
    return out


def _anchor(published: str | None) -> date | None:
    try:
        return date.fromisoformat(published[:10]) if published and len(published) >= 10 else None
    except ValueError:
        return None


def _nearest_year(month: int, day: int, anchor: date | None) -> int | None:
    if anchor is None:
        return None
    options = []
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            options.append((abs((date(year, month, day) - anchor).days), year))
        except ValueError:
            continue
    return min(options)[1] if options else None


def fill(
    article, found: list[Found] | None = None, confirmed: frozenset[str] | set[str] = frozenset()
) -> None:
    """Set the persons, places and dates of an article in Russian, Ukrainian, Belarusian or Polish
    (``found``: its names when already read; ``confirmed``: see :func:`persons`)."""
    from archive.entities.dates import dates_in

    found = read(article.text, article.language) if found is None else found
    article.persons = persons(article.text, found, article.language, confirmed)
    article.places = places(found)
    found_dates = dates_in(article.text, article.published) + dates(
        article.text, article.language, article.published
    )
    article.dates = sorted(found_dates, key=lambda d: (d.start, d.end))


def extract(articles: list, confirmed: frozenset[str] = frozenset()) -> None:
    """Fill the entities of articles in Russian, Ukrainian, Belarusian or Polish; a surname alone has
    the evidence of a full name anywhere in the batch or in ``confirmed`` (the archive's)."""
    read_names = [read(a.text, a.language) for a in articles]
    batch = set(confirmed).union(*(full_surnames(found) for found in read_names))
    for article, found in zip(articles, read_names, strict=True):
        fill(article, found, batch)
