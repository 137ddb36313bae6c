"""SearchRequest: parsing query-string arguments and refusing bad ones with a message that says why."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from archive.errors import BadQuery
from archive.search.request import MAX_PER_PAGE, MAX_QUERY_CHARS, SearchRequest


def test_from_multidict_reads_repeatable_filters():
    args = MultiDict(
        [("q", "Lukashenka"), ("person", "putin_vladimir"), ("person", "Lukashenka"), ("place", "BY"),
         ("from", "2020"), ("to", "2023-10"), ("mentioned_from", "2020-08-09"), ("sort", "newest"),
         ("page", "2"), ("per_page", "5"), ("mode", "exact"), ("source", "Wire")]
    )  # fmt: skip
    req = SearchRequest.from_args(args)
    assert req.persons == ["putin_vladimir", "Lukashenka"]
    assert req.places == ["BY"]
    assert (req.date_from, req.date_to, req.mentioned_from) == ("2020", "2023-10", "2020-08-09")
    assert (req.sort, req.page, req.per_page, req.mode, req.source) == ("newest", 2, 5, "exact", "Wire")
    assert req.exact


def test_from_plain_mapping_and_defaults():
    req = SearchRequest.from_args({"q": "  oil  ", "person": "a"})
    assert req.q == "oil" and req.persons == ["a"] and req.page == 1 and req.per_page == 20
    assert req.effective_sort == "relevance"
    assert SearchRequest.from_args({"place": "BY"}).effective_sort == "newest"  # a listing: newest first


def test_per_page_is_clamped_to_the_maximum():
    assert SearchRequest.from_args({"per_page": "1000"}).per_page == MAX_PER_PAGE


@pytest.mark.parametrize(
    "args,message",
    [
        ({"from": "2023-13"}, "no month"),
        ({"to": "yesterday"}, "YYYY"),
        ({"mentioned_to": "2023-02-30"}, "YYYY"),
        ({"page": "0"}, "page must be"),
        ({"page": "two"}, "whole number"),
        ({"per_page": "0"}, "per_page"),
        ({"sort": "random"}, "Unknown sort"),
        ({"mode": "fuzzy"}, "Unknown mode"),
        ({"q": "x" * (MAX_QUERY_CHARS + 1)}, "shorten"),
        ({"from": "2024", "to": "2023"}, "swap"),
    ],
)
def test_bad_arguments_raise_bad_query(args, message):
    with pytest.raises(BadQuery, match=message):
        SearchRequest.from_args(args)


def test_nul_bytes_and_control_characters_are_dropped():
    req = SearchRequest.from_args({"q": "oil\x00 price\x07s", "person": "\x00"})
    assert req.q == "oil prices" and req.persons == []


def test_to_args_round_trips():
    req = SearchRequest.from_args(MultiDict([("q", "x"), ("place", "BY"), ("place", "RU"), ("page", "3")]))
    again = SearchRequest.from_args(req.to_args())
    assert again == req
