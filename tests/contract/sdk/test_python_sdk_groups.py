"""The generated Python SDK drives groups: create, rename, members in and out, member listings, a typed 409."""

from http import HTTPStatus
from typing import Any

import pytest

from tests.contract.sdk.conftest import PythonSdk
from tests.contract.sdk.test_python_sdk import MISSING_ID, create

pytestmark = pytest.mark.contract


def test_a_group_gains_and_loses_members_and_lists_them(python_sdk: PythonSdk, sdk_client: Any) -> None:
    models = python_sdk.models
    created = python_sdk.create_group.sync_detailed(client=sdk_client, body=models.GroupWrite(name="Book club"))
    group = created.parsed
    ada, bob = (create(python_sdk, sdk_client, name).parsed.id for name in ("Ada", "Bob"))

    added = python_sdk.add_members.sync(group.id, client=sdk_client, body=models.MemberIds(ids=[ada, bob, MISSING_ID]))
    removed = python_sdk.remove_members.sync(group.id, client=sdk_client, body=models.MemberIds(ids=[ada]))
    members = python_sdk.list_members.sync(group.id, client=sdk_client, sort=models.ListMembersSort.NAME)
    rename = models.GroupPatch(name="Readers")
    stale = python_sdk.patch_group.sync_detailed(
        group.id, client=sdk_client, body=rename, if_match=created.headers["etag"]
    )
    current = python_sdk.get_group.sync_detailed(group.id, client=sdk_client).headers["etag"]
    renamed = python_sdk.patch_group.sync_detailed(group.id, client=sdk_client, body=rename, if_match=current)

    assert created.status_code == HTTPStatus.CREATED
    assert isinstance(group, models.GroupOut)
    assert isinstance(added, models.MemberResults)
    assert [(result.status, result.changed) for result in added.results[:2]] == [(200, True), (200, True)]
    assert isinstance(added.results[2].problem, models.ProblemDetails)
    assert (added.member_count, removed.member_count) == (2, 1)
    assert [contact.id for contact in members.items] == [bob]
    assert stale.status_code == HTTPStatus.PRECONDITION_FAILED  # members joining and leaving are changes too
    assert renamed.status_code == HTTPStatus.OK
    assert renamed.parsed.name == "Readers"
    listed = python_sdk.list_groups.sync(client=sdk_client)
    assert [(item.name, item.member_count) for item in listed.items if item.id == group.id] == [("Readers", 1)]


def test_a_taken_name_is_a_typed_409_and_a_deleted_group_a_404(python_sdk: PythonSdk, sdk_client: Any) -> None:
    models = python_sdk.models
    group = python_sdk.create_group.sync(client=sdk_client, body=models.GroupWrite(name="Family"))

    taken = python_sdk.create_group.sync_detailed(client=sdk_client, body=models.GroupWrite(name="FAMILY"))
    deleted = python_sdk.delete_group.sync_detailed(group.id, client=sdk_client)
    gone = python_sdk.get_group.sync_detailed(group.id, client=sdk_client)

    assert taken.status_code == HTTPStatus.CONFLICT
    assert isinstance(taken.parsed, models.ProblemDetails)
    assert taken.parsed.type_ == "/problems/group-name-taken"
    assert deleted.status_code == HTTPStatus.NO_CONTENT
    assert gone.status_code == HTTPStatus.NOT_FOUND
