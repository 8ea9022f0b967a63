"""docker-compose.yml: valid for Compose v2, the api on a healthy MongoDB replica set, configured only with
settings the app reads, published on loopback only. Compose's own parser reads the file; no engine runs."""

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from api.settings import Settings
from tests.deploy.dockerfile import read_stages
from tests.deploy.tools import COMPOSE_FILE, compose
from tests.paths import REPO_ROOT

TEST_SECRET = "cursor-secret-of-the-compose-test"
type Service = dict[str, Any]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The project as Compose v2 resolves it (`config --format json`), with a cursor secret to interpolate."""
    home = tmp_path_factory.mktemp("compose")
    resolved = compose("config", "--format", "json", home=home, CURSOR_SECRET=TEST_SECRET)
    assert resolved.returncode == 0, resolved.stderr
    loaded: dict[str, Any] = json.loads(resolved.stdout)
    return loaded


@pytest.fixture
def api(project: dict[str, Any]) -> Service:
    service: Service = project["services"]["api"]
    return service


@pytest.fixture
def mongo(project: dict[str, Any]) -> Service:
    service: Service = project["services"]["mongo"]
    return service


def replica_set(mongo: Service) -> str:
    command: list[str] = mongo["command"]
    return command[command.index("--replSet") + 1]


def test_compose_v2_accepts_the_file_without_a_warning(tmp_path: Path) -> None:
    validated = compose("config", "--quiet", home=tmp_path, CURSOR_SECRET=TEST_SECRET)

    assert (validated.returncode, validated.stderr) == (0, "")


def test_compose_v2_rejects_a_misspelt_key(tmp_path: Path) -> None:
    misspelt = tmp_path / "docker-compose.yml"
    misspelt.write_text(COMPOSE_FILE.read_text().replace("depends_on:", "depends_upon:"))

    validated = compose("config", "--quiet", home=tmp_path, file=misspelt, CURSOR_SECRET=TEST_SECRET)

    assert validated.returncode != 0
    assert "depends_upon" in validated.stderr


def test_compose_refuses_to_start_without_a_cursor_secret(tmp_path: Path) -> None:
    validated = compose("config", "--quiet", home=tmp_path)

    assert validated.returncode != 0
    assert "CURSOR_SECRET" in validated.stderr


def test_api_environment_names_only_settings_the_app_reads(api: Service) -> None:
    settings = {name.upper() for name in Settings.model_fields}

    assert set(api["environment"]) - settings == set()


def test_api_requires_keys(api: Service) -> None:
    assert api["environment"]["AUTH_REQUIRED"] == "true"


def test_api_environment_is_valid_for_the_settings(api: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in api["environment"].items():
        monkeypatch.setenv(name, value)

    settings = Settings()

    assert settings.cursor_secret is not None
    assert settings.cursor_secret.get_secret_value() == TEST_SECRET
    assert settings.mongodb_url is not None


def test_mongo_is_a_replica_set_its_healthcheck_initiates(mongo: Service, project: dict[str, Any]) -> None:
    name = replica_set(mongo)
    script = mongo["healthcheck"]["test"][-1]

    assert mongo["image"].startswith("mongo:8")
    assert "rs.initiate(" in script
    assert f"_id: '{name}'" in script
    assert "quit(1)" in script  # healthy only once this node is the writable primary
    mounts = {volume["target"]: volume for volume in mongo["volumes"]}
    assert mounts["/data/db"]["type"] == "volume"
    assert mounts["/data/db"]["source"] in project["volumes"]


def test_api_url_names_the_replica_set_and_its_member(api: Service, mongo: Service) -> None:
    url = urlsplit(api["environment"]["MONGODB_URL"])
    member = f"{url.hostname}:{url.port or 27017}"

    assert parse_qs(url.query)["replicaSet"] == [replica_set(mongo)]
    assert url.hostname == "mongo"
    assert f"host: '{member}'" in mongo["healthcheck"]["test"][-1]


def test_api_starts_once_mongo_is_healthy(api: Service, mongo: Service) -> None:
    assert api["depends_on"]["mongo"]["condition"] == "service_healthy"
    assert mongo["healthcheck"]["test"][0] == "CMD"
    assert not mongo["healthcheck"].get("disable", False)


def test_api_is_the_image_built_here_with_its_healthcheck(api: Service) -> None:
    runtime = read_stages(REPO_ROOT / "Dockerfile")[-1]

    assert Path(api["build"]["context"]) == REPO_ROOT
    assert api["build"]["dockerfile"] == "Dockerfile"
    assert api["healthcheck"]["test"] == ["CMD", *runtime.healthcheck()]


def test_published_ports_are_on_loopback_only(project: dict[str, Any], api: Service) -> None:
    published = [port for service in project["services"].values() for port in service.get("ports", [])]

    assert [port["host_ip"] for port in published] == ["127.0.0.1"] * len(published)
    assert [port["target"] for port in api["ports"]] == [8000]
