"""Country names the gazetteer packages lack: common short forms, historical states, adjectives.

Historical states map to the present country that a journalist would filter on (USSR -> Russia,
West Germany -> Germany): the archive files a place under one key, and the text keeps the old name.
"""

from __future__ import annotations

#: Other names of countries, as written in news text -> ISO 3166 alpha-2.
COUNTRY_ALIASES = {
    "U.S.": "US",
    "US": "US",
    "U.S.A.": "US",
    "USA": "US",
    "America": "US",
    "United States of America": "US",
    "UK": "GB",
    "U.K.": "GB",
    "Britain": "GB",
    "Great Britain": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Northern Ireland": "GB",
    "Holland": "NL",
    "The Netherlands": "NL",
    "South Korea": "KR",
    "Korea": "KR",
    "North Korea": "KP",
    "Russia": "RU",
    "Iran": "IR",
    "Syria": "SY",
    "Vietnam": "VN",
    "Laos": "LA",
    "Taiwan": "TW",
    "Ivory Coast": "CI",
    "East Timor": "TL",
    "Macedonia": "MK",
    "Swaziland": "SZ",
    "Cape Verde": "CV",
    "Vatican": "VA",
    "Czech Republic": "CZ",
    "UAE": "AE",
    "U.A.E.": "AE",
    "Emirates": "AE",
    # historical states and names
    "USSR": "RU",
    "U.S.S.R.": "RU",
    "Soviet Union": "RU",
    "West Germany": "DE",
    "East Germany": "DE",
    "Federal Republic of Germany": "DE",
    "German Democratic Republic": "DE",
    "Czechoslovakia": "CZ",
    "Yugoslavia": "RS",
    "Burma": "MM",
    "Zaire": "CD",
    "Rhodesia": "ZW",
    "Ceylon": "LK",
    "Persia": "IR",
    "Siam": "TH",
    "Kampuchea": "KH",
    "Dahomey": "BJ",
    "Upper Volta": "BF",
    "Byelorussia": "BY",
    "Belorussia": "BY",
    "White Russia": "BY",
}

#: Adjectives and nouns for a country's people beyond the one demonym the country data gives.
EXTRA_DEMONYMS = {
    "Soviet": "RU",
    "West German": "DE",
    "East German": "DE",
    "Byelorussian": "BY",
    "Belorussian": "BY",
    "Belarussian": "BY",
    "English": "GB",
    "Scottish": "GB",
    "Scots": "GB",
    "Welsh": "GB",
    "Briton": "GB",
    "Dutch": "NL",
    "Swiss": "CH",
    "Filipino": "PH",
    "Philippine": "PH",
    "Saudi": "SA",
    "Emirati": "AE",
    "South Korean": "KR",
    "North Korean": "KP",
    "Taiwanese": "TW",
    "Vietnamese": "VN",
    "Iranian": "IR",
    "Kuwaiti": "KW",
    "Iraqi": "IQ",
    "Israeli": "IL",
    "Pakistani": "PK",
    "Bangladeshi": "BD",
    "Thai": "TH",
    "Argentine": "AR",
    "Argentinian": "AR",
    "New Zealander": "NZ",
    "Kiwi": "NZ",
    "Greek": "GR",
    "Danish": "DK",
    "Dane": "DK",
    "Swedish": "SE",
    "Swede": "SE",
    "Finnish": "FI",
    "Finn": "FI",
    "Norwegian": "NO",
    "Polish": "PL",
    "Pole": "PL",
    "Turkish": "TR",
    "Turk": "TR",
    "Spanish": "ES",
    "Spaniard": "ES",
    "Portuguese": "PT",
    "Irish": "IE",
    "Icelandic": "IS",
    "Czech": "CZ",
    "Slovak": "SK",
    "Ukrainian": "UA",
    "Russian": "RU",
    "Chinese": "CN",
    "Japanese": "JP",
    "French": "FR",
    "German": "DE",
    "Italian": "IT",
    "American": "US",
    "British": "GB",
    "Canadian": "CA",
    "Mexican": "MX",
    "Brazilian": "BR",
    "Australian": "AU",
    "Indian": "IN",
    "Belgian": "BE",
    "Austrian": "AT",
    "Hungarian": "HU",
    "Romanian": "RO",
    "Bulgarian": "BG",
    "Yugoslav": "RS",
    "Lithuanian": "LT",
    "Latvian": "LV",
    "Estonian": "EE",
    "Georgian": "GE",
    "Armenian": "AM",
    "Egyptian": "EG",
    "Nigerian": "NG",
    "South African": "ZA",
    "Kenyan": "KE",
    "Indonesian": "ID",
    "Malaysian": "MY",
    "Singaporean": "SG",
    "Venezuelan": "VE",
    "Colombian": "CO",
    "Chilean": "CL",
    "Peruvian": "PE",
    "Ecuadorean": "EC",
    "Ecuadorian": "EC",
}

#: Words in the country data that are too often something else to be matched in running text
#: without NER calling them a place ("Chad" and "Jordan" are first names, "Jersey" ends
#: "New Jersey", "Georgia" is also a US state, "Guinea" ends "Papua New Guinea").
AMBIGUOUS_NAMES = frozenset("chad jordan jersey georgia guernsey man niger dominica guinea".split())

#: Phrases that contain a demonym but name no one country.
NOT_A_COUNTRY = frozenset(["latin american", "latin americans", "native american", "native americans"])

#: Population above which a city outranks a US state of the same name: in news, "New York" and
#: "Washington" (690,000) are the cities; smaller namesakes of states are rarely meant.
BIG_CITY = 500_000

#: Continents and world regions: places the archive does not file, whose names a gazetteer town
#: shares ("Asia" in the Philippines, "America" in Brazil are towns).
NOT_PLACES = frozenset(
    [
        *"europe asia africa oceania antarctica arctic caribbean balkans scandinavia eurasia".split(),
        *(f"{side} {r}" for side in ("north", "south", "latin", "central") for r in ("america",)),
        *(f"{side} {r}" for side in ("east", "southeast", "south", "central", "west") for r in ("asia",)),
        *(f"{side} {r}" for side in ("western", "eastern", "central", "northern", "southern") for r in ("europe",)),
        "middle east", "near east", "far east", "west africa", "east africa", "north africa",
    ]
)  # fmt: skip

#: Names of big gazetteer entries that are districts of a city, not places news files under them,
#: and far likelier a person or a thing ("Kennedy" is a locality of Bogotá of 980,000 people).
NOT_CITY_NAMES = frozenset(["kennedy"])

#: Words before or after a US state's name that make it the state ("the state of Georgia", "New York
#: State", "Washington state"), and words of an article that set it in the United States.
STATE_WORDS_BEFORE = ("state of", "upstate", "governor of", "senator from", "senate of")
STATE_WORDS_AFTER = ("state", "governor", "legislature", "senator", "senate")
US_CONTEXT_WORDS = frozenset(
    "senator senators congressman congresswoman governor gubernatorial county sheriff republican "
    "democrat democrats republicans gop statehouse".split()
)
