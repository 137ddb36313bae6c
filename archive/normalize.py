"""A reader's record to a clean :class:`~archive.models.Article` (DESIGN 3.2): aliases, cleaning, id, hash."""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from typing import Any
from urllib.parse import quote, urlsplit

from .clean import clean_date, clean_text
from .entities.language import detect as detect_language
from .errors import ReadError
from .extract_html import extract_page
from .models import Article, Record

# DESIGN 3.2: other names for the record fields. The canonical name wins when both are given; the
# alias's value is then kept in ``extra`` rather than lost.
ALIASES = {
    "headline": "title",
    "body": "text",
    "content": "text",
    "date": "published",
    "published_at": "published",
    "pubdate": "published",
    "link": "url",
    "byline": "author",
    "authors": "author",
    "site": "source",
    "lang": "language",
}
KNOWN_FIELDS = {"id", "title", "text", "html", "captions", "published", "url", "author", "source", "language"}

# Ids appear in URLs (/articles/<id>) and in the index: printable, no path separators, bounded. A record's
# id keeps every character; whitespace, path separators and unprintable characters are percent-encoded
# (UTF-8), and so is a "%" that already starts an escape, so distinct ids stay distinct ("a/b" is
# "a%2Fb", "a b" is "a%20b", "a-b" stays) and the record's id can be read back (urllib's unquote).
MAX_ID_CHARS = 200
ID_UNSAFE = re.compile(r"[\s/\\]+")
ESCAPE_START = re.compile(r"%(?=[0-9A-Fa-f]{2})")
#: Ids that a URL path reads as folders: no page could show them.
DOT_IDS = (".", "..")
DERIVED_ID_PREFIX = "a-"
DERIVED_ID_HEX = 16  # 64 bits of sha1: no collision in any archive one machine holds

#: An HTML page longer than this (in characters) is refused before main-text extraction, which takes
#: seconds per megabyte and far longer on some layouts (a 7 MB page took 163 s, then failed). News pages
#: run to 1-2 MB with their scripts; a plain text body has no such limit (only the file size limit).
MAX_HTML_CHARS = 4_000_000

# A title made from the text when the record has none: its first sentence or line, cut at a word.
TITLE_MAX_CHARS = 120
#: A title longer than this is cut at a word (with "…"); the whole title is kept in ``extra`` under
#: TITLE_FULL_KEY. Headlines run to ~150 characters; every listing shows each title, so a 1 MB "title"
#: (a body pasted into the wrong field) would make every page of results a megabyte.
MAX_TITLE_CHARS = 300
TITLE_FULL_KEY = "title_full"
FIRST_SENTENCE = re.compile(r"(.+?[.!?])(?:\s|$)|(.+)")
LANGUAGE_CODE = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][A-Za-z0-9]+)*$")


def article_from_record(rec: Record) -> Article:
    """Build the clean article a record describes (without passages or entities).

    :raise ReadError: the record is an error record, has no body, or has an unusable field.
    """
    if rec.error:
        raise ReadError(rec.error)
    if not isinstance(rec.data, dict):
        raise ReadError("the record holds no fields")
    fields, extra = _resolve_aliases(rec.data)

    page: dict[str, Any] = {}
    if _present(fields.get("text")):
        text = clean_text(_text_value(fields["text"], "text"))
    elif _present(fields.get("html")):
        html = _text_value(fields["html"], "html")
        if len(html) > MAX_HTML_CHARS:
            raise ReadError(
                f"the HTML page is {len(html):,} characters long; pages over {MAX_HTML_CHARS:,} are not "
                "cleaned (it would take minutes): import its text as 'text' in a .jsonl record instead"
            )
        page = extract_page(html, url=_str(fields.get("url")))
        text = page["text"]
    else:
        raise ReadError("no body: the record has neither 'text' nor 'html' (or they are empty)")
    if not text:
        raise ReadError("no body: the text is empty after cleaning")

    def field(name: str) -> tuple[Any, bool]:
        """A field's value, and whether it still needs entities unescaped.

        A value the record states overrides what the page says about itself; page values come from
        an HTML parser, already unescaped (see :mod:`archive.clean`).
        """
        if _present(fields.get(name)):
            return fields[name], True
        return page.get(name), False

    warnings = []
    title = _clean(*field("title")) or _title_from_text(text)
    if len(title) > MAX_TITLE_CHARS:
        extra[TITLE_FULL_KEY] = title
        title = _shorten(title, MAX_TITLE_CHARS)
        warnings.append(
            f"the title is {len(extra[TITLE_FULL_KEY]):,} characters long; it is cut to {MAX_TITLE_CHARS} "
            f"and kept whole as extra {TITLE_FULL_KEY!r}"
        )
    captions_value, unescape = field("captions")
    captions = (
        clean_text(_text_value(captions_value, "captions"), unescape=unescape) if captions_value else ""
    )
    published, published_raw = _published(field("published")[0])
    if published_raw is not None:
        extra["published_raw"] = published_raw
        warnings.append(
            f"the publication date {published_raw[:80]!r} could not be read as a date; it is kept as "
            "extra 'published_raw' and the article has no publication date"
        )
    article = Article(
        id="",
        title=title,
        text=text,
        captions=captions,
        published=published,
        url=_clean(*field("url")),
        author=_authors(*field("author")),
        source=_clean(*field("source")),
        # the record's own language wins; otherwise the text's (archive.entities.language)
        language=_language(field("language")[0]) or detect_language(f"{title}\n{text}"),
        extra=extra,
        warnings=warnings,
    )
    article.id = _article_id(fields.get("id"), title, text, article.source, article.url)
    article.content_hash = content_hash(article)
    return article


def content_hash(article: Article) -> str:
    """sha1 over a canonical JSON of every field the article shows: equal hash, nothing to update."""
    shown = {
        "title": article.title,
        "text": article.text,
        "captions": article.captions,
        "published": article.published,
        "url": article.url,
        "author": article.author,
        "source": article.source,
        "language": article.language,
        "extra": article.extra,
    }
    canonical = json.dumps(shown, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha1(canonical.encode("utf-8")).hexdigest()


def _resolve_aliases(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a record's fields into known fields (aliases resolved) and cleaned extra metadata."""
    fields: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    aliased: dict[str, Any] = {}
    for key, value in data.items():
        name = str(key).strip().lower()
        if name in KNOWN_FIELDS:
            fields[name] = value
        elif name in ALIASES:
            aliased.setdefault(ALIASES[name], []).append((key, value))
        else:
            _add_extra(extra, str(key), value)
    for name, pairs in aliased.items():
        for key, value in pairs:
            if name not in fields and _present(value):
                fields[name] = value
            else:
                _add_extra(extra, str(key), value)
    return fields, extra


def _add_extra(extra: dict[str, Any], key: str, value: Any) -> None:
    cleaned = _json_value(value)
    if cleaned is not _UNSERIALISABLE:
        extra[clean_text(key) or key] = cleaned


_UNSERIALISABLE = object()


def _json_value(value: Any) -> Any:
    """A JSON-safe copy of ``value`` with its strings cleaned; unserialisable values are dropped."""
    if isinstance(value, str):
        return clean_text(value)
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else _UNSERIALISABLE
    if isinstance(value, (list, tuple)):
        items = [_json_value(v) for v in value]
        return [v for v in items if v is not _UNSERIALISABLE]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            cleaned = _json_value(v)
            if cleaned is not _UNSERIALISABLE:
                out[clean_text(str(k))] = cleaned
        return out
    return _UNSERIALISABLE


def _present(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, tuple)):
        return any(_present(v) for v in value)
    return value is not None


def _text_value(value: Any, name: str) -> str:
    """A body field as a string; a list of paragraphs is joined with blank lines."""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return "\n\n".join(value)
    raise ReadError(f"field {name!r} must be a string, not {type(value).__name__}")


def _str(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _clean(value: Any, unescape: bool = True) -> str | None:
    return clean_text(_str(value) or "", unescape=unescape) or None


def _title_from_text(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    match = FIRST_SENTENCE.match(first_line)
    title = (match.group(1) or match.group(2)) if match else first_line
    return _shorten(title, TITLE_MAX_CHARS) if len(title) > TITLE_MAX_CHARS else title


def _shorten(title: str, limit: int) -> str:
    """``title`` cut at the last word that fits in ``limit`` characters, with "…"."""
    cut = title[: limit - 1].rsplit(" ", 1)[0] or title[: limit - 1]
    return cut.rstrip(",;:-– ") + "…"


def _published(value: Any) -> tuple[str | None, str | None]:
    """(ISO date or None, the original value when it could not be read)."""
    if not _present(value):
        return None, None
    raw = _str(value)
    iso = clean_date(raw) if raw else None
    if iso:
        return iso, None
    return None, clean_text(raw) if raw else json.dumps(_json_value(value), ensure_ascii=False)


def _authors(value: Any, unescape: bool = True) -> list[str]:
    """A byline as a list of names: a string is one author, a list is several."""
    items = value if isinstance(value, (list, tuple)) else [value]
    names = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("name")
        name = _clean(item, unescape)
        if name and name not in names:
            names.append(name)
    return names


def _language(value: Any) -> str | None:
    match = LANGUAGE_CODE.match((_str(value) or "").strip())
    return match.group(1).lower() if match else None


def _article_id(value: Any, title: str, text: str, source: str | None = None, url: str | None = None) -> str:
    """The record's own id made safe (reversibly), or one derived from the content.

    A derived id is the same for the same article imported twice; where the record names its outlet (its
    ``source``, else the host of its ``url``), that counts too, so one wire story printed by two outlets
    stays two articles, each with its own url, source and date.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        outlet = source or _host(url)
        where = f"\n{outlet}" if outlet else ""
        digest = hashlib.sha1(f"{title}\n{text}{where}".encode("utf-8", "surrogatepass")).hexdigest()
        return DERIVED_ID_PREFIX + digest[:DERIVED_ID_HEX]
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ReadError(f"'id' must be a string or a whole number, not {type(value).__name__}")
    given = unicodedata.normalize("NFC", str(value)).strip()
    if given in DOT_IDS:
        raise ReadError(f"'id' {given!r} cannot be an id: a web address reads it as a folder")
    ident = _encode_id(given)
    if not any(c.isprintable() and not c.isspace() for c in given):
        raise ReadError(f"'id' {given[:40]!r} has no printable characters")
    if len(ident) > MAX_ID_CHARS:
        raise ReadError(f"'id' is {len(ident)} characters long (encoded); the limit is {MAX_ID_CHARS}")
    return ident


def _host(url: str | None) -> str:
    try:
        return (urlsplit(url).hostname or "") if url else ""
    except ValueError:
        return ""


def _encode_id(given: str) -> str:
    """Percent-encode what an id may not hold (see ``MAX_ID_CHARS``); ``unquote`` reverses it."""
    given = ESCAPE_START.sub("%25", given)
    return "".join(
        quote(c, safe="", errors="surrogatepass") if ID_UNSAFE.match(c) or not c.isprintable() else c
        for c in given
    )
