// Responses checked against the server's own OpenAPI document, and the configuration and event APIs.
import { expect, type APIRequestContext, test } from "@playwright/test";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { auth } from "../fixtures";

async function contract(request: APIRequestContext) {
  const doc = await (await request.get("/api/openapi.json")).json();
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: "doc", components: doc.components }, "doc");
  return (name: string, value: unknown, many = false) => {
    const ref = { $ref: `doc#/components/schemas/${name}` };
    const validate = ajv.compile(many ? { type: "array", items: ref } : ref);
    const valid = validate(value);
    expect(validate.errors ?? [], `${name} does not match the OpenAPI document`).toEqual([]);
    expect(valid).toBe(true);
  };
}

const unique = () => `${Date.now()}${Math.floor(Math.random() * 1000)}`;

test("job, event and error responses match the OpenAPI document", async ({ request }) => {
  const check = await contract(request);
  check("Job", await (await request.get("/api/search/jobs?limit=100", { headers: auth })).json(), true);
  const [parent] = await (await request.get("/api/search/jobs?componentId=keboola.orchestrator&limit=1", { headers: auth })).json();
  check("Job", await (await request.get(`/api/jobs/${parent.id}`, { headers: auth })).json());
  check("Event", await (await request.get(`/api/v2/storage/events?runId=${parent.runId}&includeChildren=true`, { headers: auth })).json(), true);
  const created = await request.post("/api/jobs", { headers: auth, data: { component: "jobdeck.generator", configData: { rows: 1 } } });
  check("Job", await created.json());
  check("Error", await (await request.get("/api/jobs/0", { headers: auth })).json());
  check("Error", await (await request.get("/api/search/jobs?limit=0", { headers: auth })).json());
  const doc = await (await request.get("/api/openapi.json")).json();
  expect(doc.openapi).toBe("3.1.0");
});

test("configurations and rows: create, read, update, disable, and run only with forceRun", async ({ request }) => {
  const check = await contract(request);
  const base = "/api/v2/storage/components/jobdeck.sql-transformation/configs";
  const id = `cfg-${unique()}`;
  const created = await request.post(base, { headers: auth, data: { configurationId: id, name: "Margins", configuration: { sql: "SELECT 1" } } });
  expect(created.status()).toBe(201);
  check("Configuration", await created.json());
  expect((await request.post(base, { headers: auth, data: { configurationId: id, name: "Again" } })).status()).toBe(409);

  const withRow = await request.post(`${base}/${id}/rows`, { headers: auth, data: { name: "Europe", configuration: { region: "eu" } } });
  expect(withRow.status()).toBe(201);
  expect((await withRow.json()).rows).toEqual([{ id: "1", name: "Europe", configuration: { region: "eu" }, isDisabled: false }]);
  const renamed = await request.put(`${base}/${id}/rows/1`, { headers: auth, data: { name: "EMEA" } });
  expect((await renamed.json()).rows[0].name).toBe("EMEA");

  const disabled = await (await request.put(`${base}/${id}`, { headers: auth, data: { isDisabled: true, changeDescription: "paused" } })).json();
  expect(disabled).toMatchObject({ id, isDisabled: true, version: 4 });
  const list = await (await request.get(base, { headers: auth })).json();
  check("Configuration", list, true);
  expect(list.map((c: { id: string }) => c.id)).toContain(id);

  const refused = await request.post("/api/jobs", { headers: auth, data: { component: "jobdeck.sql-transformation", config: id } });
  expect(refused.status()).toBe(400);
  const forced = await request.post("/api/jobs", { headers: auth, data: { component: "jobdeck.sql-transformation", config: id, mode: "forceRun", configRowIds: ["1"] } });
  expect(forced.status()).toBe(201);
  expect(await forced.json()).toMatchObject({ configName: "Margins", mode: "forceRun", configRowIds: ["1"] });

  expect((await request.get(`${base}/nope-${unique()}`, { headers: auth })).status()).toBe(404);
  expect((await request.get("/api/v2/storage/components/no.such.component/configs", { headers: auth })).status()).toBe(404);
  expect((await request.put(`${base}/${id}`, { headers: auth, data: {} })).status()).toBe(422);
});

test("events: write one for a run, page back with maxId, poll forward with sinceId", async ({ request }) => {
  // A run of its own (no job runs under it), so no worker writes events in between.
  const job = { runId: `9${Date.now()}${Math.floor(Math.random() * 1000)}` };
  const posted = [];
  for (let i = 0; i < 5; i++) {
    const res = await request.post("/api/v2/storage/events", { headers: auth, data: { runId: job.runId, message: `step ${i}`, type: i === 4 ? "warn" : "info" } });
    expect(res.status()).toBe(201);
    posted.push(await res.json());
  }
  const q = (params: string) => request.get(`/api/v2/storage/events?runId=${job.runId}&${params}`, { headers: auth }).then((r) => r.json());
  const newest = await q("limit=2");
  expect(newest.map((e: { message: string }) => e.message)).toEqual(["step 4", "step 3"]);
  const older = await q(`limit=2&maxId=${Number(newest[1].id) - 1}`);
  expect(older.map((e: { message: string }) => e.message)).toEqual(["step 2", "step 1"]);
  const since = await q(`sinceId=${posted[2].id}`);
  expect(since.map((e: { message: string }) => e.message)).toEqual(["step 4", "step 3"]);
  const warnings = await q("type=warn");
  expect(warnings.map((e: { message: string }) => e.message)).toEqual(["step 4"]);
  const searched = await q("q=STEP%201");
  expect(searched.map((e: { message: string }) => e.message)).toEqual(["step 1"]);
});
