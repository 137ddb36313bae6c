"""article_from_record: aliases, cleaning, dates, ids and hashes (DESIGN 3.2)."""

from __future__ import annotations

import json

import pytest

from archive.errors import ReadError
from archive.models import Record
from archive.normalize import MAX_ID_CHARS, article_from_record
from archive.readers import iter_records
from tests.conftest import DATA

ARTICLES = DATA / "articles"
BROKEN = DATA / "broken"


def article(**data):
    return article_from_record(Record(source="test.jsonl", line=1, data=data, kind="jsonl"))


def test_aliases_and_extra_from_a_real_file():
    first, second, third = (article_from_record(r) for r in iter_records([str(ARTICLES / "wire.jsonl")]))
    assert (first.id, first.title, first.published, first.url) == (
        "wire-001",
        "Grain shipments rise",
        "1987-03-26",
        "https://example.org/grain",
    )
    assert (first.author, first.source, first.language) == (["Jane Doe"], "Example Wire", "en")
    assert first.text.endswith("the board said & traders agreed.")  # &amp; unescaped once
    assert first.extra == {"desk": "commodities", "priority": 2}
    assert second.id.startswith("a-") and len(second.id) == 18
    assert (second.published, second.author, second.extra) == (
        "2019-03",
        ["A. Writer", "B. Editor"],
        {"tags": ["x", "y"]},
    )
    assert third.published is None
    assert third.extra == {"published_raw": "sometime last week"}


@pytest.mark.parametrize(
    "data,field,expected",
    [
        ({"headline": "H", "text": "T"}, "title", "H"),
        (
            {"title": "Title", "headline": "Other", "text": "T"},
            "extra",
            {"headline": "Other"},
        ),  # canonical wins
        ({"body": "Body text"}, "text", "Body text"),
        ({"content": ["Para one.", "Para two."]}, "text", "Para one.\n\nPara two."),
        ({"text": "T", "date": "2023"}, "published", "2023"),
        ({"text": "T", "pubdate": "26 Feb 1987"}, "published", "1987-02-26"),
        ({"text": "T", "published_at": "2023-10-24T08:00:00Z"}, "published", "2023-10-24T08:00:00"),
        ({"text": "T", "published": 2021}, "published", "2021"),
        ({"text": "T", "link": "https://x.example/a"}, "url", "https://x.example/a"),
        ({"text": "T", "byline": "Ann Smith"}, "author", ["Ann Smith"]),
        ({"text": "T", "authors": ["A", "B", "A", ""]}, "author", ["A", "B"]),
        ({"text": "T", "site": "Reuters"}, "source", "Reuters"),
        ({"text": "T", "lang": "en-GB"}, "language", "en"),
        ({"text": "T", "lang": "not a language"}, "language", None),
        ({"text": "  lots \x00of\u00a0 space \ud800 "}, "text", "lots of space"),
        (
            {"text": "T", "note": "a &amp; b", "nested": {"k": ["v\x00"]}},
            "extra",
            {"note": "a & b", "nested": {"k": ["v"]}},
        ),
    ],
)
def test_fields(data, field, expected):
    assert getattr(article(**data), field) == expected


def test_title_from_text_when_missing():
    long_first = "word " * 60 + "end."
    assert article(text="First sentence here. Second one.").title == "First sentence here."
    title = article(text=long_first).title
    assert len(title) <= 121 and title.endswith("…")


@pytest.mark.parametrize(
    "data,reason",
    [
        ({"title": "Only a title"}, "no body"),
        ({"title": "T", "text": "   \n\n  "}, "no body"),
        ({"text": "\x00\x01\x02"}, "empty after cleaning"),
        ({"text": 42}, "must be a string"),
        ({"text": "T", "id": "x" * (MAX_ID_CHARS + 1)}, "limit is 200"),
        ({"text": "T", "id": {"a": 1}}, "'id' must be a string"),
        ({"text": "T", "id": "\x00\x01"}, "no printable characters"),
    ],
)
def test_unusable_records_raise_read_error(data, reason):
    with pytest.raises(ReadError, match=reason):
        article(**data)


def test_error_records_raise_their_reason():
    with pytest.raises(ReadError, match="empty file"):
        article_from_record(Record(source="x.txt", error="empty file"))


@pytest.mark.parametrize(
    "given,expected",
    [(" wire-7 ", "wire-7"), (123, "123"), ("a/b c", "a%2Fb%20c"), ("ünïcode-ok", "ünïcode-ok")],
)
def test_ids_are_made_safe(given, expected):
    assert article(text="T", id=given).id == expected


def test_derived_id_and_hash_depend_on_content_only():
    a = article(title="T", text="Same body.")
    b = article_from_record(Record(source="other.json", line=9, data={"title": "T", "text": "Same body."}))
    c = article(title="T", text="Other body.")
    assert a.id == b.id != c.id
    assert a.content_hash == b.content_hash != c.content_hash
    assert article(title="T", text="Same body.", desk="x").content_hash != a.content_hash  # extra is shown
    assert article(title="T", text="Same body.", desk="x").id == a.id


def test_html_records_go_through_extract_page_and_record_fields_win():
    html = (DATA / "pages" / "sciencealert-titan.html").read_text(encoding="utf-8")
    art = article(html=html, title="My own title", published="2020-01-02")
    assert art.title == "My own title"
    assert art.published == "2020-01-02"
    assert art.source == "ScienceAlert"  # from the page
    assert art.captions.startswith("The first global geologic map of Titan")
    assert art.text.startswith("WASHINGTON (Reuters)")


def test_warc_record_keeps_crawl_date_as_extra_not_publication():
    (rec,) = iter_records([str(ARTICLES / "harbour.warc.gz")])
    art = article_from_record(rec)
    assert art.url == "https://harbour.example/strike"
    assert art.published == "2024-05-02T09:30:00"  # from the page's article:published_time
    assert art.extra == {"crawled": "2024-05-03T10:00:00Z"}
    assert art.captions == "A container ship waits outside the port."
    assert "container ship waits" not in art.text


def test_text_files_have_no_date_unless_they_say_so():
    cocoa, minsk = (
        article_from_record(r)
        for r in iter_records([str(ARTICLES / "cocoa-review.txt"), str(ARTICLES / "minsk-briefing.md")])
    )
    assert cocoa.published is None
    assert cocoa.text.startswith("Showers continued throughout the week in the Bahia cocoa zone")
    assert minsk.published == "2023-10-24"
    assert minsk.extra == {"section": "Politics"}


def test_every_article_is_json_serialisable():
    for rec in iter_records([str(DATA)]):
        try:
            art = article_from_record(rec)
        except ReadError:
            continue
        json.dumps(art.to_dict(), ensure_ascii=False).encode("utf-8")
