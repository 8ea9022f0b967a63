"""Merging contacts over HTTP: the merged fields, tombstones that point at the survivor, history, sync, groups."""

from typing import Any

import httpx

from tests.factories import PROBLEM, new_contact, patch_contact

MISSING = "0123456789abcdef01234567"


async def merge(client: httpx.AsyncClient, survivor: str, body: dict[str, Any], **headers: str) -> httpx.Response:
    return await client.post(f"/contacts/{survivor}/merge", json=body, headers=headers)


async def test_lists_are_unioned_with_duplicates_folded_and_scalars_chosen_or_newest(client: httpx.AsyncClient) -> None:
    survivor = await new_contact(
        client,
        name="Ada Lovelace",
        company="Old Co",
        job_title="Analyst",
        tags=["VIP"],
        emails=[{"value": "ada@example.com", "primary": True}],
        phones=[{"value": "+44 20 7946 0958"}],
    )
    source = await new_contact(
        client,
        name="A. Lovelace",
        company="New Co",
        nickname="Ada",
        tags=["vip", "math"],
        emails=[{"value": "ADA@example.com", "label": "work"}, {"value": "ada@home.example", "primary": True}],
        phones=[{"value": "+442079460958"}, {"value": "+1 415 555 0100"}],
        addresses=[{"city": "London", "country": "GB"}],
    )

    response = await merge(client, survivor["id"], {"from": [source["id"]], "fields": {"name": survivor["id"]}})

    assert response.status_code == 200, response.text
    merged = response.json()["contact"]
    assert response.headers["etag"] == f'"{survivor["version"] + 1}"'
    assert merged["name"] == "Ada Lovelace"  # chosen
    assert (merged["company"], merged["nickname"], merged["job_title"]) == ("New Co", "Ada", "Analyst")  # newest
    assert merged["tags"] == ["VIP", "math"]
    assert [(e["value"], e["primary"]) for e in merged["emails"]] == [
        ("ada@example.com", True),
        ("ada@home.example", False),
    ]
    assert [phone["value"] for phone in merged["phones"]] == ["+442079460958", "+14155550100"]
    assert merged["addresses"][0]["city"] == "London"
    sources = response.json()["sources"]
    assert (sources["name"], sources["company"], sources["emails"]) == (
        survivor["id"],
        source["id"],
        [survivor["id"], source["id"]],
    )
    assert response.json()["merged"] == [source["id"]]
    assert (await client.get(f"/contacts/{survivor['id']}")).json() == merged


async def test_a_merged_away_contact_redirects_reads_and_refuses_changes(client: httpx.AsyncClient) -> None:
    survivor, source = await new_contact(client, name="Keep"), await new_contact(client, name="Fold")
    assert (await merge(client, survivor["id"], {"from": [source["id"]]})).status_code == 200

    read = await client.get(f"/contacts/{source['id']}")
    change = await client.patch(
        f"/contacts/{source['id']}", json={"name": "x"}, headers={"Content-Type": "application/merge-patch+json"}
    )
    delete = await client.delete(f"/contacts/{source['id']}")
    restore = await client.post(f"/contacts/{source['id']}/restore", json={"version": 1})
    again = await merge(client, survivor["id"], {"from": [source["id"]]})

    assert read.status_code == 301
    assert read.headers["location"] == f"/contacts/{survivor['id']}"
    assert read.json()["merged_into"] == survivor["id"]
    assert (change.status_code, delete.status_code, restore.status_code) == (410, 410, 410)
    assert change.headers["location"] == f"/contacts/{survivor['id']}"
    assert change.headers["content-type"] == PROBLEM
    assert change.json()["type"] == "/problems/contact-merged"
    assert again.status_code == 422
    assert again.json()["errors"][0]["pointer"] == "/from/0"
    listed = [item["id"] for item in (await client.get("/contacts")).json()["items"]]
    assert listed == [survivor["id"]]


async def test_history_and_the_change_feed_show_one_entry_per_contact(client: httpx.AsyncClient) -> None:
    survivor, source = await new_contact(client, name="Keep"), await new_contact(client, name="Fold", company="Co")
    token = (await client.get("/contacts/changes")).json()["sync_token"]

    await merge(client, survivor["id"], {"from": [source["id"]]})
    feed = (await client.get("/contacts/changes", params={"since": token})).json()
    survivor_history = (await client.get(f"/contacts/{survivor['id']}/history")).json()["items"]
    source_history = (await client.get(f"/contacts/{source['id']}/history")).json()["items"]

    assert [contact["id"] for contact in feed["changed"]] == [survivor["id"]]
    assert [(t["id"], t["merged_into"]) for t in feed["deleted"]] == [(source["id"], survivor["id"])]
    newest = survivor_history[0]
    assert (newest["kind"], newest["version"], newest["merged_from"]) == ("updated", 2, [source["id"]])
    assert newest["patch"] == {"company": "Co", "name": "Fold"}
    assert newest["sources"]["company"] == source["id"]
    assert (source_history[0]["kind"], source_history[0]["merged_into"]) == ("deleted", survivor["id"])
    assert [entry["kind"] for entry in survivor_history[1:]] == ["created"]


async def test_dry_run_changes_nothing(client: httpx.AsyncClient) -> None:
    survivor, source = await new_contact(client, name="Keep"), await new_contact(client, name="Fold", company="Co")

    preview = await merge(client, survivor["id"], {"from": [source["id"]], "dry_run": True})

    assert preview.status_code == 200
    assert preview.json()["dry_run"] is True
    assert (preview.json()["contact"]["company"], preview.json()["contact"]["version"]) == ("Co", 1)
    assert (await client.get(f"/contacts/{survivor['id']}")).json() == survivor
    assert (await client.get(f"/contacts/{source['id']}")).json() == source


async def test_if_match_and_bad_requests(client: httpx.AsyncClient) -> None:
    survivor, source = await new_contact(client, name="Keep"), await new_contact(client, name="Fold")
    body = {"from": [source["id"]]}

    stale = await merge(client, survivor["id"], body, **{"If-Match": '"9"'})
    unknown_survivor = await merge(client, MISSING, body)
    bad = [
        await merge(client, survivor["id"], {"from": [survivor["id"]]}),
        await merge(client, survivor["id"], {"from": [source["id"], source["id"]]}),
        await merge(client, survivor["id"], {"from": [MISSING]}),
        await merge(client, survivor["id"], {"from": [source["id"]], "fields": {"bogus": source["id"]}}),
        await merge(client, survivor["id"], {"from": [source["id"]], "fields": {"name": MISSING}}),
        await merge(client, survivor["id"], {"from": []}),
        await merge(client, survivor["id"], {"sources": [source["id"]]}),
    ]

    assert stale.status_code == 412
    assert unknown_survivor.status_code == 404
    assert [response.status_code for response in bad] == [422] * len(bad)
    assert (await client.get(f"/contacts/{source['id']}")).status_code == 200
    assert (await merge(client, survivor["id"], body, **{"If-Match": '"1"'})).status_code == 200


async def test_too_many_entries_after_the_union_is_a_422_and_nothing_changes(client: httpx.AsyncClient) -> None:
    survivor = await new_contact(client, name="Keep", emails=[{"value": f"a{i}@example.com"} for i in range(15)])
    source = await new_contact(client, name="Fold", emails=[{"value": f"b{i}@example.com"} for i in range(15)])

    response = await merge(client, survivor["id"], {"from": [source["id"]]})
    chosen = await merge(client, survivor["id"], {"from": [source["id"]], "fields": {"emails": source["id"]}})

    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/emails"
    assert chosen.status_code == 200
    assert chosen.json()["contact"]["emails"][0]["value"] == "b0@example.com"


async def test_the_survivor_joins_the_sources_groups_and_counts_follow(client: httpx.AsyncClient) -> None:
    survivor, source = await new_contact(client, name="Keep"), await new_contact(client, name="Fold")
    shared = (await client.post("/groups", json={"name": "Shared"})).json()
    theirs = (await client.post("/groups", json={"name": "Theirs"})).json()
    await client.post(f"/groups/{shared['id']}/members", json={"ids": [survivor["id"], source["id"]]})
    await client.post(f"/groups/{theirs['id']}/members", json={"ids": [source["id"]]})

    await merge(client, survivor["id"], {"from": [source["id"]]})

    for group in (shared, theirs):
        assert (await client.get(f"/groups/{group['id']}")).json()["member_count"] == 1
        members = (await client.get(f"/groups/{group['id']}/members")).json()["items"]
        assert [member["id"] for member in members] == [survivor["id"]]


async def test_undeleting_a_merged_away_contact_brings_it_back(client: httpx.AsyncClient) -> None:
    survivor, source = await new_contact(client, name="Keep"), await new_contact(client, name="Fold")
    await merge(client, survivor["id"], {"from": [source["id"]]})

    undeleted = await client.post(f"/contacts/{source['id']}/undelete")

    assert undeleted.status_code == 200
    assert (await client.get(f"/contacts/{source['id']}")).status_code == 200
    await patch_contact(client, source["id"], {"name": "Back"})
