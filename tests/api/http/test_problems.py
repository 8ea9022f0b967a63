"""Problem details: every error, expected or not, is application/problem+json."""

import time

import httpx
import pytest

from api.errors import Conflict, UnprocessableContent, ValidationIssue, json_pointer
from api.http.problems import problem_of, problem_responses
from tests.factories import PROBLEM, problem_body


async def test_an_unexpected_error_is_a_bare_500_problem(failing_server: str) -> None:
    async with httpx.AsyncClient(base_url=failing_server) as client:
        response = await client.get("/boom")

    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert response.json() == problem_body(
        500, "The server could not complete the request.", response.headers["x-request-id"]
    )
    assert "secret" not in response.text


def test_an_error_becomes_its_problem_document() -> None:
    issue = ValidationIssue(location="body", pointer="/name", detail="Field required")

    assert problem_of(Conflict("Busy.")).model_dump(exclude_none=True) == problem_body(409, "Busy.")
    assert problem_of(UnprocessableContent([issue])).model_dump(exclude_none=True) == {
        "type": "/problems/validation-error",
        "title": "Unprocessable Content",
        "status": 422,
        "detail": "The request has 1 invalid value.",
        "errors": [{"location": "body", "pointer": "/name", "detail": "Field required"}],
    }


def test_json_pointers_escape_tilde_and_slash() -> None:
    assert json_pointer(["emails", 0, "a/b~c"]) == "/emails/0/a~1b~0c"
    assert json_pointer([]) == ""


def test_every_documented_error_uses_the_problem_schema() -> None:
    documented = problem_responses(404, 422)

    assert set(documented) == {404, 422}
    assert documented[422]["description"] == "Unprocessable Content"


@pytest.mark.parametrize("body", [b'{"name": "Ada"', b"\xff\xfe{}", b'{"name": "\xc3\x28"}'])
async def test_malformed_json_is_400(client: httpx.AsyncClient, body: bytes) -> None:
    response = await client.post("/contacts", content=body, headers={"content-type": "application/json"})

    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["title"] == "Bad Request"


async def test_wrong_method_is_405_with_allow(client: httpx.AsyncClient) -> None:
    response = await client.delete("/contacts")

    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "POST"}


async def test_unknown_route_is_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/route")

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


@pytest.mark.slow
async def test_a_million_unknown_keys_are_refused_within_a_second_in_a_small_body(client: httpx.AsyncClient) -> None:
    body = b"{" + b",".join(b'"k%d":0' % number for number in range(1_000_000)) + b"}"
    started = time.monotonic()

    response = await client.post("/contacts", content=body, headers={"content-type": "application/json"})

    assert time.monotonic() - started < 1
    assert response.status_code == 413  # about 9 MB: refused by its size before it is read
    assert len(response.content) < 10_000


@pytest.mark.slow
async def test_a_body_of_eighty_thousand_unknown_keys_lists_only_the_first_50(client: httpx.AsyncClient) -> None:
    body = b'{"name":"Ada",' + b",".join(b'"k%d":0' % number for number in range(80_000)) + b"}"  # just under 1 MiB

    response = await client.post("/contacts", content=body, headers={"content-type": "application/json"})

    problem = response.json()
    assert response.status_code == 422
    assert len(problem["errors"]) == 50
    assert problem["detail"] == "The request has 80000 invalid values. The first 50 are listed."
    assert len(response.content) < 10_000
