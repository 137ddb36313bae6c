"""The query language: Whoosh's parser reads the journalist's syntax, raw words kept for the next step.

The parser sees a small schema of its own: ``all`` (the default: title, body and captions), ``title``,
``body`` (alias ``text``), ``captions``, ``person`` and ``place``, each tokenised but not folded. The words
stay as typed, so the engine (:mod:`archive.search.whoosh.rewrite`) can look names up before folding
them for normal mode, or keep them literal for exact mode.
"""

from __future__ import annotations

import re
from functools import lru_cache

from whoosh import qparser
from whoosh import query as wq
from whoosh.analysis import RegexTokenizer
from whoosh.fields import TEXT, Schema

from archive.errors import BadQuery
from archive.search.analysis import WORD_PATTERN

DEFAULT_FIELD = "all"
#: Field names a query may use, and the name each one means.
QUERY_FIELDS = ("all", "title", "body", "captions", "person", "place")
FIELD_ALIASES = {"body": ["text"], "person": ["persons", "people"], "place": ["places"]}
#: Parentheses nested deeper than this are not a search a person writes; Whoosh's parser recurses
#: per level and raises RecursionError near 1,000.
MAX_NESTING = 10
#: Words, phrases and patterns in one query; each costs a postings read per field.
MAX_QUERY_TERMS = 64

#: The literal words, as the exact fields are tokenised: names are looked up before any folding.
_LITERAL = RegexTokenizer(WORD_PATTERN)
_PARSER_SCHEMA = Schema(**{name: TEXT(analyzer=_LITERAL, phrase=True) for name in QUERY_FIELDS})
#: "-word" at the start of a word means NOT (but "covid-19" is one word): rewritten to Whoosh's NOT.
_MINUS = re.compile(r"(^|(?<=[\s(]))[-](?=[^\s\-)])")
_PLUS = re.compile(r"(^|(?<=[\s(]))[+](?=[^\s+)])")
#: Syntax characters dropped when a query is read again as plain words.
_SYNTAX = re.compile(r"[\"()*?~^:\[\]{}\\]|(?<!\w)[-+]")
_OPERATORS = re.compile(r"\b(AND|OR|NOT|ANDNOT|ANDMAYBE)\b")
#: "word:" followed by something to search for: a field prefix as the parser reads it.
_FIELD_PREFIX = re.compile(r"(?<![\w:])([^\W\d]\w*):(?=[^\s/:])")
#: Prefixes that are not meant as fields (addresses).
NOT_FIELDS = frozenset({"http", "https", "ftp", "mailto"})
#: The field names listed in a notice.
FIELD_NAMES = ("title", "body", "captions", "person", "place")


@lru_cache(maxsize=1)
def _parser() -> qparser.QueryParser:
    parser = qparser.QueryParser(DEFAULT_FIELD, _PARSER_SCHEMA, group=qparser.AndGroup)
    for plugin in (qparser.RangePlugin, qparser.BoostPlugin, qparser.PlusMinusPlugin):
        parser.remove_plugin_class(plugin)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    return parser


def _outside_quotes(text: str, pattern: re.Pattern, repl) -> str:
    """Apply a substitution only to the parts of ``text`` outside double quotes."""
    parts = text.split('"')
    for i in range(0, len(parts), 2):
        parts[i] = pattern.sub(repl, parts[i])
    return '"'.join(parts)


def nesting_depth(text: str) -> int:
    """How deep parentheses nest outside quotes (unbalanced ones counted as they open)."""
    depth = deepest = 0
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == ")":
            depth = max(0, depth - 1)
    return deepest


def fix_fields(text: str) -> tuple[str, list[str]]:
    """``text`` with known field names in any case written as the parser knows them, and a notice for
    each field prefix the query language does not know (it is then searched as words)."""
    notices: list[str] = []
    known = {name for name in QUERY_FIELDS} | {a for aliases in FIELD_ALIASES.values() for a in aliases}

    def repl(match: re.Match) -> str:
        name = match.group(1)
        if name in known or match.group(1).lower() in NOT_FIELDS:
            return match.group(0)
        if name.lower() in known:
            notices.append(f"Read {name}: as the field {name.lower()}: (field names are lower case).")
            return name.lower() + ":"
        notices.append(
            f"{name}: is not a field, so it was searched as a word. Fields: {', '.join(FIELD_NAMES)}."
        )
        return match.group(0)

    return _outside_quotes(text, _FIELD_PREFIX, repl), notices


def plain_words(text: str) -> str:
    """The query with its syntax removed: what an unparseable query is read as."""
    return " ".join(_OPERATORS.sub(" ", _SYNTAX.sub(" ", text)).split())


def parse(text: str) -> wq.Query:
    """Parse query text into a Whoosh query over the parser's fields, words as typed.

    :raises BadQuery: when the query nests too deeply or has too many terms.
    """
    if nesting_depth(text) > MAX_NESTING:
        raise BadQuery(f"The query nests parentheses too deeply; use at most {MAX_NESTING} levels.")
    prepared = _outside_quotes(_outside_quotes(text, _MINUS, "NOT "), _PLUS, "")
    try:
        query = _parser().parse(prepared)
    except Exception:  # noqa: BLE001 - Whoosh's parser has no error type; any failure means "read as words"
        query = _parser().parse(plain_words(text))
    leaves = sum(1 for _ in query.leaves())
    if leaves > MAX_QUERY_TERMS:
        raise BadQuery(f"The query has {leaves} words and patterns; use at most {MAX_QUERY_TERMS}.")
    return query.normalize()
