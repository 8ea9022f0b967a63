"""The generated Python SDK (openapi-python-client) drives the real app: lifecycle, search, paging, problems."""

from http import HTTPStatus
from typing import Any

import pytest

from tests.contract.sdk.conftest import PythonSdk

pytestmark = pytest.mark.contract

MISSING_ID = "0123456789abcdef01234567"  # well-formed, never created


def create(sdk: PythonSdk, sdk_client: Any, name: str, **fields: Any) -> Any:
    """Create a contact through the SDK and insist on a typed 201."""
    response = sdk.create_contact.sync_detailed(client=sdk_client, body=sdk.models.ContactWrite(name=name, **fields))
    assert response.status_code == HTTPStatus.CREATED, response.content
    return response


def test_create_returns_a_typed_contact_with_its_location_and_etag(python_sdk: PythonSdk, sdk_client: Any) -> None:
    email = python_sdk.models.EmailEntry(value="Ada@Example.com", primary=True)

    response = create(python_sdk, sdk_client, "Ada Lovelace", emails=[email], tags=["vip"])

    contact = response.parsed
    assert isinstance(contact, python_sdk.models.ContactOut)
    assert response.headers["location"] == f"/contacts/{contact.id}"
    assert response.headers["etag"] == '"1"'
    assert (contact.name, contact.version, contact.tags) == ("Ada Lovelace", 1, ["vip"])
    assert contact.emails[0].value == "Ada@example.com"  # normalised by the server, parsed by the SDK


def test_get_returns_the_contact_with_its_etag_and_304_for_that_etag(python_sdk: PythonSdk, sdk_client: Any) -> None:
    contact = create(python_sdk, sdk_client, "Grace Hopper").parsed

    fresh = python_sdk.get_contact.sync_detailed(contact.id, client=sdk_client)
    cached = python_sdk.get_contact.sync_detailed(contact.id, client=sdk_client, if_none_match=fresh.headers["etag"])

    assert fresh.status_code == HTTPStatus.OK
    assert isinstance(fresh.parsed, python_sdk.models.ContactOut)
    assert fresh.parsed.to_dict() == contact.to_dict()
    assert fresh.headers["etag"] == '"1"'
    assert cached.status_code == HTTPStatus.NOT_MODIFIED
    assert cached.parsed is None


def test_patch_with_current_etag_applies_and_with_stale_etag_is_a_typed_412(
    python_sdk: PythonSdk, sdk_client: Any
) -> None:
    created = create(python_sdk, sdk_client, "Ada Lovelace", nickname="Countess")
    contact_id, etag = created.parsed.id, created.headers["etag"]
    patch = python_sdk.models.ContactPatch(company="Analytical Engines", nickname=None)

    applied = python_sdk.patch_contact.sync_detailed(contact_id, client=sdk_client, body=patch, if_match=etag)
    stale = python_sdk.patch_contact.sync_detailed(
        contact_id, client=sdk_client, body=python_sdk.models.ContactPatch(company="Too Late"), if_match=etag
    )

    assert applied.status_code == HTTPStatus.OK
    assert isinstance(applied.parsed, python_sdk.models.ContactOut)
    assert (applied.parsed.company, applied.parsed.nickname, applied.parsed.version) == ("Analytical Engines", None, 2)
    assert applied.headers["etag"] == '"2"'
    assert stale.status_code == HTTPStatus.PRECONDITION_FAILED
    assert stale.headers["content-type"] == "application/problem+json"
    assert isinstance(stale.parsed, python_sdk.models.ProblemDetails)
    assert stale.parsed.status == HTTPStatus.PRECONDITION_FAILED
    assert python_sdk.get_contact.sync(contact_id, client=sdk_client).company == "Analytical Engines"


def test_search_by_q_returns_only_the_matching_contacts(python_sdk: PythonSdk, sdk_client: Any) -> None:
    for name in ("Ada Lovelace", "Adam Smith", "Grace Hopper"):
        create(python_sdk, sdk_client, name)

    page = python_sdk.list_contacts.sync(client=sdk_client, q="ada", sort=python_sdk.models.ListContactsSort.NAME)

    assert isinstance(page, python_sdk.models.ContactPage)
    assert [item.name for item in page.items] == ["Ada Lovelace", "Adam Smith"]
    assert page.next_cursor is None


def test_following_next_cursor_visits_every_contact_exactly_once(python_sdk: PythonSdk, sdk_client: Any) -> None:
    created = {create(python_sdk, sdk_client, f"Paged {n}", tags=["paged"]).parsed.id for n in range(5)}
    create(python_sdk, sdk_client, "Not paged", tags=["other"])

    seen: list[str] = []
    page_sizes: list[int] = []
    cursor = python_sdk.types.UNSET
    for _ in range(10):  # 5 contacts in pages of 2 need 3 pages; more means the cursor never ends
        page = python_sdk.list_contacts.sync(client=sdk_client, tag=["paged"], limit=2, cursor=cursor)
        assert isinstance(page, python_sdk.models.ContactPage)
        seen += [item.id for item in page.items]
        page_sizes.append(len(page.items))
        if page.next_cursor is None:
            break
        cursor = page.next_cursor

    assert page_sizes == [2, 2, 1]
    assert sorted(seen) == sorted(created)  # every one, and none twice


def test_delete_removes_the_contact(python_sdk: PythonSdk, sdk_client: Any) -> None:
    created = create(python_sdk, sdk_client, "Ada Lovelace")
    contact_id = created.parsed.id

    deleted = python_sdk.delete_contact.sync_detailed(contact_id, client=sdk_client, if_match=created.headers["etag"])
    after = python_sdk.get_contact.sync_detailed(contact_id, client=sdk_client)

    assert deleted.status_code == HTTPStatus.NO_CONTENT
    assert after.status_code == HTTPStatus.NOT_FOUND


def test_unknown_id_is_a_typed_404_problem(python_sdk: PythonSdk, sdk_client: Any) -> None:
    response = python_sdk.get_contact.sync_detailed(MISSING_ID, client=sdk_client)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.parsed
    assert isinstance(problem, python_sdk.models.ProblemDetails)
    assert (problem.status, problem.title) == (404, "Not Found")


def test_invalid_body_is_a_typed_422_problem_pointing_at_the_field(python_sdk: PythonSdk, sdk_client: Any) -> None:
    response = python_sdk.create_contact.sync_detailed(client=sdk_client, body=python_sdk.models.ContactWrite(name=""))

    assert response.status_code == HTTPStatus.UNPROCESSABLE_CONTENT
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.parsed
    assert isinstance(problem, python_sdk.models.ProblemDetails)
    assert problem.status == HTTPStatus.UNPROCESSABLE_CONTENT
    assert isinstance(problem.errors[0], python_sdk.models.ValidationIssue)
    assert (problem.errors[0].location, problem.errors[0].pointer) == ("body", "/name")


def test_bulk_update_returns_a_typed_result_per_item(python_sdk: PythonSdk, sdk_client: Any) -> None:
    created = create(python_sdk, sdk_client, "Ada Lovelace")
    contact_id, etag = created.parsed.id, created.headers["etag"]
    models = python_sdk.models
    items = [
        models.BulkUpdateItem(
            id=contact_id, patch=models.ContactMergePatch.from_dict({"company": "Engines"}), if_match=etag
        ),
        models.BulkUpdateItem(
            id=contact_id, patch=models.ContactMergePatch.from_dict({"company": "Late"}), if_match=etag
        ),
        models.BulkUpdateItem(id=MISSING_ID, patch=models.ContactMergePatch.from_dict({"name": "Nobody"})),
    ]

    result = python_sdk.update_contacts_bulk.sync(client=sdk_client, body=items)

    assert isinstance(result, models.BulkResult)
    assert [(item.status, item.etag) for item in result.results[:1]] == [(200, '"2"')]
    assert [item.status for item in result.results] == [200, 412, 404]
    assert isinstance(result.results[1].problem, models.ProblemDetails)
    assert python_sdk.get_contact.sync(contact_id, client=sdk_client).company == "Engines"


def test_merge_returns_the_typed_survivor_and_a_merged_contact_is_a_typed_301(
    python_sdk: PythonSdk, sdk_client: Any
) -> None:
    models = python_sdk.models
    survivor = create(python_sdk, sdk_client, "Ada Lovelace", company="Old").parsed
    source = create(python_sdk, sdk_client, "A. Lovelace", company="Engines").parsed
    body = models.MergeRequest(from_=[source.id], fields=models.MergeChoices.from_dict({"name": survivor.id}))

    merged = python_sdk.merge_contacts.sync_detailed(survivor.id, client=sdk_client, body=body, if_match='"1"')
    moved = python_sdk.get_contact.sync_detailed(source.id, client=sdk_client)

    assert merged.status_code == HTTPStatus.OK
    assert isinstance(merged.parsed, models.MergeResult)
    assert (merged.parsed.contact.name, merged.parsed.contact.company) == ("Ada Lovelace", "Engines")
    assert merged.parsed.merged == [source.id]
    assert merged.headers["etag"] == '"2"'
    assert moved.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert isinstance(moved.parsed, models.MergedAway)
    assert moved.parsed.merged_into == survivor.id
    assert moved.headers["location"] == f"/contacts/{survivor.id}"


def test_duplicates_are_typed_groups_and_a_dismissed_pair_leaves_them(python_sdk: PythonSdk, sdk_client: Any) -> None:
    models = python_sdk.models
    email = models.EmailEntry(value="twin@example.com")
    first = create(python_sdk, sdk_client, "Grace Hopper", emails=[email]).parsed
    second = create(python_sdk, sdk_client, "Hopper, Grace", emails=[email]).parsed

    found = python_sdk.list_duplicates.sync(client=sdk_client)
    dismissed = python_sdk.dismiss_duplicate.sync_detailed(
        client=sdk_client, body=models.Dismissal(ids=[first.id, second.id])
    )
    after = python_sdk.list_duplicates.sync(client=sdk_client)

    assert isinstance(found, models.DuplicatePage)
    ours = [group for group in found.items if {c.id for c in group.contacts} == {first.id, second.id}]
    assert len(ours) == 1
    assert ours[0].score > 0.9
    assert set(ours[0].reasons) == {models.DuplicateGroupReasonsItem.EMAIL, models.DuplicateGroupReasonsItem.NAME}
    assert dismissed.status_code == HTTPStatus.NO_CONTENT
    assert all({c.id for c in group.contacts} != {first.id, second.id} for group in after.items)
