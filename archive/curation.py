"""Editors' corrections of the person/place registry, as rules applied after every extraction.

A correction is a rule keyed by stable things, person or place keys and the spellings of a name:
*merge* these keys into the first, *split* these spellings off a key, *rename*, *hide* ("not a person"),
*unhide*, and for places *move* (this Georgia is the US state, optionally in named articles only). The
catalog keeps every rule with who made it and when (:mod:`archive.store`), and each article's entities
as extraction found them; :func:`apply` runs the active rules over those, in the order they were made,
on every import, ``reindex`` and ``reindex --reextract``. A new article that names a merged person
therefore gets the merged key, and undoing a rule is applying the others again.

Nothing here merges anything by itself: only a rule an editor made changes a key.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from archive.models import Article, Mention, Person, Place

KINDS = ("person", "place")
VERBS = {
    "person": ("merge", "split", "rename", "hide", "unhide"),
    "place": ("merge", "split", "rename", "hide", "unhide", "move"),
}


@dataclass
class Rule:
    """One active correction. ``keys[0]`` is the key a merge keeps; ``to`` the key a split or move makes."""

    id: int
    kind: str
    verb: str
    keys: list[str]
    name: str | None = None
    variants: list[str] = field(default_factory=list)
    to: str | None = None
    articles: list[str] = field(default_factory=list)  # move: only these articles (none: every one)
    place: dict[str, Any] | None = None  # the registry row a merge or move gives the place

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Rule:
        r = row["rule"]
        return cls(
            id=row["id"],
            kind=row["kind"],
            verb=row["verb"],
            keys=list(r.get("keys", [])),
            name=r.get("name"),
            variants=list(r.get("variants", [])),
            to=r.get("to"),
            articles=list(r.get("articles", [])),
            place=r.get("place"),
        )

    def sources(self) -> list[str]:
        """The keys an entity must have for the rule to touch it."""
        return list(self.keys) if self.verb == "merge" else self.keys[:1]

    def all_keys(self) -> set[str]:
        return {*self.keys, *([self.to] if self.to else [])}


class Rules:
    """The active rules of one kind, indexed by the keys they touch (so applying costs per entity, not
    per rule)."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules = sorted(rules, key=lambda r: r.id)
        self.by_key: dict[tuple[str, str], list[int]] = {}
        for pos, rule in enumerate(self.rules):
            for key in rule.sources():
                self.by_key.setdefault((rule.kind, key), []).append(pos)

    @classmethod
    def from_rows(cls, rows: Iterable[dict[str, Any]]) -> Rules:
        return cls(Rule.from_row(r) for r in rows if r.get("undone_at") is None)

    def __bool__(self) -> bool:
        return bool(self.rules)

    def next_rule(self, kind: str, key: str, after: int) -> int | None:
        positions = self.by_key.get((kind, key))
        if not positions:
            return None
        i = bisect_right(positions, after)
        return positions[i] if i < len(positions) else None

    def closure(self, kind: str, keys: Iterable[str]) -> set[str]:
        """Every key linked to ``keys`` through a rule: the articles holding any may change together."""
        found = set(keys)
        grew = True
        while grew:
            grew = False
            for rule in self.rules:
                linked = rule.all_keys()
                if rule.kind == kind and linked & found and not linked <= found:
                    found |= linked
                    grew = True
        return found


def _fold(text: str) -> str:
    from archive.store import fold_name

    return fold_name(text)


@dataclass
class _Entity:
    """A person or place on its way through the rules."""

    value: Person | Place
    original: str
    hidden: bool = False


def _spelled(article: Article, mention: Mention) -> str:
    return article.text[mention.start : mention.end]


def _split(rule: Rule, ent: _Entity, article: Article) -> _Entity | None:
    """Move the spellings ``rule.variants`` of an entity to ``rule.to``; returns a new entity when the
    article also spells it otherwise (the rest keeps the old key)."""
    wanted = {_fold(v) for v in rule.variants}
    v = ent.value
    hit = [m for m in v.mentions if _fold(_spelled(article, m)) in wanted]
    rest = [m for m in v.mentions if m not in hit]
    if isinstance(v, Person):
        names = [n for n in [v.name, *v.variants] if _fold(n) in wanted]
        if not names and not hit:
            return None
        others = [n for n in v.variants if _fold(n) not in wanted]
        if not others and not rest:
            v.key = rule.to
            if _fold(v.name) not in wanted:
                v.name = names[0] if names else _spelled(article, hit[0])
            return None
        spelled = names or [_spelled(article, hit[0])]
        new = Person(key=rule.to, name=spelled[0], variants=list(dict.fromkeys(spelled)), mentions=hit)
        v.variants, v.mentions = others, rest
        if _fold(v.name) in wanted and others:
            v.name = others[0]
        return _Entity(new, ent.original, ent.hidden)
    if not hit and _fold(v.name) not in wanted:
        return None
    spelled = _spelled(article, hit[0]) if hit else v.name
    if not rest:
        v.key, v.name, v.lat, v.lon = rule.to, spelled, None, None
        return None
    v.mentions = rest
    new = Place(key=rule.to, name=spelled, country=v.country, mentions=hit)
    return _Entity(new, ent.original, ent.hidden)


def _step(rule: Rule, ent: _Entity, article: Article) -> _Entity | None:
    """Apply one rule to one entity; returns a second entity a split made."""
    v = ent.value
    if rule.verb == "hide":
        ent.hidden = True
    elif rule.verb == "unhide":
        ent.hidden = False
    elif rule.verb == "rename":
        if isinstance(v, Person) and v.name not in v.variants:
            v.variants.append(v.name)
        v.name = rule.name or v.name
    elif rule.verb in ("merge", "move"):
        if rule.verb == "move" and rule.articles and article.id not in rule.articles:
            return None
        v.key = rule.to if rule.verb == "move" else rule.keys[0]
        if isinstance(v, Place) and rule.place:
            v.name, v.country = rule.place["name"], rule.place.get("country") or v.country
            v.lat, v.lon = rule.place.get("lat"), rule.place.get("lon")
        if rule.name:
            if isinstance(v, Person) and v.name not in v.variants:
                v.variants.append(v.name)
            v.name = rule.name
    elif rule.verb == "split":
        return _split(rule, ent, article)
    return None


def _run(rules: Rules, kind: str, values: list, article: Article) -> list:
    """The entities after every rule, hidden ones dropped and those sharing a key joined."""
    work = [(_Entity(v, v.key), -1) for v in values]
    done: list[_Entity] = []
    while work:
        ent, pos = work.pop(0)
        while (nxt := rules.next_rule(kind, ent.value.key, pos)) is not None:
            pos = nxt
            extra = _step(rules.rules[pos], ent, article)
            if extra is not None:
                work.append((extra, pos))
        done.append(ent)
    joined: dict[str, _Entity] = {}
    for ent in done:
        if ent.hidden:
            continue
        first = joined.get(ent.value.key)
        if first is None:
            joined[ent.value.key] = ent
            continue
        keep, other = (ent, first) if ent.original == ent.value.key != first.original else (first, ent)
        _join(keep.value, other.value)
        joined[ent.value.key] = keep
    return [e.value for e in joined.values()]


def _join(keep: Person | Place, other: Person | Place) -> None:
    mentions = {(m.start, m.end): m for m in [*keep.mentions, *other.mentions]}
    keep.mentions = [mentions[k] for k in sorted(mentions)]
    if isinstance(keep, Person):
        keep.variants = list(dict.fromkeys([*keep.variants, other.name, *other.variants]))


def apply(article: Article, rules: Rules) -> None:
    """Apply the rules to an article's persons and places (as extraction found them), in place."""
    if not rules:
        return
    article.persons = _run(rules, "person", article.persons, article)
    article.places = _run(rules, "place", article.places, article)


def entities_json(article: Article) -> tuple[list[dict], list[dict]]:
    data = article.to_dict()
    return data["persons"], data["places"]


def with_extracted(article: Article, persons: list[dict], places: list[dict]) -> Article:
    """A copy of ``article`` holding the entities as extraction found them."""
    data = article.to_dict()
    data["persons"], data["places"] = persons, places
    return Article.from_dict(data)


def correct_batch(catalog, articles: Iterable[Article]) -> None:
    """After extraction (import, ``--reextract``): keep what it found, then apply the corrections."""
    rules = Rules.from_rows(catalog.corrections())
    for article in articles:
        persons, places = entities_json(article)
        catalog.store_extracted(article.id, persons, places)
        apply(article, rules)


def reapplied(catalog, article: Article, rules: Rules) -> Article:
    """The article with the corrections applied again to its extracted entities; an article imported
    before corrections existed is taken as extracted (and kept so from now on)."""
    found = catalog.extracted(article.id)
    if found is None:
        persons, places = entities_json(article)
        catalog.store_extracted(article.id, persons, places)
    else:
        persons, places = found
    fresh = with_extracted(article, persons, places)
    apply(fresh, rules)
    return fresh


def differs(a: Article, b: Article) -> bool:
    return entities_json(a) != entities_json(b)


#: Characters a key made from a spelling keeps (others become ``-``): keys travel in URLs.
_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    return _SLUG.sub("-", _fold(text).lower()).strip("-") or "x"


def hidden_by(rules: Rules, kind: str, key: str) -> bool:
    """Is ``key`` hidden by the active rules (a hide not followed by an unhide)?"""
    state = False
    for rule in rules.rules:
        if rule.kind == kind and rule.keys[:1] == [key] and rule.verb in ("hide", "unhide"):
            state = rule.verb == "hide"
    return state


def describe(row: dict[str, Any]) -> str:
    """A correction in words, for ``archive history`` and the site."""
    rule, kind, verb = row["rule"], row["kind"], row["verb"]
    keys = rule.get("keys", [])
    if verb == "merge":
        named = f" as {rule['name']!r}" if rule.get("name") else ""
        return f"merged {kind}s {', '.join(keys[1:])} into {keys[0]}{named}"
    if verb == "split":
        return (
            f"split {', '.join(map(repr, rule.get('variants', [])))} off {kind} {keys[0]} as {rule.get('to')}"
        )
    if verb == "rename":
        return f"renamed {kind} {keys[0]} to {rule.get('name')!r}"
    if verb == "move":
        where = f" in {', '.join(rule['articles'])}" if rule.get("articles") else ""
        return f"moved place {keys[0]} to {rule.get('to')}{where}"
    return f"{verb} {kind} {keys[0]}" + (" (not a person)" if verb == "hide" and kind == "person" else "")
