"""Entity extraction for the import pipeline: persons, places and dates of cleaned articles.

NER runs once per article over the text, then the captions, then the title when it reads as a
sentence (a Title Cased headline makes the small model call most capitalised words a name, so it is
left out). Mentions index into ``Article.text``; a person or place found only in the captions or
the title is kept, without mentions. Dates come from the text alone.
"""

from __future__ import annotations

import re

from archive.entities import ner
from archive.entities.dates import dates_in
from archive.entities.folding import fold
from archive.entities.gazetteer import gazetteer
from archive.entities.language import detect as detect_language
from archive.entities.names_data import THING_WORDS
from archive.entities.persons import confirmed_people, fold_name, is_given_name, person_groups, person_key
from archive.entities.places import PLAIN_CITY_POPULATION, country_of, places_in, resolve_place
from archive.languages import analysed_as
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
#: ... or of this size when a preposition of place comes before it ("in Grozny").
_AFTER_PLACE_WORD = re.compile(r"(?<![\w-])(?:in|from|to|near|outside|into|around|at)\s+$")
#: A PERSON of several words that opens or ends with a city this big, and does not open with a given
#: name, is a club or a firm named after the city ("Manchester United", "Ajax Amsterdam").
CLUB_CITY_POPULATION = 100_000


def _relabel(text: str, ent: ner.Entity) -> ner.Entity:
    """A PERSON that is a place becomes a place ("Belarus", "Rotterdam", "Sri Lanka", "Grozny"), one
    named after a place an organisation ("Manchester United", "Legia Warsaw")."""
    if ent.label != "PERSON":
        return ent
    words = [fold(w) for w in text[ent.start : ent.end].split()]
    words = [w for w in words if w]
    if not words:
        return ent
    g = gazetteer()
    whole = " ".join(words)
    if len(words) == 1:
        city = g.city(whole, primary_only=True)
        big = (
            PLAIN_CITY_POPULATION
            if _AFTER_PLACE_WORD.search(text, max(0, ent.start - 12), ent.start)
            else PERSON_CITY_POPULATION
        )
        if g.country(whole) or (city and city.population >= big):
            return ent._replace(label="GPE")
        return ent
    if words[-1] in THING_WORDS:
        return ent._replace(label="ORG")
    if is_given_name(words[0]):
        return ent
    if g.country(whole) or whole in g.states or g.city(whole, primary_only=True):
        return ent._replace(label="GPE")
    for word in (words[0], words[-1]):
        city = g.city(word, primary_only=True)
        if g.country(word) or (city and city.population >= CLUB_CITY_POPULATION):
            return ent._replace(label="ORG")
    return ent


#: A text the language detector reads as English: detecting it loads the detector's model.
_WARM_UP_TEXT = "The minister said on Monday that talks would resume in Brussels."


def warm_up() -> None:
    """Load the NER model, the gazetteer, the given names and the language detector now (a few
    seconds), e.g. before forking workers.

    Called in a parent process before it forks its workers, the loaded data is shared with them
    instead of being loaded again by each (about 2 s of CPU per worker).
    """
    ner.load()
    gazetteer()
    is_given_name("john")  # gender-guesser's 45,000 names
    detect_language(_WARM_UP_TEXT)


def extract(articles: list[Article], confirmed: frozenset[str] = frozenset()) -> None:
    """Fill ``persons``, ``places`` and ``dates`` of each article, reading all of them in one NER pass.

    A surname alone is a person when the article gives evidence (a title, a full name) or when a
    person of that surname is named in full in another article of the batch or in ``confirmed``.

    :param articles: cleaned articles (``text``, ``captions``, ``title``, ``published`` set); they
        are changed in place.
    :param confirmed: surname skeletons of people the archive already knows by their full name.
    """
    if any(analysed_as(a.language) != "en" for a in articles):  # issue 12: no English model on them
        from archive.entities import ner_slavic

        ner_slavic.extract([a for a in articles if analysed_as(a.language) != "en"], confirmed)
        articles = [a for a in articles if analysed_as(a.language) == "en"]
    inputs = [_ner_input(a) for a in articles]
    pending = []
    for article, doc_text, ents in zip(articles, inputs, ner.entities(inputs), strict=True):
        pending.append((article, fill(article, doc_text, ents)))
    batch = set(confirmed) | {g.surname for _, groups in pending for g in groups if g.given}
    for article, groups in pending:
        article.persons = confirmed_people(groups, batch)


def fill(article: Article, doc_text: str, ents: list[ner.Entity]) -> list:
    """Set an article's places and dates from the NER entities of its NER input; return its person
    groups (see :func:`~archive.entities.persons.person_groups`), which :func:`extract` confirms."""
    size = len(article.text)
    ents = [_relabel(doc_text, e) for e in ents]
    inside = [e for e in ents if e.end <= size]
    outside = [(e.label, doc_text[e.start : e.end]) for e in ents if e.start > size]
    groups = person_groups(
        article.text,
        [(e.start, e.end) for e in inside if e.label == "PERSON"],
        [name for label, name in outside if label == "PERSON"],
        [(e.start, e.end) for e in inside if e.label != "PERSON"],
    )
    article.persons = confirmed_people(groups)
    person_words = frozenset(w for g in groups if g.given for n in g.names for w in fold(n).split())
    article.places = places_in(
        article.text, inside, [(label, t) for label, t in outside if label != "PERSON"], person_words
    )
    article.dates = dates_in(article.text, article.published)
    return groups
