"""Changes are single conditional updates: concurrent writers cannot lose each other's work."""

import asyncio

import httpx

from tests.factories import create_contact, patch_contact


async def test_twenty_concurrent_patches_with_one_etag_give_one_200_and_nineteen_412(client: httpx.AsyncClient) -> None:
    created = (await create_contact(client)).json()
    etag = '"1"'

    responses = await asyncio.gather(
        *(patch_contact(client, created["id"], {"job_title": f"title {i}"}, {"If-Match": etag}) for i in range(20))
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [412] * 19
    final = (await client.get(f"/contacts/{created['id']}")).json()
    winner = next(r for r in responses if r.status_code == 200).json()
    assert final["version"] == 2
    assert final["job_title"] == winner["job_title"]


async def test_concurrent_patches_without_if_match_all_land(client: httpx.AsyncClient) -> None:
    created = (await create_contact(client)).json()

    responses = await asyncio.gather(
        *(patch_contact(client, created["id"], {"tags": [f"t{i}"]}) for i in range(5)),
        patch_contact(client, created["id"], {"job_title": "Analyst"}),
    )

    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    final = (await client.get(f"/contacts/{created['id']}")).json()
    assert final["version"] == 7
    assert final["job_title"] == "Analyst"
