"""The generated Python SDK drives the newer operations: sync, history, trash, vCard/CSV files, the tenant's data."""

import io
import json
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime
from http import HTTPStatus
from typing import Any

import httpx
import pytest

from tests.contract.sdk.conftest import PythonSdk
from tests.contract.sdk.test_python_sdk import create

pytestmark = pytest.mark.contract


def etag_of(response: Any) -> str:
    return str(response.headers["etag"])


def file_of(sdk: PythonSdk, payload: bytes) -> Any:
    """The SDK's `File`: it sends any file body as application/octet-stream (the server reads the format)."""
    return sdk.types.File(payload=io.BytesIO(payload))


def test_full_sync_then_a_poll_returns_exactly_the_changed_and_the_deleted(
    python_sdk: PythonSdk, sdk_client: Any
) -> None:
    ada, grace, alan = (create(python_sdk, sdk_client, name) for name in ("Ada", "Grace", "Alan"))

    synced: list[str] = []
    page_sizes: list[int] = []
    token = "0"
    for _ in range(10):  # 3 contacts in pages of 2 need 2 pages; more means has_more never ends
        page = python_sdk.list_changes.sync(client=sdk_client, since=token, limit=2)
        assert isinstance(page, python_sdk.models.ChangesPage)
        assert all(isinstance(item, python_sdk.models.ContactOut) for item in page.changed)
        synced += [item.id for item in page.changed]
        page_sizes.append(len(page.changed))
        assert page.deleted == []
        token = page.sync_token
        if not page.has_more:
            break
    patched = python_sdk.patch_contact.sync_detailed(
        ada.parsed.id, client=sdk_client, body=python_sdk.models.ContactPatch(company="Engines"), if_match=etag_of(ada)
    )
    deleted = python_sdk.delete_contact.sync_detailed(grace.parsed.id, client=sdk_client, if_match=etag_of(grace))
    poll = python_sdk.list_changes.sync(client=sdk_client, since=token)
    quiet = python_sdk.list_changes.sync(client=sdk_client, since=poll.sync_token)

    assert page_sizes == [2, 1]
    assert sorted(synced) == sorted(contact.parsed.id for contact in (ada, grace, alan))
    assert (patched.status_code, deleted.status_code) == (HTTPStatus.OK, HTTPStatus.NO_CONTENT)
    assert isinstance(poll, python_sdk.models.ChangesPage)
    assert [(item.id, item.company, item.version) for item in poll.changed] == [(ada.parsed.id, "Engines", 2)]
    assert [tombstone.id for tombstone in poll.deleted] == [grace.parsed.id]
    assert isinstance(poll.deleted[0], python_sdk.models.Tombstone)
    assert isinstance(poll.deleted[0].deleted_at, datetime)
    assert poll.has_more is False
    assert (quiet.changed, quiet.deleted, quiet.has_more) == ([], [], False)


def test_a_forged_sync_token_is_a_typed_400_problem(python_sdk: PythonSdk, sdk_client: Any) -> None:
    create(python_sdk, sdk_client, "Ada")
    token = python_sdk.list_changes.sync(client=sdk_client).sync_token
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")  # the signature no longer matches

    response = python_sdk.list_changes.sync_detailed(client=sdk_client, since=forged)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.headers["content-type"] == "application/problem+json"
    assert isinstance(response.parsed, python_sdk.models.ProblemDetails)
    assert response.parsed.status == HTTPStatus.BAD_REQUEST


def test_history_lists_versions_newest_first_and_restore_brings_back_version_1(
    python_sdk: PythonSdk, sdk_client: Any
) -> None:
    created = create(python_sdk, sdk_client, "Ada Lovelace", company="Analytical Engines")
    contact_id = created.parsed.id
    patched = python_sdk.patch_contact.sync_detailed(
        contact_id, client=sdk_client, body=python_sdk.models.ContactPatch(company="Babbage & Co"), if_match='"1"'
    )

    history = python_sdk.get_contact_history.sync(contact_id, client=sdk_client)
    restore = python_sdk.models.RestoreRequest(version=1)
    restored = python_sdk.restore_contact.sync_detailed(
        contact_id, client=sdk_client, body=restore, if_match=etag_of(patched)
    )
    stale = python_sdk.restore_contact.sync_detailed(
        contact_id, client=sdk_client, body=restore, if_match=etag_of(patched)
    )

    assert isinstance(history, python_sdk.models.HistoryPage)
    assert all(isinstance(item, python_sdk.models.VersionOut) for item in history.items)
    kinds = python_sdk.models.VersionOutKind
    assert [(item.version, item.kind) for item in history.items] == [(2, kinds.UPDATED), (1, kinds.CREATED)]
    assert history.items[0].patch.to_dict() == {"company": "Babbage & Co"}
    assert history.items[1].patch.to_dict()["company"] == "Analytical Engines"  # the whole first version
    assert history.next_cursor is None
    assert restored.status_code == HTTPStatus.OK
    assert isinstance(restored.parsed, python_sdk.models.ContactOut)
    assert (restored.parsed.company, restored.parsed.version) == ("Analytical Engines", 3)
    assert etag_of(restored) == '"3"'
    assert stale.status_code == HTTPStatus.PRECONDITION_FAILED
    assert isinstance(stale.parsed, python_sdk.models.ProblemDetails)
    assert stale.parsed.status == HTTPStatus.PRECONDITION_FAILED
    newest = python_sdk.get_contact_history.sync(contact_id, client=sdk_client, limit=1).items[0]
    assert (newest.version, newest.kind) == (3, kinds.RESTORED)


def test_a_deleted_contact_is_in_the_trash_until_undeleted(python_sdk: PythonSdk, sdk_client: Any) -> None:
    created = create(python_sdk, sdk_client, "Ada Lovelace")
    contact_id = created.parsed.id
    python_sdk.delete_contact.sync_detailed(contact_id, client=sdk_client, if_match=etag_of(created))

    trash = python_sdk.list_trash.sync(client=sdk_client)
    gone = python_sdk.get_contact.sync_detailed(contact_id, client=sdk_client)
    trashed = trash.items[0]
    undeleted = python_sdk.undelete_contact.sync_detailed(
        contact_id, client=sdk_client, if_match=f'"{trashed.version}"'
    )
    back = python_sdk.get_contact.sync_detailed(contact_id, client=sdk_client)

    assert isinstance(trash, python_sdk.models.TrashPage)
    assert isinstance(trashed, python_sdk.models.TrashedContact)
    assert [(item.id, item.name) for item in trash.items] == [(contact_id, "Ada Lovelace")]
    assert isinstance(trashed.deleted_at, datetime)
    assert gone.status_code == HTTPStatus.NOT_FOUND
    assert undeleted.status_code == HTTPStatus.OK
    assert isinstance(undeleted.parsed, python_sdk.models.ContactOut)
    assert undeleted.parsed.id == contact_id
    assert back.status_code == HTTPStatus.OK
    assert back.parsed.name == "Ada Lovelace"
    assert python_sdk.list_trash.sync(client=sdk_client).items == []


def test_reimporting_an_exported_vcard_file_changes_nothing(python_sdk: PythonSdk, sdk_client: Any) -> None:
    ids = [create(python_sdk, sdk_client, name).parsed.id for name in ("Ada Lovelace", "Grace Hopper")]

    exported = python_sdk.export_contacts.sync_detailed(
        client=sdk_client, format_=python_sdk.models.ExportContactsFormat.VCF
    )
    vcards = exported.content
    imported = python_sdk.import_contacts.sync_detailed(client=sdk_client, body=file_of(python_sdk, vcards))

    assert exported.status_code == HTTPStatus.OK
    assert exported.headers["content-type"].startswith("text/vcard")
    assert isinstance(exported.parsed, bytes)  # typed `str` by the SDK, but it hands over the body's bytes
    assert vcards.startswith(b"BEGIN:VCARD")
    assert vcards.count(b"BEGIN:VCARD") == 2
    assert imported.status_code == HTTPStatus.OK
    report = imported.parsed
    assert isinstance(report, python_sdk.models.ImportResult)
    assert (report.created, report.updated, report.unchanged, report.failed) == (0, 0, 2, 0)
    assert all(isinstance(row, python_sdk.models.ImportRowResult) for row in report.results)
    assert {row.outcome for row in report.results} == {python_sdk.models.ImportRowResultOutcome.UNCHANGED}
    assert sorted(row.id for row in report.results) == sorted(ids)
    assert len(python_sdk.list_contacts.sync(client=sdk_client).items) == 2


def test_importing_a_csv_row_creates_a_contact_with_its_external_id(python_sdk: PythonSdk, sdk_client: Any) -> None:
    csv = b"Name,external_id\nNew Person,crm-7\n"

    first = python_sdk.import_contacts.sync(client=sdk_client, body=file_of(python_sdk, csv))
    again = python_sdk.import_contacts.sync(client=sdk_client, body=file_of(python_sdk, csv))

    assert isinstance(first, python_sdk.models.ImportResult)
    assert (first.created, first.updated, first.unchanged, first.failed) == (1, 0, 0, 0)
    row = first.results[0]
    created = python_sdk.models.ImportRowResultOutcome.CREATED
    assert (row.number, row.status, row.outcome) == (2, HTTPStatus.CREATED, created)  # the line after the header
    contact = python_sdk.get_contact.sync(row.id, client=sdk_client)
    assert isinstance(contact, python_sdk.models.ContactOut)
    assert (contact.name, contact.external_id) == ("New Person", "crm-7")
    assert (again.created, again.unchanged) == (0, 1)  # matched on external_id
    assert again.results[0].id == row.id


@pytest.fixture
def keyed_clients(python_sdk: PythonSdk, secured_server: str, tenant_keys: dict[str, str]) -> Iterator[dict[str, Any]]:
    """A generated `AuthenticatedClient` per tenant (acme, globex), on an app that requires keys."""
    with ExitStack() as stack:
        yield {
            tenant: stack.enter_context(
                python_sdk.package.AuthenticatedClient(
                    base_url=secured_server, token=key, timeout=httpx.Timeout(10), raise_on_unexpected_status=True
                )
            )
            for tenant, key in tenant_keys.items()
        }


def test_tenant_export_counts_the_contacts_and_erase_empties_only_that_tenant(
    python_sdk: PythonSdk, keyed_clients: dict[str, Any]
) -> None:
    acme, globex = keyed_clients["acme"], keyed_clients["globex"]
    ada = create(python_sdk, acme, "Ada Lovelace").parsed
    create(python_sdk, acme, "Grace Hopper")
    create(python_sdk, globex, "Alan Turing")
    patch = python_sdk.models.ContactPatch(company="Engines")
    python_sdk.patch_contact.sync_detailed(ada.id, client=acme, body=patch, if_match='"1"')  # keeps version 1

    token = python_sdk.list_changes.sync(client=acme).sync_token
    exported = python_sdk.export_tenant.sync_detailed(client=acme)
    unconfirmed = python_sdk.erase_tenant_data.sync_detailed(client=acme, confirm_erase="globex")
    erased = python_sdk.erase_tenant_data.sync_detailed(client=acme, confirm_erase="acme")

    assert exported.status_code == HTTPStatus.OK
    assert exported.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in exported.content.splitlines()]
    contacts = sorted(line["contact"]["name"] for line in lines if line["type"] == "contact")
    versions = [
        (line["version"]["contact_id"], line["version"]["version"]) for line in lines if line["type"] == "version"
    ]
    assert lines[0]["type"] == "tenant"
    assert (contacts, versions) == (["Ada Lovelace", "Grace Hopper"], [(ada.id, 1)])
    assert lines[-1] == {"type": "end", "groups": 0, "contacts": 2, "versions": 1}
    assert unconfirmed.status_code == HTTPStatus.PRECONDITION_REQUIRED
    assert isinstance(unconfirmed.parsed, python_sdk.models.ProblemDetails)
    assert erased.status_code == HTTPStatus.OK
    assert isinstance(erased.parsed, python_sdk.models.ErasureResult)
    assert (erased.parsed.contacts, erased.parsed.versions) == (2, 1)
    after = python_sdk.list_contacts.sync_detailed(client=acme)  # the key still works; the contacts are gone
    assert after.status_code == HTTPStatus.OK
    assert after.parsed.items == []
    assert [item.name for item in python_sdk.list_contacts.sync(client=globex).items] == ["Alan Turing"]
    expired = python_sdk.list_changes.sync_detailed(client=acme, since=token)  # erasure expires sync tokens
    assert expired.status_code == HTTPStatus.GONE
    assert isinstance(expired.parsed, python_sdk.models.ProblemDetails)
    end = json.loads(python_sdk.export_tenant.sync_detailed(client=acme).content.splitlines()[-1])
    assert end == {"type": "end", "groups": 0, "contacts": 0, "versions": 0}
