// The generated TypeScript SDK (@hey-api/openapi-ts, fetch client) drives the real app.
// Run by tests/contract/sdk/test_typescript_sdk.py (it generates the SDK and starts the app), or by hand:
//   make sdk && cd openapi/tools && API_BASE_URL=http://127.0.0.1:8000 node --import tsx --test ../../tests/contract/sdk/typescript_sdk.test.ts
// Every test shares one app and database, so each one works on contacts only it creates.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, test } from "node:test";

import { client } from "../../../build/sdk/typescript/client.gen";
import {
  addMembers,
  type ContactOut,
  type ContactPage,
  type ContactWrite,
  type ListContactsData,
  type ProblemDetails,
  createContact,
  createGroup,
  createWebhook,
  deleteContact,
  dismissDuplicate,
  getContact,
  listContacts,
  listDuplicates,
  listMembers,
  listWebhooks,
  mergeContacts,
  patchContact,
  removeMembers,
  updateContactsBulk,
} from "../../../build/sdk/typescript/index";

const MISSING_ID = "0123456789abcdef01234567"; // well-formed, never created
const PROBLEM_JSON = "application/problem+json";

const unique = (): string => randomUUID().replaceAll("-", "").slice(0, 12);

before(() => {
  const baseUrl = process.env.API_BASE_URL;
  assert.ok(baseUrl, "set API_BASE_URL to the app's base URL, e.g. http://127.0.0.1:8000");
  client.setConfig({ baseUrl });
});

async function create(body: ContactWrite): Promise<{ contact: ContactOut; response: Response }> {
  const { data, error, response } = await createContact({ body });
  assert.equal(response.status, 201, JSON.stringify(error));
  assert.ok(data);
  return { contact: data, response };
}

test("create returns a typed contact with its Location and ETag", async () => {
  const { contact, response } = await create({
    name: "Ada Lovelace",
    emails: [{ value: "Ada@Example.com", primary: true }],
    tags: ["vip"],
  });

  assert.equal(response.headers.get("location"), `/contacts/${contact.id}`);
  assert.equal(response.headers.get("etag"), '"1"');
  assert.deepEqual([contact.name, contact.version, contact.tags], ["Ada Lovelace", 1, ["vip"]]);
  assert.equal(contact.emails[0]?.value, "Ada@example.com"); // normalised by the server
});

test("get returns the contact with its ETag, and 304 for that ETag", async () => {
  const { contact } = await create({ name: "Grace Hopper" });

  const fresh = await getContact({ path: { contact_id: contact.id } });
  const etag = fresh.response.headers.get("etag");
  const cached = await getContact({ path: { contact_id: contact.id }, headers: { "if-none-match": etag } });

  assert.equal(fresh.response.status, 200);
  assert.deepEqual(fresh.data, contact);
  assert.equal(etag, '"1"');
  assert.equal(cached.response.status, 304);
  assert.equal(cached.data, undefined); // the fetch client reports any non-2xx, 304 too, through `error`
});

test("patch with the current ETag applies, with a stale ETag is a typed 412 problem", async () => {
  const { contact, response } = await create({ name: "Ada Lovelace", nickname: "Countess" });
  const etag = response.headers.get("etag") ?? "";

  const applied = await patchContact({
    path: { contact_id: contact.id },
    headers: { "if-match": etag },
    body: { company: "Analytical Engines", nickname: null },
  });
  const stale = await patchContact({
    path: { contact_id: contact.id },
    headers: { "if-match": etag },
    body: { company: "Too Late" },
  });

  assert.equal(applied.response.status, 200);
  assert.deepEqual(
    [applied.data?.company, applied.data?.nickname, applied.data?.version],
    ["Analytical Engines", null, 2],
  );
  assert.equal(applied.response.headers.get("etag"), '"2"');
  assert.equal(stale.response.status, 412);
  assert.equal(stale.response.headers.get("content-type"), PROBLEM_JSON);
  assert.equal(stale.data, undefined);
  const problem: ProblemDetails | undefined = stale.error;
  assert.equal(problem?.status, 412);
  const current = await getContact({ path: { contact_id: contact.id } });
  assert.equal(current.data?.company, "Analytical Engines");
});

test("search by q returns only the matching contacts", async () => {
  const word = `zq${unique()}`; // a name word no other test uses
  for (const name of [`${word} Ada`, `${word}x Adam`, "Grace Hopper"]) await create({ name });

  const { data, response } = await listContacts({ query: { q: word, sort: "name" } });

  assert.equal(response.status, 200);
  assert.deepEqual(
    data?.items.map((item) => item.name),
    [`${word} Ada`, `${word}x Adam`],
  );
  assert.equal(data?.next_cursor, null);
});

test("following next_cursor visits every contact exactly once", async () => {
  const tag = `paged-${unique()}`;
  const created = new Set<string>();
  for (let n = 0; n < 5; n++) created.add((await create({ name: `Paged ${n}`, tags: [tag] })).contact.id);
  await create({ name: "Not paged", tags: [`other-${unique()}`] });

  const seen: string[] = [];
  const pageSizes: number[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 10; pages++) {
    // 5 contacts in pages of 2 need 3 pages; more means the cursor never ends
    const query: ListContactsData["query"] = { tag: [tag], limit: 2, ...(cursor === null ? {} : { cursor }) };
    const { data, error }: { data?: ContactPage; error?: ProblemDetails } = await listContacts({ query });
    assert.ok(data, JSON.stringify(error));
    seen.push(...data.items.map((item) => item.id));
    pageSizes.push(data.items.length);
    cursor = data.next_cursor;
    if (cursor === null) break;
  }

  assert.deepEqual(pageSizes, [2, 2, 1]);
  assert.deepEqual([...seen].sort(), [...created].sort()); // every one, and none twice
});

test("delete removes the contact", async () => {
  const { contact, response } = await create({ name: "Ada Lovelace" });

  const deleted = await deleteContact({
    path: { contact_id: contact.id },
    headers: { "if-match": response.headers.get("etag") },
  });
  const after = await getContact({ path: { contact_id: contact.id } });

  assert.equal(deleted.response.status, 204);
  assert.equal(after.response.status, 404);
});

test("an unknown id is a typed 404 problem, thrown as one with throwOnError", async () => {
  const { data, error, response } = await getContact({ path: { contact_id: MISSING_ID } });

  assert.equal(response.status, 404);
  assert.equal(response.headers.get("content-type"), PROBLEM_JSON);
  assert.equal(data, undefined);
  assert.deepEqual([error?.status, error?.title], [404, "Not Found"]);
  await assert.rejects(
    getContact({ path: { contact_id: MISSING_ID }, throwOnError: true }),
    (thrown: ProblemDetails) => thrown.status === 404,
  );
});

test("an invalid body is a typed 422 problem pointing at the field", async () => {
  const { data, error, response } = await createContact({ body: { name: "" } });

  assert.equal(response.status, 422);
  assert.equal(response.headers.get("content-type"), PROBLEM_JSON);
  assert.equal(data, undefined);
  assert.equal(error?.status, 422);
  const issue = error?.errors?.[0];
  assert.deepEqual([issue?.location, issue?.pointer], ["body", "/name"]);
});

test("bulk update answers each change with the status its PATCH would have had", async () => {
  const { contact, response } = await create({ name: "Ada Lovelace" });
  const etag = response.headers.get("etag") ?? "";

  const { data, response: answered } = await updateContactsBulk({
    body: [
      { id: contact.id, patch: { company: "Analytical Engines" }, if_match: etag },
      { id: contact.id, patch: { company: "Too Late" }, if_match: etag },
      { id: MISSING_ID, patch: { name: "Nobody" } },
    ],
  });

  assert.equal(answered.status, 200);
  assert.deepEqual(
    data?.results.map((item) => item.status),
    [200, 412, 404],
  );
  assert.equal(data?.results[0]?.etag, '"2"');
  const problem: ProblemDetails | null | undefined = data?.results[1]?.problem;
  assert.equal(problem?.status, 412);
  const current = await getContact({ path: { contact_id: contact.id } });
  assert.equal(current.data?.company, "Analytical Engines");
});

test("a group gains and loses members, counts them, lists them, and a taken name is a typed 409", async () => {
  const name = `Club ${unique()}`;
  const { data: group, response: created } = await createGroup({ body: { name } });
  assert.equal(created.status, 201);
  assert.ok(group);
  const ada = (await create({ name: "Ada" })).contact;
  const bob = (await create({ name: "Bob" })).contact;

  const added = await addMembers({ path: { group_id: group.id }, body: { ids: [ada.id, bob.id, MISSING_ID] } });
  const removed = await removeMembers({ path: { group_id: group.id }, body: { ids: [ada.id] } });
  const members = await listMembers({ path: { group_id: group.id }, query: { sort: "name" } });
  const taken = await createGroup({ body: { name: name.toUpperCase() } });

  assert.deepEqual(
    added.data?.results.map((item) => [item.status, item.changed ?? null]),
    [
      [200, true],
      [200, true],
      [404, null],
    ],
  );
  assert.equal(added.data?.member_count, 2);
  assert.equal(removed.data?.member_count, 1);
  assert.deepEqual(
    members.data?.items.map((item) => item.id),
    [bob.id],
  );
  assert.equal(taken.response.status, 409);
  assert.equal(taken.response.headers.get("content-type"), PROBLEM_JSON);
  assert.equal(taken.error?.type, "/problems/group-name-taken");
});

test("merge returns the survivor; a merged contact's URL redirects to it (fetch follows the 301)", async () => {
  const { contact: survivor } = await create({ name: "Ada Lovelace", company: "Old" });
  const { contact: source } = await create({ name: "A. Lovelace", company: "Engines" });

  const merged = await mergeContacts({
    path: { contact_id: survivor.id },
    body: { from: [source.id], fields: { name: survivor.id } },
    headers: { "If-Match": '"1"' },
  });
  const moved = await getContact({ path: { contact_id: source.id } });

  assert.equal(merged.response.status, 200, JSON.stringify(merged.error));
  assert.deepEqual([merged.data?.contact.name, merged.data?.contact.company], ["Ada Lovelace", "Engines"]);
  assert.deepEqual(merged.data?.merged, [source.id]);
  assert.equal(moved.response.redirected, true);
  assert.equal(moved.data?.id, survivor.id);
});

test("a webhook to a private address is a typed 422 problem; the list stays empty", async () => {
  const refused = await createWebhook({
    body: { url: "http://127.0.0.1:9/hooks", events: ["contact.created"] },
  });
  const listed = await listWebhooks();

  assert.equal(refused.response.status, 422);
  assert.equal(refused.error?.errors?.[0]?.pointer, "/url");
  assert.equal(listed.response.status, 200);
  assert.ok(Array.isArray(listed.data?.items));
});

test("duplicates come in scored groups with reasons; a dismissed pair leaves them", async () => {
  const email = `twin-${unique()}@example.com`;
  const { contact: first } = await create({ name: "Xanthippe Qwertyson", emails: [{ value: email }] });
  const { contact: second } = await create({ name: "Qwertyson, Xanthippe", emails: [{ value: email }] });
  const ours = (items: { contacts: { id: string }[] }[] | undefined) =>
    (items ?? []).filter((group) => group.contacts.map((c) => c.id).includes(first.id));

  const found = await listDuplicates({ query: { limit: 50 } });
  const dismissed = await dismissDuplicate({ body: { ids: [first.id, second.id] } });
  const after = await listDuplicates({ query: { limit: 50 } });

  assert.equal(found.response.status, 200);
  assert.deepEqual(
    ours(found.data?.items).map((group) => group.contacts.map((c) => c.id).sort()),
    [[first.id, second.id].sort()],
  );
  assert.equal(dismissed.response.status, 204);
  assert.deepEqual(ours(after.data?.items), []);
});
