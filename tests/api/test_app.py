"""The application factory: stable operation ids, and a lifespan that needs a database."""

import pytest

from api.app import create_app, operation_id
from api.settings import Settings


def test_operation_ids_are_camel_case_names() -> None:
    class Route:
        name = "list_contacts"

    assert operation_id(Route()) == "listContacts"  # type: ignore[arg-type]


async def test_the_lifespan_refuses_to_start_without_a_database_url() -> None:
    app = create_app(Settings(mongodb_url=None))

    with pytest.raises(RuntimeError, match="MONGODB_URL is not set"):
        async with app.router.lifespan_context(app):
            pass


async def test_the_lifespan_hands_requests_a_client_and_the_cursor_secret(settings: Settings) -> None:
    app = create_app(settings)

    async with app.router.lifespan_context(app) as state:
        assert state is not None
        assert await state["mongo"].admin.command("ping") == {"ok": 1.0}
        assert state["cursor_secret"] == b"test-cursor-secret"
