"""An HTML page to its article: main text by agreement of extractors, metadata from JSON-LD, OpenGraph, meta.

The main text comes from trafilatura (the best single extractor, DESIGN 5), checked against two extractors
built on other ideas: readability-lxml (the densest block of the page) and jusText (paragraph by paragraph,
stop-word density). When readability and trafilatura disagree, jusText's text decides which of the two is
the article; the chosen text then loses leading and trailing paragraphs that readability does not hold
(teasers, "related" boxes, sign-up blurbs sit at the edges). The few tunable choices are in ``TUNING``,
chosen by cross-validation in ``benchmarks/extraction.py``, never fitted page by page.

Publishers' own structured metadata (JSON-LD, OpenGraph) is more reliable than trafilatura's guesses, so it
is read first with BeautifulSoup and trafilatura's metadata only fills the gaps. The publication date is the
*original* one: htmldate otherwise prefers the last-modified date.
"""

from __future__ import annotations

import json
import re
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import justext
import lxml.etree
import lxml.html
import pycountry
import trafilatura
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag, XMLParsedAsHTMLWarning
from htmldate import find_date
from readability import Document

from .clean import clean_date, clean_text
from .errors import ReadError


@dataclass(frozen=True)
class Tuning:
    """The tunable choices of main-text extraction (``benchmarks/extraction.py`` cross-validates them).

    :param mode: trafilatura's ``precision``, ``balanced`` or ``recall`` mode.
    :param switch_margin: take readability's text instead of trafilatura's when jusText agrees with it by
        more than this much (shingle Dice similarity, 0-1); ``None`` never switches.
    :param edge_support: drop leading/trailing paragraphs of which readability holds less than this share
        of 3-word shingles; ``None`` keeps them.
    """

    mode: str = "precision"
    switch_margin: float | None = None
    edge_support: float | None = None

    def __str__(self) -> str:
        return f"mode={self.mode} switch={self.switch_margin} edges={self.edge_support}"


#: Each value is the one most of the 5 cross-validation folds chose (benchmarks/extraction.py): precision
#: mode 5 of 5, switch margin 0.05 3 of 5 (0.1 the others), edge support 0.5 4 of 5.
TUNING = Tuning(mode="precision", switch_margin=0.05, edge_support=0.5)
TRAFILATURA_MODES = {
    "precision": {"favor_precision": True},
    "balanced": {},
    "recall": {"favor_recall": True},
}
# Comments are not the article. Tables inside the article are kept: standings, results and prices are
# content; their Markdown furniture is removed below.
TRAFILATURA_OPTIONS: dict[str, Any] = {"include_comments": False, "include_tables": True}
# Texts are compared as sets of word n-grams: 4 for whole texts (the benchmark's own unit), 3 for a
# paragraph against a text (short paragraphs still have a few).
TEXT_SHINGLE = 4
PARAGRAPH_SHINGLE = 3
WORD = re.compile(r"\w+")
# Elements that start a new paragraph in readability's output.
BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption footer h1 h2 h3 h4 h5 h6 header li "
    "main ol p pre section table td th tr ul".split()
)
# trafilatura writes a table row as "| a | b |" and a header rule as "|---|---|": rows become plain lines
# with cells separated by " | ", rules are dropped.
TABLE_RULE = re.compile(r"^\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$")
TABLE_ROW_EDGES = re.compile(r"^\|\s*|\s*\|$")

# JSON-LD types that describe the article itself (schema.org Article and its news subtypes).
ARTICLE_TYPES = {
    "Article",
    "NewsArticle",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "BackgroundNewsArticle",
    "ReviewNewsArticle",
    "BlogPosting",
    "LiveBlogPosting",
    "Report",
    "WebPage",
}

# <meta> names and properties, best first. Publication date tags name the *first* publication; the
# modified-date tags are left out on purpose.
META_PUBLISHED = [
    "article:published_time",
    "og:article:published_time",
    "datePublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "article.published",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "citation_publication_date",
    "date",
]
META_AUTHOR = ["author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "byl"]
META_TITLE = ["og:title", "twitter:title", "parsely-title", "dc.title"]
META_SOURCE = ["og:site_name", "application-name", "publisher"]
META_LANGUAGE = ["content-language", "dc.language", "language", "og:locale"]
META_URL = ["og:url", "parsely-link"]

# Elements whose text is a caption: <figcaption>, and WordPress/CMS caption blocks (class "caption",
# "wp-caption-text", "image-caption", ...). Their text goes to ``captions``, never into ``text``.
CAPTION_CLASS = re.compile(r"(?:^|[-_])caption(?:[-_]text)?$", re.IGNORECASE)

# A byline value that is a profile link, not a name.
URL_LIKE = re.compile(r"^(?:https?:)?//|^www\.", re.IGNORECASE)
BYLINE_PREFIX = re.compile(r"^\s*by\s+", re.IGNORECASE)
LANGUAGE_CODE = re.compile(r"^([a-zA-Z]{2,3})(?:[-_].*)?$")


def extract_page(html: str, url: str | None = None, *, tuning: Tuning = TUNING) -> dict[str, Any]:
    """Read an article page: its main text, captions and metadata.

    :param html: the decoded page.
    :param url: where the page came from, used when the page names no canonical address.
    :return: ``text``, ``title``, ``author`` (list), ``published`` (ISO date of first publication),
        ``url``, ``source``, ``language`` and ``captions``; missing values are ``None`` (``[]``/``""``).
    :raise ReadError: when no main text can be found.
    """
    if not html or not html.strip():
        raise ReadError("empty HTML page")
    soup = _parse(html)
    meta = _meta_tags(soup)
    ld = _json_ld_article(soup)
    captions = _captions(soup)
    doc = trafilatura_doc(html, url, tuning.mode)
    title = _first(_ld_str(ld, "headline"), _ld_str(ld, "name"), _meta(meta, META_TITLE), _attr(doc, "title"))
    language = _language(soup, ld, meta) or _attr(doc, "language")
    raw = choose_text(
        _attr(doc, "text") or "", readability_text(html), lambda: justext_text(html, language), tuning
    )
    text = tidy_text(raw, captions, title)
    if not text:
        raise ReadError("no main text found in the HTML page")
    return {
        "text": text,
        "title": title,
        "author": _authors(ld, meta) or _split_authors(_attr(doc, "author")),
        "published": _published(ld, meta, html),
        "url": _first(_canonical(soup), _ld_str(ld, "url"), _meta(meta, META_URL), url, _attr(doc, "url")),
        "source": _first(_ld_publisher(ld), _meta(meta, META_SOURCE), _attr(doc, "sitename")),
        "language": language,
        "captions": "\n\n".join(captions),
    }


def _parse(html: str) -> BeautifulSoup:
    # Pages that start with an XML declaration (XHTML) are still read as HTML, deliberately; a page
    # that is only a URL-looking string is still a (useless) page, not a locator.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(html, "lxml")


def trafilatura_doc(html: str, url: str | None = None, mode: str = TUNING.mode) -> Any:
    """trafilatura's reading of the page (main text and metadata) in one of ``TRAFILATURA_MODES``."""
    try:
        return trafilatura.bare_extraction(
            html, url=url, with_metadata=True, **TRAFILATURA_OPTIONS, **TRAFILATURA_MODES[mode]
        )
    except Exception as exc:  # noqa: BLE001 - trafilatura/lxml raise many types on broken markup
        raise ReadError(f"HTML page could not be parsed: {exc}") from None


def readability_text(html: str) -> str:
    """readability-lxml's article block as plain text, one paragraph a line; ``""`` if it finds none."""
    try:
        tree = lxml.html.fromstring(Document(html).summary(html_partial=True))
    except Exception:  # noqa: BLE001 - a second opinion only: broken markup means no opinion
        return ""
    lines: list[str] = []
    pieces: list[str] = []
    for event, el in lxml.etree.iterwalk(tree, events=("start", "end")):
        if el.tag in BLOCK_TAGS:
            lines.append(" ".join("".join(pieces).split()))
            pieces = []
        if event == "start" and isinstance(el.tag, str):
            pieces.append(el.text or "")
        elif event == "end" and el is not tree:
            pieces.append(el.tail or "")
    lines.append(" ".join("".join(pieces).split()))
    return "\n".join(line for line in lines if line)


def justext_text(html: str, language: str | None) -> str:
    """jusText's good paragraphs, one a line, with the stop words of the page's language when it has them."""
    name = _language_name(language)
    if name in justext.get_stoplists():
        stoplist, options = justext.get_stoplist(name), {}
    else:  # jusText's language-independent mode
        stoplist, options = frozenset(), {"stopwords_low": 0, "stopwords_high": 0}
    try:
        paragraphs = justext.justext(html.encode("utf-8", "replace"), stoplist, encoding="utf-8", **options)
    except Exception:  # noqa: BLE001 - a judge only: broken markup means no opinion
        return ""
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def _language_name(code: str | None) -> str | None:
    found = pycountry.languages.get(alpha_2=code) if code and len(code) == 2 else None
    return found.name if found else None


def choose_text(trafilatura_text: str, readability: str, judge: Callable[[], str], tuning: Tuning) -> str:
    """The main text the extractors agree on (see the module docstring); ``judge`` gives jusText's text.

    trafilatura's emptiness is final: its own fallbacks already tried readability and jusText.
    """
    if not trafilatura_text or not readability:
        return trafilatura_text
    text = trafilatura_text
    margin = tuning.switch_margin
    if margin is not None:
        ours, theirs = _shingles(trafilatura_text), _shingles(readability)
        # The judge's two similarities cannot differ by more than the texts themselves do, roughly:
        # when trafilatura and readability nearly agree, jusText is not asked.
        if 1 - _dice(ours, theirs) > margin:
            judged = _shingles(judge())
            if _dice(theirs, judged) > _dice(ours, judged) + margin:
                text = readability
    if tuning.edge_support is not None:
        text = _trim_edges(text, readability, tuning.edge_support)
    return text


def _trim_edges(text: str, reference: str, support: float) -> str:
    """``text`` without its leading and trailing paragraphs that ``reference`` does not hold."""
    held = set(_shingles(reference, PARAGRAPH_SHINGLE))
    paragraphs = [p for p in text.split("\n") if p.strip()]

    def supported(paragraph: str) -> bool:
        own = set(_shingles(paragraph, PARAGRAPH_SHINGLE))
        return bool(own) and len(own & held) >= support * len(own)

    keep = [i for i, p in enumerate(paragraphs) if supported(p)]
    return "\n".join(paragraphs[keep[0] : keep[-1] + 1]) if keep else text


def _shingles(text: str, n: int = TEXT_SHINGLE) -> Counter[tuple[str, ...]]:
    """The multiset of ``n``-word shingles of ``text`` (case-folded); a shorter text is one shingle."""
    words = WORD.findall(text.casefold())
    if len(words) < n:
        return Counter([tuple(words)] if words else [])
    return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def _dice(a: Counter, b: Counter) -> float:
    total = sum(a.values()) + sum(b.values())
    return 2 * sum((a & b).values()) / total if total else 0.0


def tidy_text(raw: str | None, captions: list[str], title: str | None) -> str:
    """The chosen text, a blank line between paragraphs; no captions, leading headline or table rules."""
    if not raw:
        return ""
    first, _, rest = raw.partition("\n")
    if title and rest.strip() and clean_text(first, unescape=False).casefold() == title.casefold():
        raw = rest
    # A caption block of several paragraphs (credit, text) shows up in an extractor's text line by line.
    captioned = {part.casefold() for c in captions for part in c.split("\n\n")}
    lines = [
        TABLE_ROW_EDGES.sub("", line.strip())
        for line in raw.split("\n")
        if not TABLE_RULE.match(line) and clean_text(line, unescape=False).casefold() not in captioned
    ]
    return clean_text("\n\n".join(lines), unescape=False)


def _meta_tags(soup: BeautifulSoup) -> dict[str, list[str]]:
    """Every <meta> value by lower-cased name/property/itemprop, in page order."""
    found: dict[str, list[str]] = {}
    for tag in soup.find_all("meta"):
        content = tag.get("content")
        if not isinstance(content, str) or not content.strip():
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = tag.get(attr)
            if isinstance(key, str) and key.strip():
                found.setdefault(key.strip().lower(), []).append(content.strip())
    return found


def _meta(meta: dict[str, list[str]], names: list[str]) -> str | None:
    for name in names:
        for value in meta.get(name.lower(), []):
            return value
    return None


def _json_ld_article(soup: BeautifulSoup) -> dict[str, Any]:
    """The first JSON-LD object describing an article (searching lists and ``@graph``), else ``{}``."""
    candidates: list[dict[str, Any]] = []
    for script in soup.find_all("script", type=re.compile(r"ld\+json", re.IGNORECASE)):
        try:
            data = json.loads(script.string or "", strict=False)
        except (ValueError, TypeError):
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])
                types = item.get("@type")
                types = set(types) if isinstance(types, list) else {types}
                if types & ARTICLE_TYPES:
                    candidates.append(item)
    # A page's WebPage object is a weaker match than its NewsArticle: prefer real article types.
    candidates.sort(key=lambda item: "WebPage" in str(item.get("@type")))
    return candidates[0] if candidates else {}


def _ld_str(ld: dict[str, Any], key: str) -> str | None:
    value = ld.get(key)
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        value = value.get("@id") or value.get("url") or value.get("name")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _ld_publisher(ld: dict[str, Any]) -> str | None:
    publisher = ld.get("publisher")
    if isinstance(publisher, list) and publisher:
        publisher = publisher[0]
    if isinstance(publisher, dict):
        publisher = publisher.get("name")
    return publisher.strip() if isinstance(publisher, str) and publisher.strip() else None


def _authors(ld: dict[str, Any], meta: dict[str, list[str]]) -> list[str]:
    names: list[str] = []
    value = ld.get("author")
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            item = item.get("name")
        if isinstance(item, str):
            names.extend(_split_authors(item))
    if not names:
        for name in META_AUTHOR:
            for item in meta.get(name, []):
                names.extend(_split_authors(item))
            if names:
                break
    return list(dict.fromkeys(names))


def _split_authors(value: str | None) -> list[str]:
    """Names in a byline string: "By A, B and C" -> [A, B, C]; profile URLs dropped."""
    if not value:
        return []
    value = BYLINE_PREFIX.sub("", clean_text(value))
    parts = re.split(r"\s*(?:[;|,]|\band\b|&)\s*", value)
    return [p.strip() for p in parts if p.strip() and not URL_LIKE.match(p.strip())]


def _published(ld: dict[str, Any], meta: dict[str, list[str]], html: str) -> str | None:
    """The first publication date the page declares, else htmldate's guess of the original date."""
    declared = [_ld_str(ld, "datePublished"), *[meta.get(name.lower(), [None])[0] for name in META_PUBLISHED]]
    for value in [*declared, _ld_str(ld, "dateCreated")]:
        iso = clean_date(value) if value else None
        if iso:
            return iso
    try:
        found = find_date(html, original_date=True, extensive_search=True)
    except Exception:  # noqa: BLE001 - htmldate fails in many ways on broken pages; no date is an answer
        return None
    return clean_date(found) if found else None


def _canonical(soup: BeautifulSoup) -> str | None:
    for link in soup.find_all("link", href=True):
        rel = link.get("rel") or []
        if "canonical" in [r.lower() for r in rel] and link["href"].strip().startswith("http"):
            return link["href"].strip()
    return None


def _language(soup: BeautifulSoup, ld: dict[str, Any], meta: dict[str, list[str]]) -> str | None:
    html_tag = soup.find("html")
    lang = html_tag.get("lang") if isinstance(html_tag, Tag) else None
    for value in (lang, _ld_str(ld, "inLanguage"), _meta(meta, META_LANGUAGE)):
        if isinstance(value, str):
            match = LANGUAGE_CODE.match(value.strip())
            if match:
                return match.group(1).lower()
    return None


def _captions(soup: BeautifulSoup) -> list[str]:
    captions: list[str] = []
    tags = soup.find_all(_is_caption)
    seen = {id(tag) for tag in tags}
    for tag in tags:
        if any(id(parent) in seen for parent in tag.parents):
            continue  # a caption block nested in another is counted once, by the outer one
        text = clean_text(tag.get_text(" "), unescape=False)
        if text and text not in captions:
            captions.append(text)
    return captions


def _is_caption(tag: Tag) -> bool:
    if tag.name == "figcaption":
        return True
    return any(CAPTION_CLASS.search(c) for c in tag.get("class") or [])


def _attr(doc: Any, name: str) -> str | None:
    value = getattr(doc, name, None) if doc is not None else None
    return value if isinstance(value, str) and value.strip() else None


def _first(*values: str | None) -> str | None:
    for value in values:
        if value:
            return clean_text(value, unescape=False)
    return None
