import { mkdtemp, readdir, readFile, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { create as createTar, WriteEntry } from "tar";
import { afterAll, describe, expect, it } from "vitest";
import { addComponent, deleteComponent, getComponent, listComponentsOfProject, updateComponent } from "@/lib/components/components";
import { checkParameters } from "@/lib/components/parameters-schema";
import { addComponentVersion, listComponentVersions } from "@/lib/components/versions";
import { createConfiguration, listComponents, updateConfiguration } from "@/lib/configurations/configurations";
import { db } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { createJob } from "@/lib/jobs/create-job";
import { createComponentSchema } from "@/lib/schemas/components";
import { createConfigurationSchema } from "@/lib/schemas/configurations";
import { createTestProject } from "@/test/factories";
import { UserError } from "@/worker/components/types";
import { removeTree, resolveComponentVersion } from "@/worker/runtime/component-code";

const runDir = await mkdtemp(path.join(os.tmpdir(), "jobdeck-components-int-"));
afterAll(() => removeTree(runDir));

let counter = 0;
const newId = () => `test${process.pid}.ex-${Date.now().toString(36)}-${++counter}`;

async function code(files: Record<string, string>, fileName = "code.tar.gz") {
  const entries = Object.entries(files).map(([p, content]) => new WriteEntry({ path: `weather/${p}`, mode: 0o644 }, content));
  return { bytes: Buffer.from(await new Response(createTar({ gzip: true }, entries)).arrayBuffer()), fileName };
}

async function apiError(promise: Promise<unknown>, status: number, code: string, message?: RegExp): Promise<ApiError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  expect({ status: (error as ApiError).status, code: (error as ApiError).code }).toEqual({ status, code });
  if (message) expect((error as ApiError).message).toMatch(message);
  return error as ApiError;
}

const citySchema = { type: "object", properties: { city: { type: "string" }, days: { type: "integer", minimum: 1 } }, required: ["city"] };

describe("process components on the database", () => {
  it("adds a component with its first version, and wants a command with the code", async () => {
    const { auth } = await createTestProject();
    const id = newId();
    const created = await addComponent({
      db: db(),
      auth,
      input: createComponentSchema.parse({ id, name: "Weather", type: "extractor", command: ["python3", "main.py"], settings: { timeoutSeconds: 60, network: false } }),
      code: await code({ "main.py": "print('v1')\n" }),
    });
    expect(created).toMatchObject({ id, kind: "process", type: "extractor", settings: { timeoutSeconds: 60, network: false }, versions: [{ tag: "v1", command: ["python3", "main.py"], fileCount: 1 }] });
    // No command with the code: 422 naming it.
    await apiError(addComponent({ db: db(), auth, input: createComponentSchema.parse({ id: newId(), name: "x" }), code: await code({ "main.py": "" }) }), 422, "invalidInput", /command/);
  });

  it("keeps versions, resolves newest and tags, and unpacks each archive once, read-only", async () => {
    const { auth, project } = await createTestProject();
    const id = newId();
    await addComponent({ db: db(), auth, input: createComponentSchema.parse({ id, name: "Weather", command: ["python3", "main.py"] }), code: await code({ "main.py": "print('v1')\n" }) });
    const v2 = await addComponentVersion({ db: db(), auth, componentId: id, input: {}, code: await code({ "main.py": "print('v2')\n", "lib/util.py": "X = 2\n" }) });
    expect(v2).toMatchObject({ tag: "v2", command: ["python3", "main.py"], archiveType: "tar.gz", fileCount: 2, unpackedBytes: 18 });
    await addComponentVersion({ db: db(), auth, componentId: id, input: { tag: "stable", command: ["sh", "run.sh"] }, code: await code({ "run.sh": "echo 3\n" }) });
    await apiError(addComponentVersion({ db: db(), auth, componentId: id, input: { tag: "stable" }, code: await code({ "run.sh": "" }) }), 409, "versionExists", /stable/);
    await apiError(addComponentVersion({ db: db(), auth, componentId: id, input: { command: ["python3", "app.py"] }, code: await code({ "main.py": "" }, "weather.tgz") }), 422, "invalidInput", /"app\.py" is not a file.*weather\.tgz/);
    await apiError(addComponentVersion({ db: db(), auth, componentId: id, input: {}, code: { bytes: Buffer.from("nope"), fileName: "broken.zip" } }), 422, "invalidArchive", /broken\.zip/);
    expect((await listComponentVersions({ db: db(), projectId: project.id, componentId: id })).map((v) => v.tag)).toEqual(["stable", "v2", "v1"]);

    const newest = await resolveComponentVersion({ db: db(), projectId: project.id, componentId: id, runDir });
    expect(newest.version).toMatchObject({ tag: "stable", command: ["sh", "run.sh"] });
    expect(await readdir(newest.codeDir)).toEqual(["run.sh"]);
    const tagged = await resolveComponentVersion({ db: db(), projectId: project.id, componentId: id, tag: "v2", runDir });
    expect(tagged.codeDir).toBe(path.join(runDir, "code", tagged.version.sha256));
    expect((await readdir(tagged.codeDir)).sort()).toEqual(["lib", "main.py"]);
    expect(await readFile(path.join(tagged.codeDir, "lib/util.py"), "utf8")).toBe("X = 2\n");
    expect((await stat(path.join(tagged.codeDir, "main.py"))).mode & 0o777).toBe(0o444);
    expect((await stat(path.join(tagged.codeDir, "lib"))).mode & 0o777).toBe(0o555);
    expect((await stat(runDir)).mode & 0o777).toBe(0o711);
    // Concurrent resolutions of one digest share one unpacked tree.
    const again = await Promise.all([1, 2, 3].map(() => resolveComponentVersion({ db: db(), projectId: project.id, componentId: id, tag: "v1", runDir })));
    expect(new Set(again.map((r) => r.codeDir)).size).toBe(1);
    expect((await readdir(path.join(runDir, "code"))).filter((n) => n.startsWith("."))).toEqual([]);

    await expect(resolveComponentVersion({ db: db(), projectId: project.id, componentId: id, tag: "nope", runDir })).rejects.toThrow(UserError);
    await expect(resolveComponentVersion({ db: db(), projectId: project.id, componentId: id, tag: "nope", runDir })).rejects.toThrow(/no version tagged "nope" \(its versions: stable, v2, v1\)/);
  });

  it("shows a project its own components next to the built-ins, and another project's never", async () => {
    const mine = await createTestProject();
    const theirs = await createTestProject();
    const id = newId();
    await addComponent({ db: db(), auth: mine.auth, input: createComponentSchema.parse({ id, name: "Mine" }) });
    await apiError(addComponent({ db: db(), auth: theirs.auth, input: createComponentSchema.parse({ id: id.toUpperCase(), name: "Copy" }) }), 409, "componentExists");
    await apiError(addComponent({ db: db(), auth: mine.auth, input: createComponentSchema.parse({ id: "keboola.ex-http", name: "Fake" }) }), 409, "componentExists", /built-in/);

    expect((await listComponentsOfProject({ db: db(), projectId: mine.project.id })).map((c) => c.id)).toEqual(expect.arrayContaining([id, "keboola.ex-http"]));
    expect((await listComponentsOfProject({ db: db(), projectId: theirs.project.id })).map((c) => c.id)).not.toContain(id);
    expect((await listComponents({ db: db(), projectId: mine.project.id })).map((c) => c.id)).toContain(id);
    expect((await listComponents({ db: db(), projectId: theirs.project.id })).map((c) => c.id)).not.toContain(id);
    await apiError(getComponent({ db: db(), projectId: theirs.project.id, componentId: id }), 404, "notFound");
    await apiError(updateComponent({ db: db(), projectId: theirs.project.id, componentId: id, input: { name: "Stolen" } }), 404, "notFound");
    await apiError(deleteComponent({ db: db(), projectId: theirs.project.id, componentId: id }), 404, "notFound");
    await apiError(createConfiguration({ db: db(), projectId: theirs.project.id, componentId: id, input: createConfigurationSchema.parse({ name: "x" }) }), 404, "notFound");
    await apiError(createJob({ db: db(), auth: theirs.auth, input: { component: id, configData: {}, mode: "run" } }), 422, "invalidInput", /does not exist/);
    await expect(resolveComponentVersion({ db: db(), projectId: theirs.project.id, componentId: id, runDir })).rejects.toThrow(/does not exist/);
    await expect(resolveComponentVersion({ db: db(), projectId: mine.project.id, componentId: id, runDir })).rejects.toThrow(/no version yet/);
    // Built-ins are Jobdeck's: read for all, changed by none.
    await apiError(updateComponent({ db: db(), projectId: mine.project.id, componentId: "keboola.ex-http", input: { name: "Mine now" } }), 403, "forbidden");
    await apiError(deleteComponent({ db: db(), projectId: mine.project.id, componentId: "keboola.ex-http" }), 403, "forbidden");
  });

  it("checks parameters against the schema on configuration save and job create, naming the path", async () => {
    const { auth, project } = await createTestProject();
    const id = newId();
    await apiError(addComponent({ db: db(), auth, input: createComponentSchema.parse({ id, name: "Bad", configurationSchema: { type: "nonsense" } }) }), 422, "invalidInput", /configurationSchema: is not a valid JSON Schema/);
    await addComponent({ db: db(), auth, input: createComponentSchema.parse({ id, name: "Weather", configurationSchema: citySchema }) });

    await apiError(createConfiguration({ db: db(), projectId: project.id, componentId: id, input: createConfigurationSchema.parse({ name: "c", configuration: { parameters: { city: 7 } } }) }), 422, "invalidInput", /^configuration\.parameters\.city: must be string$/);
    await apiError(createConfiguration({ db: db(), projectId: project.id, componentId: id, input: createConfigurationSchema.parse({ name: "c", configuration: {} }) }), 422, "invalidInput", /configuration\.parameters\.city: is required/);
    const config = await createConfiguration({ db: db(), projectId: project.id, componentId: id, input: createConfigurationSchema.parse({ name: "c", configuration: { parameters: { city: "Prague" } } }) });
    await apiError(updateConfiguration({ db: db(), projectId: project.id, componentId: id, configId: config.id, input: { configuration: { parameters: { city: "Prague", days: 0 } } } }), 422, "invalidInput", /parameters\.days: must be >= 1/);
    await checkParameters({ db: db(), projectId: project.id, componentId: id, parameters: { city: "Brno" } });

    await createJob({ db: db(), auth, input: { component: id, config: config.id, mode: "run" } });
    await apiError(createJob({ db: db(), auth, input: { component: id, config: config.id, configData: { parameters: { city: ["x"] } }, mode: "run" } }), 422, "invalidInput", /^parameters\.city: must be string$/);
    await apiError(createJob({ db: db(), auth, input: { component: id, configData: { other: 1 }, mode: "run" } }), 422, "invalidInput", /parameters\.city: is required/);

    // Patching the schema away lets anything through again.
    await updateComponent({ db: db(), projectId: project.id, componentId: id, input: { configurationSchema: null } });
    expect((await getComponent({ db: db(), projectId: project.id, componentId: id })).configurationSchema).toBeNull();
    await createJob({ db: db(), auth, input: { component: id, configData: { parameters: { city: 1 } }, mode: "run" } });
  });

  it("refuses to delete a component while configurations use it, naming how many", async () => {
    const { auth, project } = await createTestProject();
    const id = newId();
    await addComponent({ db: db(), auth, input: createComponentSchema.parse({ id, name: "Used" }), code: null });
    const a = await createConfiguration({ db: db(), projectId: project.id, componentId: id, input: createConfigurationSchema.parse({ name: "a" }) });
    await createConfiguration({ db: db(), projectId: project.id, componentId: id, input: createConfigurationSchema.parse({ name: "b" }) });
    await apiError(deleteComponent({ db: db(), projectId: project.id, componentId: id }), 409, "componentInUse", /used by 2 configurations/);
    await db().configuration.deleteMany({ where: { projectId: project.id, componentId: id, configId: { in: [a.id] } } });
    await apiError(deleteComponent({ db: db(), projectId: project.id, componentId: id }), 409, "componentInUse", /used by 1 configuration;/);
    await db().configuration.deleteMany({ where: { projectId: project.id, componentId: id } });
    await deleteComponent({ db: db(), projectId: project.id, componentId: id });
    await apiError(getComponent({ db: db(), projectId: project.id, componentId: id }), 404, "notFound");
  });
});
