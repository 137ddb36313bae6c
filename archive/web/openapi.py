"""The OpenAPI 3 description of the JSON API, written by hand from DESIGN 3.4 (tests check it against it)."""

from __future__ import annotations

import re
from typing import Any

from archive import __version__
from archive.errors import BadQuery

STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NULLABLE_STRING = {"type": "string", "nullable": True}
DATE = {
    "type": "string",
    "pattern": "^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$",
    "example": "2023-10",
    "description": "YYYY, YYYY-MM or YYYY-MM-DD; a day the month lacks (2023-02-30) is a 400.",
}
#: What the request parser takes (archive.search.request: MAX_QUERY_CHARS, MAX_FILTER_CHARS,
#: MAX_FILTER_VALUES, MAX_PAGE), stated here so the document and the checks below agree with it.
QUERY_TEXT = {"type": "string", "maxLength": 1000}
FILTER_TEXT = {"type": "string", "maxLength": 200}
MAX_FILTER_VALUES = 20


def obj(required: tuple[str, ...] = (), description: str = "", **properties: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        out["required"] = list(required)
    if description:
        out["description"] = description
    return out


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def param(name: str, description: str, schema: dict, repeat: bool = False) -> dict[str, Any]:
    out = {"name": name, "in": "query", "required": False, "description": description, "schema": schema}
    if repeat:
        out.update(schema={**array(schema), "maxItems": MAX_FILTER_VALUES}, style="form", explode=True)
    return out


INTEGER_TEXT = re.compile(r"-?[0-9]+")


def check_query(args, parameters: list[dict[str, Any]]) -> None:
    """Refuse a query string the document says is wrong (the API's and the exports' contract).

    Each typed parameter must match its schema exactly: no empty or padded value, a pattern, a choice,
    a whole number within bounds, a length, a count of repeats. The HTML form stays lenient (a blank
    field is no filter); the engine's own checks (a day the month lacks, from after to) come after.

    :raises BadQuery: saying which parameter is wrong and what it must be.
    """
    for spec in parameters:
        name, schema = spec["name"], spec["schema"]
        values = args.getlist(name)
        if schema.get("type") == "array":
            if len(values) > schema.get("maxItems", len(values)):
                raise BadQuery(f"Too many {name} values ({len(values)}); use at most {schema['maxItems']}.")
            schema = schema["items"]
        for value in values:
            _check_value(name, value, schema)


def _check_value(name: str, value: str, schema: dict[str, Any]) -> None:
    if len(value) > schema.get("maxLength", len(value)):
        raise BadQuery(f"{name} is too long; use at most {schema['maxLength']} characters.")
    if schema.get("type") == "integer":
        if not INTEGER_TEXT.fullmatch(value):
            raise BadQuery(f"{name} must be a whole number; got {value[:40]!r}.")
        number = int(value)
        if number < schema.get("minimum", number) or number > schema.get("maximum", number):
            bounds = f"at least {schema.get('minimum')}" + (
                f" and at most {schema['maximum']}" if "maximum" in schema else ""
            )
            raise BadQuery(f"{name} must be {bounds}; got {number}.")
    elif "enum" in schema and value not in schema["enum"]:
        raise BadQuery(f"{name} must be one of {', '.join(schema['enum'])}; got {value[:40]!r}.")
    elif "pattern" in schema and not re.fullmatch(schema["pattern"].strip("^$"), value):
        raise BadQuery(f"{name} must match {schema['pattern']}; got {value[:40]!r}.")


SEARCH_PARAMETERS = [
    param("q", 'Query text: words, "phrases", OR, NOT, prefix*, field:word.', QUERY_TEXT),
    param(
        "person", "A person (facet key, name, surname or any spelling); all must match.", FILTER_TEXT, True
    ),
    param(
        "place", "A place (key or name); a country includes its cities; all must match.", FILTER_TEXT, True
    ),
    param("from", "Published on or after (inclusive).", DATE),
    param("to", "Published on or before (inclusive).", DATE),
    param("mentioned_from", "Mentions a date on or after.", DATE),
    param("mentioned_to", "Mentions a date on or before.", DATE),
    param("source", "Outlet name.", FILTER_TEXT),
    param(
        "language",
        "Only articles in this language (ISO 639-1: en, ru, uk, be, pl).",
        {"type": "string", "pattern": "^[A-Za-z]{2,3}$"},
    ),
    param("sort", "Order of results.", {"type": "string", "enum": ["relevance", "newest", "oldest"]}),
    param("page", "Page number, from 1.", {"type": "integer", "minimum": 1, "maximum": 10_000, "default": 1}),
    param(
        "per_page",
        "Results per page: at most 100; a larger value is read as 100 (the answer's per_page says so).",
        {"type": "integer", "minimum": 1, "default": 20},
    ),
    param(
        "mode",
        "normal: folded and stemmed; exact: as written.",
        {"type": "string", "enum": ["normal", "exact"]},
    ),
    param(
        "facet_size",
        "People and places listed per facet, most articles first.",
        {"type": "integer", "minimum": 1, "maximum": 200, "default": 20},
    ),
    param(
        "collapse",
        "1: one result per story (wire copies of one text), the best match, with its other copies in "
        "`copies`; pages count stories. The API's default is 0, the results page's 1.",
        {"type": "string", "enum": ["1", "0", "true", "false"], "default": "0"},
    ),
]
EXPORT_PARAMETERS = [
    p for p in SEARCH_PARAMETERS if p["name"] not in ("page", "per_page", "collapse", "facet_size")
] + [
    param(
        "fulltext",
        "1: each result also carries the article's whole text (a last CSV column, a JSON field).",
        {"type": "string", "enum": ["1", "0", "true", "false"], "default": "0"},
    )
]

#: ``/api/people`` and ``/api/places`` (archive.web.people checks its queries against these).
REGISTRY_PARAMETERS = [
    param("q", "Keys, names or spellings containing this.", STRING),
    param("page", "Page number, from 1.", {"type": "integer", "minimum": 1, "maximum": 10_000, "default": 1}),
    param(
        "per_page",
        "Rows per page: at most 500; a larger value is read as 500.",
        {"type": "integer", "minimum": 1},
    ),
]

MENTIONS = array(obj(start=INTEGER, end=INTEGER))
NUMBER_OR_NULL = {"type": "number", "nullable": True}

REGISTRY_ITEM = obj(
    ("key", "name", "variants", "articles"),
    key=STRING,
    name=STRING,
    variants=array(STRING),
    articles={**INTEGER, "description": "Articles naming it."},
    country=STRING,
)

SCHEMAS: dict[str, Any] = {
    "Error": obj(("error",), error=STRING, status=INTEGER),
    "RegistryList": obj(
        ("total", "page", "per_page", "items"),
        total=INTEGER,
        page=INTEGER,
        per_page=INTEGER,
        items=array(REGISTRY_ITEM),
    ),
    "RegistryEntry": obj(
        ("key", "name", "variants", "articles", "hidden", "corrections"),
        key=STRING,
        name=STRING,
        variants=array(STRING),
        articles=INTEGER,
        hidden={"type": "boolean", "description": "Hidden by an editor (not a person / not a place)."},
        country=STRING,
        lat=NUMBER_OR_NULL,
        lon=NUMBER_OR_NULL,
        corrections=array(
            obj(
                id=INTEGER,
                at={"type": "number"},
                who=STRING,
                kind=STRING,
                verb=STRING,
                what=STRING,
                undone_at=NUMBER_OR_NULL,
                undone_by=NULLABLE_STRING,
            )
        ),  # fmt: skip
    ),
    "Snippet": obj(
        passage={**INTEGER, "description": "Passage number: the article page's #pN anchor."},
        html={**STRING, "description": "Escaped text; only <mark> elements are markup."},
    ),
    "Hit": obj(
        ("id", "title"),
        id=STRING,
        title=STRING,
        published=NULLABLE_STRING,
        url=NULLABLE_STRING,
        source=NULLABLE_STRING,
        snippets=array(ref("Snippet")),
        persons=array(obj(key=STRING, name=STRING)),
        places=array(obj(key=STRING, name=STRING, country=STRING)),
        copies={
            **array(ref("Copy")),
            "description": "With collapse=1: the other matching articles of this story, best first.",
        },
    ),
    "Copy": obj(("id", "title"), id=STRING, title=STRING, source=NULLABLE_STRING, published=NULLABLE_STRING),
    "FacetCount": obj(key=STRING, label=STRING, country=STRING, count=INTEGER),
    "SearchResult": obj(
        ("total", "stories", "page", "per_page", "results", "facets", "suggestion"),
        total={**INTEGER, "description": "Matching articles (not passages)."},
        stories={**INTEGER, "description": "Matching stories: wire copies of one text count once."},
        page=INTEGER,
        per_page=INTEGER,
        results=array(ref("Hit")),
        facets=obj(
            description="Counts of articles over the whole result set.",
            person=array(ref("FacetCount")),
            place=array(ref("FacetCount")),
            published=array(ref("FacetCount")),
            language={**array(ref("FacetCount")), "description": "Articles per language (key: ISO 639-1)."},
        ),
        suggestion={**NULLABLE_STRING, "description": "A corrected query (did you mean)."},
        variants={**array(STRING), "description": "Spellings a name in the query was expanded to."},
    ),
    "Article": obj(
        ("id", "title", "text", "story", "copies"),
        id=STRING,
        title=STRING,
        published=NULLABLE_STRING,
        url=NULLABLE_STRING,
        source=NULLABLE_STRING,
        author=array(STRING),
        language=NULLABLE_STRING,
        text=STRING,
        captions=STRING,
        passages=array(obj(n=INTEGER, start=INTEGER, end=INTEGER)),
        persons=array(obj(key=STRING, name=STRING, variants=array(STRING), mentions=MENTIONS)),
        places=array(
            obj(
                key=STRING,
                name=STRING,
                country=STRING,
                lat=NUMBER_OR_NULL,
                lon=NUMBER_OR_NULL,
                mentions=MENTIONS,
            )
        ),
        dates=array(
            obj(
                value=STRING,
                precision={"type": "string", "enum": ["year", "month", "day"]},
                text=STRING,
                start=INTEGER,
                end=INTEGER,
            )
        ),
        extra={
            "type": "object",
            "additionalProperties": True,
            "description": "Unknown import fields, as given.",
        },
        story={
            **NULLABLE_STRING,
            "description": "The article's story (wire copies of one text): the id of its first article; "
            "null when the archive predates stories.",
        },
        copies={
            **array(ref("Copy")),
            "description": 'The other articles of its story ("also published as"), oldest arrival first.',
        },
    ),
}


def response(description: str, schema: str | None = None, mimetype: str = "application/json") -> dict:
    out: dict[str, Any] = {"description": description}
    out["content"] = {mimetype: {"schema": ref(schema)} if schema else {}}
    return out


NO_ARCHIVE = response("There is no archive at the server's ARCHIVE_HOME.", "Error")
BAD_QUERY = response("The query or a parameter cannot be used; the message says why.", "Error")
#: gunicorn refuses a request line over 4,094 bytes itself (an HTML page), before the app sees it.
URI_TOO_LONG = {"description": "The address is longer than the server takes (gunicorn: 4,094 bytes)."}


def operation(operation_id: str, summary: str, parameters: list, responses: dict, **extra: Any) -> dict:
    return {"get": {"operationId": operation_id, "summary": summary, "parameters": parameters,
                    "responses": {**responses, "414": URI_TOO_LONG, "503": NO_ARCHIVE}, **extra}}  # fmt: skip


def openapi_spec(server: str = "") -> dict[str, Any]:
    """The description served at ``/api/openapi.json``; ``server`` is this site's base URL."""
    article_id = {"name": "id", "in": "path", "required": True, "schema": STRING}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "News archive API",
            "version": __version__,
            "description": "Search a news archive and read its articles. Read only: every route is a GET.",
        },
        "servers": [{"url": server or "/"}],
        "paths": {
            "/api/search": operation(
                "search",
                "Search articles; facet counts cover the whole result set.",
                SEARCH_PARAMETERS,
                {"200": response("One page of results.", "SearchResult"), "400": BAD_QUERY},
            ),
            "/api/articles/{id}": operation(
                "getArticle",
                "One article with its passages and entities.",
                [article_id],
                {
                    "200": response("The article.", "Article"),
                    "404": response("No article with this id.", "Error"),
                },
            ),
            "/export.csv": operation(
                "exportCsv",
                "Every result of a search as CSV, streamed, uncapped.",
                EXPORT_PARAMETERS,
                {
                    "200": response(
                        "A # comment line with the query, a header row, a row per article.",
                        mimetype="text/csv",
                    ),
                    "400": BAD_QUERY,
                },  # fmt: skip
            ),
            "/export.json": operation(
                "exportJson",
                "Every result of a search as JSON, streamed, uncapped.",
                EXPORT_PARAMETERS,
                {
                    "200": response('{"query": {...}, "search_url": ..., "results": [...], "count": n}'),
                    "400": BAD_QUERY,
                },  # fmt: skip
            ),
            **{
                f"/api/{section}": operation(
                    f"list{section.capitalize()}",
                    f"The {section} the archive found, most articles first (editors' corrections applied).",
                    REGISTRY_PARAMETERS,
                    {"200": response(f"One page of {section}.", "RegistryList"), "400": BAD_QUERY},
                )
                for section in ("people", "places")
            },
            **{
                f"/api/{section}/{{key}}": operation(
                    f"get{noun}",
                    f"One {noun.lower()}: name, spellings, article count, hidden, corrections.",
                    [
                        {
                            "name": "key",
                            "in": "path",
                            "required": True,
                            "schema": STRING,
                            "description": "The key; a place key may hold a slash (BY/625144), sent as is.",
                        }
                    ],
                    {
                        "200": response(f"The {noun.lower()}.", "RegistryEntry"),
                        "404": response("No such key.", "Error"),
                    },
                )  # fmt: skip
                for section, noun in (("people", "Person"), ("places", "Place"))
            },
            "/api/openapi.json": operation(
                "openapi", "This description.", [], {"200": response("OpenAPI 3")}
            ),
        },
        "components": {"schemas": SCHEMAS},
    }
