"""Search recall on Reuters-21578: does every form of a word find its articles?

Chooses query words from the corpus itself with a fixed seed, in five classes: hyphenated (a part or
the whole of a compound: ``dollar`` of "yen-dollar"), apostrophe (``Rourke`` of "O'Rourke", ``Reagan``
of "Reagan's"), acronym (``US``, ``EC``, ``OPEC`` in capitals), inflected (``loans`` / ``loan``) and
names (capitalised words that are never written in lower case). For each word, the articles whose
stored title, text or captions hold the word in any form (a regular expression over the text) are
compared with the articles ``archive search`` returns. Prints recall per class and overall, and for
acronyms the share of the top 10 results that hold the acronym in capitals (or capitalised as a name,
as Reuters' title-cased headlines write it), not as a lower-case word.

The words are split in two halves by the seed: one to tune the analysis on, one held out.

Examples::

    python benchmarks/recall.py                      # import Reuters into a temporary archive
    python benchmarks/recall.py --home /tmp/r1       # import once, then reuse (or an archive built
                                                     # by benchmarks/search.py)
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpora" / "reuters21578"
CONVERTER = SHARED / "tools" / "reuters_jsonl.py"

CLASSES = ("hyphenated", "apostrophe", "acronym", "inflected", "names")
#: Query words per class (half tuned on, half held out): a few hundred in all.
WORDS_PER_CLASS = 60
SEED = 1987
TARGET_RECALL = 0.99
TARGET_ACRONYM_PRECISION = 0.9
TOP = 10
#: Words must occur in at least this many articles (one article is chance, not a word of the corpus).
MIN_ARTICLES = 2
#: ... and in at most this many: a word in every article measures nothing.
MAX_ARTICLES = 3000
#: Endings that make the same word: the possessive for every class, the plural for inflected words
#: (a plural ending on any word would make "Wales" a form of "wal" and "sees" one of "se").
POSSESSIVE = r"(?:['’]s)?"
INFLECTIONS = r"(?:s|es|'s|’s|s'|s’)?"
#: Left and right edges of a word: hyphens and apostrophes are edges, letters and digits are not.
LEFT, RIGHT = r"(?<![^\W_])", r"(?![^\W_])"

_COMPOUND = re.compile(r"\b[A-Za-z]{2,}(?:-[A-Za-z0-9]{2,})+\b")
_APOSTROPHE_NAME = re.compile(r"\b([A-Z])['’]([A-Z][a-z]{2,})\b")
_POSSESSIVE = re.compile(r"\b([A-Z][a-z]{2,})['’]s\b")
_ACRONYM = re.compile(r"(?<![\w.])(?:[A-Z]{2,5}|(?:[A-Z]\.){2,3})(?![\w])")
_PLURAL = re.compile(r"\b([a-z]{4,})s\b")
_CAPITALISED = re.compile(r"(?<=[a-z,] )([A-Z][a-z]{3,})\b")


@dataclass
class Query:
    cls: str
    text: str  # what is typed
    pattern: re.Pattern  # what counts as the word in the stored text
    needle: str  # a lower-case substring every match contains (a fast filter)


def word_pattern(word: str, endings: str = POSSESSIVE) -> re.Pattern:
    """The word in any case with the given endings, as a whole word or a part of a compound."""
    return re.compile(LEFT + re.escape(word) + endings + RIGHT, re.IGNORECASE)


def acronym_pattern(acronym: str) -> re.Pattern:
    """``US``: "US", "U.S.", "US's", in capitals only (not "U.S.A.", another acronym)."""
    letters = acronym.replace(".", "")
    plain = re.escape(letters)
    dotted = r"\.".join(re.escape(c) for c in letters) + r"\.?"
    return re.compile(r"(?<![\w.])(?:" + plain + "|" + dotted + r")" + POSSESSIVE + r"(?![\w]|\.\w)")


def in_prose(text: str, match: re.Match) -> bool:
    """An acronym in running text: the words before and after it are not in capitals too (a table row,
    a telex header or a company name in capitals is no acronym)."""
    before = re.findall(r"[A-Za-z]+", text[max(0, match.start() - 30) : match.start()])[-1:]
    after = re.findall(r"[A-Za-z]+", text[match.end() : match.end() + 30])[:1]
    return all(not w.isupper() for w in before + after)


def names_it(pattern: re.Pattern, acronym: str, text: str) -> bool:
    """A top result is right when it holds the acronym in capitals, or capitalised as a name ("Amex",
    "<Aapl>" in Reuters' title-cased headlines); all in lower case it is another word ("was" for WA)."""
    if pattern.search(text):
        return True
    word = re.compile(LEFT + re.escape(acronym) + POSSESSIVE + RIGHT, re.IGNORECASE)
    return any(not m.group()[0].islower() for m in word.finditer(text))


def shouting(text: str) -> bool:
    """Text mostly in capitals (tables, telex headers): capitals there mark no acronym."""
    return sum(c.isupper() for c in text) > sum(c.islower() for c in text)


def choose(texts: list[str], per_class: int, seed: int) -> list[Query]:
    """Candidate words per class from the corpus, sampled with ``seed``."""
    candidates: dict[str, Counter] = {c: Counter() for c in CLASSES}
    lower_words: Counter = Counter()
    for text in texts:
        lower_words.update(set(re.findall(r"\b[a-z]{4,}\b", text)))
        seen: dict[str, set[str]] = {c: set() for c in CLASSES}
        for m in _COMPOUND.finditer(text):
            compound = m.group()
            seen["hyphenated"].add(compound.lower())
            for part in compound.split("-"):
                if part.isalpha():
                    seen["hyphenated"].add(part.lower())
        for m in _APOSTROPHE_NAME.finditer(text):
            seen["apostrophe"].update({m.group(2), m.group()})
        for m in _POSSESSIVE.finditer(text):
            seen["apostrophe"].add(m.group(1))
        if not shouting(text):
            seen["acronym"].update(
                m.group().replace(".", "") for m in _ACRONYM.finditer(text) if in_prose(text, m)
            )
        seen["inflected"].update(m.group() for m in _PLURAL.finditer(text))
        seen["inflected"].update(m.group(1) for m in _PLURAL.finditer(text))  # kept if a word itself
        seen["names"].update(m.group(1) for m in _CAPITALISED.finditer(text))
        for cls, words in seen.items():
            candidates[cls].update(words)
    rng = random.Random(seed)
    queries: list[Query] = []
    for cls in CLASSES:
        words = sorted(w for w, n in candidates[cls].items() if MIN_ARTICLES <= n <= MAX_ARTICLES)
        if cls == "names":  # proper names: never written in lower case
            words = [w for w in words if lower_words[w.lower()] == 0]
        if cls == "inflected":  # a base cut from a plural must be a word ("constituencie" is not)
            words = [w for w in words if w.endswith("s") or lower_words[w]]
        rng.shuffle(words)
        for word in words[:per_class]:
            if cls == "acronym":
                queries.append(Query(cls, word, acronym_pattern(word), word[0].lower()))
            elif cls == "hyphenated" and "-" in word:
                # the compound as written, or its parts with a space between them
                parts = [re.escape(p) for p in word.split("-")]
                pattern = re.compile(LEFT + r"[-\s]".join(parts) + POSSESSIVE + RIGHT, re.IGNORECASE)
                queries.append(Query(cls, word, pattern, word.split("-")[0]))
            elif cls == "apostrophe" and ("'" in word or "’" in word):
                word = word.replace("’", "'")
                pattern = re.compile(LEFT + re.escape(word).replace("'", "['’]") + POSSESSIVE + RIGHT, re.I)
                queries.append(Query(cls, word, pattern, word.split("'")[-1].lower()))
            else:
                inflected = cls == "inflected"
                base = word[:-1] if inflected and word.endswith("s") else word
                endings = INFLECTIONS if inflected else POSSESSIVE
                queries.append(Query(cls, word, word_pattern(base, endings), base.lower()))
    return queries


def split_halves(queries: list[Query], seed: int) -> tuple[list[Query], list[Query]]:
    """Every other word of each class, in a seeded order: tuned on, and held out."""
    rng = random.Random(seed + 1)
    tune, held = [], []
    for cls in CLASSES:
        words = [q for q in queries if q.cls == cls]
        rng.shuffle(words)
        tune += words[::2]
        held += words[1::2]
    return tune, held


def build(home: Path, workers: int, with_entities: bool, limit: int | None) -> None:
    from archive.importer import import_paths

    with tempfile.TemporaryDirectory() as tmp:
        extra = ["--limit", str(limit)] if limit else []
        subprocess.run([sys.executable, str(CONVERTER), str(CORPUS), tmp, *extra], check=True)
        started = time.perf_counter()
        import_paths([str(Path(tmp) / "reuters.jsonl")], home, workers=workers, with_entities=with_entities)
        print(f"imported into {home} in {time.perf_counter() - started:.0f} s")


def stored_texts(home: Path) -> dict[str, str]:
    from archive.store import Catalog

    with Catalog(home) as catalog:
        return {
            a.id: "\n".join([a.title or "", a.text or "", a.captions or ""])
            for a in catalog.iter_articles(state="indexed")
        }


def measure(home: Path, queries: list[Query], texts: dict[str, str]) -> list[dict]:
    """Per query: the articles that hold the word, those search returns, and the top 10."""
    import numpy as np

    from archive.search.request import SearchRequest
    from archive.search.whoosh.engine import WHOLE_SET_TIME_BUDGET_SECONDS, open_searcher

    lowered = {aid: t.lower() for aid, t in texts.items()}
    out = []
    with open_searcher(home, time_budget=WHOLE_SET_TIME_BUDGET_SECONDS) as searcher:
        cache = searcher.cache
        ids = [None] * cache.article_count
        for ordinal, doc in enumerate(cache.article_doc.tolist()):
            if doc >= 0:
                ids[ordinal] = searcher.searcher.stored_fields(doc)["article_id"]
        for q in queries:
            relevant = {
                aid for aid, text in texts.items() if q.needle in lowered[aid] and q.pattern.search(text)
            }
            req = SearchRequest(q=q.text, sort="relevance")
            sel = searcher.select(req, time.monotonic() + WHOLE_SET_TIME_BUDGET_SECONDS, limit=TOP)
            returned = {ids[o] for o in np.flatnonzero(sel.selected).tolist()}
            top = [ids[o] for o in sel.articles[:TOP].tolist()]
            out.append({"query": q, "relevant": relevant, "returned": returned, "top": top})
    return out


def report(name: str, rows: list[dict], texts: dict[str, str], verbose: bool) -> bool:
    """Print recall per class (micro: found relevant articles over all relevant ones) and acronym
    precision at 10; return whether the targets are met."""
    ok = True
    print(f"\n{name}: {len(rows)} words")
    print(
        f"  {'class':11} {'words':>5} {'relevant':>9} {'found':>7} {'recall':>7}  misses (word: missed/relevant)"
    )
    totals = [0, 0]
    for cls in CLASSES:
        mine = [r for r in rows if r["query"].cls == cls]
        relevant = sum(len(r["relevant"]) for r in mine)
        found = sum(len(r["relevant"] & r["returned"]) for r in mine)
        totals[0] += relevant
        totals[1] += found
        recall = found / relevant if relevant else 1.0
        ok &= recall >= TARGET_RECALL
        misses = sorted(
            ((len(r["relevant"] - r["returned"]), len(r["relevant"]), r["query"].text) for r in mine),
            reverse=True,
        )
        shown = ", ".join(f"{w}: {m}/{n}" for m, n, w in misses[: 8 if verbose else 4] if m)
        print(f"  {cls:11} {len(mine):5d} {relevant:9d} {found:7d} {recall:7.3f}  {shown}")
    overall = totals[1] / totals[0] if totals[0] else 1.0
    print(f"  {'overall':11} {len(rows):5d} {totals[0]:9d} {totals[1]:7d} {overall:7.3f}")
    acronyms = [r for r in rows if r["query"].cls == "acronym" and r["top"]]
    if acronyms:
        right = {
            id(r): sum(1 for aid in r["top"] if names_it(r["query"].pattern, r["query"].text, texts[aid]))
            for r in acronyms
        }
        hits = sum(right.values())
        shown = sum(len(r["top"]) for r in acronyms)
        precision = hits / shown
        ok &= precision >= TARGET_ACRONYM_PRECISION
        worst = sorted((right[id(r)] / len(r["top"]), r["query"].text) for r in acronyms)[:4]
        print(
            f"  acronym top-{TOP} precision {precision:.3f} ({hits}/{shown}); lowest: "
            + ", ".join(f"{w} {p:.1f}" for p, w in worst)
        )
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", type=Path, help="archive home to import into, or to reuse when it exists")
    ap.add_argument("--per-class", type=int, default=WORDS_PER_CLASS, help="query words per class")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--workers", type=int, default=2, help="import worker processes")
    ap.add_argument("--no-entities", action="store_true", help="import without entity extraction (faster)")
    ap.add_argument("--limit", type=int, help="import only the first N Reuters articles (a quick run)")
    ap.add_argument("--verbose", action="store_true", help="show more missed words")
    ap.add_argument("--json", dest="as_json", type=Path, help="also write every word's figures here")
    a = ap.parse_args()
    if not CORPUS.is_dir() or not CONVERTER.is_file():
        print(f"needs the Reuters corpus and converter in {SHARED}", file=sys.stderr)
        return 2
    tmp = None
    home = a.home
    if home is None:
        tmp = tempfile.TemporaryDirectory()
        home = Path(tmp.name) / "home"
    if not (home / "whoosh").is_dir():
        build(home, a.workers, not a.no_entities, a.limit)
    texts = stored_texts(home)
    queries = choose(list(texts.values()), a.per_class, a.seed)
    tune, held = split_halves(queries, a.seed)
    started = time.perf_counter()
    rows = {id(r["query"]): r for r in measure(home, queries, texts)}
    print(
        f"{len(texts)} articles, {len(queries)} words (seed {a.seed}), searched in {time.perf_counter() - started:.1f} s"
    )
    ok = True
    for name, part in (("tuned half", tune), ("held-out half", held), ("all words", queries)):
        ok &= report(name, [rows[id(q)] for q in part], texts, a.verbose)
    if a.as_json:
        a.as_json.write_text(
            json.dumps(
                [
                    {
                        "class": r["query"].cls,
                        "word": r["query"].text,
                        "relevant": len(r["relevant"]),
                        "missed": sorted(r["relevant"] - r["returned"])[:20],
                        "top": r["top"],
                    }
                    for r in rows.values()
                ],
                indent=1,
            )
        )
    print(f"\ntargets (recall >= {TARGET_RECALL} per class, acronym precision >= {TARGET_ACRONYM_PRECISION}):",
          "met" if ok else "NOT met")  # fmt: skip
    if tmp is not None:
        tmp.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
