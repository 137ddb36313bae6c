"""An HTML page to its article: main text with trafilatura, metadata from JSON-LD, OpenGraph and meta tags.

trafilatura finds the main text best (DESIGN 4); publishers' own structured metadata (JSON-LD, OpenGraph)
is more reliable than trafilatura's guesses, so it is read first with BeautifulSoup and trafilatura's
metadata only fills the gaps. The publication date is the *original* one: htmldate otherwise prefers the
last-modified date.
"""

from __future__ import annotations

import json
import re
import warnings
from typing import Any

import trafilatura
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag, XMLParsedAsHTMLWarning
from htmldate import find_date

from .clean import clean_date, clean_text
from .errors import ReadError

# trafilatura settings measured on the article-extraction benchmark (benchmarks/extraction.py):
# favor_precision drops link lists and teasers that sit beside the article; comments are not the article.
# Tables inside the article are kept: standings, results and prices are content (F1 0.968 without them,
# 0.974 with them); their Markdown furniture is removed below.
TRAFILATURA_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "favor_precision": True,
    "include_tables": True,
}
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


def extract_page(html: str, url: str | None = None) -> dict[str, Any]:
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
    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, **TRAFILATURA_OPTIONS)
    except Exception as exc:  # noqa: BLE001 - trafilatura/lxml raise many types on broken markup
        raise ReadError(f"HTML page could not be parsed: {exc}") from None
    title = _first(_ld_str(ld, "headline"), _ld_str(ld, "name"), _meta(meta, META_TITLE), _attr(doc, "title"))
    text = _main_text(doc.text if doc is not None else None, captions, title)
    if not text:
        raise ReadError("no main text found in the HTML page")
    return {
        "text": text,
        "title": title,
        "author": _authors(ld, meta) or _split_authors(_attr(doc, "author")),
        "published": _published(ld, meta, html),
        "url": _first(_canonical(soup), _ld_str(ld, "url"), _meta(meta, META_URL), url, _attr(doc, "url")),
        "source": _first(_ld_publisher(ld), _meta(meta, META_SOURCE), _attr(doc, "sitename")),
        "language": _language(soup, ld, meta) or _attr(doc, "language"),
        "captions": "\n\n".join(captions),
    }


def _parse(html: str) -> BeautifulSoup:
    # Pages that start with an XML declaration (XHTML) are still read as HTML, deliberately; a page
    # that is only a URL-looking string is still a (useless) page, not a locator.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(html, "lxml")


def _main_text(raw: str | None, captions: list[str], title: str | None) -> str:
    """trafilatura's text, a blank line between paragraphs; no captions, leading headline or table rules."""
    if not raw:
        return ""
    first, _, rest = raw.partition("\n")
    if title and rest.strip() and clean_text(first, unescape=False).casefold() == title.casefold():
        raw = rest
    captioned = {c.casefold() for c in captions}
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
