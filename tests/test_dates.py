"""Dates mentioned in the text: normalised with their precision, implied years, false positives."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.entities.dates import dates_in


@pytest.mark.parametrize(
    "text,published,value,precision",
    [
        ("on October 24, 2023 he said", None, "2023-10-24", "day"),
        ("on 24 October 2023 he said", None, "2023-10-24", "day"),
        ("on the 24th of October 2023", None, "2023-10-24", "day"),
        ("on Oct. 24, 2023", None, "2023-10-24", "day"),
        ("dated 2023-10-24.", None, "2023-10-24", "day"),
        ("in August 2020, at the peak", None, "2020-08", "month"),
        ("in January, 2022 under", None, "2022-01", "month"),
        ("in 2020, Belarus could", None, "2020", "year"),
        ("since 1986 it has", None, "1986", "year"),
        ("2020: Putin's reserves", None, "2020", "year"),
        # implied years: nearest the publication date
        ("On October 19, General", "2023-10-27", "2023-10-19", "day"),
        ("due March 31", "1987-03-02", "1987-03-31", "day"),
        ("on January 5", "2023-12-20", "2024-01-05", "day"),
        ("in December", "2024-01-10", "2023-12", "month"),
        ("by mid-October", "2023-05", "2023-10", "month"),
    ],
)
def test_dates_are_normalised(text, published, value, precision):
    (d,) = dates_in(text, published)
    assert (d.value, d.precision) == (value, precision)
    assert text[d.start : d.end] == d.text


def test_implied_year_without_publication_date_follows_the_article():
    dates = dates_in("The vote was on October 18, 2020. On October 24 they met.")
    assert [d.value for d in dates] == ["2020-10-18", "2020-10-24"]


SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_be4fb1b354845740.txt"


def test_a_date_without_a_year_takes_its_passage_year_in_the_seed():
    """The seed has no publication date; its October 19 sits in a passage about October 2023."""
    dates = dates_in(SEED.read_text(encoding="utf-8"))
    (oct19,) = [d for d in dates if d.text == "October 19"]
    assert oct19.value == "2023-10-19"
    # "on October 24, he stated that in 2020 ...": the look back to 2020 does not date the meeting
    assert {d.value for d in dates if d.text == "October 24"} == {"2023-10-24"}
    assert "2020-10-18" in {d.value for d in dates}  # the Partisan March keeps its own year


def test_the_passage_year_comes_before_the_publication_year():
    far = "The opposition met again and again in exile. " * 40  # 1,800 characters without a date
    text = f"In August 2020, the protests peaked. On October 19, police detained hundreds.\n\n{far}\n\nOn October 19, he spoke."
    dates = dates_in(text, "2023-10-27")
    assert [(d.text, d.value) for d in dates] == [
        ("August 2020", "2020-08"),
        ("October 19", "2020-10-19"),  # its paragraph says 2020
        ("October 19", "2023-10-19"),  # no dated passage near it: the publication date's year
    ]


@pytest.mark.parametrize(
    "text,value,precision,written",
    [  # published on Friday 27 October 2023
        ("Police detained him on Monday, his lawyer said.", "2023-10-23", "day", "Monday"),
        ("He was released yesterday.", "2023-10-26", "day", "yesterday"),
        ("The ministry said on Friday that talks would resume.", "2023-10-27", "day", "Friday"),
        ("The talks resume next Monday.", "2023-10-30", "day", "next Monday"),
        ("Protests began last week in Minsk.", "2023-10-16", "day", "last week"),
        ("Prices rose last month.", "2023-09", "month", "last month"),
        ("Elections were held last year.", "2022", "year", "last year"),
    ],
)
def test_relative_dates_resolve_against_the_publication_date(text, value, precision, written):
    (d,) = dates_in(text, "2023-10-27")
    assert (d.value, d.precision, d.text) == (value, precision, written)
    assert text[d.start : d.end] == written


def test_relative_dates_need_a_publication_day():
    assert dates_in("Police detained him on Monday.", "2023-10") == []
    assert dates_in("Police detained him on Monday.") == []


def test_implied_year_with_no_anchor_is_dropped():
    assert dates_in("On October 24 they met.") == []


@pytest.mark.parametrize(
    "text",
    [
        "even for a day",
        "one day it will",
        "May I ask?",
        "he may go",
        "the Partisan March in Minsk",
        "on a Monday morning",
        "a reserve of 1,000 people",
        "2020 people marched",
        "costs $2020 now",
        "up 1987 pct",
        "March 15 pct",
        "February 30, 2023",
        "in 1492 sailed",
    ],
)
def test_false_positives_are_rejected(text):
    assert dates_in(text, "2023-10-27") == []
