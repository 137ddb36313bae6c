"""Text normalisation: one canonical form for every string the archive stores, indexes and shows.

Entities: plain text from feeds and files often carries HTML entities (Reuters writes ``&lt;IBM>`` and
ends bodies with ``&#3;``). They are unescaped in a single pass, so ``&amp;lt;`` becomes ``&lt;`` (what the
author wrote) and never ``<``. Only complete entities with their ``;`` count: ``AT&T`` and ``&not`` in
prose stay as they are. Text that an HTML parser produced is already unescaped; unescaping it again would
turn a literal ``&lt;`` in an article about HTML into ``<``, so callers pass ``unescape=False`` for it.
Either way, clean a string once, on its way in.
"""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import datetime

from dateutil import parser as dateutil_parser

# A complete character reference: named, decimal or hex, with its semicolon.
ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")

# Characters that are not text: C0/C1 controls except tab and newline, DEL, and invisible format
# characters that break words for search (zero-width space, BOM, soft hyphen, word joiner).
REMOVED_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b\u2060\ufeff]")

# Spaces that look like a space but are not U+0020: no-break, en/em/thin/hair, narrow no-break,
# medium mathematical, ideographic, Ogham. Search and whitespace repair treat them as plain spaces.
ODD_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")

# Unicode line and paragraph separators and lone carriage returns become newlines.
LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")

BLANK_LINES = re.compile(r"\n[ \t]*\n")
SPACE_RUNS = re.compile(r"[ \t]+")

# A line that starts a paragraph of its own even inside a block: a list item or a Markdown heading.
BLOCK_START = re.compile(r"\s*(?:[-*+•–—]\s|\d{1,3}[.)]\s|#{1,6}\s|>)")

# Hard wrapping: lines of a block are rejoined only when the block looks like fixed-width text, its
# longest line no wider than this (typewriter/terminal widths; wire copy wraps at 65-80 columns) and no
# narrower than the minimum (narrower blocks are addresses, lists of names, verse).
HARD_WRAP_MAX_WIDTH = 100
HARD_WRAP_MIN_WIDTH = 40


def clean_text(s: str, *, unescape: bool = True) -> str:
    """Normalise a string for storage, search and display.

    NFC; entities unescaped once (see the module docstring; ``unescape=False`` for parser output);
    lone surrogates, NUL and control characters other than newline and tab removed; odd spaces made
    plain; then whitespace repaired: paragraphs separated by exactly one blank line, hard-wrapped lines
    rejoined into one line per paragraph, runs of spaces and tabs collapsed, no leading/trailing space.
    """
    if not s:
        return ""
    s = _drop_surrogates(s)
    if unescape and "&" in s:
        s = ENTITY.sub(lambda m: html.unescape(m.group(0)), s)
    s = LINE_BREAKS.sub("\n", s)
    s = REMOVED_CHARS.sub("", s)
    s = ODD_SPACES.sub(" ", s)
    s = unicodedata.normalize("NFC", s)
    paragraphs = []
    for block in BLANK_LINES.split(s):
        paragraphs.extend(_block_paragraphs(block))
    return "\n\n".join(p for p in paragraphs if p)


def _drop_surrogates(s: str) -> str:
    # A lone surrogate cannot be encoded as UTF-8 (Flask answers 500). A pair written as two code points
    # is joined into the character it stands for; a lone one is dropped.
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")


def _block_paragraphs(block: str) -> list[str]:
    """Split a block (text between blank lines) into paragraphs, each one line."""
    lines = [line.rstrip() for line in block.split("\n")]
    lines = [line for line in lines if line.strip()]
    if not lines:
        return []
    if len(lines) == 1:
        return [_collapse(lines[0])]
    width = max(len(line.expandtabs()) for line in lines)
    wrapped = HARD_WRAP_MIN_WIDTH <= width <= HARD_WRAP_MAX_WIDTH
    # Wire copy marks a paragraph by indenting its first line; plain hard-wrapped text by a short line.
    indents_mark_paragraphs = len({_is_indented(line) for line in lines}) > 1
    paragraphs = [[lines[0]]]
    for prev, line in zip(lines, lines[1:], strict=False):
        if wrapped and _continues(prev, line, width, indents_mark_paragraphs):
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    return [_collapse(" ".join(p)) for p in paragraphs]


def _continues(prev: str, line: str, width: int, indents_mark_paragraphs: bool) -> bool:
    """Whether ``line`` continues the paragraph of ``prev`` in a hard-wrapped block."""
    if BLOCK_START.match(line):
        return False
    if indents_mark_paragraphs:
        return not _is_indented(line)
    # A greedy wrapper breaks a line only when the next word would not fit: if it would have, the
    # break was the author's.
    first_word = line.split(maxsplit=1)[0]
    return len(prev.expandtabs()) + 1 + len(first_word) > width


def _is_indented(line: str) -> bool:
    return line[:1] in (" ", "\t")


def _collapse(line: str) -> str:
    return SPACE_RUNS.sub(" ", line).strip()


# Publication dates: ISO 8601 at the precision given. Partial dates stay partial ("2023-10"); a time is
# kept to the second in the publisher's local time (the offset is dropped: the date a reader saw on the
# page is the one a journalist searches for).
# Digits are ASCII once other scripts' digits are translated (Arabic-Indic "٢٠٢٣" is 2023); a datetime
# ends with optional fractions and a zone, nothing else: "...Z garbage" or "10:00 PM" is left to dateutil,
# which refuses the first and reads the second as 22:00.
ISO_PARTIAL = re.compile(r"^\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?\s*$", re.ASCII)
ISO_DATETIME = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?"
    r"\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?\s*$",
    re.ASCII | re.IGNORECASE,
)
# Years outside this range are typos or placeholders (0001-01-01, 9999-12-31), not publication dates.
PLAUSIBLE_YEARS = range(1800, 2101)
# Two defaults that differ in every field: a field dateutil fills from the default was not in the string.
_DEFAULTS = (datetime(1904, 1, 1), datetime(1908, 2, 2))


def clean_date(value: str) -> str | None:
    """A date as ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM:SS``; None if unreadable.

    ISO forms are read exactly; other forms ("19 Nov 2019", "Tue, 19 Nov 2019 08:03:00 GMT") by dateutil,
    keeping the precision they were written with.
    """
    value = _ascii_digits(value.strip())
    if not value:
        return None
    match = ISO_DATETIME.match(value)
    if match:
        y, mo, d, h, mi, s = match.groups()
        return _valid(y, mo, d, h, mi, s or "00")
    match = ISO_PARTIAL.match(value)
    if match:
        return _valid(*match.groups())
    return _parse_free_form(value)


def _ascii_digits(value: str) -> str:
    """``value`` with every decimal digit of any script written as an ASCII digit."""
    if value.isascii():
        return value
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in value)


def _valid(
    y: str, mo: str | None, d: str | None, h: str | None = None, mi: str | None = None, s: str | None = None
) -> str | None:
    try:
        stamp = datetime(int(y), int(mo or 1), int(d or 1), int(h or 0), int(mi or 0), int(s or 0))
    except ValueError:
        return None
    if stamp.year not in PLAUSIBLE_YEARS:
        return None
    if h is not None:
        return stamp.strftime("%Y-%m-%dT%H:%M:%S")
    return "-".join(p for p in (y, mo, d) if p)


def _parse_free_form(value: str) -> str | None:
    try:
        first, second = (dateutil_parser.parse(value, default=d, ignoretz=True) for d in _DEFAULTS)
    except (ValueError, OverflowError, TypeError):
        return None
    if first.year != second.year or first.year not in PLAUSIBLE_YEARS:
        return None  # no year written: "19 Nov" is no publication date
    if first.month != second.month:
        return f"{first.year:04d}"
    if first.day != second.day:
        return f"{first.year:04d}-{first.month:02d}"
    if (first.hour, first.minute) == (0, 0) and not re.search(r"\d:\d", value):
        return f"{first:%Y-%m-%d}"
    return f"{first:%Y-%m-%dT%H:%M:%S}"
