"""HTTP for `/groups`: named groups of contacts, their members, and member counts."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Query, Response, status

import api.http.path_ids  # noqa: F401  (registers the {group_id:group_id} convertor)
from api.contacts import service as contacts
from api.contacts.schemas import ContactListParams, ContactPage, MemberListParams
from api.groups import service
from api.groups.schemas import GroupListParams, GroupOut, GroupPage, GroupPatch, GroupWrite, MemberIds, MemberResults
from api.groups.service import MemberOutcome
from api.http.conditional import etag_for, none_match
from api.http.cursors import decode_cursor, encode_cursor
from api.http.dependencies import JSON_BODY, MERGE_PATCH_BODY, CurrentScope, CursorSecret, IfMatch
from api.http.media_types import MERGE_PATCH, StrictJSONRoute
from api.http.problems import problem_of, problem_responses
from api.scope import Scope

router = APIRouter(
    prefix="/groups", tags=["groups"], route_class=StrictJSONRoute, responses=problem_responses(401, 429)
)
GroupId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$", description="The group's id (24 hex digits).")]
ETAG_HEADER = {"ETag": {"description": "The group's entity tag (its version).", "schema": {"type": "string"}}}
LOCATION_HEADER = {"Location": {"description": "The group's URL.", "schema": {"type": "string"}}}
MEMBERS: dict[str, Any] = {
    "dependencies": JSON_BODY,
    "responses": problem_responses(400, 404, 415, 422),
    "response_model_exclude_none": True,
}


def with_etag(group: GroupOut, response: Response) -> GroupOut:
    response.headers["ETag"] = etag_for(group.version)
    return group


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=JSON_BODY,
    response_model=GroupOut,
    responses={201: {"headers": {**ETAG_HEADER, **LOCATION_HEADER}}, **problem_responses(400, 409, 415, 422)},
    summary="Create a group",
)
async def create_group(body: GroupWrite, response: Response, scope: CurrentScope) -> Any:
    """Store a new group; its URL is in `Location`. A name another group has (ignoring case) is a 409."""
    created = await service.create_group(scope, body)
    response.headers["Location"] = f"/groups/{created.id}"
    return with_etag(created, response)


@router.get("", response_model=GroupPage, responses=problem_responses(400, 422), summary="List groups")
async def list_groups(params: Annotated[GroupListParams, Query()], scope: CurrentScope, secret: CursorSecret) -> Any:
    """The tenant's groups by name (ignoring case), a page at a time: follow `next_cursor`."""
    after = decode_cursor(params.cursor, secret, scope.tenant) if params.cursor is not None else None
    page = await service.list_groups(scope, params.limit, after)
    next_cursor = encode_cursor(page.next_position, secret, scope.tenant) if page.next_position else None
    return GroupPage(items=page.groups, next_cursor=next_cursor)


@router.get(
    "/{group_id:group_id}",
    response_model=GroupOut,
    responses={
        200: {"headers": ETAG_HEADER},
        304: {"description": "Not Modified: `If-None-Match` names the current version."},
        **problem_responses(404),
    },
    summary="Get a group",
)
async def get_group(
    group_id: GroupId,
    response: Response,
    scope: CurrentScope,
    if_none_match: Annotated[str | None, Header(description="ETag you already have; 304 if still current.")] = None,
) -> Any:
    """One group, with its member count and `ETag`."""
    group = await service.get_group(scope, group_id)
    if none_match(if_none_match, group.version):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag_for(group.version)})
    return with_etag(group, response)


@router.patch(
    "/{group_id:group_id}",
    dependencies=MERGE_PATCH_BODY,
    response_model=GroupOut,
    responses={200: {"headers": ETAG_HEADER}, **problem_responses(400, 404, 409, 412, 415, 422, 428)},
    summary="Rename a group or change its description",
)
async def patch_group(
    group_id: GroupId,
    body: Annotated[GroupPatch, Body(media_type=MERGE_PATCH)],
    response: Response,
    scope: CurrentScope,
    precondition: IfMatch,
) -> Any:
    """Apply a JSON merge patch (RFC 7396); honours `If-Match` (412 when stale)."""
    patch = body.model_dump(mode="json", exclude_unset=True)
    return with_etag(await service.patch_group(scope, group_id, patch, precondition), response)


@router.delete(
    "/{group_id:group_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(400, 404, 412, 428),
    summary="Delete a group",
)
async def delete_group(group_id: GroupId, scope: CurrentScope, precondition: IfMatch) -> None:
    """Delete a group; its contacts are left as they are. Honours `If-Match`."""
    await service.delete_group(scope, group_id, precondition)


@router.get(
    "/{group_id:group_id}/members",
    response_model=ContactPage,
    responses=problem_responses(400, 404, 422),
    summary="List a group's members",
)
async def list_members(
    group_id: GroupId, params: Annotated[MemberListParams, Query()], scope: CurrentScope, secret: CursorSecret
) -> Any:
    """The group's live contacts, as `GET /contacts?group=` lists them: filtered, sorted, keyset-paged."""
    await service.current_group(scope, group_id)
    after = decode_cursor(params.cursor, secret, scope.tenant) if params.cursor is not None else None
    listing = ContactListParams.model_validate(params.model_dump() | {"group": group_id})
    page = await contacts.list_contacts(scope, listing, after)
    next_cursor = encode_cursor(page.next_position, secret, scope.tenant) if page.next_position else None
    return {"items": page.contacts, "next_cursor": next_cursor}


@router.post("/{group_id:group_id}/members", **MEMBERS, summary="Add up to 1,000 contacts to a group")
async def add_members(group_id: GroupId, body: MemberIds, scope: CurrentScope) -> MemberResults:
    """Each id gets 200 (`changed`: false if it was a member already) or 404 with `problem`."""
    outcomes = await service.change_members(scope, group_id, body.ids, join=True)
    return await _results(scope, group_id, outcomes)


@router.post("/{group_id:group_id}/members/remove", **MEMBERS, summary="Remove up to 1,000 contacts from a group")
async def remove_members(group_id: GroupId, body: MemberIds, scope: CurrentScope) -> MemberResults:
    """Each id gets 200 (`changed`: false if it was not a member) or 404 with `problem`. The contacts stay."""
    outcomes = await service.change_members(scope, group_id, body.ids, join=False)
    return await _results(scope, group_id, outcomes)


async def _results(scope: Scope, group_id: str, outcomes: list[MemberOutcome]) -> MemberResults:
    results: list[dict[str, Any]] = [
        {"status": 200, "id": outcome.id, "changed": outcome.changed}
        if outcome.error is None
        else {"status": outcome.error.status, "id": outcome.id, "problem": problem_of(outcome.error)}
        for outcome in outcomes
    ]
    group = await service.get_group(scope, group_id)
    return MemberResults.model_validate({"results": results, "member_count": group.member_count})
