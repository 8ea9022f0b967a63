"""HTTP for the tenant's data as a whole: `GET /tenant/export` and `DELETE /tenant/data`."""

from typing import Annotated, Any

from fastapi import APIRouter, Header
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict

from api.errors import PreconditionRequired
from api.http.dependencies import CurrentScope
from api.http.problems import problem_responses
from api.interchange.examples import NDJSON_EXAMPLE, text_content
from api.tenant import service

router = APIRouter(prefix="/tenant", tags=["tenant"], responses=problem_responses(401, 429))
NDJSON = "application/x-ndjson"


class ErasureResult(BaseModel):
    """What the erasure deleted."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"contacts": 1200, "versions": 3400, "groups": 12}]})

    contacts: int
    versions: int
    groups: int = 0


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "NDJSON: a `tenant` line, a `group` line per group, a `contact` line per contact "
            "(trashed ones with `deleted_at`, members with `group_ids`), "
            "a `version` line per kept version, and an `end` line with the counts.",
            "content": text_content(NDJSON, NDJSON_EXAMPLE),
        }
    },
    summary="Export all of the tenant's data",
)
async def export_tenant(scope: CurrentScope) -> StreamingResponse:
    """Everything the tenant has (groups, contacts, trash, history), streamed as NDJSON; audited in the logs."""
    return StreamingResponse(
        service.export(scope),
        media_type=NDJSON,
        headers={"Content-Disposition": 'attachment; filename="tenant-export.ndjson"'},
    )


@router.delete(
    "/data",
    response_model=ErasureResult,
    responses=problem_responses(422, 428),
    summary="Erase all of the tenant's data",
)
async def erase_tenant_data(
    scope: CurrentScope,
    confirm: Annotated[
        str,
        Header(
            alias="Confirm-Erase",
            min_length=1,
            max_length=63,
            description="The tenant's name, to confirm: every group and contact, the trash, history and change log "
            "go for good. API keys stay.",
        ),
    ],
) -> Any:
    """Erase the tenant's groups, contacts, trash, history and change log (sync tokens expire); keys stay. Audited."""
    if confirm != scope.tenant:
        raise PreconditionRequired(
            "Erasing is permanent: send the header Confirm-Erase with this tenant's name to confirm it."
        )
    erased = await service.erase(scope)
    return ErasureResult(contacts=erased.contacts, versions=erased.versions, groups=erased.groups)
