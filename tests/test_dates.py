"""Dates mentioned in the text: normalised with their precision, implied years, false positives."""

from __future__ import annotations

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
        "on Monday they met",
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
