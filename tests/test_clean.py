"""clean_text and clean_date: one canonical form for stored text and publication dates."""

from __future__ import annotations

import pytest

from archive.clean import clean_date, clean_text

REUTERS_BODY = """Showers continued throughout the week in
the Bahia cocoa zone, alleviating the drought since early
January and improving prospects for the coming temporao,
although normal humidity levels have not been restored,
Comissaria Smith said in its weekly review.
    The dry period means the temporao will be late this year.
    Arrivals for the week ended February 22 were 155,221 bags
of 60 kilos making a cumulative total for the season of 5.93
mln against 5.81 at the same stage last year.
 Reuter
&#3;"""


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("AT&amp;T &lt;IBM&gt; said", "AT&T <IBM> said"),
        ("&amp;lt; stays an entity once", "&lt; stays an entity once"),  # one pass, never two
        ("AT&T and R&D &not escaped", "AT&T and R&D &not escaped"),  # no ';': not an entity
        ("caf\u0065\u0301", "caf\u00e9"),  # NFC
        ("a\x00b\x07c\u200bd\ufeffe", "abcde"),
        ("lone \ud800surrogate", "lone surrogate"),
        ("paired \ud83d\ude00 stays", "paired \U0001f600 stays"),
        ("no\u00a0break\u2009thin\u3000wide", "no break thin wide"),
        ("  lots   of \t space  ", "lots of space"),
        ("one\r\ntwo\r\n\r\n\r\n\r\nthree", "one\n\ntwo\n\nthree"),  # short lines: each a paragraph
        ("para one\n\n\n\n   \n\npara two", "para one\n\npara two"),
        ("", ""),
    ],
)
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


def test_html_derived_text_is_not_unescaped_again():
    assert clean_text("write &lt;b&gt; for bold", unescape=False) == "write &lt;b&gt; for bold"


def test_reuters_indented_paragraphs_are_rejoined():
    cleaned = clean_text(REUTERS_BODY)
    paragraphs = cleaned.split("\n\n")
    assert paragraphs[0].startswith("Showers continued throughout the week in the Bahia cocoa zone,")
    assert paragraphs[0].endswith("Comissaria Smith said in its weekly review.")
    assert paragraphs[1] == "The dry period means the temporao will be late this year."
    assert paragraphs[2].endswith("at the same stage last year.")
    assert paragraphs[-1] == "Reuter"  # &#3; (end of text) unescaped, then dropped as a control character
    assert "\n" not in "".join(paragraphs)


def test_hard_wrapped_text_without_indents_breaks_where_the_next_word_would_have_fit():
    text = (
        "The committee met on Tuesday to discuss the budget for the\n"
        "coming year.\n"
        "Short line.\n"
        "A new paragraph begins here after a short line that ended\n"
        "the previous one."
    )
    assert clean_text(text).split("\n\n") == [
        "The committee met on Tuesday to discuss the budget for the coming year.",
        "Short line.",
        "A new paragraph begins here after a short line that ended the previous one.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "- first item of a list that is long enough to look wrapped\n- second item of the list",
        "Name: Ann\nCity: Minsk",  # narrower than any wrap width: lines stay lines
        "A line longer than any terminal: never hard-wrapped. " * 3 + "\n" + "Another such line. " * 8,
    ],
)
def test_lines_that_are_not_wrapping_stay_separate(text):
    assert clean_text(text).count("\n\n") == text.count("\n")


def test_clean_text_is_fast_enough_and_stable():
    cleaned = clean_text(REUTERS_BODY * 200)
    assert clean_text(cleaned, unescape=False) == cleaned


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("2023", "2023"),
        ("2023-10", "2023-10"),
        ("2023-10-24", "2023-10-24"),
        ("2019-11-19T08:03:00.000Z", "2019-11-19T08:03:00"),
        ("2019-11-19T01:00:00+05:00", "2019-11-19T01:00:00"),  # the publisher's local time
        ("2019-11-19 08:03", "2019-11-19T08:03:00"),
        ("Tue, 19 Nov 2019 08:03:00 GMT", "2019-11-19T08:03:00"),
        ("19 Nov 2019", "2019-11-19"),
        ("November 2019", "2019-11"),
        ("26-FEB-1987 15:01:01.79", "1987-02-26T15:01:01"),
        ("Nov 19", None),  # no year
        ("sometime last week", None),
        ("2023-13-01", None),
        ("2023-02-30", None),
        ("0001-01-01", None),
        ("", None),
    ],
)
def test_clean_date(raw, expected):
    assert clean_date(raw) == expected
