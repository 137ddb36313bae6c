"""Wire-copy benchmark: near-copies of Reuters-21578 articles, grouped into stories or not.

Reuters is split in two halves by article number: thresholds are tuned on the ``tune`` half and the
figures reported on the other (``--half report``, the default). For a sample of the half's articles it
makes copies of several strengths (a new first line, a credit line, k words changed, paragraphs
dropped), puts originals then copies through :func:`archive.copies.assign` on a real catalog, and prints:

- per strength, the share of copies grouped with their original (target: >= 95% for light edits);
- the originals grouped together: Reuters' own duplicates (the same text filed twice, a story re-run
  under a new headline) are listed apart, and any other grouping is an error (target: 0);
- the same figures for SimHash over the same shingles (64 bits, Hamming distance <= k), the other method
  the issue names, so the choice is made on these numbers;
- the import cost: ``archive import --no-entities`` of the half with and without clustering (target:
  clustering adds <= 10%).

    python benchmarks/copies.py [--half report|tune] [--sample 600] [--no-import]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive import copies  # noqa: E402
from archive.models import Article  # noqa: E402
from archive.store import Catalog  # noqa: E402

SHARED = ROOT.parent / "shared"
TARGET_LIGHT = 0.95
TARGET_COST = 0.10
#: Articles a batch of :func:`copies.assign` holds, as an import commit would (smaller: more SQL trips).
BATCH = 1000
OUTLETS = ["Daily Planet", "The Ledger", "Evening Post", "Wire Digest", "Morning Herald"]
CITIES = ["NEW YORK", "LONDON", "TOKYO", "CHICAGO", "WASHINGTON", "PARIS", "SYDNEY"]
NAMES = ["Anna Smith", "Jon Park", "Maria Lopez", "David Chen", "Ruth Adler", "Tom Evans"]
#: Two texts whose words match this share (difflib over the word sequences) are the same text filed
#: twice: Reuters' own duplicates, reported apart from errors.
SAME_TEXT_RATIO = 0.9
#: A grouped pair filed within this many hours of each other is Reuters updating, correcting or
#: re-headlining its own story ("Corrected - ...", a later version with a quote added); every such pair
#: is printed, so the claim can be checked by reading them.
UPDATE_HOURS = 48
_PARA = re.compile(r"\n\s+")


def reuters(out: Path) -> list[dict]:
    subprocess.run(
        [
            sys.executable,
            str(SHARED / "tools/reuters_jsonl.py"),
            str(SHARED / "corpora/reuters21578"),
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    return [json.loads(line) for line in open(out / "reuters.jsonl", encoding="utf-8")]


def half_of(records: list[dict], half: str) -> list[dict]:
    """Odd article numbers tune, even ones report: both halves span the whole corpus."""
    parity = 1 if half == "tune" else 0
    return [r for r in records if int(r["id"].split("-")[1]) % 2 == parity]


# -- edits ---------------------------------------------------------------------------------------------


def new_lead(rng: random.Random, vocab: list[str]) -> str:
    words = " ".join(rng.choice(vocab) for _ in range(rng.randint(12, 22)))
    return f"{rng.choice(CITIES)} ({rng.choice(OUTLETS)}) - {words.capitalize()}."


def credit(rng: random.Random) -> str:
    return f"(Reporting by {rng.choice(NAMES)}; Editing by {rng.choice(NAMES)})"


def change_words(text: str, k: int, rng: random.Random, vocab: list[str]) -> str:
    """``k`` words replaced by others; figures are left alone (a copy editor rewords, the figures stay)."""
    tokens = re.split(r"(\s+)", text)
    words = [i for i, t in enumerate(tokens) if t.strip() and not any(c.isdigit() for c in t)]
    for i in rng.sample(words, min(k, len(words))):
        tokens[i] = rng.choice(vocab)
    return "".join(tokens)


def drop_paragraphs(text: str, share: float, rng: random.Random) -> str:
    paras = [p for p in _PARA.split(text) if p.strip()]
    drop = int(len(paras) * share) if share < 1 else int(share)
    drop = min(drop, len(paras) - 1)
    if drop <= 0:
        return text
    gone = set(rng.sample(range(1, len(paras)), drop))  # the first paragraph stays: a copy keeps its lead
    return "\n    ".join(p for i, p in enumerate(paras) if i not in gone)


def edit(text: str, strength: str, rng: random.Random, vocab: list[str]) -> str:
    """A copy of ``text``: one edit kind alone, or a light/medium/heavy mix of them."""
    n_words = len(text.split())
    if strength == "lead":
        return new_lead(rng, vocab) + "\n    " + text
    if strength == "credit":
        return text + "\n    " + credit(rng)
    if strength.startswith("words-"):
        return change_words(text, int(strength.split("-")[1]), rng, vocab)
    if strength == "drop-1":
        return drop_paragraphs(text, 1, rng)
    if strength == "light":  # a wire copy as run: new lead, credit line, a few words changed
        return new_lead(rng, vocab) + "\n    " + change_words(text, 3, rng, vocab) + "\n    " + credit(rng)
    if strength == "medium":
        body = drop_paragraphs(change_words(text, 10, rng, vocab), 1, rng)
        return new_lead(rng, vocab) + "\n    " + body + "\n    " + credit(rng)
    if strength == "heavy":  # rewritten: a tenth of the words changed, a third of the paragraphs cut
        body = drop_paragraphs(change_words(text, max(1, n_words // 10), rng, vocab), 1 / 3, rng)
        return new_lead(rng, vocab) + "\n    " + body + "\n    " + credit(rng)
    raise ValueError(strength)


LIGHT = ("lead", "credit", "words-3", "light")
STRENGTHS = (*LIGHT, "words-10", "drop-1", "medium", "heavy")


# -- grouping ------------------------------------------------------------------------------------------


def group(records: list[dict], home: Path) -> tuple[dict[str, str], float]:
    """Put the records through :func:`copies.assign` on a real catalog; ``({id: story}, seconds)``."""
    catalog = Catalog(home, create=True)
    try:
        articles = [
            Article(id=r["id"], title=r["title"], text=r["text"], source=r.get("source")) for r in records
        ]
        started = time.perf_counter()
        for i in range(0, len(articles), BATCH):
            batch = articles[i : i + BATCH]
            catalog.stage_articles(batch)  # the text later arrivals compare against
            copies.assign(catalog, batch)
            catalog.commit()
        seconds = time.perf_counter() - started
        return {a.id: a.story for a in articles}, seconds
    finally:
        catalog.close()


def same_text(a: str, b: str) -> bool:
    """Reuters filed it twice, whole or cut: the shorter text's words appear in the longer one in order
    (difflib's alignment covers SAME_TEXT_RATIO of them), whatever the headlines say."""
    from difflib import SequenceMatcher

    wa, wb = a.split(), b.split()
    matched = sum(m.size for m in SequenceMatcher(None, wa, wb, autojunk=False).get_matching_blocks())
    return matched >= SAME_TEXT_RATIO * min(len(wa), len(wb))


def updated_filing(a: dict, b: dict) -> bool:
    """Reuters' own update or correction of one story: filed within UPDATE_HOURS of each other."""
    from datetime import datetime

    hours = (
        abs(datetime.fromisoformat(a["published"]) - datetime.fromisoformat(b["published"])).total_seconds()
        / 3600
    )
    return hours <= UPDATE_HOURS


def original_groups(stories: dict[str, str], originals: dict[str, dict]) -> list[list[str]]:
    members: dict[str, list[str]] = defaultdict(list)
    for article_id, story in stories.items():
        if article_id in originals:
            members[story].append(article_id)
    return [m for m in members.values() if len(m) > 1]


# -- SimHash, the alternative --------------------------------------------------------------------------


def simhash(shingle_set: frozenset[int]) -> int:
    """64-bit SimHash of a shingle set: each shingle's 32-bit hash spread to 64 bits (splitmix64)."""
    x = np.fromiter(shingle_set, dtype=np.uint64, count=len(shingle_set))
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    bits = (x[:, None] >> np.arange(64, dtype=np.uint64)) & np.uint64(1)
    votes = bits.sum(axis=0) * 2 > len(x)
    return int(np.packbits(votes[::-1]).view(">u8")[0])


def hamming(a: np.ndarray, b: int) -> np.ndarray:
    x = a ^ np.uint64(b)
    return np.unpackbits(x.view(np.uint8).reshape(-1, 8), axis=1).sum(axis=1)


def simhash_figures(half: list[dict], sample: list[dict], made: dict[str, list[tuple[str, str]]]) -> None:
    eligible = [r for r in half if len(copies.shingles(r["text"])) >= copies.MIN_SHINGLES]
    prints = np.array([simhash(copies.shingles(r["text"])) for r in eligible], dtype=np.uint64)
    index = {r["id"]: i for i, r in enumerate(eligible)}
    print("\nSimHash (64 bits over the same shingles): copies within Hamming distance k of their original")
    print(f"  {'strength':10} " + " ".join(f"k={k:<4}" for k in (3, 6, 10, 14)))
    for strength in STRENGTHS:
        distances = [
            int(hamming(prints[index[orig] : index[orig] + 1], simhash(copies.shingles(text)))[0])
            for orig, text in made[strength]
        ]
        shares = [np.mean(np.array(distances) <= k) for k in (3, 6, 10, 14)]
        print(f"  {strength:10} " + " ".join(f"{s:6.1%}" for s in shares))
    print("  distinct Reuters articles within distance k (pairs; Reuters' own duplicates excluded):")
    texts = [r["text"] for r in eligible]
    for k in (3, 6, 10, 14):
        wrong = 0
        for i in range(len(prints)):
            close = np.flatnonzero(hamming(prints[i + 1 :], int(prints[i])) <= k) + i + 1
            wrong += sum(1 for j in close.tolist() if not same_text(texts[i], texts[j]))
        print(f"    k={k}: {wrong}")


# -- import cost ---------------------------------------------------------------------------------------

#: The import with clustering, timing each call of :func:`copies.assign` (thread CPU time) on stderr.
TIMED_CLUSTERING = """
import atexit, sys, time
from archive import copies, cli
spent = [0.0]
assign = copies.assign
def timed(catalog, articles):
    started = time.thread_time()
    try:
        return assign(catalog, articles)
    finally:
        spent[0] += time.thread_time() - started
copies.assign = timed
atexit.register(lambda: print(f"clustering-cpu {spent[0]:.3f}", file=sys.stderr))
sys.argv = ["archive", *sys.argv[1:]]
cli.main()
"""
WITHOUT_CLUSTERING = """
import sys
from archive import copies, cli
copies.assign = lambda catalog, articles: copies.Grouping({})
sys.argv = ["archive", *sys.argv[1:]]
cli.main()
"""


def import_seconds(source: Path, home: Path, clustering: bool) -> tuple[float, float, float]:
    """Wall-clock and CPU seconds (user + system, of the import process) of one import, and the CPU
    seconds spent clustering. CPU time is the figure to compare on a shared machine, where other work
    stretches the wall clock."""
    args = ["import", str(source), "--home", str(home), "--no-entities", "--quiet", "--workers", "1"]
    cmd = [sys.executable, "-c", TIMED_CLUSTERING if clustering else WITHOUT_CLUSTERING, *args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent = re.search(r"clustering-cpu ([\d.]+)", proc.stderr)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, float(spent.group(1)) if spent else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--half", choices=("report", "tune"), default="report")
    ap.add_argument("--sample", type=int, default=600, help="Originals to copy, per strength.")
    ap.add_argument("--no-import", action="store_true", help="Skip the import-cost measurement.")
    ap.add_argument("--no-simhash", action="store_true")
    ap.add_argument("--import-limit", type=int, default=4000, help="Articles of the half to import.")
    ap.add_argument("--import-only", action="store_true", help="Only the import-cost measurement.")
    ap.add_argument("--seed", type=int, default=14)
    args = ap.parse_args()
    if not (SHARED / "corpora/reuters21578").is_dir():
        sys.exit(f"needs the Reuters corpus at {SHARED / 'corpora/reuters21578'}")
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        half = half_of(reuters(tmp / "reuters"), args.half)
        originals = {r["id"]: r for r in half}
        vocab = sorted({w for r in half[:2000] for w in r["text"].split() if w.isalpha()})
        long_enough = [r for r in half if len(copies.shingles(r["text"])) >= copies.MIN_SHINGLES]
        print(
            f"Reuters {args.half} half: {len(half)} articles, {len(long_enough)} long enough to group "
            f"(>= {copies.MIN_SHINGLES} shingles of {copies.SHINGLE_WORDS} words); threshold "
            f"{copies.THRESHOLD}, {copies.NUM_PERM} permutations in {copies.BANDS} bands"
        )
        sample = rng.sample(long_enough, min(args.sample, len(long_enough)))
        made: dict[str, list[tuple[str, str]]] = {}
        records = list(half)
        for strength in STRENGTHS:
            made[strength] = [(r["id"], edit(r["text"], strength, rng, vocab)) for r in sample]
            records += [
                {"id": f"{orig}~{strength}", "title": "", "text": text, "source": "copy"}
                for orig, text in made[strength]
            ]
        if args.import_only:
            return measure_import(half[: args.import_limit], tmp)
        stories, seconds = group(records, tmp / "home")
        print(
            f"\nMinHash/LSH ({len(records)} articles grouped in {seconds:.1f} s, "
            f"{seconds / len(records) * 1000:.2f} ms per article): copies grouped with their original"
        )
        print(f"  {'strength':10} {'grouped':>7}   similarity to the original: 5th pct / median")
        for strength in STRENGTHS:
            pairs = made[strength]
            share = np.mean([stories[f"{orig}~{strength}"] == stories[orig] for orig, _ in pairs])
            sims = [
                copies.similarity(copies.fingerprint(originals[o]["text"]), copies.fingerprint(t))
                for o, t in pairs
            ]
            mark = f"  (target >= {TARGET_LIGHT:.0%})" if strength == "light" else ""
            print(
                f"  {strength:10} {share:7.1%}   {np.percentile(sims, 5):.2f} / {np.median(sims):.2f}{mark}"
            )
        groups = original_groups(stories, originals)
        dupes, updates, wrong = [], [], []
        for members in groups:
            first = originals[members[0]]
            for other in members[1:]:
                if same_text(first["text"], originals[other]["text"]):
                    dupes.append((members[0], other))
                elif updated_filing(first, originals[other]):
                    updates.append((members[0], other))
                else:
                    wrong.append((members[0], other))
        print(f"\nReuters originals grouped: {sum(len(g) for g in groups)} articles in {len(groups)} stories")
        print(f"  Reuters' own duplicates (a text filed again, whole or cut): {len(dupes)} pairs")
        for a, b in dupes[:8]:
            print(f"    {a} {originals[a]['title'][:40]!r} = {b} {originals[b]['title'][:40]!r}")
        print(
            f"  Reuters' own updates or corrections (rewritten, <= {UPDATE_HOURS} h apart): {len(updates)} pairs"
        )
        for a, b in updates:
            print(f"    {a} {originals[a]['title'][:40]!r} ~ {b} {originals[b]['title'][:40]!r}")
        print(f"  distinct articles wrongly grouped: {len(wrong)} pairs (target 0)")
        for a, b in wrong[:20]:
            sim = copies.similarity(
                copies.fingerprint(originals[a]["text"]), copies.fingerprint(originals[b]["text"])
            )
            print(f"    {a} {originals[a]['title'][:40]!r} ~ {b} {originals[b]['title'][:40]!r} ({sim:.2f})")
        if not args.no_simhash:
            simhash_figures(half, sample, made)
        if not args.no_import:
            measure_import(half[: args.import_limit], tmp)


def measure_import(records: list[dict], tmp: Path) -> None:
    """Import the same records with and without clustering (twice each, alternating; the best of two)."""
    source = tmp / "import.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    runs: dict[bool, list[tuple[float, float, float]]] = {False: [], True: []}
    for attempt in range(2):
        for clustering in (False, True):
            runs[clustering].append(import_seconds(source, tmp / f"home-{clustering}-{attempt}", clustering))
    (wall_without, cpu_without, _), (wall_with, cpu_with, spent) = (
        min(runs[c], key=lambda r: r[1]) for c in (False, True)
    )
    print(
        f"\nImport of {len(records)} articles (--no-entities, 1 worker; best of 2): without clustering "
        f"{cpu_without:.1f} s CPU ({wall_without:.1f} s wall), with {cpu_with:.1f} s CPU ({wall_with:.1f} s wall)"
    )
    print(
        f"  clustering itself (copies.assign, thread CPU time): {spent:.2f} s = "
        f"{spent / (cpu_with - spent):.1%} of the rest of the import (target <= {TARGET_COST:.0%})"
    )


if __name__ == "__main__":
    main()
