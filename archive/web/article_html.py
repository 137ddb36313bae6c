"""The article text as HTML: escaped, with passage anchors, entity links and the query's words marked.

Everything from the article is escaped; the only markup is ours: ``<span id="pN">`` around passage N,
``<a>`` around a person, place or date (a link that filters the archive by it) and ``<mark>`` around a
query word. Spans from the three layers are nested in that order, closed and reopened where they cross.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape

from archive.models import Article

#: More than one blank line between paragraphs is page furniture, not meaning.
BLANK_LINES = re.compile(r"\n[ \t\r\f\v]*(?:\n[ \t\r\f\v]*)+")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    open: str
    close: str


def _non_overlapping(spans: Iterable[Span]) -> list[Span]:
    """Sorted spans, each starting no earlier than the previous one ends (the first, longest wins)."""
    out: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if span.end <= span.start:
            continue
        if out and span.start < out[-1].end:
            continue
        out.append(span)
    return out


def render_layers(text: str, layers: list[list[Span]]) -> Markup:
    """Escape ``text`` and wrap its spans, outer layers first; each layer's spans may not overlap."""
    layers = [_non_overlapping(layer) for layer in layers]
    cuts = {0, len(text)}
    for layer in layers:
        for span in layer:
            cuts.add(max(0, min(span.start, len(text))))
            cuts.add(max(0, min(span.end, len(text))))
    bounds = sorted(cuts)
    pointers = [0] * len(layers)
    opened: list[Span | None] = [None] * len(layers)
    out: list[str] = []
    for a, b in zip(bounds, bounds[1:], strict=False):  # consecutive cuts
        active: list[Span | None] = []
        for i, layer in enumerate(layers):
            while pointers[i] < len(layer) and layer[pointers[i]].end <= a:
                pointers[i] += 1
            span = layer[pointers[i]] if pointers[i] < len(layer) else None
            active.append(span if span is not None and span.start <= a else None)
        changed = next((i for i in range(len(layers)) if active[i] is not opened[i]), None)
        if changed is not None:
            for i in range(len(layers) - 1, changed - 1, -1):
                if opened[i] is not None:
                    out.append(opened[i].close)
            for i in range(changed, len(layers)):
                if active[i] is not None:
                    out.append(active[i].open)
                opened[i] = active[i]
        out.append(BLANK_LINES.sub("\n\n", str(escape(text[a:b]))))
    for i in range(len(layers) - 1, -1, -1):
        if opened[i] is not None:
            out.append(opened[i].close)
    return Markup("".join(out))


def passage_spans(article: Article) -> list[Span]:
    """``<span id="pN">`` for each passage; overlapping passages are trimmed to where the last one ended."""
    spans = []
    last_end = 0
    for p in sorted(article.passages, key=lambda p: p.start):
        start = max(p.start, last_end)
        if p.end > start:
            spans.append(Span(start, p.end, f'<span class="passage" id="p{int(p.n)}">', "</span>"))
            last_end = p.end
    return spans


def _link(start: int, end: int, kind: str, href: str, title: str) -> Span:
    return Span(
        start, end, f'<a class="entity {kind}" href="{escape(href)}" title="{escape(title)}">', "</a>"
    )


def entity_spans(article: Article, link: Callable[[str, str], str]) -> list[Span]:
    """Links on every mention of a person, place or date; ``link(kind, value)`` builds the search URL."""
    spans = []
    for person in article.persons:
        href = link("person", person.key)
        spans += [_link(m.start, m.end, "person", href, f"Person: {person.name}") for m in person.mentions]
    for place in article.places:
        href = link("place", place.key)
        where = f"Place: {place.name}" + (
            f", {place.country}" if place.country and place.country != place.name else ""
        )
        spans += [_link(m.start, m.end, "place", href, where) for m in place.mentions]
    for date in article.dates:
        spans.append(_link(date.start, date.end, "date", link("date", date.value), f"Date: {date.value}"))
    return spans


def mark_spans(ranges: Iterable[tuple[int, int]]) -> list[Span]:
    return [Span(start, end, "<mark>", "</mark>") for start, end in ranges]


def article_body(
    article: Article, link: Callable[[str, str], str], marks: Iterable[tuple[int, int]]
) -> Markup:
    """The article's text with passages, entity links and marks. A mark inside a mention nests in its link;
    one that reaches past a mention ("Putin's" around the person "Putin") wraps the link, so a word is one
    ``<mark>`` either way."""
    entities = entity_spans(article, link)
    inside, around = [], []
    for mark in mark_spans(marks):
        within = any(e.start <= mark.start and mark.end <= e.end for e in entities)
        (inside if within else around).append(mark)
    return render_layers(article.text, [passage_spans(article), around, entities, inside])
