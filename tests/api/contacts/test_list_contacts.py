"""Listing: filters, sort orders, projection and cursors."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.factories import PROBLEM, create_contact, new_contact, patch_contact


async def ids(client: httpx.AsyncClient, **params: object) -> list[str]:
    response = await client.get("/contacts", params=params)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def make(client: httpx.AsyncClient, name: str, **fields: object) -> str:
    defaults: dict[str, object] = {"emails": None, "company": None}
    contact_id: str = (await create_contact(client, **(defaults | fields | {"name": name}))).json()["id"]
    return contact_id


async def test_q_is_a_case_insensitive_prefix_of_names_emails_and_phone_digits(client: httpx.AsyncClient) -> None:
    ada = await make(client, "Ada Lovelace", emails=[{"value": "countess@Example.org"}])
    zoe = await make(client, "Zoë Ünlü", given_name="Zoë", phones=[{"value": "(415) 555-0123"}])
    await make(client, "Charles Babbage")

    assert await ids(client, q="ada") == [ada]
    assert await ids(client, q="LOVE") == [ada]
    assert await ids(client, q="ada lo") == [ada]
    assert await ids(client, q="COUNTESS@ex") == [ada]
    assert await ids(client, q="zoë") == [zoe]
    assert await ids(client, q="ünl") == [zoe]
    assert await ids(client, q="415 555") == [zoe]
    assert await ids(client, q="+1415") == [zoe]
    assert await ids(client, q="lace") == []


async def test_q_matches_regex_metacharacters_literally(client: httpx.AsyncClient) -> None:
    dotted = await make(client, "A.B. Smith", nickname="(Bob)*")
    await make(client, "AxB Jones")
    await make(client, "Bob Stone")

    assert await ids(client, q="a.b") == [dotted]
    assert await ids(client, q="(bob)*") == [dotted]
    assert await ids(client, q=".*") == []
    assert await ids(client, q="a.b. s") == [dotted]


async def test_tags_must_all_match_ignoring_case(client: httpx.AsyncClient) -> None:
    both = await make(client, "Both", tags=["VIP", "Berlin"])
    await make(client, "One", tags=["vip"])

    assert await ids(client, tag=["vip", "berlin"]) == [both]
    assert len(await ids(client, tag="VIP")) == 2


async def test_email_and_phone_filters_match_normalised_values(client: httpx.AsyncClient) -> None:
    ada = await make(client, "Ada", emails=[{"value": "Ada@Example.COM"}], phones=[{"value": "+44 20 7946 0958"}])
    await make(client, "Other", emails=[{"value": "other@example.com"}])

    assert await ids(client, email="ada@example.com") == [ada]
    assert await ids(client, email="ADA@EXAMPLE.com") == [ada]
    assert await ids(client, phone="+442079460958") == [ada]
    assert await ids(client, phone="+44 (20) 7946-0958") == [ada]


@pytest.mark.parametrize(("param", "value"), [("email", "not-an-email"), ("phone", "call me")])
async def test_unusable_email_or_phone_filter_is_422(client: httpx.AsyncClient, param: str, value: str) -> None:
    response = await client.get("/contacts", params={param: value})

    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == f"/{param}"
    assert response.json()["errors"][0]["location"] == "query"


async def test_company_filter_ignores_case(client: httpx.AsyncClient) -> None:
    acme = await make(client, "A", company="ACME Corp")
    await make(client, "B", company="Other")

    assert await ids(client, company="acme corp") == [acme]


async def test_updated_since_returns_contacts_changed_at_or_after(client: httpx.AsyncClient) -> None:
    old = await make(client, "Old")
    await make(client, "Untouched")
    since = datetime.now(UTC) - timedelta(milliseconds=1)
    await patch_contact(client, old, {"notes": "touched"})

    assert await ids(client, updated_since=since.isoformat()) == [old]
    naive = await client.get("/contacts", params={"updated_since": "2020-01-01T00:00:00"})
    assert naive.status_code == 422


@pytest.mark.parametrize("sort", ["name", "-name", "created_at", "-created_at", "updated_at", "-updated_at"])
async def test_every_sort_order_pages_through_everything_in_order(client: httpx.AsyncClient, sort: str) -> None:
    names = ["bob", "Alice", "carol", "alice", "Dave", "eve", "Bob"]
    for name in names:
        await make(client, name)

    seen: list[dict[str, str]] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"sort": sort, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/contacts", params=params)).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    key, reverse = sort.lstrip("-"), sort.startswith("-")

    # Times are compared as times: "…:22Z" (a whole second) is earlier than "…:22.004000Z", not later as text.
    def order(c: dict[str, str]) -> tuple[object, str]:
        return (c["name"].casefold() if key == "name" else datetime.fromisoformat(c[key]), c["id"])

    expected = sorted(seen, key=order, reverse=reverse)
    assert [c["id"] for c in seen] == [c["id"] for c in expected]
    assert len(seen) == len(names)


async def test_fields_projects_and_always_includes_id(client: httpx.AsyncClient) -> None:
    await make(client, "Ada", tags=["x"], emails=[{"value": "ada@example.com"}])

    (item,) = (await client.get("/contacts", params={"fields": "name,tags,emails", "sort": "name"})).json()["items"]

    assert set(item) == {"id", "name", "tags", "emails"}
    assert item["tags"] == ["x"]
    assert item["emails"] == [{"value": "ada@example.com", "label": None, "primary": False, "original": None}]


@pytest.mark.parametrize(
    ("params", "allowed"),
    [({"sort": "-id"}, "created_at"), ({"fields": "name,password"}, "emails"), ({"fields": ","}, "emails")],
)
async def test_unknown_sort_or_field_is_400_naming_the_allowed_values(
    client: httpx.AsyncClient, params: dict[str, str], allowed: str
) -> None:
    response = await client.get("/contacts", params=params)

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert allowed in response.json()["detail"]


async def test_a_cursor_from_another_sort_order_is_400(client: httpx.AsyncClient) -> None:
    for name in ("a", "b", "c"):
        await make(client, name)
    cursor = (await client.get("/contacts", params={"limit": 1, "sort": "name"})).json()["next_cursor"]

    response = await client.get("/contacts", params={"cursor": cursor, "sort": "-created_at"})

    assert response.status_code == 400


@pytest.mark.parametrize(
    "params",
    [
        {"q": '{"$gt": ""}'},
        {"company": '{"$ne": null}'},
        {"tag": "$where"},
        {"email": '{"$gt":""}@example.com'},
    ],
)
async def test_operator_lookalikes_are_plain_values(client: httpx.AsyncClient, params: dict[str, str]) -> None:
    await make(client, "Ada", company="Acme", tags=["vip"])

    response = await client.get("/contacts", params=params)

    assert response.status_code in (200, 422)
    if response.status_code == 200:
        assert response.json()["items"] == []


async def test_pages_walk_every_contact_once_in_creation_order(client: httpx.AsyncClient) -> None:
    created = [(await new_contact(client, name=f"Contact {i}"))["id"] for i in range(7)]

    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/contacts", params=params)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == created


async def test_default_page_size_is_20(client: httpx.AsyncClient) -> None:
    for i in range(21):
        await new_contact(client, name=f"Contact {i}")

    page = (await client.get("/contacts")).json()

    assert len(page["items"]) == 20
    assert page["next_cursor"] is not None


@pytest.mark.parametrize("limit", ["0", "101", "ten"])
async def test_limit_out_of_range_is_422(client: httpx.AsyncClient, limit: str) -> None:
    response = await client.get("/contacts", params={"limit": limit})

    assert response.status_code == 422
    (issue,) = response.json()["errors"]
    assert (issue["location"], issue["pointer"]) == ("query", "/limit")
    assert issue["detail"]


@pytest.mark.parametrize("cursor", ["garbage", "e30.AAAA", "WyJ4Il0.bm90LXRoZS1zaWduYXR1cmU"])
async def test_bad_cursor_is_400(client: httpx.AsyncClient, cursor: str) -> None:
    response = await client.get("/contacts", params={"cursor": cursor})

    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
