"""Generate both client SDKs once per session with `make sdk`, and hand the tests what they need."""

import importlib
import importlib.util
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.paths import REPO_ROOT

ROOT = REPO_ROOT
SDK_DIR = ROOT / "build" / "sdk"
PYTHON_SDK = SDK_DIR / "python"
TYPESCRIPT_SDK = SDK_DIR / "typescript"
STATS = SDK_DIR / "stats.json"
NODE_TOOLS = ROOT / "openapi" / "tools"
MAKE_TIMEOUT = 600  # only slow when make has to install the locked dependencies first

# `make sdk` echoes each command before it runs it; these mark where each generator starts.
STEP_MARKERS = {"python": "openapi-python-client generate", "typescript": "openapi-ts -f"}


@dataclass(frozen=True)
class GeneratedSdks:
    python: Path
    typescript: Path


def tree_size(root: Path) -> dict[str, int]:
    files = [path for path in root.rglob("*") if path.is_file() and "__pycache__" not in path.parts]
    return {"files": len(files), "bytes": sum(path.stat().st_size for path in files)}


def run_make_sdk() -> tuple[float, dict[str, float]]:
    """Run `make sdk`; return its wall time and when (seconds from the start) each generator began."""
    # A make above us (`make pytest`) exports its jobserver in MAKEFLAGS; this make is independent.
    env = {key: value for key, value in os.environ.items() if key not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    started = time.perf_counter()
    step_starts: dict[str, float] = {}
    output: list[str] = []
    with subprocess.Popen(
        ["make", "--no-print-directory", "sdk"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as make:
        assert make.stdout is not None
        for line in make.stdout:
            output.append(line)
            for step, marker in STEP_MARKERS.items():
                if marker in line and step not in step_starts:
                    step_starts[step] = time.perf_counter() - started
        returncode = make.wait(MAKE_TIMEOUT)
    elapsed = time.perf_counter() - started
    if returncode != 0:
        pytest.fail(f"`make sdk` exited with {returncode}:\n{''.join(output)}", pytrace=False)
    return elapsed, step_starts


def write_stats(elapsed: float, step_starts: dict[str, float]) -> None:
    python_start, typescript_start = step_starts.get("python"), step_starts.get("typescript")
    seconds = {  # None if make's echo of a step was not recognised
        "python": None if python_start is None or typescript_start is None else typescript_start - python_start,
        "typescript": None if typescript_start is None else elapsed - typescript_start,
    }
    stats: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "make_sdk_seconds": round(elapsed, 2),
    }
    for sdk, location in (("python", PYTHON_SDK), ("typescript", TYPESCRIPT_SDK)):
        step = seconds[sdk]
        stats[sdk] = {
            "path": str(location.relative_to(ROOT)),
            "seconds": None if step is None else round(step, 2),
            **tree_size(location),
        }
    STATS.write_text(json.dumps(stats, indent=2) + "\n")


@pytest.fixture(scope="session")
def generated_sdks() -> GeneratedSdks:
    """Both SDKs, freshly generated from openapi/openapi.yaml; timings and sizes go to build/sdk/stats.json."""
    elapsed, step_starts = run_make_sdk()
    for package in (PYTHON_SDK / "__init__.py", TYPESCRIPT_SDK / "index.ts"):
        assert package.is_file(), f"`make sdk` succeeded but did not write {package.relative_to(ROOT)}"
    write_stats(elapsed, step_starts)
    return GeneratedSdks(python=PYTHON_SDK, typescript=TYPESCRIPT_SDK)


def import_contacts_client(location: Path) -> ModuleType:
    """Import the generated package as `contacts_client`.

    `--meta none` writes the package itself into build/sdk/python (no project directory around it),
    so it is registered under its real name rather than found through sys.path; should the output
    ever be build/sdk/python/contacts_client, sys.path does it.
    """
    for name in [name for name in sys.modules if name == "contacts_client" or name.startswith("contacts_client.")]:
        del sys.modules[name]  # never a stale copy from an earlier generation
    if (location / "contacts_client" / "__init__.py").is_file():
        sys.path.insert(0, str(location))
        return importlib.import_module("contacts_client")
    spec = importlib.util.spec_from_file_location(
        "contacts_client", location / "__init__.py", submodule_search_locations=[str(location)]
    )
    assert spec is not None
    assert spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules["contacts_client"] = package
    spec.loader.exec_module(package)
    return package


@dataclass(frozen=True)
class PythonSdk:
    """The generated Python client's pieces (typed Any: the package does not exist until the session runs)."""

    package: Any  # contacts_client (Client, AuthenticatedClient)
    models: Any  # contacts_client.models
    types: Any  # contacts_client.types (UNSET, Response)
    create_contact: Any  # contacts_client.api.contacts.create_contact, and so on
    get_contact: Any
    patch_contact: Any
    list_contacts: Any
    delete_contact: Any
    update_contacts_bulk: Any
    merge_contacts: Any
    list_duplicates: Any
    dismiss_duplicate: Any
    list_changes: Any  # contacts_client.api.sync
    get_contact_history: Any  # contacts_client.api.history
    restore_contact: Any
    list_trash: Any  # contacts_client.api.trash
    undelete_contact: Any
    export_contacts: Any  # contacts_client.api.interchange
    import_contacts: Any
    export_tenant: Any  # contacts_client.api.tenant
    erase_tenant_data: Any
    create_group: Any  # contacts_client.api.groups
    get_group: Any
    patch_group: Any
    list_groups: Any
    delete_group: Any
    add_members: Any
    remove_members: Any
    list_members: Any
    create_webhook: Any  # contacts_client.api.webhooks
    get_webhook: Any
    list_deliveries: Any


@pytest.fixture(scope="session")
def python_sdk(generated_sdks: GeneratedSdks) -> PythonSdk:
    package = import_contacts_client(generated_sdks.python)

    def operation(name: str, tag: str = "contacts") -> ModuleType:
        """An operation's module; the generator groups them by the contract's first tag."""
        return importlib.import_module(f"contacts_client.api.{tag}.{name}")

    return PythonSdk(
        package=package,
        models=importlib.import_module("contacts_client.models"),
        types=importlib.import_module("contacts_client.types"),
        create_contact=operation("create_contact"),
        get_contact=operation("get_contact"),
        patch_contact=operation("patch_contact"),
        list_contacts=operation("list_contacts"),
        delete_contact=operation("delete_contact"),
        update_contacts_bulk=operation("update_contacts_bulk"),
        merge_contacts=operation("merge_contacts"),
        list_duplicates=operation("list_duplicates"),
        dismiss_duplicate=operation("dismiss_duplicate"),
        list_changes=operation("list_changes", "sync"),
        get_contact_history=operation("get_contact_history", "history"),
        restore_contact=operation("restore_contact", "history"),
        list_trash=operation("list_trash", "trash"),
        undelete_contact=operation("undelete_contact", "trash"),
        export_contacts=operation("export_contacts", "interchange"),
        import_contacts=operation("import_contacts", "interchange"),
        export_tenant=operation("export_tenant", "tenant"),
        erase_tenant_data=operation("erase_tenant_data", "tenant"),
        **{
            name: operation(name, "groups")
            for name in (
                "create_group",
                "get_group",
                "patch_group",
                "list_groups",
                "delete_group",
                "add_members",
                "remove_members",
                "list_members",
            )
        },
        create_webhook=operation("create_webhook", "webhooks"),
        get_webhook=operation("get_webhook", "webhooks"),
        list_deliveries=operation("list_deliveries", "webhooks"),
    )


@pytest.fixture
def sdk_client(python_sdk: PythonSdk, live_server: str) -> Iterator[Any]:
    """A generated `contacts_client.Client` pointed at the live app (closed afterwards)."""
    with python_sdk.package.Client(
        base_url=live_server, timeout=httpx.Timeout(10), raise_on_unexpected_status=True
    ) as client:
        yield client
