"""Main-text extraction quality on the scrapinghub article-extraction benchmark, in-sample and cross-validated.

Scores ``extract_page(html)["text"]`` against the benchmark's ``articleBody`` with the benchmark's own
metric: each text becomes the multiset of its 4-word shingles (word tokens ``\\w+``); per page, true/false
positives and false negatives are counted and normalised to sum to 1 (so long pages weigh no more than
short ones); precision and recall are averaged over pages (a page counts for precision only if something
was predicted or expected, for recall only if something was expected); F1 comes from the two averages.

The shipped ``TUNING`` was chosen on these very pages, so its figure here is in-sample. The honest figure
is the cross-validated one: the pages are split into ``--folds`` folds with a fixed seed, the tuning is
chosen among ``GRID`` on the other folds only, and each page is scored with a tuning chosen without it.
Every alternative's in-sample figure is printed too, with readability and jusText alone for reference.

Usage::

    python benchmarks/extraction.py [--corpus DIR] [--limit N] [--folds K] [--seed S] [--worst K]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from archive.decode import decode_bytes  # noqa: E402 - after the path set-up, so the script runs from anywhere
from archive.errors import ReadError  # noqa: E402
from archive.extract_html import (  # noqa: E402
    TRAFILATURA_MODES,
    TUNING,
    Tuning,
    choose_text,
    extract_page,
    justext_text,
    readability_text,
    tidy_text,
    trafilatura_doc,
)

DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "article-extraction"
SHINGLE_WORDS = 4  # the benchmark's n
TOKEN = re.compile(r"\w+")
#: Folds and seed of the cross-validation: 5 folds hold out 24 of the 120 pages each; the seed fixes the split.
FOLDS = 5
SEED = 20240601
#: The alternatives cross-validation chooses among, simplest first (ties go to the simpler one).
GRID = [
    Tuning(mode, switch, edges)
    for switch, edges, mode in itertools.product((None, 0.05, 0.1, 0.2), (None, 0.5, 0.7), TRAFILATURA_MODES)
]


def shingles(text: str, n: int = SHINGLE_WORDS) -> Counter[tuple[str, ...]]:
    """The multiset of ``n``-word shingles; a text shorter than ``n`` words is one short shingle."""
    tokens = TOKEN.findall(text or "")
    if len(tokens) < n:
        return Counter([tuple(tokens)] if tokens else [])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def page_counts(expected: str, predicted: str) -> tuple[float, float, float]:
    """Normalised (true positive, false positive, false negative) shingle counts for one page."""
    truth, guess = shingles(expected), shingles(predicted)
    tp = sum((truth & guess).values())
    fp = sum((guess - truth).values())
    fn = sum((truth - guess).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def precision(tp: float, fp: float, fn: float) -> float:
    return 1.0 if fp == fn == 0 else tp / (tp + fp) if tp + fp else 0.0


def recall(tp: float, fp: float, fn: float) -> float:
    return 1.0 if fp == fn == 0 else tp / (tp + fn) if tp + fn else 0.0


def scores(counts: list[tuple[float, float, float]]) -> dict[str, float]:
    """Precision and recall averaged over pages, and the F1 of those averages."""
    p = statistics.mean(precision(*c) for c in counts if c[0] + c[1] > 0)
    r = statistics.mean(recall(*c) for c in counts if c[0] + c[2] > 0)
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def load_corpus(corpus: Path, limit: int | None = None) -> list[tuple[str, str, str]]:
    """(page id, html, expected article body) for the corpus pages, sorted by id."""
    with gzip.open(corpus / "ground-truth.json.gz", "rt", encoding="utf-8") as f:
        truth = json.load(f)
    pages = []
    for key in sorted(truth)[:limit]:
        with gzip.open(corpus / "html" / f"{key}.html.gz", "rb") as f:
            raw = f.read()
        pages.append((key, decode_bytes(raw), truth[key].get("articleBody", "")))
    return pages


@dataclass
class Page:
    """One benchmark page, read once: every extractor's text, so each tuning is a cheap recombination."""

    key: str
    expected: str
    trafilatura: dict[str, str]  # mode -> text
    readability: str
    justext: str
    title: str | None
    captions: list[str]

    def text(self, tuning: Tuning) -> str:
        raw = choose_text(self.trafilatura[tuning.mode], self.readability, lambda: self.justext, tuning)
        return tidy_text(raw, self.captions, self.title)


def read_pages(
    pages: list[tuple[str, str, str]],
) -> tuple[list[Page], list[tuple[float, float, float]], float]:
    """Every page through ``extract_page`` (CPU time, steady on a busy machine) and each extractor alone."""
    read, shipped, elapsed = [], [], 0.0
    for key, html, expected in pages:
        started = time.process_time()
        try:
            found = extract_page(html)
        except ReadError:
            found = {"text": "", "title": None, "captions": "", "language": None}
        elapsed += time.process_time() - started
        shipped.append(page_counts(expected, found["text"]))
        texts = {}
        for mode in TRAFILATURA_MODES:
            try:
                texts[mode] = getattr(trafilatura_doc(html, mode=mode), "text", None) or ""
            except ReadError:
                texts[mode] = ""
        read.append(
            Page(
                key,
                expected,
                texts,
                readability_text(html),
                justext_text(html, found["language"]),
                found["title"],
                [c for c in found["captions"].split("\n\n") if c],
            )
        )
    return read, shipped, 1000 * elapsed / len(pages)


def folds(keys: list[str], k: int = FOLDS, seed: int = SEED) -> list[set[str]]:
    """``keys`` shuffled with ``seed`` and dealt into ``k`` folds of (nearly) equal size."""
    shuffled = sorted(keys)
    random.Random(seed).shuffle(shuffled)
    return [set(shuffled[i::k]) for i in range(k)]


def cross_validate(pages: list[Page], k: int = FOLDS, seed: int = SEED, grid: list[Tuning] = GRID) -> dict:
    """Each fold scored with the tuning that is best on the other folds.

    :return: ``scores`` over all held-out pages, and per fold its ``choices`` (tuning, held-out F1).
    """
    counts = {t: {p.key: page_counts(p.expected, p.text(t)) for p in pages} for t in grid}
    held_out, choices = [], []
    for fold in folds([p.key for p in pages], k, seed):
        train = [key for key in counts[grid[0]] if key not in fold]
        best = max(grid, key=lambda t: scores([counts[t][key] for key in train])["f1"])  # first of equals
        fold_counts = [counts[best][key] for key in fold]
        held_out.extend(fold_counts)
        choices.append((best, scores(fold_counts)["f1"]))
    return {"scores": scores(held_out), "choices": choices, "in_sample": {t: counts[t] for t in grid}}


def _line(name: str, result: dict[str, float]) -> str:
    return f"{name:<48} P={result['precision']:.3f} R={result['recall']:.3f} F1={result['f1']:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help="benchmark folder (html/, ground truth)"
    )
    parser.add_argument("--limit", type=int, help="only the first N pages")
    parser.add_argument("--folds", type=int, default=FOLDS, help="cross-validation folds")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the fold split")
    parser.add_argument("--worst", type=int, default=0, help="also list the K pages with the lowest F1")
    args = parser.parse_args()
    raw = load_corpus(args.corpus, args.limit)
    pages, shipped, ms_per_page = read_pages(raw)
    result = cross_validate(pages, args.folds, args.seed)
    print(
        f"pages={len(pages)} folds={args.folds} seed={args.seed}; extract_page: {ms_per_page:.0f} CPU ms/page"
    )
    print("alternatives, in-sample:")
    for tuning, counts in result["in_sample"].items():
        print("  " + _line(str(tuning), scores(list(counts.values()))))
    for name, texts in (("readability alone", "readability"), ("jusText alone", "justext")):
        print("  " + _line(name, scores([page_counts(p.expected, getattr(p, texts)) for p in pages])))
    for i, (tuning, f1) in enumerate(result["choices"], 1):
        print(f"fold {i}: chose {tuning}, held-out F1={f1:.3f}")
    print(_line(f"in-sample (shipped {TUNING})", scores(shipped)))
    print(_line("cross-validated (tuned without the page)", result["scores"]))
    per_page = [(key, precision(*c), recall(*c)) for (key, _, _), c in zip(raw, shipped, strict=True)]
    per_page.sort(key=lambda x: 2 * x[1] * x[2] / (x[1] + x[2]) if x[1] + x[2] else 0.0)
    for key, p, r in per_page[: args.worst]:
        print(f"  {key[:16]} precision={p:.2f} recall={r:.2f}")


if __name__ == "__main__":
    main()
