"""Main-text extraction quality on the scrapinghub article-extraction benchmark.

Scores ``extract_page(html)["text"]`` against the benchmark's ``articleBody`` with the benchmark's own
metric: each text becomes the multiset of its 4-word shingles (word tokens ``\\w+``); per page, true/false
positives and false negatives are counted and normalised to sum to 1 (so long pages weigh no more than
short ones); precision and recall are averaged over pages (a page counts for precision only if something
was predicted or expected, for recall only if something was expected); F1 comes from the two averages.

Usage::

    python benchmarks/extraction.py [--corpus DIR] [--limit N] [--worst K]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from archive.decode import decode_bytes  # noqa: E402 - after the path set-up, so the script runs from anywhere
from archive.errors import ReadError  # noqa: E402
from archive.extract_html import extract_page  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "article-extraction"
SHINGLE_WORDS = 4  # the benchmark's n
TOKEN = re.compile(r"\w+")


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


def evaluate(pages: list[tuple[str, str, str]]) -> tuple[dict[str, float], list[tuple[str, float, float]]]:
    """Scores over ``pages`` plus per-page (id, precision, recall); time per page in ``ms_per_page``."""
    counts, per_page = [], []
    started = time.perf_counter()
    for key, html, expected in pages:
        try:
            predicted = extract_page(html)["text"]
        except ReadError:
            predicted = ""
        c = page_counts(expected, predicted)
        counts.append(c)
        per_page.append((key, precision(*c), recall(*c)))
    elapsed = time.perf_counter() - started
    result = scores(counts)
    result["ms_per_page"] = 1000 * elapsed / len(pages)
    return result, per_page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help="benchmark folder (html/, ground truth)"
    )
    parser.add_argument("--limit", type=int, help="only the first N pages")
    parser.add_argument("--worst", type=int, default=0, help="also list the K pages with the lowest F1")
    args = parser.parse_args()
    pages = load_corpus(args.corpus, args.limit)
    result, per_page = evaluate(pages)
    print(
        f"pages={len(pages)} precision={result['precision']:.3f} recall={result['recall']:.3f} "
        f"F1={result['f1']:.3f} time={result['ms_per_page']:.0f} ms/page"
    )
    per_page.sort(key=lambda x: 2 * x[1] * x[2] / (x[1] + x[2]) if x[1] + x[2] else 0.0)
    for key, p, r in per_page[: args.worst]:
        print(f"  {key[:16]} precision={p:.2f} recall={r:.2f}")


if __name__ == "__main__":
    main()
