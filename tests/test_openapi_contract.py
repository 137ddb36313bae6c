"""The OpenAPI document is the API's contract: schemathesis generates requests from it, valid and invalid,
sends them to the app and checks every answer against the document (issue 15, Medium 13).

Run through Flask's WSGI app on the session archive, with every check, positive and negative data, and a
bounded number of examples per operation. One allowance: a 400 for a request the schema cannot call
wrong (``from`` after ``to``, 30 February) is the answer the document declares for it, so schema-valid
data may get a 400 too; every other check is as strict as ``schemathesis run --checks all``.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

pytest_plugins = ["tests.web_fixtures"]  # the session archive and the app

#: Examples per operation and kind of data: the whole contract check stays well under a minute.
EXAMPLES = 15
CONFIG = """
[checks]
enabled = true

[checks.positive_data_acceptance]
expected-statuses = ["2xx", "400", "404"]
"""


@pytest.fixture(scope="module")
def api_schema(web_app):
    return schemathesis.openapi.from_wsgi(
        "/api/openapi.json", web_app, config=SchemathesisConfig.from_str(CONFIG)
    )


def operations() -> list[tuple[str, GenerationMode]]:
    """Every operation with valid data, and with invalid data where it has query parameters to get wrong
    (any string is a valid article id)."""
    from archive.web.openapi import openapi_spec

    out = []
    for path, item in openapi_spec()["paths"].items():
        for method, op in item.items():
            label = f"{method.upper()} {path}"
            out.append((label, GenerationMode.POSITIVE))
            if any(p["in"] == "query" for p in op["parameters"]):
                out.append((label, GenerationMode.NEGATIVE))
    return out


# schemathesis' own pytest plugin does not run under pytest 9, so each operation is a hypothesis test here
@pytest.mark.parametrize("label,mode", operations(), ids=lambda v: getattr(v, "value", v))
def test_the_api_keeps_its_documented_contract(api_schema, label, mode):
    operation = api_schema.find_operation_by_label(label)
    assert operation is not None, label

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        case.call_and_validate()

    check()


@pytest.mark.parametrize(
    "url",
    ["/export.json?to=", "/export.csv?from=", "/api/search?sort=", "/api/search?page=", "/api/search?to=+2023",
     "/api/search?per_page=1.5", "/api/search?language=e1", "/export.json?fulltext=maybe",
     "/api/search?" + "&".join(f"person=p{n}" for n in range(21))],
)  # fmt: skip
def test_values_the_document_forbids_are_a_json_400(web_client, url):
    response = web_client.get(url)
    assert response.status_code == 400, url
    assert response.mimetype == "application/json"
    assert response.get_json()["status"] == 400 and response.get_json()["error"]


def test_the_html_form_stays_lenient(web_client):
    """The search page's form sends blank fields; there they mean "no filter"."""
    assert web_client.get("/search?q=putin&from=&to=&sort=&mode=").status_code == 200


@pytest.mark.parametrize("url", ["/export.csv?from=nope", "/export.csv?page=0&per_page=x&fulltext=2"])
def test_csv_errors_are_json_as_documented(web_client, url):
    response = web_client.get(url)
    assert response.status_code == 400 and response.mimetype == "application/json"


@pytest.mark.parametrize("url", ["/api/search", "/export.csv", "/api/openapi.json", "/api/articles/x"])
def test_a_wrong_method_is_a_405_with_allow(web_client, url):
    response = web_client.post(url)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD"}
    assert response.get_json()["status"] == 405
