"""Export and import over HTTP: files that stream out, imports that report every row and never duplicate."""

import csv
import io
import json

import httpx
import pytest

from api.interchange import importing
from api.settings import Settings
from tests.api.interchange import FIXTURES
from tests.factories import PROBLEM, new_contact, patch_contact
from tests.live_server import LiveServer

VCF = {"content-type": "text/vcard"}
CSV = {"content-type": "text/csv"}


async def import_file(client: httpx.AsyncClient, name: str, **headers: str) -> httpx.Response:
    kind = VCF if name.endswith(".vcf") else CSV
    return await client.post("/contacts/import", content=(FIXTURES / name).read_bytes(), headers=kind | headers)


async def all_contacts(client: httpx.AsyncClient) -> list[dict[str, object]]:
    items: list[dict[str, object]] = (await client.get("/contacts", params={"limit": 100})).json()["items"]
    return items


async def test_importing_a_vcard_file_reports_every_card_and_reimporting_it_creates_nothing(
    client: httpx.AsyncClient,
) -> None:
    first = await import_file(client, "apple.vcf")
    count = len(await all_contacts(client))
    second = await import_file(client, "apple.vcf")

    assert first.status_code == 200, first.text
    report = first.json()
    assert report["created"] == count > 0
    assert [result["outcome"] for result in report["results"]].count("created") == count
    assert all(result["status"] in (201, 422) for result in report["results"])
    assert second.json()["created"] == 0
    assert second.json()["unchanged"] == count
    assert len(await all_contacts(client)) == count


async def test_a_bad_row_gets_its_problem_and_the_others_are_imported(client: httpx.AsyncClient) -> None:
    body = "name,emails\n".replace("emails", "E-mail 1 - Value")
    body = "Name,E-mail 1 - Value\nGood One,good@example.com\nBad One,not-an-email\nGood Two,two@example.com\n"

    response = await client.post("/contacts/import", content=body.encode(), headers=CSV)

    report = response.json()
    assert (report["created"], report["failed"]) == (2, 1)
    bad = next(result for result in report["results"] if result["outcome"] == "failed")
    assert bad["number"] == 3
    assert bad["status"] == 422
    assert bad["problem"]["errors"][0]["pointer"].startswith("/emails/0")
    assert sorted(str(c["name"]) for c in await all_contacts(client)) == ["Good One", "Good Two"]


async def test_a_changed_row_updates_its_contact_and_history_says_imported(client: httpx.AsyncClient) -> None:
    before = "Name,external_id,Organization Name\nAda,crm-1,Engines\n"
    after = "Name,external_id,Organization Name\nAda,crm-1,Babbage & Co\n"
    created = (await client.post("/contacts/import", content=before.encode(), headers=CSV)).json()
    updated = (await client.post("/contacts/import", content=after.encode(), headers=CSV)).json()

    contact_id = created["results"][0]["id"]
    assert updated["results"][0] == {"number": 2, "status": 200, "outcome": "updated", "id": contact_id}
    contact = (await client.get(f"/contacts/{contact_id}")).json()
    assert (contact["company"], contact["external_id"], contact["version"]) == ("Babbage & Co", "crm-1", 2)
    history = (await client.get(f"/contacts/{contact_id}/history")).json()["items"]
    assert [(item["kind"], item["patch"]) for item in history[:1]] == [("imported", {"company": "Babbage & Co"})]


async def test_an_export_reimported_into_another_address_book_gives_the_same_contacts(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await import_file(client, "v4.vcf")
    await import_file(client, "outlook.vcf")
    ada = await new_contact(client, name="Ada", phones=[{"value": "(415) 555-0123", "label": "mobile"}])
    await patch_contact(client, ada["id"], {"tags": ["math"]})
    original = {str(c["name"]): c for c in await all_contacts(client)}

    exported = await client.get("/contacts/export", params={"format": "vcf"})
    other = settings.model_copy(update={"mongodb_db": settings.mongodb_db + "_copy"})
    with LiveServer(other).running() as url:
        async with httpx.AsyncClient(base_url=url, timeout=30) as copy:
            imported = await copy.post("/contacts/import", content=exported.content, headers=VCF)
            again = await copy.post("/contacts/import", content=exported.content, headers=VCF)
            copied = {str(c["name"]): c for c in await all_contacts(copy)}

    assert exported.headers["content-type"] == "text/vcard; charset=utf-8"
    assert imported.json()["created"] == len(original)
    assert again.json()["unchanged"] == len(original)
    assert set(copied) == set(original)
    server_fields = ("id", "created_at", "updated_at", "version", "external_id")
    for name, contact in original.items():
        assert {k: v for k, v in copied[name].items() if k not in server_fields} == {
            k: v for k, v in contact.items() if k not in server_fields
        }


async def test_a_csv_export_streams_the_filtered_contacts_with_googles_columns(client: httpx.AsyncClient) -> None:
    await new_contact(client, name="Tagged", tags=["vip"], emails=[{"value": "t@example.com"}])
    await new_contact(client, name="Other")

    response = await client.get("/contacts/export", params={"format": "csv", "tag": "vip"})

    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="contacts.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(row["name"], row["E-mail 1 - Value"]) for row in rows] == [("Tagged", "t@example.com")]


async def test_get_and_list_answer_vcard_and_jcard_when_asked(client: httpx.AsyncClient) -> None:
    created = await new_contact(client, name="Ada Lovelace", birthday="1815-12-10")
    await new_contact(client, name="Grace Hopper")

    vcard = await client.get(f"/contacts/{created['id']}", headers={"accept": "text/vcard"})
    jcard = await client.get(f"/contacts/{created['id']}", headers={"accept": "application/vcard+json"})
    unchanged = await client.get(
        f"/contacts/{created['id']}", headers={"accept": "text/vcard", "if-none-match": vcard.headers["etag"]}
    )
    page = await client.get("/contacts", params={"limit": 1}, headers={"accept": "text/vcard"})
    jcards = await client.get("/contacts", headers={"accept": "application/vcard+json"})
    default = await client.get(f"/contacts/{created['id']}", headers={"accept": "image/png"})

    assert vcard.headers["content-type"] == "text/vcard; charset=utf-8"
    assert vcard.headers["etag"] == '"1"'
    assert "FN:Ada Lovelace\r\n" in vcard.text
    assert "BDAY;VALUE=date:18151210" in vcard.text
    assert vcard.text.startswith("BEGIN:VCARD\r\nVERSION:4.0\r\n")
    assert jcard.headers["content-type"] == "application/vcard+json"
    assert jcard.json()[0] == "vcard"
    assert ["fn", {}, "text", "Ada Lovelace"] in jcard.json()[1]
    assert unchanged.status_code == 304
    assert page.text.count("BEGIN:VCARD") == 1
    assert page.headers["link"].startswith("</contacts?limit=1&cursor=")
    assert page.headers["link"].endswith('>; rel="next"')
    assert [card[0] for card in jcards.json()] == ["vcard", "vcard"]
    assert default.headers["content-type"] == "application/json"


async def test_an_import_with_an_idempotency_key_replays_its_report(client: httpx.AsyncClient) -> None:
    body = b"Name\nOnce\n"
    first = await client.post("/contacts/import", content=body, headers=CSV | {"idempotency-key": "imp-1"})
    replay = await client.post("/contacts/import", content=body, headers=CSV | {"idempotency-key": "imp-1"})
    other = await client.post("/contacts/import", content=b"Name\nTwice\n", headers=CSV | {"idempotency-key": "imp-1"})

    assert replay.json() == first.json()
    assert other.status_code == 422
    assert [c["name"] for c in await all_contacts(client)] == ["Once"]


async def test_an_import_that_is_not_vcard_or_csv_is_a_415_and_one_too_large_a_413(settings: Settings) -> None:
    limited = settings.model_copy(update={"import_max_bytes": 2048})
    with LiveServer(limited).running() as url:
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            wrong = await http.post("/contacts/import", content=json.dumps({"name": "x"}))
            large = await http.post("/contacts/import", content=b"Name\n" + b"x\n" * 2000, headers=CSV)
            json_large = await http.post(
                "/contacts", content=b'{"name": "' + b"x" * 2000 + b'"}', headers={"content-type": "application/json"}
            )

    assert wrong.status_code == 415
    assert wrong.headers["content-type"] == PROBLEM
    assert large.status_code == 413
    assert json_large.status_code in (201, 422)  # MAX_BODY_BYTES (1 MiB) still governs other routes


async def test_the_format_is_read_from_the_file_whatever_its_label(client: httpx.AsyncClient) -> None:
    card = "\ufeffBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Labelled CSV\r\nEND:VCARD\r\n".encode()

    as_csv = await client.post("/contacts/import", content=card, headers=CSV)
    as_bytes = await client.post(
        "/contacts/import", content=b"Name\nPlain CSV\n", headers={"content-type": "application/octet-stream"}
    )

    assert (as_csv.json()["created"], as_bytes.json()["created"]) == (1, 1)
    assert sorted(str(c["name"]) for c in await all_contacts(client)) == ["Labelled CSV", "Plain CSV"]


async def test_our_own_csv_export_reimported_is_unchanged(client: httpx.AsyncClient) -> None:
    await new_contact(client, name="With", external_id="crm-9")
    await new_contact(client, name="Without")

    exported = await client.get("/contacts/export", params={"format": "csv"})
    report = (await client.post("/contacts/import", content=exported.content, headers=CSV)).json()

    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, 2)
    stored = {str(c["name"]): (c["external_id"], c["version"]) for c in await all_contacts(client)}
    assert stored == {"With": ("crm-9", 1), "Without": (None, 1)}


async def test_rows_past_the_limit_are_refused_and_the_batches_read_ahead_are_not_imported(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "BATCH", 2)
    monkeypatch.setattr(importing, "MAX_ROWS", 4)
    body = "Name\n" + "".join(f"Person {number}\n" for number in range(7))

    report = (await client.post("/contacts/import", content=body.encode(), headers=CSV)).json()

    assert (report["created"], report["failed"]) == (4, 1)
    assert "more than 4 rows" in report["results"][-1]["problem"]["detail"]
    assert len(await all_contacts(client)) == 4


async def test_a_card_repeated_while_the_batch_before_it_is_stored_updates_the_contact_just_made(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "BATCH", 2)  # each batch of new contacts is stored while the next is matched
    rows = [("Ada", "crm-1", "Engines"), ("Bob", "crm-2", ""), ("Ada", "crm-1", "Babbage & Co"), ("Cy", "crm-3", "")]
    rows += [("Cy", "crm-3", ""), ("Di", "crm-4", ""), ("Di", "crm-4", "Looms")]  # a repeat in its own batch too
    body = "Name,external_id,Organization Name\n" + "".join(f"{name},{ref},{company}\n" for name, ref, company in rows)

    report = (await client.post("/contacts/import", content=body.encode(), headers=CSV)).json()

    outcomes = [result["outcome"] for result in report["results"]]
    assert [result["number"] for result in report["results"]] == list(range(2, 9))
    assert outcomes == ["created", "created", "updated", "created", "unchanged", "created", "updated"]
    ids = [result["id"] for result in report["results"]]
    assert (ids[2], ids[4], ids[6]) == (ids[0], ids[3], ids[5])
    stored = {str(c["name"]): (c["company"], c["version"]) for c in await all_contacts(client)}
    assert stored == {"Ada": ("Babbage & Co", 2), "Bob": (None, 1), "Cy": (None, 1), "Di": ("Looms", 2)}
    feed = (await client.get("/contacts/changes")).json()
    assert sorted(str(contact["name"]) for contact in feed["changed"]) == ["Ada", "Bob", "Cy", "Di"]
