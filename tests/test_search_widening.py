"""A searched name widens to the person's other spellings, never to someone it names only by the given
name, and never to the given name alone (both seen on Reuters: ``baker`` -> "Baker Hughes" added the
articles that say only "Hughes"; ``oil`` -> "Kelley Oil" added one that says only "Kelley")."""

from __future__ import annotations

import pytest

from archive.entities.persons import person_key
from archive.search.widening import widened_spellings


@pytest.mark.parametrize("text", ["baker", "Baker"])
def test_a_word_that_is_only_the_given_name_does_not_widen(text):
    key = person_key("Baker Hughes")
    assert key.startswith("hughes_")
    assert widened_spellings(text, key, ["Baker", "Baker Hughes", "Hughes"]) is None


def test_the_given_name_alone_is_not_a_spelling_of_the_surname():
    key = person_key("Kelley Oil")
    assert widened_spellings("oil", key, ["Kelley", "Kelley Oil"]) == ["Kelley Oil"]


def test_surnames_in_other_scripts_and_cases_still_widen():
    key = person_key("Alexander Lukashenko")
    spellings = ["Alexander", "Alexander Lukashenko", "Lukashenka", "Łukaszenki", "Лукашенко", "Лукашэнка"]
    assert widened_spellings("Lukashenko", key, spellings) == spellings[1:]
    assert widened_spellings("lukashenko", key, spellings) == spellings[1:]
    assert widened_spellings("James Baker", person_key("James Baker"), ["Jim Baker", "Baker"]) == [
        "Jim Baker",
        "Baker",
    ]
