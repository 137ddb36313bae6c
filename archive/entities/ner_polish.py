"""Persons and places in Polish text, read with morfeusz2's dictionary (no Polish NER model with
weights is on PyPI): capitalised words tagged as given name, surname or geographical name, and their
lemmas as nominatives (Kaczyńskiego -> Kaczyński)."""

from __future__ import annotations

from functools import lru_cache

from archive.entities.ner_slavic import (
    _SENTENCE_END,
    _WORD,
    LOC,
    PER,
    Found,
    given_name,
    lemma,
    resolve,
    titled,
)

#: morfeusz2's name tags (its dictionary, SGJP, tags proper names by kind).
GIVEN_TAG, SURNAME_TAG, GEO_TAGS = "imię", "nazwisko", {"nazwa_geograficzna", "nazwa_państwa"}


@lru_cache(maxsize=1)
def _morfeusz():
    import morfeusz2

    return morfeusz2.Morfeusz()


def read_polish(text: str) -> list[Found]:
    """The person and place names of a Polish text, with their nominatives."""
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
        elif surname := _surname(readings, m.group(), strict=True):
            found.append(Found(PER, m.start(), m.end(), surname, weak=initial))
        elif titled(text, m.start()) and (surname := _surname(readings, m.group())):
            found.append(Found(PER, m.start(), m.end(), surname))  # "prezydent Duda": duda is a bagpipe too
        elif not readings and not initial:  # a word no dictionary knows ("Paźniewskiego"): with evidence
            found.append(Found(PER, m.start(), m.end(), lemma(m.group(), "pl"), weak=True))
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
