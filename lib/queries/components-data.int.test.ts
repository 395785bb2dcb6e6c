import { describe, expect, it } from "vitest";
import { createRow, deleteConfiguration, updateRow } from "@/lib/configurations/configurations";
import { db } from "@/lib/db";
import { readVersion } from "@/lib/jobs/job-version";
import { componentsData, projectComponentsVersionSql } from "@/lib/queries/components-data";
import { createRowSchema, updateRowSchema } from "@/lib/schemas/configurations";
import { createTestConfig, createTestProject, unique } from "@/test/factories";

describe("the Jobs page's components answer, kept while the project's components and configurations are unchanged", () => {
  const origin = "http://jobdeck.test";

  async function newProject() {
    const { project, auth } = await createTestProject();
    const version = () => readVersion({ db: db(), projectId: project.id, version: projectComponentsVersionSql });
    const load = async (at = origin) => componentsData({ db: db(), projectId: project.id, version: await version(), origin: at });
    const configsOf = (answer: Awaited<ReturnType<typeof load>>, componentId = "jobdeck.generator") => answer.find((c) => c.id === componentId)?.configurations ?? [];
    return { project, auth, version, load, configsOf };
  }

  it("hands out what it read again while nothing changed, and reads anew after every change the answer shows", async () => {
    const { project, auth, load, configsOf } = await newProject();
    const first = await load();
    expect(configsOf(first)).toEqual([]);
    expect(await load()).toBe(first);

    const config = await createTestConfig(project.id, "jobdeck.generator");
    const created = await load();
    expect(configsOf(created).map((c) => c.name)).toEqual([config.name]);
    expect(await load()).toBe(created);

    const address = { db: db(), projectId: project.id, componentId: "jobdeck.generator", configId: config.configId, actor: auth };
    await createRow({ ...address, input: createRowSchema.parse({ rowId: "r1", name: "First row" }) });
    expect(configsOf(await load())[0]?.rows?.map((r) => r.name)).toEqual(["First row"]);
    await updateRow({ ...address, rowId: "r1", input: updateRowSchema.parse({ isDisabled: true }) });
    expect(configsOf(await load())[0]?.rows?.[0]?.isDisabled).toBe(true);

    // A job's state write, as worker/runtime/run-component.ts makes it.
    await db().configuration.update({ where: { pk: config.pk }, data: { state: { cursor: 7 } } });
    const withState = await load();
    expect(configsOf(withState)[0]?.state).toEqual({ cursor: 7 });
    expect(await load()).toBe(withState);

    // Two configurations changed within one millisecond: the same latest stamp, another version.
    const other = await createTestConfig(project.id, "jobdeck.generator");
    const stamp = new Date();
    await db().configuration.update({ where: { pk: config.pk }, data: { name: "One", updatedAt: stamp } });
    const one = await load();
    await db().configuration.update({ where: { pk: other.pk }, data: { name: "Two", updatedAt: stamp } });
    expect(configsOf(await load()).map((c) => c.name)).toEqual(["One", "Two"]);
    expect(configsOf(one).map((c) => c.name)).not.toContain("Two");

    await deleteConfiguration(address);
    expect(configsOf(await load()).map((c) => c.name)).toEqual(["Two"]);

    // A process component the project adds, and its rename.
    const id = unique("acme.kept").toLowerCase();
    await db().component.create({ data: { id, name: "Kept", type: "application", kind: "process", projectId: project.id } });
    expect((await load()).find((c) => c.id === id)?.name).toBe("Kept");
    await db().component.update({ where: { id }, data: { name: "Renamed" } });
    expect((await load()).find((c) => c.id === id)?.name).toBe("Renamed");
  });

  it("keeps projects and origins apart, and reads every time when the version is unknown", async () => {
    const a = await newProject();
    const b = await newProject();
    const config = await createTestConfig(a.project.id, "jobdeck.generator");
    const ofA = await a.load();
    const ofB = await b.load();
    expect(a.configsOf(ofA).map((c) => c.id)).toEqual([config.configId]);
    expect(b.configsOf(ofB)).toEqual([]);
    // Another project's change leaves this one's answer as it was.
    await createTestConfig(b.project.id, "jobdeck.generator");
    expect(await a.load()).toBe(ofA);

    const elsewhere = await a.load("http://other.test");
    expect(elsewhere).not.toBe(ofA);
    expect(elsewhere.find((c) => c.id === "jobdeck.generator")?.uri).toBe("http://other.test/api/v2/storage/components/jobdeck.generator");
    const unknown = componentsData({ db: db(), projectId: a.project.id, version: null, origin });
    expect(await unknown).not.toBe(await componentsData({ db: db(), projectId: a.project.id, version: null, origin }));
  });
});
