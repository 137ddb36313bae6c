"""Persons, places and dates in Russian, Ukrainian, Belarusian and Polish text (never the English model).

- Russian, Ukrainian, Belarusian: natasha's news NER (it ships its weights); Russian names go to the
  nominative with natasha's own morphology (Путина -> Путин), Ukrainian and Belarusian ones with
  simplemma's Ukrainian lemmas (Зеленського -> Зеленський; simplemma has no Belarusian).
- Polish: no NER model with weights is on PyPI, so capitalised words are read with morfeusz2's
  dictionary tags (given name, surname, geographical name) and lemmas (Kaczyńskiego -> Kaczyński).

A person's key then comes from :func:`archive.entities.persons.name_parts` on the nominative, so it
joins the English and other-script spellings (Лукашенко = Łukaszenka = Lukashenko). A place is its
nominative resolved through the gazetteer (Москве -> Москва -> Moscow), or a country by its name in the
language (pycountry's translations: Україна, Białoruś).
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from archive.entities.folding import fold
from archive.entities.persons import canonical_given, name_parts
from archive.entities.places import resolve_place
from archive.models import DateMention, Mention, Person, Place

#: simplemma's dictionary for each language's lemmas (Belarusian is nearest Ukrainian in its forms).
LEMMA_LANGUAGE = {"uk": "uk", "be": "uk"}
#: natasha's labels, and morfeusz2's name tags (its dictionary, SGJP, tags proper names by kind).
PER, LOC = "PER", "LOC"
GIVEN_TAG, SURNAME_TAG, GEO_TAGS = "imię", "nazwisko", {"nazwa_geograficzna", "nazwa_państwa"}
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
#: Belarusian surname endings in the instrumental, and the nominative's (simplemma has no Belarusian).
BELARUSIAN_ENDINGS = (("ым", ""), ("ім", ""), ("кам", "ка"))
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
_WORD = re.compile(r"[^\W\d_]+(?:[-‐][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"(?:^|[.!?…:\n]|[.!?][\"»”])\s*$")


@lru_cache(maxsize=1)
def _natasha():
    from natasha import Doc, MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter

    embedding = NewsEmbedding()
    return Doc, Segmenter(), MorphVocab(), NewsMorphTagger(embedding), NewsNERTagger(embedding)


@lru_cache(maxsize=1)
def _morfeusz():
    import morfeusz2

    return morfeusz2.Morfeusz()


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Each country's name in Russian, Ukrainian, Belarusian and Polish (folded) -> its English name."""
    import pycountry

    table: dict[str, str] = {}
    for language in ("ru", "uk", "be", "pl"):
        translate = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language]).gettext
        for country in pycountry.countries:
            for attr in ("name", "common_name", "official_name"):
                english = getattr(country, attr, None)
                if english:
                    table.setdefault(fold(translate(english)), country.name)
    return table


@lru_cache(maxsize=4096)
def resolve(name: str) -> Place | None:
    """The place a nominative name stands for: the gazetteer's, else a country named in ru/uk/be/pl."""
    place = resolve_place(name)
    if place is None and (english := _country_names().get(fold(name))):
        place = resolve_place(english)
    return place


@lru_cache(maxsize=65536)
def lemma(word: str, language: str) -> str:
    """The dictionary form of a Ukrainian or Belarusian word (the word itself when unknown)."""
    import simplemma

    if language == "be":  # Belarusian instrumental surnames: Пуціным -> Пуцін, Лукашэнкам -> Лукашэнка
        for ending, nominative in BELARUSIAN_ENDINGS:
            if word[:1].isupper() and word.endswith(ending) and len(word) > len(ending) + 2:
                return word[: -len(ending)] + nominative
    found = simplemma.lemmatize(word, lang=LEMMA_LANGUAGE.get(language, language))
    return word if found.lower() == word.lower() else found  # unknown: simplemma only lowercased it


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
    doc = doc_class(text)
    doc.segment(segmenter)
    if language == "ru":
        doc.tag_morph(morph)
    doc.tag_ner(ner)
    found = []
    for span in doc.spans:
        if span.type not in (PER, LOC):
            continue
        if language == "ru":
            span.normalize(vocab)
            words = list(zip(span.normal.split(), [t.text for t in span.tokens], strict=False))
        else:
            words = [(lemma(t.text, language), t.text) for t in span.tokens]
        found.extend(_classify(span.type, span.start, span.stop, words, text))
    return found


def _classify(label: str, start: int, end: int, words: list[tuple[str, str]], text: str) -> list[Found]:
    """A natasha span as places and a person: a leading place word is split off ("України Володимир
    Зеленський"), a lowercase lemma is a common word, a one-word span that resolves is a place."""
    out: list[Found] = []
    offset = start
    while words and len(words) > 1 and given_name(words[0][1]) is None and (hit := place_of(*words[0])):
        pos = text.find(words[0][1], offset, end)
        out.append(Found(LOC, pos, pos + len(words[0][1]), hit[0]))
        offset = pos + len(words[0][1])
        words = words[1:]
    if not words:
        return out
    first = text.find(words[0][1], offset, end)
    normal = " ".join(w for w, _ in words)
    hit = place_of(*words[0]) if len(words) == 1 else None
    if label == LOC or hit:
        if hit or resolve(normal):
            out.append(Found(LOC, first, end, hit[0] if hit else normal))
        return out
    if any(w[:1].islower() for w, _ in words):
        if len(words) == 1 or given_name(words[0][1]) is None:
            return out + ([Found(PER, first, end, words[0][1], weak=True)] if len(words) == 1 else [])
    out.append(Found(PER, first, end, normal, weak=len(words) == 1 and not words[0][1][:1].isupper()))
    return out


def _polish(text: str) -> list[Found]:
    analyser = _morfeusz()
    words = [m for m in _WORD.finditer(text) if m.group()[0].isupper() and not m.group().isupper()]
    found: list[Found] = []
    i = 0
    while i < len(words):
        m = words[i]
        readings = _readings(analyser, m.group())
        initial = bool(_SENTENCE_END.search(text[max(0, m.start() - 3) : m.start()]))
        nxt = words[i + 1] if i + 1 < len(words) and words[i + 1].start() - m.end() == 1 else None
        geo = next((lem for lem, tags in readings if tags & GEO_TAGS and resolve(lem)), None)
        is_given = any(GIVEN_TAG in tags for _, tags in readings) or given_name(m.group()) is not None
        if nxt is not None and is_given:
            surname = _surname(_readings(analyser, nxt.group()), nxt.group())
            if surname:
                given = next((lem for lem, tags in readings if GIVEN_TAG in tags), m.group())
                found.append(Found(PER, m.start(), nxt.end(), f"{given} {surname}"))
                i += 2
                continue
        if geo:
            found.append(Found(LOC, m.start(), m.end(), geo))
        else:
            surname = _surname(readings, m.group(), strict=True)
            if surname:
                found.append(Found(PER, m.start(), m.end(), surname, weak=initial))
        i += 1
    return found


def _readings(analyser, word: str) -> list[tuple[str, set[str]]]:
    """morfeusz2's readings of a word: (lemma without its homonym mark, name tags); unknown: none."""
    out = []
    for _, _, (_, lem, tag, names, _) in analyser.analyse(word):
        if tag == "ign":
            continue
        out.append((lem.split(":", 1)[0], set(names)))
    return out


def _surname(readings: list[tuple[str, set[str]]], word: str, strict: bool = False) -> str | None:
    """A surname's nominative: its dictionary lemma; an unknown capitalised word is itself (unless
    ``strict``, for a word standing alone, which must be a dictionary surname and nothing else)."""
    surnames = [lem for lem, tags in readings if SURNAME_TAG in tags and lem[:1].isupper()]
    if strict:
        common = any(lem[:1].islower() or GIVEN_TAG in tags for lem, tags in readings)
        return surnames[0] if surnames and not common else None
    if surnames:
        # Kowalska's own lemma, not the masculine one; Kaczyńskiego -> Kaczyński
        return min(surnames, key=lambda s: (s[:3] != word[:3], abs(len(s) - len(word))))
    if not readings or all(lem[:1].isupper() for lem, _ in readings):
        return word
    return None


@dataclass
class _Group:
    key: str
    surname: str
    name: str
    variants: list[str] = field(default_factory=list)
    mentions: list[tuple[int, int]] = field(default_factory=list)

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


def persons(text: str, found: list[Found]) -> list[Person]:
    """One person per key; a surname alone joins the full name with that surname in the article."""
    full: dict[str, _Group] = {}
    alone: dict[str, _Group] = {}
    people = [f for f in found if f.label == PER]
    for f in sorted(people, key=lambda f: -len(f.normal.split())):
        parts = _person_parts(f.normal)
        if parts is None:
            continue
        surname, given = parts
        surface = text[f.start : f.end]
        if given:
            key = f"{surname}_{given}"
            group = full.setdefault(key, _Group(key, surname, f.normal))
        else:
            group = next((g for g in full.values() if g.surname == surname), None)
            if group is None:
                if f.weak:
                    continue
                group = alone.setdefault(surname, _Group(surname, surname, f.normal))
        group.add(surface, f.normal, (f.start, f.end))
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
        kept = by_key.setdefault(place.key, place)
        kept.mentions.append(Mention(f.start, f.end))
    for place in by_key.values():
        place.mentions.sort(key=lambda m: m.start)
    return list(by_key.values())


def entities(text: str, language: str) -> tuple[list[Person], list[Place]]:
    """The persons and places of a text in ``language`` (ru, uk, be or pl)."""
    found = _polish(text) if language == "pl" else _cyrillic(text, language)
    return persons(text, found), places(found)


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


def fill(article) -> None:
    """Set the persons, places and dates of an article in Russian, Ukrainian, Belarusian or Polish."""
    from archive.entities.dates import dates_in

    article.persons, article.places = entities(article.text, article.language)
    found = dates_in(article.text, article.published) + dates(
        article.text, article.language, article.published
    )
    article.dates = sorted(found, key=lambda d: (d.start, d.end))
