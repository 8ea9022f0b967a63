"""The `/contacts` resource: create, read, replace, patch, delete and list."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import StringConstraints
from starlette.convertors import Convertor, register_url_convertor

from api.conditional import etag_for, none_match
from api.deps import JSON_BODY, MERGE_PATCH, MERGE_PATCH_BODY, CurrentScope, CursorSecret, IfMatch
from api.errors import problem_responses
from api.pagination import decode_cursor, encode_cursor
from api.services import contacts as service
from api.services import idempotency, listing
from api.services.listing import FIELDS_PATTERN, SELECTABLE_FIELDS, SORT_KEYS, ContactQuery
from api.services.scope import Scope
from models.contact import ContactOut, ContactPage, ContactPatch, ContactWrite, present
from models.fields import Timestamp


class ContactIdConvertor(Convertor[str]):
    """Route only well-formed ids to a contact, so `/contacts/bulk` is not read as a contact id."""

    regex = "[0-9a-f]{24}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("contact_id", ContactIdConvertor())
router = APIRouter(prefix="/contacts", tags=["contacts"])
ContactId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$", description="The contact's id (24 hex digits).")]

Filter = Annotated[str, StringConstraints(min_length=1, max_length=200)]
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
# OpenAPI links: what a client (and schemathesis' stateful phase) can do next with a new contact's id.
CONTACT_LINKS = {
    name: {"operationId": operation, "parameters": {"contact_id": "$response.body#/id"}}
    for name, operation in (
        ("GetContact", "getContact"),
        ("ReplaceContact", "replaceContact"),
        ("PatchContact", "patchContact"),
        ("DeleteContact", "deleteContact"),
    )
}


def _with_etag(stored: dict[str, Any], response: Response) -> dict[str, Any]:
    response.headers["ETag"] = etag_for(stored["version"])
    return present(stored)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=JSON_BODY,
    response_model=ContactOut,
    responses={
        201: {
            "headers": {**ETAG_HEADER, "Location": {"description": "The contact's URL.", "schema": {"type": "string"}}}
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
    if idempotency_key is not None:
        return await _create_idempotently(body, await request.json(), scope, idempotency_key)
    stored = await service.create_contact(scope, body)
    response.headers["Location"] = f"/contacts/{stored['_id']}"
    return _with_etag(stored, response)


async def _create_idempotently(body: ContactWrite, raw_body: Any, scope: Scope, key: str) -> JSONResponse:
    replay = await idempotency.claim(scope, key, idempotency.fingerprint("createContact", raw_body))
    if replay is not None:
        headers = replay.headers | {"Idempotent-Replayed": "true"}
        return JSONResponse(replay.body, status_code=replay.status, headers=headers)
    try:
        stored = await service.create_contact(scope, body)
    except BaseException:
        await idempotency.release(scope, key)
        raise
    content = ContactOut.model_validate(present(stored)).model_dump(mode="json")
    headers = {"Location": f"/contacts/{stored['_id']}", "ETag": etag_for(stored["version"])}
    await idempotency.remember(scope, key, idempotency.StoredResponse(201, content, headers))
    return JSONResponse(content, status_code=201, headers=headers)


@router.get(
    "",
    response_model=ContactPage,
    responses=problem_responses(400, 422),
    summary="List and search contacts",
)
async def list_contacts(
    scope: CurrentScope,
    secret: CursorSecret,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size, 1-100.")] = 20,
    cursor: Annotated[str | None, Query(max_length=1024, description="`next_cursor` of the previous page.")] = None,
    sort: Annotated[str, Query(description="Sort order.", json_schema_extra={"enum": list(SORT_KEYS)})] = "created_at",
    fields: Annotated[
        str | None,
        Query(
            max_length=500,
            description=f"Comma-separated subset of: {', '.join(SELECTABLE_FIELDS)}. `id` is always included.",
            json_schema_extra={"pattern": FIELDS_PATTERN},
        ),
    ] = None,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=100, description="Case-insensitive prefix of a name, email or phone digits."),
    ] = None,
    tag: Annotated[
        list[Annotated[str, StringConstraints(min_length=1, max_length=50)]] | None,
        Query(max_length=10, description="Repeatable; all must match (ignoring case)."),
    ] = None,
    email: Annotated[
        str | None, Query(max_length=320, description="Exact address (normalised before matching).")
    ] = None,
    phone: Annotated[
        str | None, Query(max_length=40, description="Exact number (normalised to E.164 before matching).")
    ] = None,
    company: Annotated[Filter | None, Query(description="Exact company name, ignoring case.")] = None,
    updated_since: Annotated[
        Timestamp | None, Query(description="Only contacts changed at or after this time.")
    ] = None,
) -> dict[str, Any]:
    """Contacts a page at a time (keyset pagination: follow `next_cursor`), filtered and sorted."""
    sort = listing.parse_sort(sort)
    query = ContactQuery(
        limit=limit,
        sort=sort,
        fields=listing.parse_fields(fields),
        q=q,
        tags=tuple(tag or ()),
        email=email,
        phone=phone,
        company=company,
        updated_since=updated_since,
        after=listing.check_position(sort, decode_cursor(cursor, secret)) if cursor is not None else None,
    )
    found, more = await listing.list_contacts(scope, query)
    next_cursor = encode_cursor(listing.cursor_position(query, found[-1]), secret) if more else None
    return {"items": [present(stored, query.fields) for stored in found], "next_cursor": next_cursor}


@router.get(
    "/{contact_id:contact_id}",
    response_model=ContactOut,
    responses={
        200: {"headers": ETAG_HEADER},
        304: {"description": "Not Modified: `If-None-Match` names the current version."},
        **problem_responses(404),
    },
    summary="Get a contact",
)
async def get_contact(
    contact_id: ContactId,
    response: Response,
    scope: CurrentScope,
    if_none_match: Annotated[str | None, Header(description="ETag you already have; 304 if still current.")] = None,
) -> Any:
    """One contact by id, with its `ETag`."""
    stored = await service.get_contact(scope, contact_id)
    if none_match(if_none_match, stored["version"]):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag_for(stored["version"])})
    return _with_etag(stored, response)


@router.put(
    "/{contact_id:contact_id}",
    dependencies=JSON_BODY,
    response_model=ContactOut,
    responses={200: {"headers": ETAG_HEADER}, **problem_responses(400, 404, 412, 415, 422, 428)},
    summary="Replace a contact",
)
async def replace_contact(
    contact_id: ContactId, body: ContactWrite, response: Response, scope: CurrentScope, precondition: IfMatch
) -> dict[str, Any]:
    """Replace every client-set field; honours `If-Match` (412 when stale)."""
    return _with_etag(await service.replace_contact(scope, contact_id, body, precondition), response)


@router.patch(
    "/{contact_id:contact_id}",
    dependencies=MERGE_PATCH_BODY,
    response_model=ContactOut,
    responses={200: {"headers": ETAG_HEADER}, **problem_responses(400, 404, 409, 412, 415, 422, 428)},
    summary="Change some fields of a contact",
)
async def patch_contact(
    contact_id: ContactId,
    body: Annotated[ContactPatch, Body(media_type=MERGE_PATCH)],
    response: Response,
    scope: CurrentScope,
    precondition: IfMatch,
) -> dict[str, Any]:
    """Apply a JSON merge patch (RFC 7396): null clears a field, lists are replaced whole."""
    patch = body.model_dump(mode="json", exclude_unset=True)
    return _with_etag(await service.patch_contact(scope, contact_id, patch, precondition), response)


@router.delete(
    "/{contact_id:contact_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404, 412, 428),
    summary="Delete a contact",
)
async def delete_contact(contact_id: ContactId, scope: CurrentScope, precondition: IfMatch) -> None:
    """Delete a contact; honours `If-Match`."""
    await service.delete_contact(scope, contact_id, precondition)
