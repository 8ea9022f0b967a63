"""The scenarios: what each service is asked to do, over HTTP or straight through the driver.

The driver's queries mirror what the API sends (api/services/listing.py and contacts.py):
the same filter, projection, sort and limit (one more than the page, to know if more follow).
"""

import json
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.collection import AsyncCollection

from api.services.contacts import FULL_VIEW, new_document
from bench.client import get_json
from bench.data import SCOPE, Document
from bench.load import HttpRequest, Operation
from models.contact import ContactWrite, fold

PAGE = 20
SORT = [("created_at", 1), ("_id", 1)]
SEED, API, DRIVER = "seed", "api", "driver"


@dataclass(frozen=True, slots=True)
class Context:
    """What the scenarios of one size need: ids to read, the deep page's cursor and position."""

    ids: list[str]
    deep_cursor: str
    deep_after: tuple[datetime, str]
    deep_pages: int
    token: str  # makes created e-mail addresses unique to the run


DriverFactory = Callable[[AsyncCollection[Document], Context], Operation]


@dataclass(frozen=True, slots=True)
class Scenario:
    """One workload; `services` are compared with each other (the first is ours: the API)."""

    key: str
    title: str
    services: tuple[str, str]
    creates: bool
    http: Callable[[Context], HttpRequest]
    driver: DriverFactory | None = None


def page_filter(after: tuple[datetime, str] | None = None) -> dict[str, Any]:
    """The API's filter for the default listing (sort created_at), after a keyset position."""
    where: dict[str, Any] = SCOPE.where()
    if after is not None:
        moment, last_id = after
        where["$and"] = [{"$or": [{"created_at": {"$gt": moment}}, {"created_at": moment, "_id": {"$gt": last_id}}]}]
    return where


def _create_body(n: int | str, token: str) -> dict[str, Any]:
    return {"name": f"Bench Contact {n}", "emails": [{"value": f"bench{n}.{token}@example.com", "primary": True}]}


def _page(after: Callable[[Context], tuple[datetime, str] | None]) -> DriverFactory:
    def factory(collection: AsyncCollection[Document], context: Context) -> Operation:
        where = page_filter(after(context))

        async def operation(n: int) -> object:
            return await collection.find(where, FULL_VIEW).sort(SORT).limit(PAGE + 1).to_list(PAGE + 1)

        return operation

    return factory


def _get(collection: AsyncCollection[Document], context: Context) -> Operation:
    ids = context.ids

    async def operation(n: int) -> object:
        return await collection.find_one(SCOPE.where(_id=ids[n % len(ids)]), FULL_VIEW)

    return operation


def _create(collection: AsyncCollection[Document], context: Context) -> Operation:
    template = new_document(SCOPE, ContactWrite.model_validate(_create_body(0, context.token)))

    async def operation(n: int) -> object:
        # What the API's create stores for the same body (models/contact.py: stored_fields, derived_keys).
        body = _create_body(n, context.token)
        name, email = body["name"], body["emails"][0]["value"]
        now = datetime.now(UTC)
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        document = template | {"_id": str(ObjectId()), "created_at": now, "updated_at": now}
        document |= {"name": name, "name_key": fold(name), "emails": body["emails"], "email_keys": [email]}
        document["search_terms"] = sorted({fold(name), *fold(name).split(), email})
        return await collection.insert_one(document)

    return operation


def _json(body: dict[str, Any]) -> str:
    return json.dumps(body, separators=(",", ":"))


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("seed_list", "GET / (seed route)", (API, SEED), False, lambda c: HttpRequest("GET", ["/"])),
    Scenario(
        "seed_create",
        "POST /new (seed route)",
        (API, SEED),
        True,
        lambda c: HttpRequest(
            "POST", ["/new"], _json({"name": "Bench {n}", "email": f"bench{{n}}.{c.token}@example.com"})
        ),
    ),
    Scenario(
        "list",
        "GET /contacts (page 1)",
        (API, DRIVER),
        False,
        lambda c: HttpRequest("GET", ["/contacts"]),
        _page(lambda c: None),
    ),
    Scenario(
        "get",
        "GET /contacts/{id}",
        (API, DRIVER),
        False,
        lambda c: HttpRequest("GET", [f"/contacts/{contact_id}" for contact_id in c.ids]),
        _get,
    ),
    Scenario(
        "create",
        "POST /contacts",
        (API, DRIVER),
        True,
        lambda c: HttpRequest("POST", ["/contacts"], _json(_create_body("{n}", c.token))),
        _create,
    ),
    Scenario(
        "page_deep",
        "GET /contacts?cursor= (deep page)",
        (API, DRIVER),
        False,
        lambda c: HttpRequest("GET", [f"/contacts?cursor={urllib.parse.quote(c.deep_cursor)}"]),
        _page(lambda c: c.deep_after),
    ),
)


def walk_to_deep_page(base_url: str, size: int, deep_pages: int) -> tuple[str, tuple[datetime, str], int]:
    """Follow next_cursor `deep_pages` pages in (fewer when the data is short).

    Returns the cursor of the deep page, the position it resumes after, and how many pages it skips.
    """
    pages = max(1, min(deep_pages, (size - 1) // PAGE))
    url = f"{base_url}/contacts?limit={PAGE}"
    for _ in range(pages):
        page = get_json(url)
        cursor, last = page["next_cursor"], page["items"][-1]
        if cursor is None:
            raise RuntimeError(f"the listing ended before page {pages + 1}")
        url = f"{base_url}/contacts?limit={PAGE}&cursor={urllib.parse.quote(cursor)}"
    return cursor, (datetime.fromisoformat(last["created_at"]), last["id"]), pages
