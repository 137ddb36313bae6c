"""Persons: clean the names NER finds, give each person a key that survives spelling, group mentions.

A key is ``<surname>_<given>`` (``lukashenko_aleksandr``), or ``<surname>`` alone when an article
never gives the first name. Both parts are *skeletons*: folded to ASCII (Ł -> l, Лукашенко ->
lukashenko) and reduced by the romanisation rules that differ between English, Polish and
Belarusian/Russian spellings (sz/sh, cz/ch, w/v, y/i, -ou/-ov, -ka/-ko), and the given name mapped
to one spelling of its group (Alyaksandr / Aleksandr / Alexander). The rules only rewrite spellings
of one sound, never drop letters, so names that are merely close keep different keys: Karpiankou
(``karpiankov``) is not Karpienka (``karpienko``).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from archive.entities.folding import FOLD_CACHE_SIZE, fold
from archive.entities.names_data import (
    EVIDENCE_TITLES,
    GIVEN_NAME_GROUPS,
    GIVEN_NAMES_THAT_ARE_WORDS,
    NOT_NAMES,
    PARTICLES,
    SUFFIXES,
    THING_WORDS,
    TITLES,
    TRAILING_WORDS,
)
from archive.models import Mention, Person

# Spelling rewrites applied in order to a folded word. Each maps spellings of one sound to one
# form; the order matters ("szcz" before "cz" and "sz"). "ch" is ambiguous: English and Russian-based
# spellings write the sound of Polish "cz" with it, Polish and Belarusian Łacinka the sound of Russian
# "kh" (Cichanouska = Tikhanovskaya). A word that shows a Polish or Łacinka spelling (a "c" before e, i or
# y, or "cz", "sz", "rz", "w") reads its "ch" as "kh" and that "c" as "ts".
_POLISH = re.compile(r"c(?=[iey])|cz|sz|rz|w")
_POLISH_CH = [(re.compile(r"ch"), "kh"), (re.compile(r"c(?=[iey])"), "ts")]
_REWRITES = [
    (re.compile(p), r)
    for p, r in [
        (r"szcz", "shch"),
        (r"cz", "ch"),
        (r"sz", "sh"),
        (r"rz", "zh"),
        (r"kh", "h"),
        (r"w", "v"),
        (r"ph", "f"),
        (r"ck", "k"),
        (r"x", "ks"),
        (r"q", "k"),
        (r"[jy]", "i"),
        (r"oe", "o"),  # German umlauts written out: Poehl = Pöhl, Mueller = Müller
        (r"ue", "u"),
        (r"ae", "a"),
        (r"(.)\1+", r"\1"),  # doubled letters: Volcker/Volker are spelled alike
        (r"ou(?=[^aeiou])", "ov"),  # Belarusian ў: Tsikhanouskaya = Tsikhanovskaya
        (r"ts(?=i)", "t"),  # Belarusian ці is Russian ти: Tsikhanouskaya = Tikhanovskaya, Пуцін = Путин
    ]
]
# Endings, tried in order, first match wins (-skii/-sky/-ski are one ending; -ska is not -ka).
_ENDINGS = [
    (re.compile(p), r)
    for p, r in [
        (r"ska(?:i?a)?$", "ska"),  # Tsikhanouskaya = Cichanouska
        (r"ski$", "ski"),
        (r"ka$", "ko"),  # Belarusian Lukashenka = Russian Lukashenko
        (r"(ou|of)$", "ov"),  # Karpiankou = Karpyankov
        (r"eu$", "ev"),
    ]
]

_PUNCT_EDGES = "\"'“”‘’«»„()[]{},.:;!?–—-/*•|"
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_TOKENS = re.compile(r"\S+")
_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
#: Words of running text that may be names: capitalised, or with a non-ASCII letter (a caption's
#: lowercase "łukaszenka"). Lowercase ASCII words are never names here, so they are not even visited.
_NAME_WORDS = re.compile(r"[^\W\d_]*[^\W\d_a-z][^\W\d_]*")
#: A name joined by a lowercase particle is a whole name in one word ("Inzamam-ul-Haq", "Ata-ur-Rehman").
_COMPOUND_WORD = re.compile(
    r"(?<![\w-])[A-Z][a-z]+-(?:ul|ur|ud|us|al|el|ad|ar|as|bin|ibn|e)-[A-Z][a-z]+(?![\w-])"
)
_COMPOUND = re.compile(rf"^{_COMPOUND_WORD.pattern}$")
#: Longest plausible name in words (given, middle names, particles, surname, suffix).
MAX_NAME_WORDS = 6
#: Shortest surname looked for in running text: shorter words are too often something else.
MIN_SCANNED_SURNAME = 3
#: A city this big opening a capitalised pair makes it a place's thing, not a name ("Paris Newsroom").
PLACE_WORD_POPULATION = 100_000
#: How far after a name the word that makes it a thing's is looked for ("TV", "Radio").
THING_LOOKAHEAD = 12
#: How far before a name its title may start ("Deputy Minister of Internal Affairs" is 35 characters).
TITLE_LOOKBACK = 40


@lru_cache(maxsize=FOLD_CACHE_SIZE)
def skeleton(word: str) -> str:
    """The spelling-independent form of one folded word (``"karpiankou"`` -> ``"karpiankov"``)."""
    s = word.replace(" ", "")
    if _POLISH.search(s):
        for pattern, repl in _POLISH_CH:
            s = pattern.sub(repl, s)
    for pattern, repl in _REWRITES:
        s = pattern.sub(repl, s)
    for pattern, repl in _ENDINGS:
        s, n = pattern.subn(repl, s)
        if n:
            break
    return s


def _given_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for group in GIVEN_NAME_GROUPS:
        names = group.split()
        canonical = names[0]  # readable in keys: "aleksandr", not its skeleton
        for name in names:
            table.setdefault(skeleton(name), canonical)
    return table


_GIVEN = _given_table()


@lru_cache(maxsize=1)
def _given_names() -> frozenset[str]:
    """Folded given names from gender-guesser's dictionary of about 45,000
    first names from many countries, less those it calls only "mostly" one gender or androgynous
    (its list has "The", "Will" and "Sri" among them). Loaded on first use (half a second)."""
    from gender_guesser.detector import Detector

    detector = Detector(case_sensitive=False)
    folded = {fold(n) for n in detector.names}  # "thé" folds to "the": judge the folded form
    return frozenset(n for n in folded if detector.get_gender(n) in ("male", "female"))


def _is_place_word(folded: str) -> bool:
    """A country, demonym or city of 100,000+ ("German Open", "Paris Newsroom")."""
    from archive.entities.gazetteer import gazetteer  # persons load without the gazetteer

    g = gazetteer()
    city = g.city(folded, primary_only=True)
    return bool(g.country(folded) or (city and city.population >= PLACE_WORD_POPULATION))


def is_given_name(folded: str) -> bool:
    """Whether a folded word is a known given name ("mikalai", "todd", "kimiko")."""
    if folded in GIVEN_NAMES_THAT_ARE_WORDS:
        return False
    return folded in _given_names() or skeleton(folded) in _GIVEN


def canonical_given(word: str) -> str:
    """One spelling for a given name and its equivalents (``"alyaksandr"`` -> ``"aleksandr"``)."""
    s = skeleton(word)
    return _GIVEN.get(s, s)


def given_compatible(a: str, b: str) -> bool:
    """Whether two canonical given names can be one person's: equal, or one is the other's initial."""
    if a == b:
        return True
    return (len(a) == 1 or len(b) == 1) and a[0] == b[0]


def fold_name(name: str) -> str:
    """The folded form of any spelling (``"Łukaszenka"`` -> ``"lukaszenka"``), for variant lookups."""
    return fold(name)


def _strip_token(tok: str) -> str:
    return tok.strip(_PUNCT_EDGES)


def _particled(word: str) -> bool:
    """A surname joined to its lowercase particle: "al-Assad", "el-Sisi", "d'Estaing"."""
    parts = fold(word).split()
    return len(parts) > 1 and parts[0] in PARTICLES and any(c.isupper() for c in word)


def clean_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Trim a PERSON span to the name itself, or ``None`` when what is left is not a name.

    Drops a line break and what is on the shorter side of it (caption lines), titles and roles in
    front ("Deputy Minister"), caption words and lowercase words at the end ("Photo"), and a
    possessive ("Putin's" -> "Putin").
    """
    segment = text[start:end]
    if "\n" in segment:
        lines = segment.split("\n")
        best = max(range(len(lines)), key=lambda i: len(lines[i].strip()))
        start += sum(len(line) + 1 for line in lines[:best])
        end = start + len(lines[best])
        segment = text[start:end]
    tokens = [(m.start() + start, m.end() + start) for m in _TOKENS.finditer(segment)]

    def word(t: tuple[int, int]) -> str:
        return _strip_token(text[t[0] : t[1]])

    while tokens and (
        not word(tokens[0])
        or fold(word(tokens[0])) in TITLES
        or fold(word(tokens[0])) in TRAILING_WORDS
        or (
            word(tokens[0])[0].islower()
            and fold(word(tokens[0])) not in PARTICLES
            and not _particled(word(tokens[0]))
        )
    ):
        tokens.pop(0)
    while tokens and (
        not word(tokens[-1])
        or fold(word(tokens[-1])) in TRAILING_WORDS
        or fold(word(tokens[-1])) in TITLES
        or (word(tokens[-1])[0].islower() and not _particled(word(tokens[-1])))
    ):
        tokens.pop()
    if not tokens or len(tokens) > MAX_NAME_WORDS:
        return None
    s, e = tokens[0][0], tokens[-1][1]
    # Trim edge punctuation and a possessive, keeping offsets on the name's own characters.
    while s < e and text[s] in _PUNCT_EDGES:
        s += 1
    e = s + len(_POSSESSIVE.sub("", text[s:e].rstrip(_PUNCT_EDGES)))
    name = text[s:e]
    return (s, e) if _is_name(name) else None


def _is_name(name: str) -> bool:
    words = name.split()
    if not words or _DIGIT.search(name) or not all(_LETTER.search(w) for w in words):
        return False
    if not any(w[0].isupper() or _particled(w) for w in words):
        return False
    if len(words) == 1:
        w = words[0]
        folded = fold(w)
        if len(folded) < 2 or folded in NOT_NAMES or folded in TITLES:
            return False
        if w.isupper() and len(w) > 1:  # NATO, KGB: acronyms, not people
            return False
    return True


def clean_name(name: str) -> str | None:
    """A typed or found name without titles, possessive and caption words (``None``: not a name)."""
    span = clean_span(name, 0, len(name))
    return name[span[0] : span[1]] if span else None


@dataclass(frozen=True)
class NameParts:
    """A name reduced to what identifies the person: surname skeleton and canonical given name."""

    surname: str
    given: str | None

    @property
    def key(self) -> str:
        return f"{self.surname}_{self.given}" if self.given else self.surname


@lru_cache(maxsize=FOLD_CACHE_SIZE)
def name_parts(name: str) -> NameParts | None:
    """Split a cleaned name into surname and given name; ``"Baker, James"`` is read as written."""
    if name.count(",") == 1:
        last, first = name.split(",")
        name = f"{first} {last}"
    words = [w for w in (fold(_strip_token(t)) for t in name.split()) if w]
    words = [w for w in words if w.replace(" ", "") not in SUFFIXES] or words
    if not words:
        return None
    # The surname is the last word without the particles before it or joined to it ("de Clercq",
    # "al-Assad", "bin Laden"): "Bashar al-Assad ... Assad said" is one person.
    i = len(words) - 1
    while i > 0 and words[i - 1] in PARTICLES:
        i -= 1
    last = words[-1].split()
    while len(last) > 1 and last[0] in PARTICLES:
        last = last[1:]
    surname = skeleton(" ".join(last))
    given = canonical_given(words[0]) if i > 0 else None
    if not surname:
        return None
    return NameParts(surname, given)


def person_key(name: str) -> str | None:
    """The spelling-robust key of a name: ``"Alyaksandr Lukashenka"`` -> ``"lukashenko_aleksandr"``.

    Titles and possessives are ignored; a surname alone gives the surname key (``"lukashenko"``).
    Keys use only ``[a-z0-9_-]``. ``None`` when the text is not a name.
    """
    cleaned = clean_name(name.strip())
    parts = name_parts(cleaned) if cleaned else None
    return parts.key if parts else None


@dataclass
class _Group:
    surname: str
    given: str | None
    names: list[str] = field(default_factory=list)
    mentions: list[tuple[int, int]] = field(default_factory=list)
    full_name: str | None = None
    titled: bool = False  # a title or honorific stood before one of its mentions

    def add(self, name: str, span: tuple[int, int] | None) -> None:
        if name not in self.names:
            self.names.append(name)
        if span and span not in self.mentions:
            self.mentions.append(span)

    def to_person(self) -> Person:
        key = f"{self.surname}_{self.given}" if self.given else self.surname
        return Person(
            key=key,
            name=self.full_name or self.names[0],
            variants=list(self.names),
            mentions=[Mention(s, e) for s, e in sorted(self.mentions)],
        )


def _nearest_before(groups: list[_Group], pos: int) -> _Group:
    """Of several people sharing a surname, the one named in full most recently before ``pos``."""

    def last_full_before(g: _Group) -> int:
        starts = [s for s, _ in g.mentions if s <= pos]
        return max(starts, default=-1)

    return max(groups, key=last_full_before)


class _Spans:
    """Spans sorted by start: an overlap test looks only at the spans that can reach the range, so an
    article with thousands of names (a 1 MB text) is not quadratic."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        self.spans = sorted(spans)
        self.starts = [s for s, _ in self.spans]
        self.longest = max((e - s for s, e in self.spans), default=0)

    def overlaps(self, start: int, end: int) -> bool:
        first = bisect_left(self.starts, start - self.longest)
        return any(self.spans[i][1] > start for i in range(first, bisect_left(self.starts, end)))


def _overlaps(start: int, end: int, spans: _Spans) -> bool:
    return spans.overlaps(start, end)


def given_name_spans(
    text: str, blocked: list[tuple[int, int]], exact: frozenset[tuple[int, int]] | set = frozenset()
) -> list[tuple[int, int]]:
    """Names NER missed that start with a known given name or an initial: "Ihar Karpienka",
    "Mikalai Karpyankov", "G. Thorpe".

    The small English model misses many names; a capitalised word that is a known given name
    (see :func:`is_given_name`) or an initial ("G."), followed one space later by another
    capitalised word, outside every entity NER found, is read as a name; so is such a pair that
    NER called something else as a whole (``exact``: "Lindsay Davenport" as an organisation).
    """
    words = [m for m in _NAME_WORDS.finditer(text) if m.group()[0].isupper()]
    blocked_spans = _Spans(blocked)
    spans = []
    for first, second in pairwise(words):
        gap = text[first.end() : second.start()]
        initial = len(first.group()) == 1 and gap == ". " and text[first.start() - 1 : first.start()] != "."
        if not initial and (gap != " " or first.group().isupper()):  # "LOUIS AT": a headline
            continue
        if second.group().isupper() or not (initial or is_given_name(fold(first.group()))):
            continue
        surname = fold(second.group())
        span = (first.start(), second.end())
        if surname in THING_WORDS or _is_place_word(fold(first.group())):
            continue
        if (
            surname in TITLES
            or surname in NOT_NAMES
            or (_overlaps(*span, blocked_spans) and span not in exact)
        ):
            continue
        spans.append(span)
    for m in _COMPOUND_WORD.finditer(text):
        if not _overlaps(m.start(), m.end(), blocked_spans):
            spans.append(m.span())
    return spans


def _named_thing(text: str, end: int) -> bool:
    """Whether the word after a name makes it a thing's ("Vot Tak TV", "Sky News")."""
    after = text[end : end + THING_LOOKAHEAD].split()
    return bool(after) and fold(_strip_token(after[0])) in THING_WORDS and after[0][:1].isupper()


def _titled(text: str, start: int, raw_start: int) -> bool:
    """Whether a title or honorific precedes a name at ``start`` (inside its NER span or before it)."""
    before = text[max(0, raw_start - TITLE_LOOKBACK) : start].split()
    return bool(before) and fold(_strip_token(before[-1])) in EVIDENCE_TITLES


def person_groups(
    text: str,
    spans: Iterable[tuple[int, int]],
    extra_names: Iterable[str] = (),
    blocked: Iterable[tuple[int, int]] = (),
) -> list[_Group]:
    """The people of an article before the evidence check; see :func:`persons_in`."""
    spans = list(spans)
    blocked = list(blocked)
    spans += given_name_spans(text, [*spans, *blocked], exact=set(blocked))
    found: list[tuple[str, tuple[int, int] | None, bool]] = []
    for start, end in spans:
        span = clean_span(text, start, end)
        if span and not _named_thing(text, span[1]):
            found.append((text[span[0] : span[1]], span, _titled(text, span[0], start)))
    for raw in extra_names:
        name = clean_name(raw)
        if name:
            found.append((name, None, name != raw.strip() and fold(raw.split()[0]) in EVIDENCE_TITLES))
    parsed = [(name, span, titled, name_parts(name)) for name, span, titled in found]
    parsed = [(n, s, t, p) for n, s, t, p in parsed if p]

    full: list[_Group] = []
    for name, span, _, parts in parsed:
        if parts.given is None:
            continue
        group = next((g for g in full if g.surname == parts.surname and g.given == parts.given), None)
        group = group or next(
            (g for g in full if g.surname == parts.surname and given_compatible(g.given, parts.given)), None
        )
        if group is None:
            group = _Group(parts.surname, parts.given)
            full.append(group)
        elif len(parts.given) > len(group.given):  # "J. Baker" then "James Baker"
            group.given = parts.given
        if group.full_name is None and span is not None:
            group.full_name = name
        group.add(name, span)

    by_surname: dict[str, list[_Group]] = {}
    by_first: dict[str, list[_Group]] = {}
    for g in full:
        by_surname.setdefault(g.surname, []).append(g)
        first = skeleton(fold(_strip_token(g.names[0].split()[0])))
        if len(first) >= MIN_SCANNED_SURNAME and first != g.surname:
            by_first.setdefault(first, []).append(g)
    # A word that opens exactly one full name and is no one's surname is that person too: a name
    # written surname first ("Wang Donghai ... Wang said") or a first name used alone ("Jansher").
    by_first = {k: gs for k, gs in by_first.items() if len(gs) == 1 and k not in by_surname}
    alone: dict[str, _Group] = {}

    def attach(name: str, span: tuple[int, int] | None, surname: str, titled: bool = False) -> None:
        candidates = by_surname.get(surname) or by_first.get(surname)
        if candidates:
            group = (
                candidates[0] if len(candidates) == 1 else _nearest_before(candidates, span[0] if span else 0)
            )
        else:
            group = alone.setdefault(surname, _Group(surname, None))
        group.titled |= titled
        group.add(name, span)

    for name, span, titled, parts in parsed:
        if parts.given is None:
            attach(name, span, parts.surname, titled)

    known = set(by_surname) | set(by_first) | set(alone)
    taken = _Spans(m for g in [*full, *alone.values()] for m in g.mentions)
    for m in _NAME_WORDS.finditer(text) if known else ():
        word = m.group()
        if len(word) < MIN_SCANNED_SURNAME or not (word[0].isupper() or not word.isascii()):
            continue
        surname = skeleton(fold(word))
        if surname in known and not _overlaps(m.start(), m.end(), taken):
            attach(word, (m.start(), m.end()), surname, _titled(text, m.start(), m.start()))

    groups = [*full, *alone.values()]
    groups.sort(key=lambda g: min((s for s, _ in g.mentions), default=len(text)))
    return groups


def confirmed_people(groups: Iterable[_Group], confirmed: Iterable[str] = ()) -> list[Person]:
    """The people of :func:`person_groups` that have evidence of being people.

    A name with a given name is one, and so is a compound one ("Inzamam-ul-Haq"); a surname alone needs a title or honorific before one of its
    mentions ("President Reagan", "Mr Kabariti") or a full name with that surname among ``confirmed``
    (surname skeletons named in full in the same import batch, or in the archive's registry).
    "Twitter", "Wigan" or "Attendance" alone never become people.
    """
    confirmed = set(confirmed)
    return [
        g.to_person()
        for g in groups
        if g.given or g.titled or g.surname in confirmed or any(_COMPOUND.match(n) for n in g.names)
    ]


def persons_in(
    text: str,
    spans: Iterable[tuple[int, int]],
    extra_names: Iterable[str] = (),
    blocked: Iterable[tuple[int, int]] = (),
    confirmed: Iterable[str] = (),
) -> list[Person]:
    """Group the PERSON spans found in ``text`` (and names found outside it) into people.

    Full names merge when their surnames share a skeleton and their given names are compatible.
    A surname alone joins the person of that surname named in full nearest before it; other words of
    the text spelled like a known surname (capitalised, or non-ASCII like a lowercase "łukaszenka"
    in a caption) become mentions too. A surname that joins no full name is kept only with evidence
    (see :func:`confirmed_people`).

    :param text: the article text the spans index into.
    :param spans: ``(start, end)`` of NER PERSON entities.
    :param extra_names: names found in the title or captions: people, but without offsets.
    :param blocked: spans of other entities (organisations, places): no name is looked for there.
    :param confirmed: surname skeletons of people named in full elsewhere (batch, registry).
    """
    return confirmed_people(person_groups(text, spans, extra_names, blocked), confirmed)
