"""Russian, Ukrainian, Belarusian and Polish: entity precision/recall, case forms, detection, speed.

    .venv/bin/python benchmarks/multilingual.py --nerel DIR --ner-uk DIR [--polish FILE]
        [--kpwr FILE [--kpwr-part tune]] [--limit N]

``--nerel``: a folder of NEREL brat files (``*.txt`` + ``*.ann``; tune on NEREL-v1.0/train only).
``--ner-uk``: ner-uk's ``v1.0`` folder; its ``dev-test-split.txt`` DEV part is read (TEST is held out:
``--ner-uk-part TEST`` reads it, once, for the closing figures).
``--polish``: JSON Lines of ``{"text", "persons": [...], "places": [...]}`` (gold names as written),
or a PolEval 2018 NER training JSON (NKJP's named entities, ``*.json``); defaults to the self-written
sample in ``tests/data/multilingual/pl_gold.jsonl``.
``--belarusian``: the same JSON Lines for Belarusian; defaults to the self-written sample in
``tests/data/multilingual/be_gold.jsonl`` (no public Belarusian NER corpus is read here).
``--kpwr``: KPWr's n82 annotation as IOB (PolDeepNer's ``kpwr-n82-*.iob``). ``--kpwr-part tune`` (the
default) reads every document outside ``wikinews/`` and prints its press part (``dap/``, ``kap/``)
apart too; ``wikinews`` is the held-out part, read once for the closing figures.

The articles of a language are read as one import batch (a surname alone is a person when a full
name with it is in any of them, as in an import). Scoring is per article and surname-level: a gold
person is the set of its mentions sharing a surname stem; it is found when one of our person mentions
overlaps one of its spans, and one of our persons is right when one of its mentions overlaps a gold
person span. Places likewise (gold: NEREL CITY, COUNTRY,
STATE_OR_PROVINCE for recall, plus LOCATION and DISTRICT for precision; ner-uk LOC).

Case forms are measured twice on the gold names' last words: ``case_forms_found`` over pairs that look
like case forms (a shared stem and a short ending: it also pairs Роман/Романюк, Україна/Українка,
Микола/Миколка, which a query should not join), and ``dictionary_case_forms_found`` over pairs that an
independent dictionary (pymorphy3 for ru/uk, morfeusz2 for pl) reads as forms of one noun, including
those with a changed stem (Київ/Києва, Львів/Львові).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive.entities import ner_slavic  # noqa: E402
from archive.entities.folding import fold  # noqa: E402
from archive.entities.language import detect  # noqa: E402

POLISH_SAMPLE = ROOT / "tests" / "data" / "multilingual" / "pl_gold.jsonl"
BELARUSIAN_SAMPLE = ROOT / "tests" / "data" / "multilingual" / "be_gold.jsonl"
#: Gold labels counted: (person labels, place labels that must be found, place labels that may be).
NEREL_LABELS = ({"PERSON"}, {"CITY", "COUNTRY", "STATE_OR_PROVINCE"}, {"LOCATION", "DISTRICT"})
NER_UK_LABELS = ({"PERS"}, {"LOC"}, set())
#: NKJP's types as NEREL's labels: a person's whole name (not its forename/surname parts), a place
#: (settlement, country, region), a geographical name (a river, a mountain: allowed, not required).
NKJP_LABELS = {"persName": "PERSON", "placeName": "CITY", "geogName": "LOCATION"}
#: KPWr's n82 labels as NEREL's (the ``nam_loc_gpe_admin1..3`` regions are one); any other
#: ``nam_loc_*`` (a river, a district, a continent) is a place allowed, not required.
KPWR_LABELS = {
    "nam_liv_person": "PERSON",
    "nam_loc_gpe_city": "CITY",
    "nam_loc_gpe_country": "COUNTRY",
    "nam_loc_gpe_admin": "STATE_OR_PROVINCE",
}
#: KPWr's press folders (news agencies' and newspapers' articles), reported apart from the rest of
#: its tune part (blogs, laws, prose, Wikipedia...).
KPWR_PRESS = ("dap", "kap")
#: Tokens written without a space before them, and after them, when a KPWr text is rebuilt.
NO_SPACE_BEFORE = frozenset(".,;:!?)]}%…»”")
NO_SPACE_AFTER = frozenset("([{„«“")
#: Letters of a folded surname that identify it across case forms (Путин/Путина, Tusk/Tuska).
STEM_CHARS = 5
#: The longest case ending told apart from a derived word's suffix (-ами, -ого, -ові, -iem).
CASE_ENDING_CHARS = 3
#: The issue's targets, printed beside the figures.
TARGETS = {
    "ru": "persons R>=0.90 P>=0.85, places R>=0.75",
    "uk": "persons R>=0.85 P>=0.80",
    "pl": "persons R>=0.75 P>=0.70, places R>=0.70",
}


def brat(txt: Path) -> tuple[str, list[tuple[str, int, int, str]]]:
    """A brat document: its text and its ``(label, start, end, text)`` entities (first fragment)."""
    text = txt.read_text(encoding="utf-8")
    spans = []
    for line in txt.with_suffix(".ann").read_text(encoding="utf-8").splitlines():
        if not line.startswith("T"):
            continue
        _, meta, surface = (line.split("\t") + ["", ""])[:3]
        label, *offsets = meta.replace(";", " ").split()
        spans.append((label, int(offsets[0]), int(offsets[1]), surface))
    return text, spans


def nerel_docs(folder: Path, limit: int) -> list:
    return [brat(p) for p in sorted(folder.glob("*.txt"))[:limit]]


def ner_uk_docs(folder: Path, limit: int, wanted: str = "DEV") -> list:
    names, part = [], None
    for line in (folder / "dev-test-split.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() in ("DEV", "TEST"):
            part = line.strip()
        elif line.strip() and part == wanted:
            names.append(line.strip().removesuffix(".tok"))
    # each text is there as written ("<name>.txt") and tokenised ("<name>.tok.txt"): the written one
    # is what an archive imports, and reading both would count every article twice
    docs = []
    for n in names:
        texts = [folder / "data" / f"{n}{tok}.txt" for tok in ("", ".tok")]
        docs += [brat(t) for t in texts if t.with_suffix(".ann").exists()][:1]
    return docs[:limit]


def polish_docs(path: Path) -> list:
    """The self-written sample (JSON Lines, gold names as written), or NKJP's named entities in PolEval
    2018's training JSON (``{"texts": [{"text", "offsets2Entities"}]}``: persName, placeName, geogName)."""
    if path.suffix == ".json":
        return nkjp_docs(path)
    docs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        text, spans = record["text"], []
        for label, names in (("PERSON", record["persons"]), ("CITY", record["places"])):
            for name in names:
                start = text.find(name)
                while start >= 0:
                    spans.append((label, start, start + len(name), name))
                    start = text.find(name, start + 1)
        docs.append((text, spans))
    return docs


def nkjp_docs(path: Path) -> list:
    docs = []
    for record in json.loads(path.read_text(encoding="utf-8"))["texts"]:
        spans = set()
        for entities in record["offsets2Entities"].values():
            for e in entities:
                label = NKJP_LABELS.get(e["type"])
                if label and not e.get("subtype") or e["type"] == "placeName":
                    for offsets in e["offsets"][:1]:
                        spans.add((label, offsets["from"], offsets["to"], e["text"]))
        docs.append((record["text"], sorted(spans, key=lambda x: x[1])))
    return docs


def kpwr_docs(path: Path, part: str = "tune") -> list[tuple[str, str, list]]:
    """KPWr's documents in ``part`` as ``(folder, text, spans)``: ``tune`` is every one outside
    ``wikinews/`` (held out), ``wikinews`` only those. The text is rebuilt from the tokens with plain
    spacing (none before closing punctuation or after an opening one); a sentence without a final
    mark (a heading) ends its line. Gold spans are NEREL's labels (:data:`KPWR_LABELS`) at character
    offsets."""
    docs: list[tuple[str, str, list]] = []
    current: dict | None = None

    def close_span() -> None:
        if current and current["open"]:
            label, start = current["open"]
            end = len(current["text"])
            current["spans"].append((label, start, end, current["text"][start:end]))
            current["open"] = None

    def finish() -> None:
        if current is not None:
            close_span()
            wanted = current["folder"] == "wikinews"
            if wanted == (part == "wikinews"):
                docs.append((current["folder"], current["text"].rstrip(), current["spans"]))

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-DOCSTART"):
            fields = line.split()
            if len(fields) >= 3 and fields[1] == "FILE":
                finish()
                current = {"folder": fields[2].split("/")[0], "text": "", "spans": [], "open": None}
            continue
        if current is None:
            continue
        if not line.strip():
            close_span()
            text = current["text"].rstrip()
            current["text"] = text + ("" if not text else " " if text[-1] in '.!?…:;"»”' else "\n")
            continue
        orth, *_, tag = line.split("\t")
        text = current["text"]
        if (
            text
            and not text[-1].isspace()
            and orth[0] not in NO_SPACE_BEFORE
            and text[-1] not in NO_SPACE_AFTER
        ):
            text += " "
        kind, _, name = tag.partition("-")
        label = next((v for k, v in KPWR_LABELS.items() if name.startswith(k)), None)
        if label is None and name.startswith("nam_loc"):
            label = "LOCATION"
        if kind != "I" or current["open"] is None or current["open"][0] != label:
            close_span()
            current["text"] = text
            if label and kind in ("B", "I"):
                current["open"] = (label, len(text))
        current["text"] = text + orth
    finish()
    return docs


def overlaps(mention, spans) -> bool:
    return any(mention[0] < e and s < mention[1] for s, e in spans)


def score(docs, language: str, labels) -> dict:
    person_labels, place_labels, lenient = labels
    counts = defaultdict(int)
    words = 0
    started = time.perf_counter()
    read = [ner_slavic.read(text, language) for text, _ in docs]
    # the split imported as one batch: a surname alone has the evidence of a full name in any article
    batch = set().union(*(ner_slavic.full_surnames(found) for found in read))
    for (text, gold), found in zip(docs, read, strict=True):
        words += len(text.split())
        persons, places = ner_slavic.persons(text, found, language, batch), ner_slavic.places(found)
        for kind, ours, wanted, allowed in (
            ("person", persons, person_labels, person_labels),
            ("place", places, place_labels, place_labels | lenient),
        ):
            groups: dict[str, list] = defaultdict(list)
            for label, s, e, surface in gold:
                if label in wanted and surface.split():
                    groups[fold(surface.split()[-1])[:STEM_CHARS]].append((s, e))
            allowed_spans = [(s, e) for label, s, e, _ in gold if label in allowed]
            mentions = [(m.start, m.end) for x in ours for m in x.mentions]
            counts[f"{kind}_gold"] += len(groups)
            counts[f"{kind}_found"] += sum(
                any(overlaps(m, spans) for m in mentions) for spans in groups.values()
            )
            with_mentions = [x for x in ours if x.mentions]
            counts[f"{kind}_ours"] += len(with_mentions)
            counts[f"{kind}_right"] += sum(
                any(overlaps((m.start, m.end), allowed_spans) for m in x.mentions) for x in with_mentions
            )
    seconds = time.perf_counter() - started
    out = {
        "articles": len(docs),
        "words_per_s": round(words / seconds),
        "articles_per_s": round(len(docs) / seconds, 1),
    }
    for kind in ("person", "place"):
        out[f"{kind}_recall"] = round(counts[f"{kind}_found"] / max(counts[f"{kind}_gold"], 1), 3)
        out[f"{kind}_precision"] = round(counts[f"{kind}_right"] / max(counts[f"{kind}_ours"], 1), 3)
    out["detection"] = round(sum(detect(text) == language for text, _ in docs) / max(len(docs), 1), 3)
    return out


def is_case_pair(a: str, b: str) -> bool:
    """Two spellings of one name in two cases: both capitalised, differing only in an ending of at most
    ``CASE_ENDING_CHARS`` letters after a shared stem (Путин/Путина, Києві/Києва, Tusk/Tuskiem), not a
    word derived from it (Лондон/Лондонской) or another name (Франция/Франциск), nor one name in two
    scripts (Guterres/Гутерреш: the person registry joins those, not the analysis)."""
    if not (a[:1].isupper() and b[:1].isupper()) or a.lower() == b.lower():
        return False
    if is_cyrillic(a) != is_cyrillic(b):
        return False
    x, y = fold(a), fold(b)
    shared = len(os.path.commonprefix([x, y]))
    return shared >= STEM_CHARS and max(len(x), len(y)) - shared <= CASE_ENDING_CHARS


@lru_cache(maxsize=4)
def _dictionary(language: str):
    """A dictionary of the language's word forms, independent of the archive's analysis: pymorphy3's
    (ru, uk) or morfeusz2's (pl); None for another language."""
    if language in ("ru", "uk"):
        import pymorphy3

        return pymorphy3.MorphAnalyzer(lang=language)
    if language == "pl":
        import morfeusz2

        return morfeusz2.Morfeusz()
    return None


def noun_lemmas(word: str, language: str) -> set[str]:
    """The nouns a word form is of, by :func:`_dictionary` (Києва -> київ; Krakowie -> Kraków)."""
    morph = _dictionary(language)
    if language == "pl":
        return {a[2][1].split(":")[0] for a in morph.analyse(word) if a[2][2].startswith("subst")}
    return {p.normal_form for p in morph.parse(word) if p.is_known and p.tag.POS == "NOUN"}


def dictionary_case_forms(forms: set[tuple[bool, str]], language: str) -> dict:
    """The share of ordered pairs of gold name words (``(is a person's, word)``), both a person's or
    both a place's, that the dictionary reads as forms of one noun (Київ/Києва, Львів/Львові: pairs
    :func:`is_case_pair` cannot see; not Роман/Романюк, which it counts) where a query for the first
    finds the second."""
    from archive.search.analysis import query_forms
    from archive.search.whoosh.schema import FOLDED

    by_lemma: dict[tuple[bool, str], set[str]] = defaultdict(set)
    for person, word in forms:
        for lemma in noun_lemmas(word, language):
            by_lemma[person, lemma].add(word)
    pairs = {(a, b) for group in by_lemma.values() for a in group for b in group if a.lower() != b.lower()}
    met = sum(not {t.text for t in FOLDED(b)}.isdisjoint(query_forms(a)[0]) for a, b in pairs)
    return {
        "dictionary_case_pairs": len(pairs),
        "dictionary_case_forms_found": round(met / max(len(pairs), 1), 3),
    }


def is_cyrillic(word: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in word)


def case_forms(docs, language: str) -> dict:
    """The share of ordered pairs of case forms of one name (as the gold writes them, both a person's
    or both a place's: :func:`is_case_pair`) where a query for the first finds the second: the search's
    query terms (``query_forms``) meet the index's terms of the other (the index analyzer)."""
    from archive.search.analysis import query_forms
    from archive.search.whoosh.schema import FOLDED

    forms: dict[tuple[bool, str], set[str]] = defaultdict(set)
    for _, gold in docs:
        for label, _, _, surface in gold:
            if surface.split() and label in ("PERSON", "PERS", "CITY", "COUNTRY", "LOC"):
                word = surface.split()[-1]
                forms[label in ("PERSON", "PERS"), fold(word)[:STEM_CHARS]].add(word)
    pairs = met = 0
    for group in forms.values():
        indexed = {w: {t.text for t in FOLDED(w)} for w in group}
        for a in group:
            for b in group:
                if a != b and is_case_pair(a, b):
                    pairs += 1
                    met += not indexed[b].isdisjoint(query_forms(a)[0])
    out = {"case_form_pairs": pairs, "case_forms_found": round(met / max(pairs, 1), 3)}
    if _dictionary(language) is not None:
        words = {(k[0], w) for k, group in forms.items() for w in group if w[:1].isupper() and w.isalpha()}
        out |= dictionary_case_forms(words, language)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--nerel", type=Path, help="NEREL brat folder (train split)")
    parser.add_argument("--ner-uk", type=Path, help="ner-uk v1.0 folder (its DEV part is read)")
    parser.add_argument(
        "--ner-uk-part", default="DEV", choices=("DEV", "TEST"), help="TEST: the held-out part, read once"
    )
    parser.add_argument("--polish", type=Path, default=POLISH_SAMPLE)
    parser.add_argument("--belarusian", type=Path, default=BELARUSIAN_SAMPLE)
    parser.add_argument("--kpwr", type=Path, help="KPWr n82 IOB file (its tune part is read)")
    parser.add_argument(
        "--kpwr-part",
        default="tune",
        choices=("tune", "wikinews"),
        help="wikinews: the held-out part, read once",
    )
    parser.add_argument("--limit", type=int, default=200, help="articles per language")
    args = parser.parse_args()
    runs = []
    if args.nerel:
        runs.append(("ru", "nerel", nerel_docs(args.nerel, args.limit), NEREL_LABELS))
    if args.ner_uk:
        runs.append(("uk", "ner-uk", ner_uk_docs(args.ner_uk, args.limit, args.ner_uk_part), NER_UK_LABELS))
    runs.append(("pl", args.polish.name, polish_docs(args.polish)[: args.limit], NEREL_LABELS))
    runs.append(("be", args.belarusian.name, polish_docs(args.belarusian)[: args.limit], NEREL_LABELS))
    if args.kpwr:
        kpwr = kpwr_docs(args.kpwr, args.kpwr_part)[: args.limit]
        runs.append(("pl", f"kpwr-{args.kpwr_part}", [(t, s) for _, t, s in kpwr], NEREL_LABELS))
        press = [(t, s) for folder, t, s in kpwr if folder in KPWR_PRESS]
        if args.kpwr_part == "tune" and press:
            runs.append(("pl", "kpwr-tune-press", press, NEREL_LABELS))
    # load the models, the gazetteer and the given names before timing (an import worker loads them once)
    ner_slavic.entities("Тест.", "ru"), ner_slavic.resolve("Москва")
    ner_slavic.entities("Jan Kowalski był w Stanach Zjednoczonych i w Bawarii.", "pl")  # morfeusz2, regions
    ner_slavic.lemma("Kowalskiego", "pl")  # simplemma's Polish dictionary: 10 s to load
    ner_slavic.is_given("Иван")
    for language, source, docs, labels in runs:
        figures = {**score(docs, language, labels), **case_forms(docs, language)}
        record = {"language": language, "source": source, **figures, "target": TARGETS.get(language, "")}
        print(json.dumps(record, ensure_ascii=False))


if __name__ == "__main__":
    main()
