"""Normal-mode analysis: every form of a word is an index term, so no spelling of it is missed.

One token of text gives one or more index terms, all at the token's position (so phrases still match
through any of them):

- the folded, stemmed word: ``Dollars`` -> ``dollar``;
- a compound's parts beside the whole: ``covid-19`` -> ``covid-19``, ``covid``, ``19``; ``al-Assad`` ->
  ``al-assad``, ``al``, ``assad``; ``O'Rourke`` -> ``o'rourk``, ``rourk`` (one-letter parts and
  contraction endings are not words);
- a possessive as its owner: ``Reagan's`` -> ``reagan``;
- dotted initials as one word: ``U.S.`` -> ``us``;
- a word in capitals (2-6 characters) also as an acronym term, ``^us``, that lower-case text never
  produces: a query in capitals (``US``, ``IT``, ``WHO``) then finds the acronym, not the pronoun.

No word is a stop word: measured on Reuters, keeping them costs little index space and lets a phrase
match only the words it says (``"stock exchange"`` never matches "stock in exchange").

Other languages, by the word's script, so one analyzer serves every article and every query:

- Cyrillic (Russian, Ukrainian, Belarusian): Ukrainian and Belarusian letters folded to the Russian ones
  (Лукашэнка -> лукашенка, Мінск -> минск), then Whoosh's Russian Snowball stemmer (Москве, Москвы ->
  москв); a word simplemma knows as Ukrainian also gets the stem of its lemma (Києві -> Київ -> киив);
  a capitalised word (a name, as far as the analysis can tell) also gets its folded self and its stems
  without a case ending (:func:`name_stems`: Земана, Земаном -> земан), which a query typed in lower case
  gets too; one ending in -ов/-ев is not Snowball-stemmed (Иванов stays иванов, not Иван's иван);
- Latin with a Polish letter (ą ć ę ł ń ś ź ż): no English stem (``Łukaszence`` is not "Łukasz");
- a Latin word also gets its Polish terms, marked ``=`` (:func:`polish_forms`: morfeusz2's lemmas,
  Snowball's Polish stem of a name): Warszawie -> ``=warszawa``, Bidena -> ``=biden``. The mark keeps
  them apart from English stems; a search uses them only when the archive holds Polish articles.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

from whoosh.analysis import STOP_WORDS, Filter, RegexTokenizer
from whoosh.lang.porter import stem
from whoosh.lang.snowball.russian import RussianStemmer
from whoosh.lang.stopwords import stoplists
from whoosh.support.charset import accent_map

#: Words: letters and digits, with inner apostrophes, dots or hyphens kept ("U.S", "o'neill", "covid-19").
#: Combining marks (U+0300-U+036F) go with their letter: a stress mark (Кадырба́ев) or an accent in
#: decomposed text (Jose\u0301) does not cut a word in two; folding drops them.
WORD_PATTERN = r"\w[\w\u0300-\u036f]*(?:[.'’\-]\w[\w\u0300-\u036f]*)*"
#: Marks an acronym term; the tokenizer's words never contain it, so ``^us`` never meets "us".
ACRONYM_MARK = "^"
#: A word in capitals this long at most is read as an acronym too (NASDAQ, UNESCO); longer ones are
#: shouted words.
ACRONYM_MAX_CHARS = 6
#: Endings after an apostrophe that are contractions, not words ("we'll", "they're", "I've").
CONTRACTIONS = frozenset({"ll", "re", "ve"})
#: English function words and their stems. A query word in capitals that folds to one of these (US, IT,
#: WHO, AM; WA, the stem of "was") means only the acronym; any other (NATO, OPEC) also finds the word
#: in lower case ("Nato").
FUNCTION_WORDS = frozenset(STOP_WORDS) | frozenset(stoplists["en"])
FUNCTION_TERMS = FUNCTION_WORDS | frozenset(stem(w) for w in FUNCTION_WORDS)
#: Changes whenever an index term of some word changes: an index built with another version needs
#: ``archive reindex`` (searches say so).
ANALYSIS_VERSION = 4
#: Distinct words whose forms are remembered: analysis runs per token at import and per word in snippets.
FORMS_CACHE = 1 << 18

#: Marks a Polish lemma term; the tokenizer's words never contain it, so it never meets an English stem.
LEMMA_MARK = "="
#: Letters that only Polish writes among the archive's Latin-script languages.
POLISH_LETTERS = frozenset("ąćęłńśźż")
#: Ukrainian and Belarusian letters (and ё) as the Russian stemmer knows them: one stem for the
#: spellings of a name in the three languages (Лукашенко, Лукашэнка; Минск, Мінск). Belarusian ў is
#: в, as in its case forms and in Russian (Лаўроў, Лаўровым, Лавров; аўтобус, автобус).
CYRILLIC_FOLD = str.maketrans("ёіїєґўэ", "еииегве")
#: Case endings of nouns, names and adjectives in Russian, Ukrainian and Belarusian, folded
#: (:data:`CYRILLIC_FOLD`), from their declension tables: what :func:`name_stems` cuts off a name. Not
#: the suffixes that make surnames (-ов, -ев, -ин, -ів: Лавров is not Лавр) nor Snowball's verb endings
#: (it cuts Земана to "зема" but Земаном to "земан").
CASE_ENDINGS = frozenset(
    "а я у ю е и ы о ь й "  # one letter: Москва, Андрея, Путину, Мінску, Москве, Беларусі, Беларусь
    "ом ем ам ям ой ей ай ою ею ах ях ым им ых их "  # Путиным, Лукашэнкам, Москвой, Україною, Украінай
    "ами ями ими ыми ови еви "  # plural instrumental; Ukrainian dative Путінові, Тюленеві
    "ий ый ая ую ого его ому ему ои ага аму".split()  # adjectival: Зеленського, Тернової, Зяленскаму
)
CASE_ENDING_MAX = max(map(len, CASE_ENDINGS))
#: A Russian surname's own ending in the nominative, which Snowball cuts as a genitive plural (Иванов
#: -> иван, Лавров -> лавр): a capitalised word ending so keeps it, and Иван no longer finds Иванов.
SURNAME_SUFFIXES = ("ов", "ев")
#: The shortest stem a name is cut to: shorter ones (Ол of Оля) would meet too many other words.
MIN_NAME_STEM = 3
#: Ukrainian consonants that turn into these before the dative/locative -і (Петриківка, Петриківці;
#: Ольга, Ользі; Солоха, Солосі): the stem of such a form also gets its unchanged consonant.
UKRAINIAN_ALTERNATION = {"ц": "к", "з": "г", "с": "х"}
VOWELS = frozenset("аеиоуыюяэ")
#: A name's last syllable whose vowel its other cases drop (Смилянец, Смилянца; Кавалёнак, Кавалёнка
#: is Belarusian -ак, left out: Пазняк, Пазняка keep theirs): the nominative also gets the stem without it.
FLEETING = frozenset({"ец", "ок", "ек"})
#: simplemma's dictionaries whose lemmas a Cyrillic word also gets (it has no Belarusian). Russian's
#: loads in 3.3 s and added 0.014 to NEREL's case forms found: Snowball serves Russian.
CYRILLIC_LEMMAS = ("uk",)
#: morfeusz2's tag of a word its dictionary does not know.
UNKNOWN_TAG = "ign"

_SPLIT = re.compile(r"[-'.]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_POSSESSIVE = re.compile(r"['’][sS]$")
_COMBINING = re.compile("[\u0300-\u036f]")


def fold(text: str) -> str:
    """Lower case, diacritics folded, typographic apostrophes made plain (Cyrillic: see
    :data:`CYRILLIC_FOLD`; its й stays)."""
    text = _unmarked(text)
    if _CYRILLIC.search(text):
        return _cyrillic_fold(text).replace("’", "'")
    return text.lower().translate(accent_map).replace("’", "'")


@lru_cache(maxsize=1)
def _russian() -> RussianStemmer:
    return RussianStemmer()


#: morfeusz2's analyser and Snowball's stemmers keep state between calls: one thread at a time.
_POLISH_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _morfeusz():
    import morfeusz2  # its dictionary loads in ~0.25 s: only where a Polish lemma is asked for

    return morfeusz2.Morfeusz(generate=False, expand_tags=False)


@lru_cache(maxsize=1)
def _polish_stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("polish")


def polish_forms(word: str) -> list[str]:
    """A Latin word's Polish terms, marked: morfeusz2's lemmas (Warszawie -> ``=warszawa``; Kijowie ->
    ``=kijow`` among others), and for a capitalised word also Snowball's Polish stems of it and of its
    lemmas, since names are what the dictionary misses (Bidena -> ``=biden``; Łukaszenka and
    Łukaszence, lemma Łukaszenko -> ``=lukaszenk``)."""
    with _POLISH_LOCK:
        lemmas = {
            lemma.split(":")[0]
            for _, _, (_, lemma, tag, *_) in _morfeusz().analyse(word)
            if tag != UNKNOWN_TAG
        }
        stems = set()
        if word[:1].isupper():  # the word's stem and its lemmas' (Łukaszence -> Łukaszenko -> łukaszenk)
            stems = {_polish_stemmer().stemWord(w.lower()) for w in (word, *lemmas)}
    return sorted({LEMMA_MARK + fold(f) for f in lemmas | stems})


def _identity(segment: str) -> str:
    return segment


def _russian_stem(segment: str) -> str:
    return _russian().stem(segment.translate(CYRILLIC_FOLD))


def stemmer_for(word: str):
    """The stemmer of a word's folded segments, by the word as written: Russian Snowball for Cyrillic,
    none for a word with a Polish letter (folding drops the letter), Porter for the rest."""
    if _CYRILLIC.search(word):
        if word[:1].isupper() and _cyrillic_fold(word).endswith(SURNAME_SUFFIXES) and len(word) > 4:
            return _identity  # Иванов: Snowball's "иван" would be Иван's term
        return _russian_stem
    if not POLISH_LETTERS.isdisjoint(word.lower()):
        return _identity
    return stem


def _unmarked(text: str) -> str:
    """``text`` without combining marks: composed first, so й and é stay letters, then the marks that
    compose with nothing (a Cyrillic stress mark) dropped."""
    if not _COMBINING.search(text):
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFC", text))


def _cyrillic_fold(word: str) -> str:
    """Lower case, ё and the Ukrainian/Belarusian letters as Russian ones; й kept (the stemmer needs it)."""
    return _unmarked(word).lower().translate(CYRILLIC_FOLD)


def name_stems(word: str) -> list[str]:
    """A Cyrillic name's stems: the word without its longest case ending (:data:`CASE_ENDINGS`),
    so every case form of a name meets the others where Snowball's stems part (Земана "зема",
    Земаном "земан"; Андрей "андр", Андрея "андре"). A stem ending in a vowel may have lost a soft
    ending's й (Андрей, Китая): it also gets the stem without only the last letter; a Ukrainian -і
    after ц, з, с also the stem with к, г, х (Петриківці -> петриківк)."""
    folded = _cyrillic_fold(word)
    stems = []
    for size in range(min(CASE_ENDING_MAX, len(folded) - MIN_NAME_STEM), 0, -1):
        if folded[-size:] in CASE_ENDINGS:
            stems.append(folded[:-size])
            break
    else:
        if folded[-2:] in FLEETING and folded[-3:-2] not in VOWELS and len(folded) > MIN_NAME_STEM + 1:
            return [folded, folded[:-2] + folded[-1]]  # Смилянец: Смилянца -> смилянц
        return [folded]
    if len(folded) > MIN_NAME_STEM + 1 and folded[-2] in VOWELS and folded[-1] in "йяюеи":
        stems.append(folded[:-1])  # Андрей -> андре, Китая -> кита, Сальомеї -> сальоме
    if word.lower().endswith("і") and stems[0][-1:] in UKRAINIAN_ALTERNATION:
        stems.append(stems[0][:-1] + UKRAINIAN_ALTERNATION[stems[0][-1]])
    return list(dict.fromkeys(stems))


def _last_stem(word: str, last: str, stem) -> str:
    """The stem of a compound's or a dotted word's last part (folded ``last``): a Cyrillic name's is
    its name stem, so Тель-Авив meets Тель-Авиве and О.Умала meets О.Умалы."""
    written = _SPLIT.split(word)[-1]
    if _CYRILLIC.search(written) and written[:1].isupper() and len(written) > 1:
        return name_stems(written)[0]
    return stem(last)


def language_forms(word: str) -> list[str]:
    """The terms a simple word (no inner punctuation) gets from its language's dictionary: the stem of
    its Ukrainian lemma, or its Polish lemmas (marked)."""
    if _CYRILLIC.search(word):
        import simplemma  # its Ukrainian dictionary loads in ~1.3 s: only when a Cyrillic word comes

        forms = []
        if word[:1].isupper():
            # a name's nominative as written: Snowball cuts endings that are a name's own letters
            # (Лавров -> лавр, Дилан -> дила), while its other cases keep them (Лаврова, Дилану -> лавров, дилан)
            forms.append(_cyrillic_fold(word))
            forms.extend(name_stems(word))
        for language in CYRILLIC_LEMMAS:
            lemma = simplemma.lemmatize(word, lang=language)
            if lemma.lower() != word.lower():
                forms.append(_russian_stem(_cyrillic_fold(lemma)))
        return forms
    # English function words (the, and, to) are Polish words too, and searched by no one as such
    return polish_forms(word) if word.isalpha() and word.lower() not in FUNCTION_WORDS else []


def is_acronym(word: str) -> bool:
    """A word in capitals (digits allowed, dots between single letters allowed): ``US``, ``U.S``, ``G7``."""
    letters = word.replace(".", "")
    return (
        2 <= len(letters) <= ACRONYM_MAX_CHARS
        and letters.isalnum()
        and letters.isupper()
        and ("." not in word or is_initials(word))
    )


def is_initials(word: str) -> bool:
    """Single letters joined by dots, as the tokenizer cuts them ("U.S" of "U.S.")."""
    parts = word.split(".")
    return len(parts) > 1 and all(len(p) == 1 and p.isalpha() for p in parts)


def acronym_term(word: str) -> str:
    return ACRONYM_MARK + fold(word.replace(".", ""))


@lru_cache(maxsize=FORMS_CACHE)
def word_forms(word: str, polish: bool = True) -> tuple[str, ...]:
    """The index terms of one token, its main form first.

    :param polish: with the word's Polish lemmas (:func:`language_forms`); an archive without Polish
        articles has none to meet.
    """
    if _POSSESSIVE.search(word) and len(word) > 3:
        return word_forms(word[:-2], polish)
    folded = fold(word)
    stem = stemmer_for(word)
    if "-" in word and not folded.replace("-", "").replace(".", "").isdigit():
        # a compound: the whole, then every form of each part ("Sino-U.S" -> ..., us, ^us)
        last = _SPLIT.split(folded)[-1]
        forms = [folded[: len(folded) - len(last)] + _last_stem(word, last, stem)]
        for part in word.split("-"):
            if len(part) > 1:
                forms.extend(word_forms(part, polish))
    elif is_initials(word):
        forms = [folded.replace(".", "")]
    else:
        segments = [s for s in _SPLIT.split(folded) if s]
        if len(segments) <= 1:
            forms = [stem(folded)]
            if polish or stem is _russian_stem:
                forms.extend(language_forms(word))
        elif all(s.isdigit() for s in segments):  # 5.93, 1-2: a number as written
            forms = [folded]
        else:
            forms = [folded[: len(folded) - len(segments[-1])] + _last_stem(word, segments[-1], stem)]
            after_apostrophe = {m.end() for m in re.finditer("'", folded)}
            position = 0
            for segment in segments:
                start = folded.index(segment, position)
                position = start + len(segment)
                if len(segment) < 2 or (start in after_apostrophe and segment in CONTRACTIONS):
                    continue
                forms.append(stem(segment))
    if is_acronym(word):
        forms.append(acronym_term(word))
    return tuple(dict.fromkeys(forms))


def main_form(word: str) -> str:
    """A token's main index term (the first of :func:`word_forms`), without a dictionary lookup."""
    folded = fold(word)
    if (
        "-" in word
        or is_initials(word)
        or _POSSESSIVE.search(word)
        or len([x for x in _SPLIT.split(folded) if x]) > 1
    ):
        return word_forms(word, polish=False)[0]
    return stemmer_for(word)(folded)


def query_forms(word: str, polish: bool = True) -> tuple[tuple[str, ...], list[str]]:
    """How a typed word searches: the terms any of which it matches, and a compound's parts.

    A word in capitals matches its acronym term (and the word itself unless it is a function word);
    a compound also matches its parts as a phrase (``covid-19`` finds "covid 19"); a simple word also
    matches its lemmas' terms (Києві finds Києва, Warszawa finds Warszawie).

    :param polish: with Polish lemmas (the archive holds Polish articles).
    """
    forms = word_forms(word, polish)
    if is_acronym(word):
        acronym = acronym_term(word)
        main = forms[0]
        return ((acronym,) if main in FUNCTION_TERMS else (acronym, main)), []
    main = forms[0]
    if "-" not in word:
        simple = len([s for s in _SPLIT.split(word) if s]) <= 1
        lemmas = [f for f in forms[1:] if simple and not f.startswith(ACRONYM_MARK)]
        if simple and _CYRILLIC.search(word) and not word[:1].isupper():
            lemmas += name_stems(word)  # a name typed in lower case (путина) meets the name's stems
        return tuple(dict.fromkeys((main, *lemmas))), []
    parts = [main_form(p) for p in word.split("-") if len(p) > 1]
    return (main,), parts if len(parts) > 1 else []


class FormsFilter(Filter):
    """Replaces each token by its index forms (:func:`word_forms`), all at the token's position."""

    def __init__(self) -> None:
        self.version = ANALYSIS_VERSION  # pickled with the index's schema

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, tokens):
        for t in tokens:
            word = t.text
            for form in word_forms(word):
                t.text = form
                yield t


def is_current(schema) -> bool:
    """Whether an index's schema analyses its text as this version does."""
    analyzer = schema["body"].analyzer if "body" in schema else None
    return any(getattr(f, "version", None) == ANALYSIS_VERSION for f in getattr(analyzer, "items", ()))


def analyzer():
    """The normal-mode analyzer of the text fields."""
    return RegexTokenizer(WORD_PATTERN) | FormsFilter()
