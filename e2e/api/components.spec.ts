// Process components over real HTTP: a multipart upload of a real .tar.gz, versions, the
// parameters schema, and every refusal as JSON with a code.
import { expect, type APIResponse, test } from "@playwright/test";
import { create as createTar, WriteEntry } from "tar";
import { auth } from "../fixtures";

const unique = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

async function tarGz(files: Record<string, string>, options: { preservePaths?: boolean } = {}): Promise<Buffer> {
  const entries = Object.entries(files).map(([p, content]) => new WriteEntry({ path: p, mode: 0o644 }, content));
  return Buffer.from(await new Response(createTar({ gzip: true, ...options }, entries)).arrayBuffer());
}

async function expectError(response: APIResponse, status: number, code: string, mentions?: RegExp) {
  const text = await response.text();
  expect(response.status(), text.slice(0, 300)).toBe(status);
  expect(response.headers()["content-type"]).toMatch(/application\/json/);
  const body = JSON.parse(text);
  expect(body).toMatchObject({ code, status });
  if (mentions) expect(body.error).toMatch(mentions);
}

const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };

test.describe("process components", () => {
  test("upload a component, add versions, see it in the catalog, check parameters, delete it", async ({ request }) => {
    const id = `e2e.ex-${unique()}`;
    const code = await tarGz({ "weather/main.py": "print('hello')\n", "weather/lib/util.py": "X = 1\n" });
    const created = await request.post("/api/components", {
      headers: auth,
      multipart: {
        id,
        name: "Weather",
        type: "extractor",
        description: "Forecasts",
        command: JSON.stringify(["python3", "main.py"]),
        configurationSchema: JSON.stringify(schema),
        settings: JSON.stringify({ timeoutSeconds: 60, network: false }),
        code: { name: "weather.tar.gz", mimeType: "application/gzip", buffer: code },
      },
    });
    expect(created.status(), await created.text()).toBe(201);
    expect(await created.json()).toMatchObject({
      id,
      kind: "process",
      type: "extractor",
      configurationSchema: schema,
      settings: { timeoutSeconds: 60, network: false },
      versions: [{ tag: "v1", command: ["python3", "main.py"], archiveType: "tar.gz", fileCount: 2, sizeBytes: code.length }],
    });

    const v2 = await request.post(`/api/components/${id}/versions`, {
      headers: auth,
      multipart: { tag: "stable", code: { name: "v2.tar.gz", mimeType: "application/gzip", buffer: await tarGz({ "main.py": "print(2)\n" }) } },
    });
    expect(v2.status(), await v2.text()).toBe(201);
    expect(await v2.json()).toMatchObject({ tag: "stable", command: ["python3", "main.py"] });
    await expectError(
      await request.post(`/api/components/${id}/versions`, { headers: auth, multipart: { tag: "stable", code: { name: "x.tar.gz", mimeType: "application/gzip", buffer: await tarGz({ "main.py": "" }) } } }),
      409,
      "versionExists",
      /stable/,
    );
    expect((await (await request.get(`/api/components/${id}/versions`, { headers: auth })).json()).map((v: { tag: string }) => v.tag)).toEqual(["stable", "v1"]);

    const catalog = await (await request.get("/api/components", { headers: auth })).json();
    expect(catalog.find((c: { id: string }) => c.id === id)).toMatchObject({ name: "Weather", description: "Forecasts", versions: [{ tag: "stable" }, { tag: "v1" }] });
    expect(catalog.map((c: { id: string }) => c.id)).toContain("keboola.ex-http");
    const keboola = await (await request.get("/api/v2/storage/components", { headers: auth })).json();
    expect(keboola.map((c: { id: string }) => c.id)).toContain(id);

    const patched = await request.patch(`/api/components/${id}`, { headers: auth, data: { name: "Weather 2", settings: { memoryMb: 256 } } });
    expect(patched.status(), await patched.text()).toBe(200);
    expect(await patched.json()).toMatchObject({ name: "Weather 2", settings: { memoryMb: 256 } });

    // The schema, on a configuration save and on a job create, with the JSON path.
    const configs = `/api/v2/storage/components/${id}/configs`;
    await expectError(await request.post(configs, { headers: auth, data: { name: "Prague", configuration: { parameters: { city: 1 } } } }), 422, "invalidInput", /configuration\.parameters\.city: must be string/);
    const config = await request.post(configs, { headers: auth, data: { name: "Prague", configuration: { parameters: { city: "Prague" } } } });
    expect(config.status(), await config.text()).toBe(201);
    const configId = (await config.json()).id;
    await expectError(await request.post("/api/jobs", { headers: auth, data: { component: id, config: configId, configData: { parameters: {} } } }), 422, "invalidInput", /parameters\.city: is required/);

    await expectError(await request.delete(`/api/components/${id}`, { headers: auth }), 409, "componentInUse", /1 configuration/);
    // (configurations have no DELETE yet; a component nobody configured goes at once)
    const spare = `e2e.spare-${unique()}`;
    expect((await request.post("/api/components", { headers: auth, data: { id: spare, name: "Spare" } })).status()).toBe(201);
    expect((await request.delete(`/api/components/${spare}`, { headers: auth })).status()).toBe(204);
    await expectError(await request.get(`/api/components/${spare}`, { headers: auth }), 404, "notFound");
  });

  test("refusals are JSON with codes: 401, 403, 404, 409, 413, 422", async ({ request }) => {
    const id = `e2e.bad-${unique()}`;
    const upload = (fields: Record<string, string>, buffer: Buffer, name = "code.tar.gz") =>
      request.post("/api/components", { headers: auth, multipart: { id, name: "Bad", ...fields, code: { name, mimeType: "application/octet-stream", buffer } } });

    await expectError(await request.get("/api/components"), 401, "unauthorized");
    const viewer = await (await request.post("/api/tokens", { headers: auth, data: { description: `viewer ${unique()}`, canManageJobs: false } })).json();
    expect((await request.get("/api/components", { headers: { "X-StorageApi-Token": viewer.token } })).status()).toBe(200);
    await expectError(await request.post("/api/components", { headers: { "X-StorageApi-Token": viewer.token }, data: { id, name: "x" } }), 403, "forbidden");
    await expectError(await request.patch("/api/components/keboola.ex-http", { headers: auth, data: { name: "Mine" } }), 403, "forbidden");
    await expectError(await request.get(`/api/components/e2e.nothing-${unique()}`, { headers: auth }), 404, "notFound");
    await expectError(await request.post("/api/components", { headers: auth, data: { id: "keboola.ex-http", name: "Fake" } }), 409, "componentExists");

    await expectError(await request.post("/api/components", { headers: auth, data: { id: "no-dot", name: "x" } }), 422, "invalidInput", /^id: /);
    await expectError(await upload({ command: "[\"python3\"" }, await tarGz({ "main.py": "" })), 422, "invalidInput", /command: is not valid JSON/);
    await expectError(await upload({ command: JSON.stringify(["python3", "app.py"]) }, await tarGz({ "main.py": "" })), 422, "invalidInput", /"app\.py" is not a file/);
    await expectError(await upload({ command: JSON.stringify(["/usr/bin/python3"]) }, await tarGz({ "main.py": "" })), 422, "invalidInput", /absolute path/);
    await expectError(await upload({ command: JSON.stringify(["sh", "x.sh"]) }, await tarGz({ "../x.sh": "" }, { preservePaths: true }), "slip.tar.gz"), 422, "invalidArchive", /slip\.tar\.gz.*"\.\.\/x\.sh".*outside/);
    await expectError(await upload({ command: JSON.stringify(["sh", "x.sh"]) }, Buffer.from("not an archive"), "broken.zip"), 422, "invalidArchive", /broken\.zip/);
    await expectError(await upload({ command: JSON.stringify(["sh"]), configurationSchema: JSON.stringify({ type: 12 }) }, await tarGz({ "a": "" })), 422, "invalidInput", /configurationSchema/);

    const big = Buffer.alloc(101 * 1024 * 1024, 1);
    await expectError(await upload({ command: JSON.stringify(["sh"]) }, big, "big.tar.gz"), 413, "payloadTooLarge");
    // Nothing of the refused uploads was registered.
    await expectError(await request.get(`/api/components/${id}`, { headers: auth }), 404, "notFound");
  });
});
