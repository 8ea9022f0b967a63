"""Liveness and readiness probes."""

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from api.database import ping
from api.errors import ServiceUnavailable
from api.http.problems import problem_responses

router = APIRouter(tags=["health"])


class HealthStatus(BaseModel):
    """The answer of a passing probe."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})

    status: str


@router.get("/healthz", summary="Liveness probe")
async def check_liveness() -> HealthStatus:
    """200 while the process serves requests."""
    return HealthStatus(status="ok")


@router.get("/readyz", responses=problem_responses(503), summary="Readiness probe")
async def check_readiness(request: Request) -> HealthStatus:
    """200 when the database answers a ping, else 503."""
    if not await ping(request.state.mongo):
        raise ServiceUnavailable("The database does not answer.")
    return HealthStatus(status="ok")
