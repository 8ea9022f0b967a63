// The generated TypeScript SDK drives the newer operations on an app that requires API keys: the change feed,
// history and restore, the trash, vCard/CSV export and import, and the tenant's export and erasure.
// Run by tests/contract/sdk/test_typescript_sdk.py (it generates the SDK, makes keys, starts the app), or by hand:
//   make sdk && cd openapi/tools && API_BASE_URL=http://127.0.0.1:8000 API_TENANT=acme API_KEY=ck_... \
//     OTHER_API_KEY=ck_... node --import tsx --test ../../tests/contract/sdk/typescript_sdk_sync.test.ts
// Every test but the last works on contacts only it creates; the last erases the tenant's data.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, test } from "node:test";

import { createClient, createConfig } from "../../../build/sdk/typescript/client";
import { client } from "../../../build/sdk/typescript/client.gen";
import {
  type ChangesPage,
  type ContactOut,
  type ContactWrite,
  type ErasureResult,
  type HistoryPage,
  type ImportResult,
  type ProblemDetails,
  type TrashPage,
  createContact,
  deleteContact,
  eraseTenantData,
  exportContacts,
  exportTenant,
  getContact,
  getContactHistory,
  importContacts,
  listChanges,
  listContacts,
  listTrash,
  patchContact,
  restoreContact,
  undeleteContact,
} from "../../../build/sdk/typescript/index";

const PROBLEM_JSON = "application/problem+json";
const env = (name: string): string => {
  const value = process.env[name];
  assert.ok(value, `set ${name} (see the top of this file)`);
  return value;
};
const unique = (): string => randomUUID().replaceAll("-", "").slice(0, 12);
const other = createClient(createConfig());

before(() => {
  client.setConfig({ baseUrl: env("API_BASE_URL"), auth: env("API_KEY") }); // sent as `Authorization: Bearer`
  other.setConfig({ baseUrl: env("API_BASE_URL"), auth: env("OTHER_API_KEY") }); // another tenant's key
});

async function create(body: ContactWrite, on = client): Promise<{ contact: ContactOut; etag: string }> {
  const { data, error, response } = await createContact({ body, client: on });
  assert.equal(response.status, 201, JSON.stringify(error));
  assert.ok(data);
  return { contact: data, etag: response.headers.get("etag") ?? "" };
}

test("a full sync in pages, then a poll, returns exactly the contacts changed and deleted since", async () => {
  const ada = await create({ name: "Ada" });
  const grace = await create({ name: "Grace" });
  const alan = await create({ name: "Alan" });

  const synced: string[] = [];
  let token = "0";
  let pages = 0;
  for (let more = true; more; pages++) {
    assert.ok(pages < 100, "has_more never ends");
    const { data, error }: { data?: ChangesPage; error?: ProblemDetails } = await listChanges({
      query: { since: token, limit: 2 },
    });
    assert.ok(data, JSON.stringify(error));
    assert.ok(data.changed.length <= 2);
    synced.push(...data.changed.map((contact) => contact.id));
    [token, more] = [data.sync_token, data.has_more];
  }
  const patched = await patchContact({
    path: { contact_id: ada.contact.id },
    headers: { "if-match": ada.etag },
    body: { company: "Engines" },
  });
  const deleted = await deleteContact({ path: { contact_id: grace.contact.id }, headers: { "if-match": grace.etag } });
  const poll = await listChanges({ query: { since: token } });

  assert.ok(pages >= 2); // at least 3 contacts in pages of 2
  for (const { contact } of [ada, grace, alan]) assert.ok(synced.includes(contact.id), contact.id);
  assert.deepEqual([patched.response.status, deleted.response.status], [200, 204]);
  assert.equal(poll.response.status, 200);
  assert.deepEqual(
    poll.data?.changed.map((contact) => [contact.id, contact.company, contact.version]),
    [[ada.contact.id, "Engines", 2]],
  );
  assert.deepEqual(
    poll.data?.deleted.map((tombstone) => tombstone.id),
    [grace.contact.id],
  );
  assert.ok(!Number.isNaN(Date.parse(poll.data?.deleted[0]?.deleted_at ?? "")));
  assert.equal(poll.data?.has_more, false);
});

test("a forged sync token is a typed 400 problem", async () => {
  const { data } = await listChanges({ query: { limit: 1 } });
  assert.ok(data);
  const forged = data.sync_token.slice(0, -4) + (data.sync_token.endsWith("AAAA") ? "BBBB" : "AAAA");

  const { error, response } = await listChanges({ query: { since: forged } });

  assert.equal(response.status, 400);
  assert.equal(response.headers.get("content-type"), PROBLEM_JSON);
  const problem: ProblemDetails | undefined = error;
  assert.equal(problem?.status, 400);
});

test("history lists the versions newest first; restoring version 1 brings its values back as version 3", async () => {
  const { contact } = await create({ name: "Ada Lovelace", company: "Analytical Engines" });
  const path = { contact_id: contact.id };
  const patched = await patchContact({ path, headers: { "if-match": '"1"' }, body: { company: "Babbage & Co" } });
  const etag = patched.response.headers.get("etag") ?? "";

  const history: { data?: HistoryPage } = await getContactHistory({ path });
  const restored = await restoreContact({ path, headers: { "if-match": etag }, body: { version: 1 } });
  const stale = await restoreContact({ path, headers: { "if-match": etag }, body: { version: 1 } });

  assert.deepEqual(
    history.data?.items.map((item) => [item.version, item.kind]),
    [
      [2, "updated"],
      [1, "created"],
    ],
  );
  assert.deepEqual(history.data?.items[0]?.patch, { company: "Babbage & Co" });
  assert.equal(history.data?.items[1]?.patch.company, "Analytical Engines"); // the whole first version
  assert.equal(history.data?.next_cursor, null);
  assert.equal(restored.response.status, 200);
  assert.deepEqual([restored.data?.company, restored.data?.version], ["Analytical Engines", 3]);
  assert.equal(restored.response.headers.get("etag"), '"3"');
  assert.equal(stale.response.status, 412);
  assert.equal(stale.response.headers.get("content-type"), PROBLEM_JSON);
  assert.equal(stale.error?.status, 412);
});

test("a deleted contact is in the trash with deleted_at until it is undeleted", async () => {
  const { contact, etag } = await create({ name: `Trashed ${unique()}` });
  const path = { contact_id: contact.id };
  await deleteContact({ path, headers: { "if-match": etag } });

  const trash: { data?: TrashPage } = await listTrash({ query: { limit: 100 } });
  const gone = await getContact({ path });
  const trashed = trash.data?.items.find((item) => item.id === contact.id);
  assert.ok(trashed, "the deleted contact is not in the trash");
  const undeleted = await undeleteContact({ path, headers: { "if-match": `"${trashed.version}"` } });
  const back = await getContact({ path });

  assert.equal(trashed.name, contact.name);
  assert.ok(!Number.isNaN(Date.parse(trashed.deleted_at)));
  assert.equal(gone.response.status, 404);
  assert.equal(undeleted.response.status, 200);
  assert.equal(undeleted.data?.id, contact.id);
  assert.equal(back.response.status, 200);
  assert.equal(back.data?.name, contact.name);
  const after = await listTrash({ query: { limit: 100 } });
  assert.ok(!after.data?.items.some((item) => item.id === contact.id));
});

test("re-importing an exported vCard file changes nothing", async () => {
  const tag = `export-${unique()}`;
  const ids = [(await create({ name: "Ada Lovelace", tags: [tag] })).contact.id];
  ids.push((await create({ name: "Grace Hopper", tags: [tag] })).contact.id);

  const exported = await exportContacts({ query: { format: "vcf", tag: [tag] } });
  const vcards: string | undefined = exported.data; // text/vcard: the fetch client reads it as text
  assert.ok(typeof vcards === "string", JSON.stringify(exported.error));
  const imported: { data?: ImportResult; error?: ProblemDetails } = await importContacts({ body: new Blob([vcards]) });

  assert.equal(exported.response.status, 200);
  assert.match(exported.response.headers.get("content-type") ?? "", /^text\/vcard/);
  assert.ok(vcards.startsWith("BEGIN:VCARD"));
  assert.equal(vcards.split("BEGIN:VCARD").length - 1, 2);
  const report = imported.data;
  assert.ok(report, JSON.stringify(imported.error));
  assert.deepEqual([report.created, report.updated, report.unchanged, report.failed], [0, 0, 2, 0]);
  assert.deepEqual(
    report.results.map((row) => row.outcome),
    ["unchanged", "unchanged"],
  );
  assert.deepEqual(report.results.map((row) => row.id).sort(), [...ids].sort());
});

test("importing a CSV row creates a contact with its external_id, and importing it again creates nothing", async () => {
  const externalId = `crm-${unique()}`;
  const csv = new Blob([`Name,external_id\nNew Person,${externalId}\n`]);
  const headers = { "Content-Type": "text/csv" }; // the SDK sends text/vcard unless told otherwise

  const first = await importContacts({ body: csv, headers });
  const again = await importContacts({ body: csv, headers });

  assert.equal(first.response.status, 200, JSON.stringify(first.error));
  assert.deepEqual(
    [first.data?.created, first.data?.updated, first.data?.unchanged, first.data?.failed],
    [1, 0, 0, 0],
  );
  const row = first.data?.results[0];
  assert.deepEqual([row?.number, row?.status, row?.outcome], [2, 201, "created"]); // the line after the header
  assert.ok(row?.id);
  const contact = await getContact({ path: { contact_id: row.id } });
  assert.deepEqual([contact.data?.name, contact.data?.external_id], ["New Person", externalId]);
  assert.deepEqual([again.data?.created, again.data?.unchanged, again.data?.results[0]?.id], [0, 1, row.id]);
});

test("the tenant export counts the contacts; erasing with Confirm-Erase empties only this tenant", async () => {
  const tenant = env("API_TENANT");
  await create({ name: "Ada Lovelace" });
  const { contact: theirs } = await create({ name: `Other tenant ${unique()}` }, other);

  const synced = await listChanges();
  assert.ok(synced.data);
  // application/x-ndjson would be read as a Blob, though the SDK types it a string: ask for text.
  const exported = await exportTenant({ parseAs: "text" });
  const wrongName = await eraseTenantData({ headers: { "Confirm-Erase": `not-${tenant}` } });
  const erased = await eraseTenantData({ headers: { "Confirm-Erase": tenant } });

  assert.equal(exported.response.status, 200);
  assert.match(exported.response.headers.get("content-type") ?? "", /^application\/x-ndjson/);
  assert.equal(typeof exported.data, "string");
  const lines = (exported.data ?? "")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { type: string; groups?: number; contacts?: number; versions?: number });
  const count = (type: string): number => lines.filter((line) => line.type === type).length;
  const counted = { groups: count("group"), contacts: count("contact"), versions: count("version") };
  assert.deepEqual(lines[0]?.type, "tenant");
  assert.deepEqual(lines.at(-1), { type: "end", ...counted });
  assert.ok(counted.contacts >= 1);
  assert.equal(wrongName.response.status, 428);
  assert.equal(wrongName.error?.status, 428);
  assert.equal(erased.response.status, 200, JSON.stringify(erased.error));
  const result: ErasureResult | undefined = erased.data;
  assert.deepEqual(result, counted);
  const after = await listContacts(); // the key still works; the contacts are gone
  assert.equal(after.response.status, 200);
  assert.deepEqual(after.data?.items, []);
  const expired = await listChanges({ query: { since: synced.data.sync_token } }); // erasure expires sync tokens
  assert.equal(expired.response.status, 410);
  assert.equal(expired.error?.status, 410);
  const theirsAfter = await getContact({ path: { contact_id: theirs.id }, client: other });
  assert.equal(theirsAfter.response.status, 200);
});
