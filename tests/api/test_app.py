"""The application factory: stable operation ids, and a lifespan that needs a database."""

import pytest
from pymongo.errors import PyMongoError

from api.app import create_app, operation_id
from api.settings import Settings
from tests.latency_proxy import latency_proxy


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


async def test_a_busy_database_slows_the_start_down_but_does_not_stop_it(settings: Settings) -> None:
    # Creating an index takes longer than DB_TIMEOUT (as on a large collection, or a server under load): the
    # start gives it STARTUP_TIMEOUT, so a restart does not crash-loop; requests keep DB_TIMEOUT.
    assert settings.mongodb_url is not None
    async with latency_proxy(settings.mongodb_url.get_secret_value(), 0.6, b"createIndexes") as url:
        app = create_app(Settings(mongodb_url=url, mongodb_db=settings.mongodb_db, db_timeout=0.3))
        async with app.router.lifespan_context(app) as state:
            assert state is not None
            assert len(state["sync_secret"]) == 64
            assert await state["mongo"].admin.command("ping") == {"ok": 1.0}
            with pytest.raises(PyMongoError):  # after the start, DB_TIMEOUT holds again
                await state["mongo"][settings.mongodb_db]["contacts"].create_index("nickname")
