"""The scenarios: what each service is asked to do, over HTTP or straight through the driver.

The driver sends the very queries the API sends, built by the repository's public functions
(`page_query`, `new_document`) and scoped by `Scope.where`, with no HTTP; a create takes its change
number from the tenant's counter first, as the API's does.
Eve is asked for the same things its own way: pages of the same size by page number (Eve has no
cursors), items by its ObjectIds, the same create body.
"""

import json
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

from api.contacts import repository
from api.contacts.listing import ContactQuery, Position
from api.contacts.repository import PageQuery
from api.contacts.schemas import ContactWrite
from bench.client import get_json
from bench.data import SCOPE, Document
from bench.load import HttpRequest, Operation
from models.change_counter import ChangeCounter

PAGE = 20
SEED, API, DRIVER, EVE = "seed", "api", "driver", "eve"


@dataclass(frozen=True, slots=True)
class Context:
    """What the scenarios of one size need: ids to read, the deep page's cursor and position."""

    ids: list[str]
    deep_cursor: str
    deep_after: Position
    deep_pages: int
    token: str  # makes created e-mail addresses unique to the run
    eve_ids: list[str] = field(default_factory=list)


DriverFactory = Callable[[AsyncCollection[Document], Context], Operation]


@dataclass(frozen=True, slots=True)
class Scenario:
    """One workload; the API (the first of `services`) is compared with each of the others.

    `http` is what the API and the seed are sent (the seed's routes are the API's too), `eve` what Eve is.
    """

    key: str
    title: str
    services: tuple[str, ...]
    creates: bool
    http: Callable[[Context], HttpRequest]
    driver: DriverFactory | None = None
    eve: Callable[[Context], HttpRequest] | None = None

    def request(self, service: str, context: Context) -> HttpRequest:
        """What `service` is sent over HTTP."""
        build = self.eve if service == EVE else self.http
        if build is None:
            raise RuntimeError(f"{self.key} has no form for {service}")
        return build(context)


def page_query(after: Position | None = None) -> PageQuery:
    """The API's query for a default listing page (sort created_at), after a keyset position."""
    return repository.page_query(SCOPE, ContactQuery(limit=PAGE, after=after))


def create_body(n: int | str, token: str) -> dict[str, Any]:
    """What a create scenario sends: contact number `n`, its e-mail made unique to the run by `token`."""
    return {"name": f"Bench Contact {n}", "emails": [{"value": f"bench{n}.{token}@example.com", "primary": True}]}


def _page(after: Callable[[Context], Position | None]) -> DriverFactory:
    def factory(collection: AsyncCollection[Document], context: Context) -> Operation:
        query = page_query(after(context))

        async def operation(n: int) -> object:
            found = collection.find(query.filter, query.projection).sort(query.sort).limit(query.limit)
            return await found.to_list()

        return operation

    return factory


def _get(collection: AsyncCollection[Document], context: Context) -> Operation:
    ids = context.ids

    async def operation(n: int) -> object:
        return await collection.find_one(SCOPE.where(_id=ids[n % len(ids)]))  # as `repository.get` sends it

    return operation


def _create(collection: AsyncCollection[Document], context: Context) -> Operation:
    counters = collection.database[ChangeCounter.Settings.name]

    async def operation(n: int) -> object:
        # What the API stores for the same body: validated, normalised, with its derived keys, at the tenant's
        # next change number, taken first (as `api.changes.counters.allocate` takes it).
        contact = ContactWrite.model_validate(create_body(n, context.token))
        counter = await counters.find_one_and_update(
            {"_id": SCOPE.tenant}, {"$inc": {"seq": 1}}, upsert=True, return_document=ReturnDocument.AFTER
        )
        if counter is None:
            raise RuntimeError("the database returned no change counter after an upsert")
        return await collection.insert_one(repository.new_document(SCOPE, contact, seq=counter["seq"]))

    return operation


def _json(body: dict[str, Any]) -> str:
    return json.dumps(body, separators=(",", ":"))


def _create_request(context: Context) -> HttpRequest:
    return HttpRequest("POST", ["/contacts"], _json(create_body("{n}", context.token)))


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
        (API, DRIVER, EVE),
        False,
        lambda c: HttpRequest("GET", ["/contacts"]),
        _page(lambda c: None),
        lambda c: HttpRequest("GET", [f"/contacts?max_results={PAGE}"]),
    ),
    Scenario(
        "get",
        "GET /contacts/{id}",
        (API, DRIVER, EVE),
        False,
        lambda c: HttpRequest("GET", [f"/contacts/{contact_id}" for contact_id in c.ids]),
        _get,
        lambda c: HttpRequest("GET", [f"/contacts/{contact_id}" for contact_id in c.eve_ids]),
    ),
    Scenario(
        "create",
        "POST /contacts",
        (API, DRIVER, EVE),
        True,
        _create_request,
        _create,
        _create_request,
    ),
    Scenario(
        "page_deep",
        "GET /contacts?cursor= (deep page; Eve: ?page=)",
        (API, DRIVER, EVE),
        False,
        lambda c: HttpRequest("GET", [f"/contacts?cursor={urllib.parse.quote(c.deep_cursor)}"]),
        _page(lambda c: c.deep_after),
        lambda c: HttpRequest("GET", [f"/contacts?max_results={PAGE}&page={c.deep_pages + 1}"]),
    ),
)


def walk_to_deep_page(base_url: str, size: int, deep_pages: int) -> tuple[str, Position, int]:
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
