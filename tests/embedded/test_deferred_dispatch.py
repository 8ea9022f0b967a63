"""Deferred change dispatch (embedded/patches/dispatch.py, and its hunks in the upstream diff): change streams
see what they saw on stock mongoeco, and the outbox stays bounded while nothing watches."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from embedded.patches import dispatch
from tests.paths import REPO_ROOT

pytestmark = pytest.mark.slow


def probe(mode: str, directory: Path, *site: Path) -> dict[str, Any]:
    """Run `tests.embedded.change_probe` in a fresh process, on mongoeco as `mode` sets it up."""
    command = [sys.executable, "-m", "tests.embedded.change_probe", mode, str(directory / f"{mode}.sqlite3")]
    finished = subprocess.run(
        [*command, *map(str, site)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    result: dict[str, Any] = json.loads(finished.stdout)
    return result


@pytest.fixture(scope="module")
def probes(tmp_path_factory: pytest.TempPathFactory, diffed_site: Path) -> dict[str, dict[str, Any]]:
    directory = tmp_path_factory.mktemp("dispatch")
    return {
        "stock": probe("stock", directory),
        "patched": probe("patched", directory),
        "diffed": probe("diffed", directory, diffed_site),
    }


def test_a_stream_sees_every_change_after_it_opened_and_none_before_in_order(
    probes: dict[str, dict[str, Any]],
) -> None:
    expected = [["insert", 100], ["insert", 101], ["insert", 102], ["update", 101], ["delete", 3]]
    assert probes["stock"]["seen"] == expected
    assert probes["patched"]["seen"] == expected
    assert probes["diffed"]["seen"] == expected


def test_a_stream_reads_the_inserted_documents_from_their_change_records_as_on_stock(
    probes: dict[str, dict[str, Any]],
) -> None:
    inserted = probes["stock"]["inserted"]
    assert len(inserted) == 3
    assert "datetime.datetime(2026, 12, 3, 10, 11, 12, 997000" in inserted[0]
    assert probes["patched"]["inserted"] == inserted
    assert probes["diffed"]["inserted"] == inserted


def test_every_write_is_stored_either_way(probes: dict[str, dict[str, Any]]) -> None:
    assert {result["documents"] for result in probes.values()} == {10 + 3 - 1 + 5 + 600}


@pytest.mark.parametrize("mode", ["patched", "diffed"])
def test_while_nothing_watches_dispatch_waits_and_the_outbox_stays_bounded(
    probes: dict[str, dict[str, Any]], diffed_site: Path, mode: str
) -> None:
    result = probes[mode]
    if mode == "diffed":
        assert result["mongoeco"].startswith(str(diffed_site))
    assert result["outbox_after_5_writes"] == 5  # well inside FLUSH_SECONDS: nothing dispatched yet
    assert 0 <= result["outbox_after_600_writes"] < dispatch.FLUSH_EVERY


def test_stock_mongoeco_dispatches_after_every_write(probes: dict[str, dict[str, Any]]) -> None:
    assert probes["stock"]["outbox_after_5_writes"] == 0
    assert probes["stock"]["outbox_after_600_writes"] == 0
