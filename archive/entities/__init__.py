"""Entity extraction for the import pipeline: persons, places and dates of cleaned articles.

NER runs once per article over the text, then the captions, then the title when it reads as a
sentence (a Title Cased headline makes the small model call most capitalised words a name, so it is
left out). Mentions index into ``Article.text``; a person or place found only in the captions or
the title is kept, without mentions. Dates come from the text alone.
"""

from __future__ import annotations

from archive.entities import ner
from archive.entities.dates import dates_in
from archive.entities.folding import fold
from archive.entities.gazetteer import gazetteer
from archive.entities.persons import fold_name, person_key, persons_in
from archive.entities.places import country_of, places_in, resolve_place
from archive.models import Article

__all__ = ["extract", "warm_up", "person_key", "fold_name", "resolve_place", "country_of"]

#: Separates the parts of one NER input: a paragraph break, so no entity spans two parts.
PART_BREAK = "\n\n"
#: A title reads as Title Case, and is left out of NER, when at least this share of its longer
#: words is capitalised.
TITLE_CASE_SHARE = 0.6
#: Words shorter than this are left out of the Title Case test ("of", "the", "in" stay lowercase).
TITLE_CASE_MIN_WORD = 4


def _is_title_case(title: str) -> bool:
    words = [w for w in title.split() if len(w) >= TITLE_CASE_MIN_WORD and w[0].isalpha()]
    return bool(words) and sum(w[0].isupper() for w in words) >= TITLE_CASE_SHARE * len(words)


def _ner_input(article: Article) -> str:
    parts = [article.captions]
    if article.title and not _is_title_case(article.title):
        parts.append(article.title)
    return PART_BREAK.join([article.text, *filter(None, parts)])  # the text first, even empty: offsets


#: A one-word PERSON that is the main name of a city this big is read as the city ("Rotterdam").
PERSON_CITY_POPULATION = 500_000


def _relabel(text: str, ent: ner.Entity) -> ner.Entity:
    """A one-word PERSON that is a country, demonym or big city becomes a place ("Belarus", "Rotterdam")."""
    name = text[ent.start : ent.end]
    if ent.label != "PERSON" or " " in name.strip():
        return ent
    g = gazetteer()
    folded = fold(name)
    city = g.city(folded, primary_only=True)
    if g.country(folded) or (city and city.population >= PERSON_CITY_POPULATION):
        return ent._replace(label="GPE")
    return ent


def warm_up() -> None:
    """Load the NER model and build the gazetteer now (a few seconds), e.g. in a pool initializer.

    Called in a parent process before it forks its workers, the loaded data is shared with them.
    """
    ner.load()
    gazetteer()


def extract(articles: list[Article]) -> None:
    """Fill ``persons``, ``places`` and ``dates`` of each article, reading all of them in one NER pass.

    :param articles: cleaned articles (``text``, ``captions``, ``title``, ``published`` set); they
        are changed in place.
    """
    inputs = [_ner_input(a) for a in articles]
    for article, doc_text, ents in zip(articles, inputs, ner.entities(inputs), strict=True):
        fill(article, doc_text, ents)


def fill(article: Article, doc_text: str, ents: list[ner.Entity]) -> None:
    """Set an article's persons, places and dates from the NER entities of its NER input."""
    size = len(article.text)
    ents = [_relabel(doc_text, e) for e in ents]
    inside = [e for e in ents if e.end <= size]
    outside = [(e.label, doc_text[e.start : e.end]) for e in ents if e.start > size]
    article.persons = persons_in(
        article.text,
        [(e.start, e.end) for e in inside if e.label == "PERSON"],
        [name for label, name in outside if label == "PERSON"],
        [(e.start, e.end) for e in inside if e.label != "PERSON"],
    )
    article.places = places_in(
        article.text, inside, [(label, t) for label, t in outside if label != "PERSON"]
    )
    article.dates = dates_in(article.text, article.published)
