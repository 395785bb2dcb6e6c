// PostgreSQL only: the triggers the poll cache listens to (prisma/migrations/*_change_notifications)
// name every change, whoever writes it, and the cache forgets exactly what the change touches.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { answerKey, CHANGES_CHANNEL, PollCache, scopes } from "@/lib/api/poll-cache";
import { createSession } from "@/lib/auth/session";
import { revokeToken } from "@/lib/auth/tokens";
import { db } from "@/lib/db";
import { createJob } from "@/lib/jobs/create-job";
import { listenToChannels } from "@/lib/pg-listen";
import { createTestProject, unique } from "@/test/factories";
import { waitFor } from "@/test/wait";

const heard: string[] = [];
let stop: () => Promise<void> = async () => undefined;
let listening = false;

beforeAll(async () => {
  stop = listenToChannels(inject("databaseUrl"), {
    channels: [CHANGES_CHANNEL],
    onNotification: (_channel, payload) => heard.push(payload),
    heard: () => (listening = true),
  });
  await waitFor("the LISTEN connection", async () => listening);
});
afterAll(() => stop());

/** The notifications `write` causes (the channel is shared with other files' writes: filtered by project). */
async function notified(projectId: number | null, write: () => Promise<unknown>): Promise<string[]> {
  const marker = unique("marker");
  await db().$executeRaw`SELECT pg_notify(${CHANGES_CHANNEL}, ${marker})`;
  await waitFor("the first marker", async () => heard.includes(marker));
  heard.length = 0;
  await write();
  const after = unique("marker");
  await db().$executeRaw`SELECT pg_notify(${CHANGES_CHANNEL}, ${after})`;
  await waitFor("the second marker", async () => heard.includes(after));
  return heard.filter((p) => p !== after && (projectId === null || p.split(" ")[1] === String(projectId)));
}

describe("change notifications", () => {
  it("name the project and root run of every job and event written, in one notification per statement", async () => {
    const { project, auth } = await createTestProject();
    const p = project.id;
    let root = { id: 0n, runId: "" };
    const created = await notified(p, async () => (root = await createJob({ db: db(), auth, input: { component: "jobdeck.generator", mode: "run" } })));
    expect(created).toContain(`jobs ${p} ${root.runId}`);
    // A child (and its job.created event) is heard as its root's.
    expect(await notified(p, () => createJob({ db: db(), auth, input: { component: "jobdeck.generator", mode: "run" }, parentRunId: root.runId }))).toEqual([
      `jobs ${p} ${root.runId}`,
      `events ${p} ${root.runId}`,
    ]);

    // An update of a child names its root; a script's raw SQL is heard as well as Prisma's.
    const other = await createJob({ db: db(), auth, input: { component: "jobdeck.generator", mode: "run" } });
    expect(await notified(p, () => db().$executeRaw`UPDATE "Job" SET "updatedAt" = now() WHERE id IN (${root.id}, ${other.id})`)).toEqual([
      `jobs ${p} ${[root.runId, other.runId].sort().join(" ")}`,
    ]);
    expect(
      await notified(p, () => db().jobEvent.createMany({ data: [{ projectId: p, runId: `${root.runId}.77`, event: "e", message: "m" }, { projectId: p, event: "e", message: "no run" }] })),
    ).toEqual([`events ${p} ${root.runId}`]);
    expect(await notified(p, () => db().jobEvent.create({ data: { projectId: p, event: "e", message: "project-wide" } }))).toEqual([`events ${p} `]);
  });

  it("say * for a statement over more than 32 runs, and name configurations and credentials", async () => {
    const { project, auth, manage } = await createTestProject();
    const p = project.id;
    const ids: bigint[] = [];
    for (let i = 0; i < 33; i++) ids.push((await createJob({ db: db(), auth, input: { component: "jobdeck.generator", mode: "run" } })).id);
    expect(await notified(p, () => db().job.updateMany({ where: { id: { in: ids } }, data: { updatedAt: new Date() } }))).toEqual([`jobs ${p} *`]);

    expect(
      await notified(p, () => db().configuration.create({ data: { projectId: p, componentId: "jobdeck.generator", configId: unique("cfg"), name: "C" } })),
    ).toEqual([`configs ${p}`]);
    await createSession({ db: db(), tokenId: manage.id });
    const { idHash } = await db().session.findFirstOrThrow({ where: { tokenId: manage.id } });
    expect(await notified(null, () => db().session.delete({ where: { idHash } }))).toContain("auth");
    expect(await notified(null, () => revokeToken({ db: db(), projectId: p, id: String(manage.id) }))).toContain("auth");
  });

  it("make a listening poll cache forget the answers they touch, and only those", async () => {
    const { project, auth } = await createTestProject();
    const p = project.id;
    const a = await createJob({ db: db(), auth, input: { component: "jobdeck.generator", mode: "run" } });
    const b = await createJob({ db: db(), auth, input: { component: "jobdeck.generator", mode: "run" } });
    const cache = new PollCache();
    let up = false;
    const stopCache = listenToChannels(inject("databaseUrl"), {
      channels: [CHANGES_CHANNEL],
      onNotification: (_channel, payload) => cache.changed(payload),
      heard: () => {
        cache.listen();
        up = true;
      },
    });
    try {
      await waitFor("the cache's LISTEN connection", async () => up);
      const key = (id: bigint) => answerKey({ projectId: p, origin: "http://x", url: `/api/jobs/${id}` });
      for (const [job, etag] of [[a, 'W/"a"'], [b, 'W/"b"']] as const) {
        cache.remember({ start: cache.begin(), caller: "c", projectId: p, expiresAt: Number.POSITIVE_INFINITY, answerKey: key(job.id), etag, scopes: [scopes.run(p, job.runId)] });
      }
      await db().$executeRaw`UPDATE "Job" SET "updatedAt" = now() WHERE id = ${a.id}`;
      await waitFor("the cache to forget job a", async () => cache.lookup("c", () => key(a.id))?.etag === null);
      expect(cache.lookup("c", () => key(b.id))?.etag).toBe('W/"b"');
    } finally {
      await stopCache();
    }
  });
});
