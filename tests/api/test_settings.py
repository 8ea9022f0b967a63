"""Settings: read from the environment, validated, with safe defaults."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from api.settings import Settings
from embedded import FILE_NAME


def test_defaults_serve_on_loopback_with_the_embedded_database(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HOST", "PORT", "WORKERS", "DATA_DIR", "MONGODB_URL", "REQUIRE_IF_MATCH"):
        monkeypatch.delenv(name, raising=False)

    settings = Settings()

    assert (settings.host, settings.port, settings.workers) == ("127.0.0.1", 8000, 1)
    assert settings.mongodb_url is None
    assert settings.embedded_db_path == Path("data") / FILE_NAME
    assert settings.require_if_match is False


def test_each_setting_comes_from_its_upper_case_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATA_DIR", "/srv/contacts")
    monkeypatch.setenv("MONGODB_URL", "mongodb://user:s3cr3t-pw@db:27017")
    monkeypatch.setenv("REQUIRE_IF_MATCH", "true")

    settings = Settings()

    assert settings.embedded_db_path == Path("/srv/contacts") / FILE_NAME
    assert settings.mongodb_url is not None
    assert "s3cr3t-pw" not in repr(settings)
    assert settings.require_if_match is True


@pytest.mark.parametrize(
    ("name", "value"),
    [("PORT", "70000"), ("WORKERS", "0"), ("MONGODB_DB", "no/slash"), ("DEFAULT_PHONE_REGION", "USA")],
)
def test_invalid_values_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ValidationError):
        Settings()
