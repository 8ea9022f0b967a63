"""Serving helpers."""

from pathlib import Path

import pytest

from api.serve import embedded_database, redact_url
from api.settings import Settings
from embedded import FILE_NAME, EmbeddedDatabase


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "mongodb://user:s3cret@db.example:27017/app?authSource=admin",
            "mongodb://db.example:27017/app?authSource=admin",
        ),
        ("mongodb+srv://u:p@cluster0.example.net/", "mongodb+srv://cluster0.example.net/"),
        ("mongodb://127.0.0.1:27017", "mongodb://127.0.0.1:27017"),
    ],
)
def test_redact_url_drops_credentials(url: str, expected: str) -> None:
    assert redact_url(url) == expected


def launched(path: Path) -> EmbeddedDatabase:
    database = EmbeddedDatabase(path)
    database.launch()
    return database


def test_an_early_database_for_the_settings_file_is_used(tmp_path: Path) -> None:
    early = launched(tmp_path / FILE_NAME)
    try:
        assert embedded_database(Settings(data_dir=tmp_path), early) is early
        assert early.is_running
    finally:
        early.stop()


def test_an_early_database_for_another_file_is_stopped_and_the_right_one_launched(tmp_path: Path) -> None:
    early = launched(tmp_path / "guessed" / FILE_NAME)
    database = embedded_database(Settings(data_dir=tmp_path / "configured"), early)
    try:
        assert not early.is_running
        assert database is not None
        assert database.is_running
        assert database.path == tmp_path / "configured" / FILE_NAME
    finally:
        early.stop()
        if database is not None:
            database.stop()


def test_an_early_database_is_stopped_when_the_settings_name_a_mongodb_url(tmp_path: Path) -> None:
    early = launched(tmp_path / FILE_NAME)
    try:
        assert embedded_database(Settings(mongodb_url="mongodb://db.example:27017"), early) is None
        assert not early.is_running
    finally:
        early.stop()
