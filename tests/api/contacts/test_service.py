"""Changing contacts: PUT, PATCH (merge patch), DELETE, ETags and preconditions."""

import httpx
import pytest

from tests.factories import PROBLEM, create_contact, patch_contact


async def test_get_has_etag_and_if_none_match_is_304(client: httpx.AsyncClient) -> None:
    created = await create_contact(client)
    url = created.headers["location"]

    fresh = await client.get(url)
    cached = await client.get(url, headers={"If-None-Match": fresh.headers["etag"]})
    other = await client.get(url, headers={"If-None-Match": '"999"'})

    assert fresh.headers["etag"] == '"1"'
    assert cached.status_code == 304
    assert cached.content == b""
    assert cached.headers["etag"] == '"1"'
    assert other.status_code == 200


async def test_put_replaces_every_field_and_bumps_version(client: httpx.AsyncClient) -> None:
    created = (await create_contact(client, tags=["vip"], notes="old")).json()

    response = await client.put(f"/contacts/{created['id']}", json={"name": "Ada King"}, headers={"If-Match": '"1"'})

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Ada King"
    assert (body["tags"], body["emails"], body["notes"], body["company"]) == ([], [], None, None)
    assert body["version"] == 2
    assert body["created_at"] == created["created_at"]
    assert body["updated_at"] >= created["updated_at"]
    assert response.headers["etag"] == '"2"'
    assert (await client.get(f"/contacts/{created['id']}")).json() == body


async def test_patch_merges_clears_with_null_and_replaces_lists(client: httpx.AsyncClient) -> None:
    created = (await create_contact(client, nickname="Countess", tags=["a", "b"])).json()

    response = await patch_contact(
        client, created["id"], {"nickname": None, "tags": ["c"], "job_title": "Analyst"}, {"If-Match": '"1"'}
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["nickname"] is None
    assert body["tags"] == ["c"]
    assert body["job_title"] == "Analyst"
    assert body["emails"] == created["emails"]
    assert body["company"] == created["company"]
    assert body["version"] == 2


async def test_patch_keeps_the_original_text_of_untouched_phones(client: httpx.AsyncClient) -> None:
    created = (await create_contact(client, phones=[{"value": "(415) 555-0123"}])).json()

    body = (await patch_contact(client, created["id"], {"company": "Babbage & Co"})).json()

    assert body["phones"] == [{"value": "+14155550123", "label": None, "primary": False, "original": "(415) 555-0123"}]


async def test_a_get_then_put_round_trip_changes_nothing_but_the_version(client: httpx.AsyncClient) -> None:
    created = (await create_contact(client, phones=[{"value": "+44 20 7946 0958"}], birthday="1815-12-10")).json()
    writable = {k: v for k, v in created.items() if k not in {"id", "created_at", "updated_at", "version"}}

    replaced = (await client.put(f"/contacts/{created['id']}", json=writable)).json()

    assert {k: v for k, v in replaced.items() if k not in {"updated_at", "version"}} == {
        k: v for k, v in created.items() if k not in {"updated_at", "version"}
    }


@pytest.mark.parametrize(
    ("patch", "pointer"),
    [
        ({"name": None}, "/name"),
        ({"name": ""}, "/name"),
        ({"version": 7}, "/version"),
        ({"id": "0123456789abcdef01234567"}, "/id"),
        ({"updated_at": "2020-01-01T00:00:00Z"}, "/updated_at"),
        ({"phones": [{"value": "nope"}]}, "/phones/0/value"),
    ],
)
async def test_invalid_patch_is_422_and_changes_nothing(
    client: httpx.AsyncClient, patch: dict[str, object], pointer: str
) -> None:
    created = (await create_contact(client)).json()

    response = await patch_contact(client, created["id"], patch)

    assert response.status_code == 422
    assert [e["pointer"] for e in response.json()["errors"]] == [pointer]
    assert (await client.get(f"/contacts/{created['id']}")).json() == created


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
async def test_stale_if_match_is_412(client: httpx.AsyncClient, method: str) -> None:
    created = (await create_contact(client)).json()
    await patch_contact(client, created["id"], {"company": "Moved On Ltd"})

    response = await client.request(
        method,
        f"/contacts/{created['id']}",
        json={"name": "Stale"},
        headers={
            "If-Match": '"1"',
            "content-type": "application/merge-patch+json" if method == "PATCH" else "application/json",
        },
    )

    assert response.status_code == 412
    assert response.headers["content-type"] == PROBLEM
    assert (await client.get(f"/contacts/{created['id']}")).json()["company"] == "Moved On Ltd"


@pytest.mark.parametrize("if_match", ['"2"', '"1", "2"', "*"])
async def test_current_if_match_succeeds(client: httpx.AsyncClient, if_match: str) -> None:
    created = (await create_contact(client)).json()
    await patch_contact(client, created["id"], {"company": "Second"})

    response = await patch_contact(client, created["id"], {"company": "Third"}, {"If-Match": if_match})

    assert response.status_code == 200
    assert response.json()["version"] == 3


@pytest.mark.parametrize("if_match", ['W/"1"', "1", '"one"', '""'])
async def test_weak_or_malformed_if_match_never_matches(client: httpx.AsyncClient, if_match: str) -> None:
    created = (await create_contact(client)).json()

    response = await patch_contact(client, created["id"], {"company": "X"}, {"If-Match": if_match})

    assert response.status_code == 412


async def test_delete_is_204_then_404(client: httpx.AsyncClient) -> None:
    created = (await create_contact(client)).json()

    deleted = await client.delete(f"/contacts/{created['id']}", headers={"If-Match": '"1"'})
    again = await client.delete(f"/contacts/{created['id']}")

    assert deleted.status_code == 204
    assert (await client.get(f"/contacts/{created['id']}")).status_code == 404
    assert again.status_code == 404


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
async def test_changing_an_unknown_contact_is_404(client: httpx.AsyncClient, method: str) -> None:
    content_type = "application/merge-patch+json" if method == "PATCH" else "application/json"

    response = await client.request(
        method, "/contacts/0123456789abcdef01234567", json={"name": "X"}, headers={"content-type": content_type}
    )

    assert response.status_code == 404
