"""The breaking-change gate catches what it must, and lets a major version bump through."""

import copy
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.paths import REPO_ROOT

pytestmark = pytest.mark.contract

ROOT = REPO_ROOT
Document = dict[str, Any]


def remove_response_field(doc: Document) -> None:
    schema = doc["components"]["schemas"]["ContactOut"]
    del schema["properties"]["company"]
    schema["required"].remove("company")


def narrow_request_type(doc: Document) -> None:
    doc["components"]["schemas"]["ContactWrite"]["properties"]["name"]["maxLength"] = 50


def change_field_type(doc: Document) -> None:
    doc["components"]["schemas"]["ContactOut"]["properties"]["version"]["type"] = "string"


def remove_operation(doc: Document) -> None:
    del doc["paths"]["/contacts/{contact_id}"]["delete"]


def bump_major(doc: Document) -> None:
    major = int(doc["info"]["version"].split(".")[0])
    doc["info"]["version"] = f"{major + 1}.0.0"


def run_gate(tmp_path: Path, *changes: Callable[[Document], None]) -> int:
    base_doc = yaml.safe_load((ROOT / "openapi" / "openapi.yaml").read_text())
    head_doc = copy.deepcopy(base_doc)
    for change in changes:
        change(head_doc)
    base, head = tmp_path / "base.yaml", tmp_path / "head.yaml"
    base.write_text(yaml.safe_dump(base_doc, sort_keys=False))
    head.write_text(yaml.safe_dump(head_doc, sort_keys=False))
    gate = subprocess.run(
        [sys.executable, ROOT / "openapi" / "contract_diff.py", base, head], capture_output=True, text=True, check=False
    )
    return gate.returncode


def test_an_unchanged_contract_passes(tmp_path: Path) -> None:
    assert run_gate(tmp_path) == 0


@pytest.mark.parametrize("change", [remove_response_field, narrow_request_type, change_field_type, remove_operation])
def test_a_breaking_change_fails(tmp_path: Path, change: Callable[[Document], None]) -> None:
    assert run_gate(tmp_path, change) == 1


def test_a_breaking_change_with_a_major_bump_passes(tmp_path: Path) -> None:
    assert run_gate(tmp_path, remove_response_field, bump_major) == 0
