"""HTTP for `/contacts`: parse the request, call one service function, shape the response."""

from typing import Annotated, Any
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Body, Header, Path, Query, Request, Response, status

import api.http.path_ids  # noqa: F401  (registers the {contact_id:contact_id} convertor)
from api.contacts import bulk, service
from api.contacts.bulk import ItemOutcome
from api.contacts.schemas import (
    BulkDelete,
    BulkItemResult,
    BulkItems,
    BulkResult,
    BulkUpdateItems,
    ContactListParams,
    ContactOut,
    ContactPage,
    ContactPatch,
    ContactWrite,
    MergedAway,
)
from api.http.conditional import etag_for, none_match, parse_if_match
from api.http.cursors import decode_cursor, encode_cursor
from api.http.dependencies import JSON_BODY, MERGE_PATCH_BODY, CurrentScope, CursorSecret, IfMatch
from api.http.media_types import MERGE_PATCH, StrictJSONRoute
from api.http.negotiation import JCARD, JSON, VCARD, preferred
from api.http.problems import problem_of, problem_responses
from api.idempotency.service import IdempotentRequest
from api.interchange.examples import VCARD_EXAMPLE, jcard_content, text_content
from api.interchange.exporting import WITH_PROPERTIES, as_json, jcards, vcards
from api.interchange.jcard import to_jcard

router = APIRouter(
    prefix="/contacts", tags=["contacts"], route_class=StrictJSONRoute, responses=problem_responses(401, 429)
)
ContactId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$", description="The contact's id (24 hex digits).")]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=r"^[!-~]{1,255}$",
        description="Any unique string (a UUID, say): a retry with the same key and body within 24 h replays "
        "the first response instead of creating a second contact.",
    ),
]
ETAG_HEADER = {"ETag": {"description": "The contact's entity tag (its version).", "schema": {"type": "string"}}}
LOCATION_HEADER = {"Location": {"description": "The contact's URL.", "schema": {"type": "string"}}}


def _links(contact_id: str, *operations: str) -> dict[str, Any]:
    """OpenAPI links: what a client (and schemathesis' stateful phase) can do next with a contact.

    Changes are conditional on the ETag of the response they follow.
    """
    links = {}
    for operation in operations:
        parameters = {"contact_id": contact_id}
        if operation != "getContact":
            parameters["header.If-Match"] = "$response.header.ETag"
        links[operation[0].upper() + operation[1:]] = {"operationId": operation, "parameters": parameters}
    return links


CHANGES = ("replaceContact", "patchContact", "deleteContact")


def with_etag(contact: ContactOut, response: Response) -> ContactOut:
    response.headers["ETag"] = etag_for(contact.version)
    return contact


# Bulk operations answer 200 with a result per item; the request as a whole fails only when malformed.
BULK: dict[str, Any] = {
    "dependencies": JSON_BODY,
    "responses": problem_responses(400, 415, 422),
    "response_model_exclude_none": True,
}


@router.post("/bulk", **BULK, summary="Create up to 100 contacts")
async def create_contacts_bulk(items: BulkItems, scope: CurrentScope) -> BulkResult:
    """Each item gets the status it would have had alone (201 with `id`, or 422 with `problem`)."""
    return _bulk_result(await bulk.create_contacts(scope, items), success=201)


@router.post("/bulk-update", **BULK, summary="Change up to 100 contacts")
async def update_contacts_bulk(items: BulkUpdateItems, request: Request, scope: CurrentScope) -> BulkResult:
    """Each item gets the status its PATCH would have had alone, in order: 200 with `id` and `etag`, or 400, 404,
    409, 412, 422 or 428 with `problem`. A change that fails leaves the others applied.
    """
    required = request.app.state.settings.require_if_match
    outcomes = await bulk.update_contacts(scope, items, lambda header: parse_if_match(header, required=required))
    return _bulk_result(outcomes, success=200)


@router.post("/bulk-delete", **BULK, summary="Delete up to 100 contacts")
async def delete_contacts_bulk(body: BulkDelete, scope: CurrentScope) -> BulkResult:
    """Each id gets the status its delete would have had alone (204, or 404 with `problem`)."""
    return _bulk_result(await bulk.delete_contacts(scope, body.ids), success=204)


def _bulk_result(outcomes: list[ItemOutcome], *, success: int) -> BulkResult:
    return BulkResult(
        results=[
            BulkItemResult(
                status=success, id=outcome.id, etag=None if outcome.version is None else etag_for(outcome.version)
            )
            if outcome.error is None
            else BulkItemResult(status=outcome.error.status, id=outcome.id, problem=problem_of(outcome.error))
            for outcome in outcomes
        ]
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=JSON_BODY,
    response_model=ContactOut,
    responses={
        201: {
            "headers": {**ETAG_HEADER, **LOCATION_HEADER},
            "links": _links("$response.body#/id", "getContact", *CHANGES),
        },
        **problem_responses(400, 409, 415, 422),
    },
    summary="Create a contact",
)
async def create_contact(
    body: ContactWrite,
    request: Request,
    response: Response,
    scope: CurrentScope,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Store a new contact; its URL is in `Location`. With `Idempotency-Key`, retries are safe."""
    idempotency = None
    if idempotency_key is not None:
        idempotency = IdempotentRequest.of("createContact", idempotency_key, await request.json())
    created = await service.create_contact(scope, body, idempotency)
    response.headers["Location"] = f"/contacts/{created.contact.id}"
    if created.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return with_etag(created.contact, response)


CARDS_CONTENT = text_content(VCARD, VCARD_EXAMPLE) | jcard_content(many=True)
CARD_CONTENT = text_content(VCARD, VCARD_EXAMPLE) | jcard_content(many=False)
NEXT_LINK = {
    "Link": {"description": 'vCard and jCard pages: the next page, `rel="next"`.', "schema": {"type": "string"}}
}


@router.get(
    "",
    response_model=ContactPage,
    responses={200: {"content": CARDS_CONTENT, "headers": NEXT_LINK}, **problem_responses(400, 422)},
    summary="List and search contacts",
)
async def list_contacts(
    params: Annotated[ContactListParams, Query()],
    request: Request,
    scope: CurrentScope,
    secret: CursorSecret,
) -> Any:
    """Contacts a page at a time (keyset pagination: follow `next_cursor`), filtered and sorted.

    `Accept: text/vcard` or `application/vcard+json` gives the page as vCard 4.0 or jCard, the next page in `Link`.
    """
    after = decode_cursor(params.cursor, secret, scope.tenant) if params.cursor is not None else None
    kind = preferred(request.headers.get("accept"))
    extra = () if kind == JSON else WITH_PROPERTIES
    page = await service.list_contacts(scope, params, after, extra)
    next_cursor = encode_cursor(page.next_position, secret, scope.tenant) if page.next_position else None
    if kind == JSON:
        return {"items": page.contacts, "next_cursor": next_cursor}
    headers = {}
    if next_cursor is not None:
        query = urlencode(
            [*((k, v) for k, v in request.query_params.multi_items() if k != "cursor"), ("cursor", next_cursor)]
        )
        headers["Link"] = f'<{request.url.path}?{query}>; rel="next"'
    return card_response(page.contacts, kind, headers)


@router.get(
    "/{contact_id:contact_id}",
    response_model=ContactOut,
    responses={
        200: {
            "headers": ETAG_HEADER,
            "links": _links("$request.path.contact_id", *CHANGES),
            "content": CARD_CONTENT,
        },
        301: {
            "description": "Merged into another contact: `Location` is the survivor's URL.",
            "model": MergedAway,
            "headers": LOCATION_HEADER,
        },
        304: {"description": "Not Modified: `If-None-Match` names the current version."},
        **problem_responses(404),
    },
    summary="Get a contact",
)
async def get_contact(
    contact_id: ContactId,
    response: Response,
    scope: CurrentScope,
    request: Request,
    if_none_match: Annotated[str | None, Header(description="ETag you already have; 304 if still current.")] = None,
) -> Any:
    """One contact by id, with its `ETag`; as vCard 4.0 or jCard when `Accept` asks for `text/vcard` or
    `application/vcard+json` (OpenAPI states content negotiation by the response's media types, not a parameter).
    """
    kind = preferred(request.headers.get("accept"))
    try:
        if kind == JSON:
            contact = await service.get_contact(scope, contact_id)
            version = contact.version
        else:
            card = await service.get_contact_view(scope, contact_id, WITH_PROPERTIES)
            version = card["version"]
    except service.ContactMergedAway as merged:
        return _moved(merged.survivor_id)
    if none_match(if_none_match, version):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag_for(version)})
    if kind == JSON:
        return with_etag(contact, response)
    return card_response([card], kind, {"ETag": etag_for(version)}, single=True)


def _moved(survivor_id: str) -> Response:
    body = MergedAway(merged_into=survivor_id, detail=f"Merged into {survivor_id}.")
    return Response(
        body.model_dump_json(),
        status_code=status.HTTP_301_MOVED_PERMANENTLY,
        media_type=JSON,
        headers={"Location": f"/contacts/{survivor_id}"},
    )


def card_response(contacts: list[dict[str, Any]], kind: str, headers: dict[str, str], single: bool = False) -> Response:
    """Contacts as vCard 4.0 or jCard (one jCard, or an array of them for a listing)."""
    if kind == VCARD:
        return Response(vcards(contacts), media_type=f"{VCARD}; charset=utf-8", headers=headers)
    body = orjson.dumps(to_jcard(as_json(contacts)[0])) if single else jcards(contacts)
    return Response(body, media_type=JCARD, headers=headers)


@router.put(
    "/{contact_id:contact_id}",
    dependencies=JSON_BODY,
    response_model=ContactOut,
    responses={200: {"headers": ETAG_HEADER}, **problem_responses(400, 404, 409, 410, 412, 415, 422, 428)},
    summary="Replace a contact",
)
async def replace_contact(
    contact_id: ContactId, body: ContactWrite, response: Response, scope: CurrentScope, precondition: IfMatch
) -> Any:
    """Replace every client-set field; honours `If-Match` (412 when stale)."""
    return with_etag(await service.replace_contact(scope, contact_id, body, precondition), response)


@router.patch(
    "/{contact_id:contact_id}",
    dependencies=MERGE_PATCH_BODY,
    response_model=ContactOut,
    responses={200: {"headers": ETAG_HEADER}, **problem_responses(400, 404, 409, 410, 412, 415, 422, 428)},
    summary="Change some fields of a contact",
)
async def patch_contact(
    contact_id: ContactId,
    body: Annotated[ContactPatch, Body(media_type=MERGE_PATCH)],
    response: Response,
    scope: CurrentScope,
    precondition: IfMatch,
) -> Any:
    """Apply a JSON merge patch (RFC 7396): null clears a field, lists are replaced whole."""
    patch = body.model_dump(mode="json", exclude_unset=True)
    return with_etag(await service.patch_contact(scope, contact_id, patch, precondition), response)


@router.delete(
    "/{contact_id:contact_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(400, 404, 409, 410, 412, 428),
    summary="Delete a contact",
)
async def delete_contact(contact_id: ContactId, scope: CurrentScope, precondition: IfMatch) -> None:
    """Delete a contact; honours `If-Match`."""
    await service.delete_contact(scope, contact_id, precondition)
