"""`GET /metrics`: the Prometheus metrics of every worker (README: "Operating"). Public, like the probes."""

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST

from api.observability.metrics import exposition

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    """The metrics in Prometheus' text format."""
    return Response(exposition(), media_type=CONTENT_TYPE_LATEST)
