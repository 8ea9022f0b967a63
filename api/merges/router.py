"""HTTP for `POST /contacts/{id}/merge`."""

from typing import Any

from fastapi import APIRouter, Request, Response

import api.http.path_ids  # noqa: F401  (registers the {contact_id:contact_id} convertor)
from api.contacts.router import ETAG_HEADER, ContactId
from api.http.conditional import etag_for
from api.http.dependencies import JSON_BODY, CurrentScope, IfMatch
from api.http.media_types import StrictJSONRoute
from api.http.problems import problem_responses
from api.merges import service
from api.merges.schemas import MergeRequest, MergeResult

router = APIRouter(
    prefix="/contacts", tags=["contacts"], route_class=StrictJSONRoute, responses=problem_responses(401, 429)
)


@router.post(
    "/{contact_id:contact_id}/merge",
    dependencies=JSON_BODY,
    response_model=MergeResult,
    responses={200: {"headers": ETAG_HEADER}, **problem_responses(400, 404, 409, 410, 412, 415, 422, 428)},
    summary="Merge contacts into this one",
)
async def merge_contacts(
    contact_id: ContactId,
    body: MergeRequest,
    request: Request,
    response: Response,
    scope: CurrentScope,
    precondition: IfMatch,
) -> Any:
    """Merge the contacts in `from` into this one, all or nothing; honours `If-Match` (412 when stale).

    Lists are unioned with duplicates folded; each scalar takes the value of the contact `fields` names, else the
    newest non-null one. The merged contacts become tombstones: a GET of one answers 301 to this contact, a change
    410, and sync clients get them as deleted. `dry_run` shows the result and changes nothing.
    """
    settings = request.app.state.settings
    merged = await service.merge(scope, contact_id, body, precondition, settings.db_timeout)
    response.headers["ETag"] = etag_for(merged.contact.version)
    return MergeResult(contact=merged.contact, merged=merged.merged, sources=merged.sources, dry_run=body.dry_run)
