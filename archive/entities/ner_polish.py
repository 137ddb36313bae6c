"""Persons and places in Polish text, read with morfeusz2's dictionary (no Polish NER model with
weights is on PyPI): capitalised words tagged as given name, surname or geographical name, and their
lemmas as nominatives (Kaczyńskiego -> Kaczyński).

Beyond one word's tags:

- places: a multi-word place put in the nominative word by word (Stanach Zjednoczonych -> Stany
  Zjednoczone) before the gazetteer sees it; a word morfeusz2 does not know, when the gazetteer has
  it, big or after "w" (in), in some case form (Medellin, w Dubrovniku); a voivodeship by its
  adjective ("województwa łódzkiego"; regions resolve as :func:`ner_slavic.resolve` files them);
- persons: a given name (morfeusz2's, or the name list's for a word it knows as no given name nor
  common word: Marc, Lawrence) before one or two more capitalised words, in either order (Herski
  Marcin); an initial before a surname (H. Skrzypińskiego); a given name alone; a surname that is
  otherwise only an adjective (Szpiegowski); a word no dictionary knows that the article declines
  (Benkler, Benklera). Not a person: a name after a street or patron word (ul., im.), a surname that
  is also a place (Bzura), a given name in the plural (Janowie).
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from typing import NamedTuple

from archive.entities.folding import fold
from archive.entities.ner_slavic import (
    _SENTENCE_END,
    _WORD,
    LOC,
    PER,
    Found,
    _country_names,
    _gazetteer,
    is_given,
    lemma,
    major_place,
    place_of,
    resolve,
    titled,
    titled_word,
    word_before_name,
)

#: morfeusz2's name tags (its dictionary, SGJP, tags proper names by kind).
GIVEN_TAG, SURNAME_TAG, GEO_TAGS = "imię", "nazwisko", {"nazwa_geograficzna", "nazwa_państwa"}
#: Parts of speech whose lowercase reading of a capitalised word does not make it a common word when
#: it stands alone mid-sentence: Polish writes adjectives and participles in lowercase, so
#: "Szpiegowski" there is the surname, not the adjective "szpiegowski".
ADJECTIVE_TAGS = ("adj", "ppas", "pact")
#: Parts of speech a place's name shares with common words without being mistaken at a sentence's
#: start (Chiny, china; Polska, polski): not an adverb or a verb ("Tam", "Pisze").
NAME_LIKE_TAGS = ("subst", "adj", "ppas", "pact")
#: Polish nouns' case endings after a bare foreign name (Keen: Keena, Keenowi, Keenem; Lessig:
#: Lessiga), from the declension of masculine nouns.
CASE_ENDINGS = frozenset({"a", "owi", "em", "iem", "u", "ie", "om", "ów", "ach", "ami", "y", "i"})
#: morfeusz2's tags of a finite verb (present, past, future of "być").
VERB_TAGS = ("fin", "praet", "bedzie")
#: Words after which a name is a street's or an institution's patron ("ul. Adama Mickiewicza",
#: "im. Jana Pawła II"), not a person the article is about; folded, without the abbreviation's dot.
PATRON_WORDS = frozenset(
    fold(w)
    for w in "ul ulica ulicy ulicą ulice ulic al aleja alei aleję pl plac placu im imienia rondo ronda".split()
)
#: morfeusz2's qualifier of an archaic reading, which does not make a place's name a common word.
ARCHAIC = "daw."
#: The country whose towns of any size morfeusz2's dictionary names (SGJP is Polish).
HOME_COUNTRY = "PL/"
#: The longest run of capitalised words read as one place ("Stanach Zjednoczonych Ameryki").
MAX_PLACE_WORDS = 3
#: Nominative forms tried per word of a multi-word place (its readings' lemmas and agreeing forms).
MAX_PLACE_FORMS = 8
#: Polish case endings of foreign place names morfeusz2 does not know, and their nominatives' (the
#: locative -ie of a feminine: Cartagenie -> Cartagena; -ii: Leticii -> Leticia), tried besides
#: :data:`archive.entities.ner_slavic.PLACE_ENDINGS`.
POLISH_PLACE_ENDINGS = (("ie", "a"), ("ii", "ia"), ("ę", "a"), ("ą", "a"), ("em", ""), ("iem", ""))
#: A voivodeship named as Polish writes it, by its adjective after the word ("województwa łódzkiego").
_VOIVODESHIP = re.compile(r"(?<![^\W\d_])województw[^\W\d_]* ([^\W\d_]+(?:-[^\W\d_]+)?)")
#: "w"/"we" (in) right before a name: a place's preposition, not a person's.
_LOCATED = re.compile(r"(?<![^\W\d_])[wW]e? $")
_INITIAL_BEFORE = re.compile(r"(?:^|(?<=\s))([A-ZĄĆĘŁŃÓŚŹŻ])\. (?:[A-ZĄĆĘŁŃÓŚŹŻ]\. )?$")


class Reading(NamedTuple):
    lemma: str  # without morfeusz2's homonym mark
    names: frozenset[str]  # name tags
    tag: str  # the morphosyntactic tag ("subst:sg:gen:f")
    archaic: bool = False  # marked "daw." (dawny): "bawaria", a word older than Bawaria's use of it


@lru_cache(maxsize=1)
def _morfeusz():
    import morfeusz2

    return morfeusz2.Morfeusz()


@lru_cache(maxsize=65536)
def _readings(word: str) -> tuple[Reading, ...]:
    """morfeusz2's readings of a word; a word it does not know has none."""
    out = []
    for _, _, (_, lem, tag, names, qualifiers) in _morfeusz().analyse(word):
        if tag != "ign":
            out.append(Reading(lem.split(":", 1)[0], frozenset(names), tag, ARCHAIC in qualifiers))
    return tuple(out)


def read_polish(text: str) -> list[Found]:
    """The person and place names of a Polish text, with their nominatives."""
    words = [m for m in _WORD.finditer(text) if m.group()[0].isupper()]
    found: list[Found] = []
    i = 0
    while i < len(words):
        run = _run(text, words, i)
        if place := _multiword_place(run):
            found.append(Found(LOC, run[0].start(), run[place[0] - 1].end(), place[1]))
            i += place[0]
            continue
        m = words[i]
        if m.group().isupper():  # an abbreviation: a place (USA, ZSRR) or nothing a person is
            if len(m.group()) > 1 and (geo := _geo(m.group())):
                found.append(Found(LOC, m.start(), m.end(), geo))
            i += 1
            continue
        if _patron(text, m.start()):
            i += len(run)
            continue
        if person := _full_name(text, run):
            found.append(person[1])
            i += person[0]
            continue
        found.extend(_one_word(text, m))
        i += 1
    for m in _VOIVODESHIP.finditer(text):
        nominative = next((f for f in _nominatives(m.group(1)) if f.lower().endswith("kie")), None)
        if nominative and resolve(nominative) is not None:  # Łódzkie: its country (ner_slavic.resolve)
            found.append(Found(LOC, m.start(1), m.end(1), nominative))
    return _inflected(found, text)


def _inflected(found: list[Found], text: str) -> list[Found]:
    """Words no dictionary knows that the article declines like a Polish noun (Keen, Keena, Keenowi):
    a name, not a brand or a foreign word left as written; each keyed by its bare form."""
    unknown = [f for f in found if f.label == PER and f.weak and not _readings(text[f.start : f.end])]
    forms = {text[f.start : f.end] for f in unknown}
    for f in unknown:
        word = text[f.start : f.end]
        bases = {w for w in forms if w != word and _declined(w, word)}
        base = word if any(_declined(word, w) for w in forms) else min(bases, key=len, default=None)
        if base is not None:
            f.weak, f.normal = False, base
    return found


def _declined(base: str, word: str) -> bool:
    """Whether ``word`` is ``base`` with a Polish case ending."""
    return word.startswith(base) and word[len(base) :] in CASE_ENDINGS


def _run(text: str, words: list[re.Match], i: int) -> list[re.Match]:
    """The capitalised words from ``i`` on, one space apart (a multi-word name's words)."""
    run = [words[i]]
    for m in words[i + 1 :]:
        if text[run[-1].end() : m.start()] != " " or len(run) == MAX_PLACE_WORDS:
            break
        run.append(m)
    return run


def _initial(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens a sentence."""
    return bool(_SENTENCE_END.search(text[max(0, start - 3) : start]))


def _patron(text: str, start: int) -> bool:
    """Whether the name at ``start`` follows a street or patron word ("ul. Kościuszki", "im. Jana",
    "im. K. K. Baczyńskiego")."""
    m = word_before_name(text, start)
    return m is not None and fold(m.group(1).rstrip(".")) in PATRON_WORDS


def _geo(word: str, initial: bool = False, located: bool = False) -> str | None:
    """The nominative of a one-word place: a geographical lemma of morfeusz2's that names a country
    in Polish (Dania, before a Dania town abroad) or that the gazetteer resolves; a town abroad known
    by that name first or big (far towns' alternate names meet Polish words: Sokołem). A sentence's
    first word that is also an adverb or a verb (Tam, Pisze) is none, nor one that is also a common
    noun and names a region abroad (Kampania, a campaign; Campania). ``located``: after "w" (in),
    where a town abroad of any size is one, unless its name is also a common word ("w Unii")."""
    readings = _readings(word)
    if initial and any(r.lemma[:1].islower() and not r.tag.startswith(NAME_LIKE_TAGS) for r in readings):
        return None
    common = any(r.lemma[:1].islower() and not r.archaic for r in readings)
    for r in readings:
        if not r.names & GEO_TAGS:
            continue
        if english := _country_names().get(fold(r.lemma)):
            return english
        if (place := resolve(r.lemma)) is not None:  # morfeusz2's lemma, not a guessed ending (Andy/Anda)
            if (
                ("/" not in place.key and not (initial and common))  # "Kampania wyborcza": no Campania
                or place.key.startswith(HOME_COUNTRY)
                or (located and not common)
                or _known_city(r.lemma, place)
            ):
                return r.lemma
    return None


def _known_city(name: str, place) -> bool:
    """Whether a city abroad is called ``name`` first, or is big (Monachium is Munich's Polish name)."""
    if "/" not in place.key:  # a country or region, not a city
        return False
    if major_place(place):
        return True
    named = _gazetteer().city(fold(name), primary_only=True)
    return named is not None and named.key == place.key


def _unknown_place(word: str, located: bool = False) -> str | None:
    """A word morfeusz2 does not know, as a country, a US state or a city of
    :data:`MISSED_PLACE_POPULATION` in some case form (Medellin, Cartagenie); smaller towns share
    their names with foreign surnames; after "w" (in: "w Dubrovniku", "w Framingham"), any the
    gazetteer has."""
    candidates = [word] + [
        word[: -len(ending)] + nominative
        for ending, nominative in POLISH_PLACE_ENDINGS
        if word.endswith(ending) and len(word) > len(ending) + 2
    ]
    hits = [(c, resolve(c)) for c in candidates] + [place_of(word, word) or (word, None)]
    for name, place in hits:
        if place is not None and (located or major_place(place)):
            return name
    return None


@lru_cache(maxsize=65536)
def _nominatives(word: str) -> tuple[str, ...]:
    """A word of a multi-word name in the nominative, as it would stand there: its nouns' lemmas and
    its adjectives' and participles' nominative forms of the same number, capitalised as written."""
    forms = [word]
    for r in _readings(word):
        pos, *rest = r.tag.split(":")
        if pos in ADJECTIVE_TAGS and rest:
            for form, _, tag, _, _ in _morfeusz().generate(r.lemma.split(":", 1)[0]):
                parts = tag.split(":")
                if (
                    parts[0] == pos
                    and parts[1] == rest[0]
                    and "nom" in parts[2].split(".")
                    and "neg" not in parts
                ):
                    forms.append(form)
        elif pos == "subst":
            forms.append(r.lemma)
    out = []
    for form in forms:
        form = form[:1].upper() + form[1:] if word[:1].isupper() else form
        if form not in out:
            out.append(form)
    return tuple(out[:MAX_PLACE_FORMS])


def _multiword_place(run: list[re.Match]) -> tuple[int, str] | None:
    """The longest leading part of a run of capitalised words that is one place in the nominative
    (Stanach Zjednoczonych -> Stany Zjednoczone, Zielonej Górze -> Zielona Góra): (words, name)."""
    for n in range(len(run), 1, -1):
        for combo in itertools.product(*(_nominatives(m.group()) for m in run[:n])):
            name = " ".join(combo)
            if resolve(name) is not None:
                return n, name
    return None


def _given(word: str, alone: bool = False) -> str | None:
    """A given name's nominative: morfeusz2's (``alone``: in the singular; "Janowie", the Jans, is more
    often the village Janów); by the name list (Marc), for a word morfeusz2 knows as no given name nor
    common word."""
    readings = _readings(word)
    given = next((r.lemma for r in readings if GIVEN_TAG in r.names and (":sg" in r.tag or not alone)), None)
    if given is None and all(r.lemma[:1].isupper() for r in readings) and is_given(word):
        return word  # unknown, or known only as a surname or a place (Wayne, Jesse, Lawrence)
    return given


def _full_name(text: str, run: list[re.Match]) -> tuple[int, Found] | None:
    """A person named in full at the start of ``run``: one or two given names and a surname
    (Johann Nepomuk Holzhey), a surname and a given name (Herski Marcin, as lists write it), or an
    initial and a surname (H. Skrzypińskiego): (words used, the name)."""
    first = run[0]
    if (m := _INITIAL_BEFORE.search(text, max(0, first.start() - 8), first.start())) and (
        surname := _surname(first.group())
    ):
        return 1, Found(PER, m.start(1), first.end(), surname)
    if len(run) < 2 or titled_word(fold(first.group())):
        return None
    given = _given(first.group())
    if given is not None:
        last = 1
        if len(run) > 2 and _given(run[1].group()) and _surname(run[2].group()):
            last = 2
        if surname := _surname(run[last].group()):
            return last + 1, Found(PER, first.start(), run[last].end(), f"{given} {surname}")
        return None
    second, word = _given(run[1].group()), first.group()
    surname = (
        _surname(word, strict=True) or _surname(word, adjective=True) or (None if _readings(word) else word)
    )
    if second and surname and not _geo(word):
        return 2, Found(PER, first.start(), run[1].end(), f"{second} {surname}")
    return None


def _one_word(text: str, m: re.Match) -> list[Found]:
    """A capitalised word standing alone: a place, a surname, a given name, or nothing."""
    word = m.group()
    readings = _readings(word)
    initial = _initial(text, m.start())
    alone = not _next_to_capitalised(text, m)
    located = bool(_LOCATED.search(text, max(0, m.start() - 4), m.start()))
    if geo := _geo(word, initial, located):
        return [Found(LOC, m.start(), m.end(), geo)]
    if not readings and (place := _unknown_place(word, located)):
        return [Found(LOC, m.start(), m.end(), place)]
    if titled_word(fold(word)):
        return []
    if surname := _surname(word, strict=True):
        return [Found(PER, m.start(), m.end(), surname, weak=initial)]
    if alone and not initial and (surname := _surname(word, adjective=True)):
        return [Found(PER, m.start(), m.end(), surname)]  # "Szpiegowski 5, Koziak 6"
    if (given := _given(word, alone=True)) and readings:
        if not (initial and any(r.lemma[:1].islower() for r in readings)) or _verb_after(text, m.end()):
            return [Found(PER, m.start(), m.end(), given)]  # "Jarek" mid-sentence; "Róża milczała."
    if not initial and titled(text, m.start()) and (surname := _surname(word)):
        return [Found(PER, m.start(), m.end(), surname)]  # "prezydent Duda": duda is a bagpipe too
    if not readings and not initial:  # a word no dictionary knows ("Paźniewskiego"): with evidence
        return [Found(PER, m.start(), m.end(), lemma(word, "pl"), weak=True)]
    return []


def _verb_after(text: str, end: int) -> bool:
    """Whether the word after ``end`` (one space on) can be a verb in the past or present tense: a
    sentence's first word that is a given name and a common word (Róża, a rose) is then its subject."""
    m = _WORD.match(text, end + 1) if text[end : end + 1] == " " else None
    return m is not None and any(r.tag.startswith(VERB_TAGS) for r in _readings(m.group()))


def _next_to_capitalised(text: str, m: re.Match) -> bool:
    """Whether a capitalised word is one space from another (part of a multi-word name)."""
    before = text[max(0, m.start() - 40) : m.start()]
    after = _WORD.match(text, m.end() + 1) if text[m.end() : m.end() + 1] == " " else None
    previous = re.search(r"([^\W\d_]+) $", before)
    return bool(previous and previous.group(1)[:1].isupper()) or bool(after and after.group()[:1].isupper())


def _surname(word: str, strict: bool = False, adjective: bool = False) -> str | None:
    """A surname's nominative: its dictionary lemma; an unknown capitalised word is itself (unless
    ``strict``, for a word standing alone, which must be a dictionary surname and no common word,
    given name or place (Bzura, a river; Grotniki, a village the gazetteer does not know); or
    ``adjective``: a dictionary surname whose other readings are adjectives)."""
    readings = _readings(word)
    surnames = [r.lemma for r in readings if SURNAME_TAG in r.names and r.lemma[:1].isupper()]
    if strict or adjective:
        others = [r for r in readings if r.lemma[:1].islower() or r.names & {GIVEN_TAG, *GEO_TAGS}]
        if adjective:
            others = [r for r in others if not r.tag.startswith(ADJECTIVE_TAGS)]
        return _closest(surnames, word) if surnames and not others else None
    if surnames:
        return _closest(surnames, word)
    if not readings or all(r.lemma[:1].isupper() for r in readings):
        return word
    return None


def _closest(surnames: list[str], word: str) -> str:
    """Kowalska's own lemma, not the masculine one; Kaczyńskiego -> Kaczyński."""
    return min(surnames, key=lambda s: (s[:3] != word[:3], abs(len(s) - len(word))))
