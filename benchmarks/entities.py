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
- Speed: the whole extraction in worker processes, and the bare spaCy pipeline (tok2vec + ner) over
  the same texts in as many processes, so the ratio shows what the extraction adds to NER.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=0, help="only the first N articles")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()

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
