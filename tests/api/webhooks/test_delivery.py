"""Deliveries to a real receiver: signed, in order, retried until the receiver recovers, each event once."""

import asyncio
import time
from collections import Counter
from typing import Any

import httpx
from standardwebhooks import Webhook

from bench.receiver import Receiver
from tests.factories import new_contact

EVENTS = ["contact.created", "contact.updated", "contact.deleted", "contact.merged"]


async def subscribe(client: httpx.AsyncClient, url: str, events: list[str] = EVENTS) -> dict[str, Any]:
    response = await client.post("/webhooks", json={"url": url, "events": events})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def until(check: Any, within: float = 15.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_events_are_signed_and_arrive_in_order(hooked: httpx.AsyncClient, receiver: Receiver) -> None:
    webhook = await subscribe(hooked, receiver.url)
    contact = await new_contact(hooked, name="Ada")
    await until(lambda: len(receiver.accepted()) >= 1)
    await hooked.patch(
        f"/contacts/{contact['id']}", json={"nickname": "A"}, headers={"Content-Type": "application/merge-patch+json"}
    )
    await until(lambda: len(receiver.accepted()) >= 2)
    await hooked.delete(f"/contacts/{contact['id']}")
    await until(lambda: len(receiver.accepted()) >= 3)

    received = receiver.accepted()
    assert [request.event["type"] for request in received] == EVENTS[:3]
    verifier = Webhook(webhook["secret"])
    for request in received:
        verifier.verify(request.body, request.headers)  # raises unless the signature and timestamp are right
    assert received[1].event["data"]["contact"]["nickname"] == "A"
    assert received[2].event["data"]["id"] == contact["id"]
    assert len({request.headers["webhook-id"] for request in received}) == 3
    log = (await hooked.get(f"/webhooks/{webhook['id']}/deliveries")).json()["items"]
    assert [(entry["event_type"], entry["status"]) for entry in log] == [
        ("contact.deleted", "delivered"),
        ("contact.updated", "delivered"),
        ("contact.created", "delivered"),
    ]


async def test_a_failing_receiver_gets_every_event_once_it_recovers(
    hooked: httpx.AsyncClient, receiver: Receiver
) -> None:
    await subscribe(hooked, receiver.url, ["contact.created"])
    receiver.failing.set()
    created = [(await new_contact(hooked, name=f"Person {n}"))["id"] for n in range(5)]
    await until(lambda: len(receiver.requests) >= 3)  # it has been failing a while

    receiver.failing.clear()
    await until(lambda: len(receiver.accepted()) >= 5)
    await asyncio.sleep(0.5)  # nothing more arrives

    accepted = receiver.accepted()
    delivered = Counter(request.headers["webhook-id"] for request in accepted)
    assert sorted(delivered.values()) == [1] * 5  # each event accepted exactly once
    assert [request.event["data"]["contact"]["id"] for request in accepted] == created  # in order
    assert len(receiver.requests) > len(accepted)  # there were retries


async def test_a_subscription_only_gets_its_events_and_a_merge_is_one(
    hooked: httpx.AsyncClient, receiver: Receiver
) -> None:
    survivor, source = await new_contact(hooked, name="Keep"), await new_contact(hooked, name="Fold")
    await subscribe(hooked, receiver.url, ["contact.merged", "contact.deleted"])

    await hooked.post(f"/contacts/{survivor['id']}/merge", json={"from": [source["id"]]})
    await until(lambda: len(receiver.accepted()) >= 2)

    events = {request.event["type"]: request.event["data"] for request in receiver.accepted()}
    assert events["contact.merged"]["merged_from"] == [source["id"]]
    assert events["contact.deleted"] == {
        "id": source["id"],
        "deleted_at": events["contact.deleted"]["deleted_at"],
        "merged_into": survivor["id"],
    }


async def test_group_events_arrive_in_order(hooked: httpx.AsyncClient, receiver: Receiver) -> None:
    await subscribe(hooked, receiver.url, ["group.created", "group.updated", "group.deleted"])
    group = (await hooked.post("/groups", json={"name": "Readers"})).json()
    await until(lambda: len(receiver.accepted()) >= 1)
    await hooked.patch(
        f"/groups/{group['id']}", json={"name": "Book club"}, headers={"Content-Type": "application/merge-patch+json"}
    )
    await until(lambda: len(receiver.accepted()) >= 2)
    await hooked.delete(f"/groups/{group['id']}")
    await until(lambda: len(receiver.accepted()) >= 3)
    await new_contact(hooked, name="Not a group event")
    await asyncio.sleep(0.5)

    events = [request.event for request in receiver.accepted()]
    assert [event["type"] for event in events] == ["group.created", "group.updated", "group.deleted"]
    assert events[1]["data"]["group"]["name"] == "Book club"
    assert events[2]["data"]["id"] == group["id"]
    assert (await hooked.post("/groups", json={"name": "book CLUB"})).status_code == 201  # the name is free again
