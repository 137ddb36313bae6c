"""From the parsed query (words as typed) to a query over the index fields, for normal or exact mode.

Normal mode folds and stems each word with the index's own analyzer and expands a word or phrase that
names a known person into an OR of that person's recorded spellings. Exact mode searches the ``*_exact``
fields with the words as typed. ``person:`` and ``place:`` become the registry keys they name, so they
match exactly what the facets and filters count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from whoosh import query as wq

from archive.errors import BadQuery
from archive.search.analysis import fold, main_form, query_forms
from archive.search.query import DEFAULT_FIELD
from archive.search.whoosh.schema import EXACT

#: The index fields a free-text word searches.
TEXT_FIELDS = ("title", "body", "captions")
#: A word in capitals also matches its lower-case form (``NATO``: "Nato"), ranked below the acronym.
OTHER_FORM_BOOST = 0.2
#: A phrase whose words each match in more than one way (``"NATO summit"``: the acronym or the word)
#: becomes an OR of phrases, at most this many.
MAX_PHRASE_VARIANTS = 8
#: A fuzzy word's first letter must match: Whoosh then walks one branch of its term graph (35 ms on
#: Reuters) instead of all of it (1.5 s).
FUZZY_PREFIX = 1
#: Longest fuzzy word: Whoosh's edit-distance automaton grows with the word.
MAX_FUZZY_CHARS = 30
#: Longest run of unquoted words tried as a person's name ("Alyaksandr Ryhoravich Lukashenka").
MAX_NAME_WORDS = 3


class NameLookup(Protocol):
    """What the rewrite needs from the person and place registry."""

    def person_spellings(self, text: str) -> list[tuple[str, str, list[str]]]:
        """``(key, name, spellings)`` of each known person ``text`` names; ``[]`` when none."""

    def person_keys(self, value: str) -> list[str]: ...

    def place_keys(self, value: str) -> list[str]: ...


@dataclass
class Expansion:
    """A name in the query and the spellings it was expanded to: the person's recorded spellings that
    can find something the typed words cannot (not the ones containing them)."""

    text: str
    key: str
    name: str
    variants: list[str]

    def to_dict(self) -> dict:
        return {"text": self.text, "key": self.key, "name": self.name, "variants": self.variants}


@dataclass
class Rewritten:
    query: wq.Query
    expansions: list[Expansion] = field(default_factory=list)

    @property
    def variants(self) -> list[str]:
        """Every spelling used by the expansion, once, in first-seen order."""
        return list(dict.fromkeys(v for e in self.expansions for v in e.variants))


def analyze(text: str, exact: bool) -> list[str]:
    """The index terms ``text`` produces in the mode's text fields, one per word (its main form)."""
    if exact:
        return [t.text for t in EXACT(text)]
    return [main_form(t.text) for t in EXACT(text)]


def fold_pattern(text: str) -> str:
    """A prefix/wildcard/fuzzy pattern lowercased and accent-folded, wildcards kept."""
    return fold(text)


class Rewriter:
    def __init__(self, names: NameLookup | None, exact: bool, polish: bool = True) -> None:
        self.names = names
        self.exact = exact
        self.polish = polish
        self.expansions: list[Expansion] = []

    def fields(self, fieldname: str) -> list[str]:
        names = TEXT_FIELDS if fieldname == DEFAULT_FIELD else (fieldname,)
        return [f"{n}_exact" for n in names] if self.exact else list(names)

    def rewrite(self, q: wq.Query) -> Rewritten:
        return Rewritten(self.lower(q).normalize(), self.expansions)

    # -- tree walk -----------------------------------------------------------------------------------

    def lower(self, q: wq.Query) -> wq.Query:
        if isinstance(q, wq.And) and not self.exact:
            return wq.And(self._and_children(q.subqueries), boost=q.boost)
        if q.is_leaf():
            return self.leaf(q)
        return q.apply(self.lower)

    def _and_children(self, children: list[wq.Query]) -> list[wq.Query]:
        """Lower an AND's children, trying runs of consecutive plain words as persons' names first."""
        out: list[wq.Query] = []
        i = 0
        while i < len(children):
            for size in range(min(MAX_NAME_WORDS, len(children) - i), 1, -1):
                run = children[i : i + size]
                if all(_is_word(c) and c.fieldname == run[0].fieldname for c in run):
                    text = " ".join(c.text for c in run)
                    plain = wq.And([self.leaf(c, expand=False) for c in run])
                    expanded = self._expand_name(text, run[0].fieldname, plain)
                    if expanded is not None:
                        out.append(expanded)
                        i += size
                        break
            else:
                out.append(self.lower(children[i]))
                i += 1
        return out

    def leaf(self, q: wq.Query, expand: bool = True) -> wq.Query:
        fieldname = getattr(q, "fieldname", None)
        if fieldname in ("person", "place"):
            return self._entity(q, fieldname)
        if isinstance(q, wq.Term):
            plain = self._words(q.text, fieldname, slop=1, boost=q.boost)
            if expand:
                return self._expand_name(q.text, fieldname, plain) or plain
            return plain
        if isinstance(q, wq.Phrase):
            text = " ".join(q.words)
            plain = self._words(text, fieldname, slop=q.slop, boost=q.boost)
            if expand and q.slop <= 1:
                return self._expand_name(text, fieldname, plain) or plain
            return plain
        if isinstance(q, wq.FuzzyTerm):
            if len(q.text) > MAX_FUZZY_CHARS:
                raise BadQuery(f"A fuzzy word (word~) can have at most {MAX_FUZZY_CHARS} letters.")
            terms = [q.text] if self.exact else analyze(q.text, exact=False) or [fold_pattern(q.text)]
            return _any(
                wq.FuzzyTerm(
                    f,
                    terms[0],
                    boost=q.boost,
                    maxdist=min(q.maxdist, 2),
                    prefixlength=max(q.prefixlength, FUZZY_PREFIX),
                )
                for f in self.fields(fieldname)
            )
        if isinstance(q, wq.Prefix | wq.Wildcard):
            if q.text[:1] in ("*", "?"):
                raise BadQuery(
                    f"A pattern cannot start with a wildcard ({q.text!r}): it would read every word in the "
                    "archive. Start it with at least one letter."
                )
            text = q.text if self.exact else fold_pattern(q.text)
            return _any(type(q)(f, text, boost=q.boost) for f in self.fields(fieldname))
        if isinstance(q, wq.Every):
            return wq.Every()
        return q if isinstance(q, type(wq.NullQuery)) else wq.NullQuery

    def _words(self, text: str, fieldname: str, slop: int, boost: float) -> wq.Query:
        if self.exact:
            terms = analyze(text, exact=True)
            if len(terms) == 1:
                return _any(wq.Term(f, terms[0], boost=boost) for f in self.fields(fieldname))
            return _any(wq.Phrase(f, terms, slop=slop, boost=boost) for f in self.fields(fieldname))
        words = [t.text for t in EXACT(text)]
        if not words:
            return wq.NullQuery
        if len(words) == 1:
            terms, parts = query_forms(words[0], self.polish)
            return _any(
                q
                for f in self.fields(fieldname)
                for q in [
                    *(
                        wq.Term(f, t, boost=boost * (1.0 if i == 0 else OTHER_FORM_BOOST))
                        for i, t in enumerate(terms)
                    ),
                    wq.Phrase(f, parts, slop=1, boost=boost) if parts else wq.NullQuery,
                ]
            )
        sequences = phrase_variants([query_forms(w, self.polish)[0] for w in words])
        return _any(
            wq.Phrase(f, list(seq), slop=slop, boost=boost)
            for f in self.fields(fieldname)
            for seq in sequences
        )

    # -- names ---------------------------------------------------------------------------------------

    def _expand_name(self, text: str, fieldname: str, plain: wq.Query) -> wq.Query | None:
        """``plain`` OR each other spelling of the person ``text`` names; ``None`` if it names nobody."""
        if self.exact or self.names is None or fieldname not in (DEFAULT_FIELD, "title"):
            return None
        persons = self.names.person_spellings(text)
        if not persons:
            return None
        typed = tuple(analyze(text, exact=False))
        seen = {typed}
        alternatives = [plain]
        for key, name, spellings in persons:
            used = []
            for spelling in spellings:
                terms = tuple(analyze(spelling, exact=False))
                # a spelling that contains what was typed ("James Baker" for "Baker") finds nothing new;
                # one the typed name contains ("Baker" for "James Baker") would find every Baker
                if (
                    terms
                    and terms not in seen
                    and not _contains(terms, typed)
                    and not _contains(typed, terms)
                ):
                    seen.add(terms)
                    used.append(spelling)
                    alternatives.append(self._words(spelling, fieldname, slop=1, boost=1.0))
            if used:
                self.expansions.append(Expansion(text, key, name, used))
        return _any(alternatives) if len(alternatives) > 1 else None

    def _entity(self, q: wq.Query, fieldname: str) -> wq.Query:
        """``person:`` / ``place:``: the registry keys the value names, else the names as text."""
        if isinstance(q, wq.Term):
            value = q.text
        elif isinstance(q, wq.Phrase):
            value = " ".join(q.words)
        elif isinstance(q, wq.Prefix | wq.Wildcard):
            return wq.Prefix(f"{fieldname}_names", fold_pattern(q.text.rstrip("*")))
        else:
            return wq.NullQuery
        keys: list[str] = []
        if self.names is not None:
            lookup = self.names.person_keys if fieldname == "person" else self.names.place_keys
            keys = lookup(value)
        if keys:
            return _any(wq.Term(fieldname, k) for k in keys)
        terms = analyze(value, exact=False)
        if not terms:
            return wq.NullQuery
        if len(terms) == 1:
            return wq.Term(f"{fieldname}_names", terms[0])
        return wq.Phrase(f"{fieldname}_names", terms)


def phrase_variants(alternatives: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The term sequences a phrase stands for, one term per word; past ``MAX_PHRASE_VARIANTS`` only
    each word's first form."""
    sequences: list[tuple[str, ...]] = [()]
    for options in alternatives:
        sequences = [(*seq, term) for seq in sequences for term in options]
        if len(sequences) > MAX_PHRASE_VARIANTS:
            return [tuple(options[0] for options in alternatives)]
    return sequences


def _contains(terms: tuple[str, ...], part: tuple[str, ...]) -> bool:
    """Whether ``part`` occurs in ``terms`` as a run of consecutive terms."""
    size = len(part)
    return size > 0 and any(terms[i : i + size] == part for i in range(len(terms) - size + 1))


def _is_word(q: wq.Query) -> bool:
    return type(q) is wq.Term and q.fieldname in (DEFAULT_FIELD, "title") and q.boost == 1.0


def _any(queries) -> wq.Query:
    queries = [q for q in queries if q is not wq.NullQuery]
    if not queries:
        return wq.NullQuery
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def rewrite(q: wq.Query, names: NameLookup | None, exact: bool, polish: bool = True) -> Rewritten:
    """Lower a parsed query to the index fields of the mode, expanding names in normal mode.

    :param polish: words also search their Polish lemmas (the archive holds Polish articles).
    """
    return Rewriter(names, exact, polish).rewrite(q)
