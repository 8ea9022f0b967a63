"""The mongoeco patches refuse to apply to any mongoeco but the one they were reviewed against.

These tests never apply the patches in the test process: `apply()` fails here before it installs anything.
"""

import tomllib
from collections.abc import Iterator
from pathlib import Path

import mongoeco
import pytest
from mongoeco._change_streams.hub import ChangeStreamHub
from mongoeco.api._async._collection_runtime import CollectionRuntimeCoordinator
from mongoeco.api._async._database_admin_write_commands import DatabaseAdminWriteCommandService
from mongoeco.core import bson_ordering
from mongoeco.engines.sqlite import SQLiteEngine

import embedded.patches as patches
from embedded import EmbeddedDatabase, EmbeddedDatabaseError
from tests.paths import REPO_ROOT

VALIDATE = "engines.sqlite:SQLiteEngine._validate_document_against_unique_indexes"


PATCHED_CLASSES = (SQLiteEngine, CollectionRuntimeCoordinator, ChangeStreamHub, DatabaseAdminWriteCommandService)


def installed_patches() -> list[str]:
    return [
        f"{owner.__name__}.{name}"
        for owner in PATCHED_CLASSES
        for name, value in vars(owner).items()
        if hasattr(value, patches.ORIGINAL_ATTRIBUTE)
    ]


@pytest.fixture(autouse=True)
def nothing_installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts as if the patches were not applied yet, and must not install any of them."""
    monkeypatch.setattr(patches, "_applied", False)
    assert installed_patches() == []
    yield
    assert installed_patches() == []


def test_pins_match_the_installed_mongoeco() -> None:
    assert mongoeco.__version__ == patches.EXPECTED_VERSION
    assert patches.source_hashes() == patches.PINNED_SOURCES
    patches.verify()


def test_the_embedded_group_pins_exactly_the_patched_mongoeco_and_the_service_does_not_need_it() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    assert project["dependency-groups"]["embedded"] == [f"mongoeco[wire]=={patches.EXPECTED_VERSION}"]
    assert "embedded" in project["tool"]["uv"]["default-groups"]
    assert not any(dependency.startswith("mongoeco") for dependency in project["project"]["dependencies"])


def test_apply_refuses_another_mongoeco_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mongoeco, "__version__", "4.11.1")
    with pytest.raises(patches.PatchMismatchError, match=r"targets mongoeco 4\.11\.0, but 4\.11\.1 is installed"):
        patches.apply()


def test_apply_refuses_a_changed_pinned_function(monkeypatch: pytest.MonkeyPatch) -> None:
    def _validate_document_against_unique_indexes(self: SQLiteEngine, *args: object, **kwargs: object) -> None:
        """Stands in for an upstream change to the function."""

    monkeypatch.setattr(
        SQLiteEngine, "_validate_document_against_unique_indexes", _validate_document_against_unique_indexes
    )
    with pytest.raises(patches.PatchMismatchError, match=r"_validate_document_against_unique_indexes: source hash"):
        patches.apply()


def test_apply_refuses_a_source_hash_that_differs_from_the_pin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(patches.PINNED_SOURCES, VALIDATE, "0" * 64)
    with pytest.raises(patches.PatchMismatchError, match=r"differs from the pinned 000000000000"):
        patches.apply()


def test_apply_refuses_when_a_pinned_function_is_gone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(SQLiteEngine, "_select_first_document_for_plan")
    with pytest.raises(patches.PatchMismatchError, match=r"_select_first_document_for_plan: cannot be inspected"):
        patches.apply()


def test_apply_refuses_changed_sort_buckets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(bson_ordering.SQLITE_SORT_BUCKET_WEIGHTS, "string", 30)
    with pytest.raises(patches.PatchMismatchError, match=r"SQLITE_SORT_BUCKET_WEIGHTS: value"):
        patches.apply()


@pytest.mark.slow
def test_a_mismatch_stops_the_embedded_database_with_the_reason_on_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text("import mongoeco\n\nmongoeco.__version__ = '9.9.9'\n")
    monkeypatch.setenv("PYTHONPATH", str(site))  # only the child imports sitecustomize
    with pytest.raises(EmbeddedDatabaseError, match="did not start"):
        EmbeddedDatabase(tmp_path / "db.sqlite3").start()
    stderr = capfd.readouterr().err
    assert "PatchMismatchError" in stderr
    assert "targets mongoeco 4.11.0, but 9.9.9 is installed" in stderr
