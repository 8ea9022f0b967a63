"""HTTP for `/webhooks`: subscriptions, their delivery log, and redelivery."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request, Response, status

import api.http.path_ids  # noqa: F401  (registers the {webhook_id:webhook_id} convertor)
from api.errors import MalformedRequest
from api.http.conditional import etag_for
from api.http.cursors import decode_cursor, encode_cursor
from api.http.dependencies import JSON_BODY, MERGE_PATCH_BODY, CurrentScope, CursorSecret, IfMatch
from api.http.media_types import MERGE_PATCH, StrictJSONRoute
from api.http.problems import problem_responses
from api.webhooks import repository, service
from api.webhooks.schemas import (
    DeliveryOut,
    DeliveryPage,
    PageParams,
    WebhookCreated,
    WebhookOut,
    WebhookPage,
    WebhookPatch,
    WebhookWrite,
)

router = APIRouter(
    prefix="/webhooks", tags=["webhooks"], route_class=StrictJSONRoute, responses=problem_responses(401, 429)
)
WebhookId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$", description="The webhook's id (24 hex digits).")]
DeliveryId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}:g?[0-9]{12}[cdu]$", description="The delivery's id.")]
ETAG_HEADER = {"ETag": {"description": "The webhook's entity tag (its version).", "schema": {"type": "string"}}}
_BAD_CURSOR = "The cursor is not valid for this listing; use a next_cursor returned by this API."


def _shown(webhook: dict[str, Any], response: Response | None = None) -> dict[str, Any]:
    if response is not None:
        response.headers["ETag"] = etag_for(webhook["version"])
    return {"id": webhook["_id"]} | {field: webhook.get(field) for field in WebhookOut.model_fields if field != "id"}


def _after(cursor: str | None, secret: bytes, tenant: str, kind: str) -> str | None:
    if cursor is None:
        return None
    position = decode_cursor(cursor, secret, tenant)
    if len(position) != 2 or position[0] != kind or not isinstance(position[1], str):
        raise MalformedRequest(_BAD_CURSOR)
    after: str = position[1]
    return after


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=JSON_BODY,
    response_model=WebhookCreated,
    responses={201: {"headers": ETAG_HEADER}, **problem_responses(400, 415, 422)},
    summary="Subscribe to events",
)
async def create_webhook(body: WebhookWrite, request: Request, response: Response, scope: CurrentScope) -> Any:
    """Events from now on are POSTed to `url`, signed (Standard Webhooks). The `secret` is shown only here."""
    created = await service.create(scope, body, request.app.state.settings, request.state.sync_secret)
    response.headers["Location"] = f"/webhooks/{created.webhook['_id']}"
    return _shown(created.webhook, response) | {"secret": created.secret}


@router.get("", response_model=WebhookPage, responses=problem_responses(400, 422), summary="List webhooks")
async def list_webhooks(params: Annotated[PageParams, Query()], scope: CurrentScope, secret: CursorSecret) -> Any:
    """The tenant's subscriptions, oldest first, a page at a time."""
    found = await repository.find_page(scope, params.limit + 1, _after(params.cursor, secret, scope.tenant, "webhooks"))
    page = found[: params.limit]
    more = ["webhooks", page[-1]["_id"]] if len(found) > params.limit else None
    return {
        "items": [_shown(w) for w in page],
        "next_cursor": encode_cursor(more, secret, scope.tenant) if more else None,
    }


@router.get(
    "/{webhook_id:webhook_id}",
    response_model=WebhookOut,
    responses={200: {"headers": ETAG_HEADER}, **problem_responses(404)},
    summary="Get a webhook",
)
async def get_webhook(webhook_id: WebhookId, response: Response, scope: CurrentScope) -> Any:
    """One subscription (never its secret)."""
    return _shown(await service.get(scope, webhook_id), response)


@router.patch(
    "/{webhook_id:webhook_id}",
    dependencies=MERGE_PATCH_BODY,
    response_model=WebhookOut,
    responses={200: {"headers": ETAG_HEADER}, **problem_responses(400, 404, 409, 412, 415, 422, 428)},
    summary="Change a webhook",
)
async def patch_webhook(
    webhook_id: WebhookId,
    body: Annotated[WebhookPatch, Body(media_type=MERGE_PATCH)],
    request: Request,
    response: Response,
    scope: CurrentScope,
    precondition: IfMatch,
) -> Any:
    """Change its URL, events or description; `enabled: true` resumes a disabled one. Honours `If-Match`."""
    changed = await service.change(scope, webhook_id, body, precondition, request.app.state.settings)
    return _shown(changed, response)


@router.delete(
    "/{webhook_id:webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404),
    summary="Delete a webhook",
)
async def delete_webhook(webhook_id: WebhookId, scope: CurrentScope) -> None:
    """Stop sending, and delete its delivery log."""
    await service.delete(scope, webhook_id)


@router.get(
    "/{webhook_id:webhook_id}/deliveries",
    response_model=DeliveryPage,
    responses=problem_responses(400, 404, 422),
    summary="List a webhook's deliveries",
)
async def list_deliveries(
    webhook_id: WebhookId, params: Annotated[PageParams, Query()], scope: CurrentScope, secret: CursorSecret
) -> Any:
    """Its events, newest first: status (pending, delivered, failed), attempts, the last status code or error."""
    await service.get(scope, webhook_id)
    before = _after(params.cursor, secret, scope.tenant, "deliveries")
    found = await repository.find_deliveries(scope, webhook_id, params.limit + 1, before)
    page = found[: params.limit]
    more = ["deliveries", page[-1]["_id"]] if len(found) > params.limit else None
    items = [{"id": d["_id"]} | {k: d.get(k) for k in DeliveryOut.model_fields if k != "id"} for d in page]
    return {"items": items, "next_cursor": encode_cursor(more, secret, scope.tenant) if more else None}


@router.post(
    "/{webhook_id:webhook_id}/deliveries/{delivery_id}/redeliver",
    response_model=DeliveryOut,
    responses=problem_responses(404, 422),
    summary="Send a delivery again",
)
async def redeliver(webhook_id: WebhookId, delivery_id: DeliveryId, scope: CurrentScope) -> Any:
    """Queue it again with the same `webhook-id` (receivers deduplicate on it); sent after any pending before it."""
    delivery = await service.redeliver(scope, webhook_id, delivery_id)
    return {"id": delivery["_id"]} | {k: delivery.get(k) for k in DeliveryOut.model_fields if k != "id"}
