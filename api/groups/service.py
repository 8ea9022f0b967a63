"""The rules of groups and their members, free of HTTP: routes call these, these call the repositories."""

from dataclasses import dataclass
from typing import Any

from pymongo.errors import DuplicateKeyError

from api.contacts.merge_patch import merge_patch
from api.contacts.service import ContactNotFound, validated
from api.errors import ApiError, Conflict, MalformedRequest, NotFound, PreconditionFailed
from api.groups import counts, repository
from api.groups.repository import Document
from api.groups.schemas import GroupOut, GroupWrite
from api.preconditions import Precondition, conditionally
from api.scope import Scope
from models.contact import is_contact_id
from models.group import GroupFields

_BAD_CURSOR = "The cursor is not valid for this listing; use a next_cursor returned by this API."


class GroupNotFound(NotFound):
    """No group has the requested id (in this scope)."""

    message = "No group has this id."


class StaleGroup(PreconditionFailed):
    """The group changed since the client read the ETag it sent."""

    message = "The group has changed since that ETag; GET it again and retry."


class GroupNameTaken(Conflict):
    """Another group of the tenant has the name, ignoring case."""

    type = "/problems/group-name-taken"
    message = "Another group has this name (names are unique ignoring case)."


@dataclass(frozen=True, slots=True)
class GroupPage:
    """A page of groups, and the cursor position after it when more follow."""

    groups: list[GroupOut]
    next_position: list[Any] | None


@dataclass(frozen=True, slots=True)
class MemberOutcome:
    """What one id of a membership request came to: whether it changed, or the error."""

    id: str
    changed: bool = False
    error: ApiError | None = None


def _out(document: Document) -> GroupOut:
    return GroupOut.model_validate(repository.to_view(document))


async def create_group(scope: Scope, fields: GroupFields) -> GroupOut:
    """Store a new group; 409 when the name is taken."""
    try:
        return _out(await repository.insert(scope, fields))
    except DuplicateKeyError:
        raise GroupNameTaken from None


async def current_group(scope: Scope, group_id: str) -> Document:
    """The stored group with `group_id`, its member count exact; a 404 when there is none."""
    found = await repository.find(scope, group_id)
    if found is None:
        raise GroupNotFound
    return await counts.settled(scope, found)


async def get_group(scope: Scope, group_id: str) -> GroupOut:
    """The group with `group_id`."""
    return _out(await current_group(scope, group_id))


async def list_groups(scope: Scope, limit: int, after: list[Any] | None) -> GroupPage:
    """A page of groups by name; `after` is the position the request's cursor carried."""
    position = _position(after) if after is not None else None
    found = await repository.find_page(scope, limit + 1, position)
    page = [_out(await counts.settled(scope, document)) for document in found[:limit]]
    last = found[limit - 1] if len(found) > limit else None
    return GroupPage(page, ["groups", last["name_key"], last["_id"]] if last is not None else None)


def _position(after: list[Any]) -> tuple[str, str]:
    if len(after) != 3 or after[0] != "groups" or not isinstance(after[1], str) or not is_contact_id(after[2]):
        raise MalformedRequest(_BAD_CURSOR)
    return after[1], after[2]


async def patch_group(
    scope: Scope, group_id: str, patch: dict[str, Any], precondition: Precondition | None
) -> GroupOut:
    """Apply a JSON merge patch to the group's name and description; 409 when the new name is taken."""

    async def write(current: Document) -> Document | None:
        shown = {key: current[key] for key in ("name", "description") if current.get(key) is not None}
        fields = validated(GroupWrite, merge_patch(shown, patch))
        try:
            return await repository.update(scope, current, fields)
        except DuplicateKeyError:
            raise GroupNameTaken from None

    updated = await conditionally(
        lambda: current_group(scope, group_id), write, precondition, StaleGroup, "The group is changing too often."
    )
    return _out(updated)


async def delete_group(scope: Scope, group_id: str, precondition: Precondition | None) -> None:
    """Delete a group; its contacts stay as they are."""

    async def delete(current: Document) -> bool | None:
        return await repository.delete(scope, current) or None

    await conditionally(
        lambda: current_group(scope, group_id), delete, precondition, StaleGroup, "The group is changing too often."
    )


async def change_members(scope: Scope, group_id: str, ids: list[str], *, join: bool) -> list[MemberOutcome]:
    """Add (`join`) or remove the contacts `ids` to or from the group: an outcome per id, in order."""
    await current_group(scope, group_id)
    groups_of = await repository.memberships(scope, ids)
    wanted = [contact_id for contact_id in dict.fromkeys(ids) if contact_id in groups_of]
    to_change = [contact_id for contact_id in wanted if (group_id in groups_of[contact_id]) != join]
    async with counts.changing(scope, [group_id] if to_change else []) as members:
        if join:
            members[group_id] += await repository.join(scope, group_id, to_change)
        else:
            members[group_id] -= await repository.leave(scope, group_id, to_change)
    outcomes = []
    pending = set(to_change)
    for contact_id in ids:
        if contact_id not in groups_of:
            outcomes.append(MemberOutcome(contact_id, error=ContactNotFound()))
        else:
            outcomes.append(MemberOutcome(contact_id, changed=contact_id in pending))
            pending.discard(contact_id)  # a repeated id changed once, the first time
    return outcomes
