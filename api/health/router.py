"""Liveness and readiness probes."""

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from api.database import ping
from api.errors import ServiceUnavailable
from api.http.problems import problem_responses
from embedded.status import read_status

router = APIRouter(tags=["health"])


class HealthStatus(BaseModel):
    """The answer of a passing probe."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})

    status: str


@router.get("/healthz", responses=problem_responses(503), summary="Liveness probe")
async def check_liveness() -> HealthStatus:
    """200 while the process can serve or recover; 503 once the embedded database keeps dying (restart me)."""
    embedded = read_status()
    if embedded is not None and embedded.state == "failed":
        raise ServiceUnavailable("The embedded database keeps failing; the service cannot recover by itself.")
    return HealthStatus(status="ok")


@router.get("/readyz", responses=problem_responses(503), summary="Readiness probe")
async def check_readiness(request: Request) -> HealthStatus:
    """200 when the database answers a ping (within a second), else 503: send no traffic for now."""
    if not await ping(request.state.mongo):
        raise ServiceUnavailable("The database does not answer.", {"Retry-After": "1"})
    return HealthStatus(status="ok")
