"""Test data: realistic contact documents, loaded in bulk with the driver, within a time budget.

The API's collection holds documents exactly as the API stores them (built with
`api.contacts.repository.new_document`, and numbered in the change feed a block per batch from
the tenant's change counter, as `api.contacts.writes.insert_many` numbers them); the seed's
collection holds the seed's shape `{"name", "email"}`. Collections only grow from one size to
the next; what the create scenarios add is deleted again after each round (by `_id`, which is
time-ordered).
"""

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.collection import Collection

from api.contacts.repository import new_document
from api.contacts.schemas import ContactWrite
from api.scope import Scope
from bench.progress import say
from models.change_counter import ChangeCounter

SCOPE = Scope("default")
TEMPLATES = 1_000  # distinct contacts; document i is template i % TEMPLATES with its own id and times
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
_GIVEN = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Ken", "Radia", "Linus", "Frances")
_FAMILY = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Thompson", "Perlman", "Allen")
_COMPANIES = ("Analytical Engines", "Bell Labs", "Xerox PARC", "Acme", None, None)
_TAGS = ("friend", "work", "vip", "family", "supplier", "press")

Document = dict[str, Any]
Maker = Callable[[int, int], Iterator[Document]]  # (first number, count) -> the documents to insert


class LoadBudgetExceeded(RuntimeError):
    """Loading took longer than its budget; the size is skipped."""


def _person(index: int) -> tuple[str, str, str]:
    rng = random.Random(index)  # noqa: S311 (test data, not secrets)
    given, family = rng.choice(_GIVEN), rng.choice(_FAMILY)
    return given, family, f"{given.lower()}.{family.lower()}{index}@example.com"


def contact_templates(count: int = TEMPLATES) -> list[Document]:
    """`count` varied contacts, stored exactly as the API would store them (`api_documents` numbers them)."""
    templates = []
    for index in range(count):
        given, family, email = _person(index)
        rng = random.Random(-index)  # noqa: S311
        contact = ContactWrite(
            name=f"{given} {family}",
            given_name=given,
            family_name=family,
            company=rng.choice(_COMPANIES),
            tags=rng.sample(_TAGS, rng.randint(0, 3)),
            emails=[{"value": email, "label": "work", "primary": True}],
            phones=[{"value": f"+1 415 555 {index % 10_000:04d}", "label": "mobile"}] if index % 2 else [],
        )
        templates.append(new_document(SCOPE, contact, seq=1))
    return templates


def api_documents(
    start: int, count: int, templates: list[Document], first_seq: int | None = None
) -> Iterator[Document]:
    """Documents number `start` .. `start + count - 1`: created a second apart, in order, from EPOCH on.

    Their change numbers run from `first_seq` on (None: number i is change i + 1, as in a fresh tenant).
    """
    first = start + 1 if first_seq is None else first_seq
    for offset, index in enumerate(range(start, start + count)):
        moment = EPOCH + timedelta(seconds=index)
        fresh = {"_id": str(ObjectId()), "created_at": moment, "updated_at": moment, "seq": first + offset}
        yield templates[index % len(templates)] | fresh


def allocate(counters: Collection[Document], count: int) -> int:
    """Reserve `count` change numbers of the tenant, as `api.changes.counters.allocate` does; the first of them."""
    counter = counters.find_one_and_update(
        {"_id": SCOPE.tenant}, {"$inc": {"seq": count}}, upsert=True, return_document=ReturnDocument.AFTER
    )
    if counter is None:
        raise RuntimeError("the database returned no change counter after an upsert")
    return int(counter["seq"]) - count + 1


def api_maker(contacts: Collection[Document], templates: list[Document]) -> Maker:
    """The API's documents for a Loader of `contacts`: each batch numbered by one allocation from the counter."""
    counters = contacts.database[ChangeCounter.Settings.name]

    def make(start: int, count: int) -> Iterator[Document]:
        return api_documents(start, count, templates, allocate(counters, count))

    return make


CLIENT_FIELDS = ("name", "given_name", "family_name", "company", "tags", "emails", "phones", "addresses", "notes")


def eve_documents(start: int, count: int, templates: list[Document]) -> Iterator[Document]:
    """The same contacts as `api_documents`, as Eve stores them: an ObjectId, `_created`, `_updated`, `_etag`."""
    for index, document in enumerate(api_documents(start, count, templates), start):
        fields = {name: document[name] for name in CLIENT_FIELDS if name in document}
        yield fields | {
            "_id": ObjectId.from_datetime(document["created_at"]),  # unique: one contact per second from EPOCH
            "_created": document["created_at"],
            "_updated": document["updated_at"],
            "_etag": f"{index:040x}",
        }


def seed_documents(start: int, count: int) -> Iterator[Document]:
    """The seed service's shape: what its `POST /new` stores (the driver adds an ObjectId `_id`)."""
    for index in range(start, start + count):
        given, family, email = _person(index)
        yield {"name": f"{given} {family}", "email": email}


@dataclass(slots=True)
class Loader:
    """Grows one collection to a requested size in batches, printing progress."""

    collection: Collection[Document]
    make: Maker
    label: str
    batch_size: int = 1_000
    loaded: int = 0
    per_document: float | None = None  # seconds per document in the latest batch

    def grow_to(self, size: int, deadline: float) -> float:
        """Insert until `size` documents are loaded; return the seconds it took.

        Raises LoadBudgetExceeded when `deadline` (a time.monotonic() value) has passed, or as soon
        as the latest insert speed says the rest cannot make it. Batches shrink when inserts are
        slow, so that one batch cannot overrun the deadline by much.
        """
        started = time.monotonic()
        while self.loaded < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (self.per_document or 0) * (size - self.loaded) > remaining:
                projected = f", {self.per_document * 1000:.1f} ms per document" if self.per_document else ""
                raise LoadBudgetExceeded(f"{self.label}: {self.loaded} of {size} loaded{projected}")
            batch = self.batch_size
            if self.per_document:
                batch = max(10, min(batch, int(remaining / 4 / self.per_document)))
            count = min(batch, size - self.loaded)
            begun = time.monotonic()
            self.collection.insert_many(list(self.make(self.loaded, count)), ordered=False)
            took = time.monotonic() - begun
            self.loaded += count
            self.per_document = took / count
            if self.loaded % 10_000 < count or self.loaded == size:
                say(f"  {self.label}: {self.loaded:>7} loaded ({count / took:,.0f} docs/s)")
        return time.monotonic() - started


def delete_created_since(collection: Collection[Document], marker: ObjectId, string_ids: bool) -> int:
    """Delete the documents inserted after `marker` (ids are time-ordered ObjectIds, or their hex)."""
    since: object = str(marker) if string_ids else marker
    return collection.delete_many({"_id": {"$gte": since}}).deleted_count


def marker_now() -> ObjectId:
    """An ObjectId below every id generated from now on (and above those made before this second)."""
    return ObjectId.from_datetime(datetime.now(UTC))


def sample_numbers(loaded: int, count: int, seed: int = 7) -> list[int]:
    """Up to `count` of the numbers of the `loaded` documents, drawn uniformly (early ones are cheaper to find)."""
    return random.Random(seed).sample(range(loaded), min(count, loaded))  # noqa: S311 (test data)


def sample_ids(collection: Collection[Document], loaded: int, count: int) -> list[str]:
    """Ids of `count` of the `loaded` contacts of the API's collection, drawn uniformly.

    Document number i was created at EPOCH + i seconds (`api_documents`), so each draw is one indexed lookup.
    """
    ids = []
    for number in sample_numbers(loaded, count):
        found = collection.find_one({**SCOPE.where(), "created_at": EPOCH + timedelta(seconds=number)}, {"_id": 1})
        if found is not None:
            ids.append(found["_id"])
    return ids


def eve_sample_ids(loaded: int, count: int) -> list[str]:
    """The same draw for Eve's collection, whose ids follow from the creation times (`eve_documents`)."""
    return [str(ObjectId.from_datetime(EPOCH + timedelta(seconds=number))) for number in sample_numbers(loaded, count)]
