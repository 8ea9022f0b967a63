"""The dependencies every route shares."""

import httpx

from api.settings import Settings
from tests.factories import PROBLEM, create_contact, patch_contact
from tests.live_server import LiveServer


async def test_missing_if_match_is_428_when_required(settings: Settings) -> None:
    server = LiveServer(settings.model_copy(update={"require_if_match": True}))
    async with httpx.AsyncClient(base_url=server.start(), timeout=10) as client:
        try:
            created = (await create_contact(client)).json()
            url = f"/contacts/{created['id']}"

            put = await client.put(url, json={"name": "X"})
            patch = await patch_contact(client, created["id"], {"name": "X"})
            delete = await client.delete(url)
            allowed = await patch_contact(client, created["id"], {"name": "X"}, {"If-Match": '"1"'})
        finally:
            server.stop()

    assert [put.status_code, patch.status_code, delete.status_code] == [428, 428, 428]
    assert put.headers["content-type"] == PROBLEM
    assert allowed.status_code == 200
