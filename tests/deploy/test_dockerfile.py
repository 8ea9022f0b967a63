"""The Dockerfile: lint-clean, the locked runtime dependencies only, only the code that runs, unprivileged,
healthy when ready. No engine here: hadolint reads the file, uv says what its `uv sync` installs."""

import json
import socket
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from api.settings import Settings
from tests.deploy.dockerfile import Stage, read_stages
from tests.deploy.tools import hadolint, uv_export
from tests.paths import REPO_ROOT

DOCKERFILE = REPO_ROOT / "Dockerfile"
# Environment the runtime stage sets that is not a setting of the app.
IMAGE_ONLY_VARIABLES = {"PATH", "PYTHONUNBUFFERED"}


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return read_stages(DOCKERFILE)


def requirement_names(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(requirement).name) for requirement in requirements}


def uv_sync_arguments(stages: list[Stage]) -> list[str]:
    """The arguments of the one `uv sync` in the Dockerfile (after any RUN --mount options)."""
    runs = [instruction.words() for stage in stages for instruction in stage.all("RUN")]
    syncs = [words for words in runs if "sync" in words and words[words.index("sync") - 1] == "uv"]
    assert len(syncs) == 1, syncs
    return syncs[0][syncs[0].index("sync") + 1 :]


def environment(stage: Stage) -> dict[str, str]:
    """The variables the stage's ENV instructions set (KEY=value form)."""
    pairs = [word.partition("=") for instruction in stage.all("ENV") for word in instruction.words()]
    return {name: value for name, _, value in pairs}


def copied_sources(stage: Stage) -> list[str]:
    """What the stage's COPY instructions take from the build context (not from another stage)."""
    sources: list[str] = []
    for instruction in stage.all("COPY"):
        words = instruction.words()
        if not any(word.startswith("--from=") for word in words):
            sources += [word for word in words[:-1] if not word.startswith("--")]
    return sources


def test_hadolint_finds_nothing(tmp_path: Path) -> None:
    linted = hadolint(DOCKERFILE, home=tmp_path)

    assert json.loads(linted.stdout) == []
    assert linted.returncode == 0


def test_hadolint_flags_an_untagged_base_and_an_unpinned_install(tmp_path: Path) -> None:
    careless = tmp_path / "Dockerfile"
    careless.write_text("FROM python\nRUN pip install --no-cache-dir uv\n")

    findings = json.loads(hadolint(careless, home=tmp_path).stdout)

    assert {finding["code"] for finding in findings} == {"DL3006", "DL3013"}


def test_image_syncs_the_frozen_lock_without_any_dependency_group(stages: list[Stage]) -> None:
    arguments = uv_sync_arguments(stages)

    assert {"--frozen", "--no-default-groups", "--no-install-project"} <= set(arguments)
    widening = ("--group", "--only-group", "--all-groups", "--dev", "--only-dev", "--extra", "--all-extras")
    assert [argument for argument in arguments if argument.startswith(widening)] == []


def test_image_installs_no_package_of_the_embedded_dev_or_bench_group(stages: list[Stage]) -> None:
    arguments = uv_sync_arguments(stages)
    python = arguments.index("--python")
    installed = set(uv_export(*arguments[:python], *arguments[python + 2 :]))
    groups = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["dependency-groups"]

    assert {"fastapi", "uvicorn", "pymongo"} <= installed
    for group in ("embedded", "dev", "bench"):
        assert installed & requirement_names(groups[group]) == set(), group


def test_mongoeco_is_declared_only_in_the_embedded_group() -> None:
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    groups = pyproject["dependency-groups"]

    assert "mongoeco" not in requirement_names(pyproject["project"]["dependencies"])
    assert [group for group, requirements in groups.items() if "mongoeco" in requirement_names(requirements)] == [
        "embedded"
    ]


def test_image_copies_the_lock_and_only_the_code_that_runs(stages: list[Stage]) -> None:
    builder, runtime = stages

    assert copied_sources(builder) == ["pyproject.toml", "uv.lock"]
    assert copied_sources(runtime) == ["api/", "models/", "embedded/", "alembic-free-migrations/"]
    assert builder.image == runtime.image == "python:3.13-slim"


def test_image_runs_python_m_api_as_a_non_root_user_on_all_interfaces(stages: list[Stage]) -> None:
    runtime = stages[-1]
    user = runtime.all("USER")[-1].arguments.partition(":")[0]
    variables = environment(runtime)

    assert user.isdigit()
    assert int(user) != 0
    assert json.loads(runtime.all("CMD")[-1].arguments) == ["python", "-m", "api"]
    assert variables["HOST"] == "0.0.0.0"
    assert set(variables) - IMAGE_ONLY_VARIABLES <= {name.upper() for name in Settings.model_fields}
    assert runtime.all("EXPOSE")[-1].arguments == "8000"


def run_healthcheck(stages: list[Stage], port: int) -> int:
    program, *arguments = stages[-1].healthcheck()
    assert program == "python"
    return subprocess.run([sys.executable, *arguments], env={"PORT": str(port)}, capture_output=True).returncode


def test_healthcheck_passes_when_the_app_is_ready(stages: list[Stage], live_server: str) -> None:
    assert "/readyz" in stages[-1].healthcheck()[-1]

    assert run_healthcheck(stages, int(live_server.rpartition(":")[2])) == 0


def test_healthcheck_fails_when_nothing_answers(stages: list[Stage]) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]

        assert run_healthcheck(stages, port) != 0


def test_build_context_leaves_out_environments_tests_data_and_secrets(stages: list[Stage]) -> None:
    lines = (REPO_ROOT / ".dockerignore").read_text().splitlines()
    ignored = {line.strip() for line in lines if line.strip() and not line.startswith("#")}

    assert {".git", ".env", ".venv", ".tools", "**/node_modules", "build", "data", "tests", "bench"} <= ignored
    assert {source.rstrip("/") for stage in stages for source in copied_sources(stage)} & ignored == set()
