// PostgreSQL only: real worker processes (`npm run worker`, which runs the sender beside the job
// slots). A sender SIGKILLed after the job's commit, while its request is in flight, loses nothing:
// the delivery is sent again after a restart, with the same id.
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { db } from "@/lib/db";
import { createJob } from "@/lib/jobs/create-job";
import { DELIVERY_HEADER, SIGNATURE_HEADER, verifySignature } from "@/lib/notifications/signature";
import { createSubscription } from "@/lib/notifications/subscriptions";
import { createSubscriptionSchema } from "@/lib/schemas/notifications";
import type { CreateJobInput } from "@/lib/schemas/jobs";
import { createTestProject } from "@/test/factories";
import { startReceiver } from "@/test/notifications";
import { waitFor } from "@/test/wait";
import { type WorkerProcess, spawnWorker, stopWorkers } from "@/test/worker-processes";

const workers: WorkerProcess[] = [];
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await stopWorkers(workers);
  await receiver.stop();
});

const workerEnv = { JOBDECK_WEBHOOK_ALLOW_HOSTS: "127.0.0.1", JOBDECK_NOTIFY_TIMEOUT_MS: "3000" };

describe("notifications across worker processes", () => {
  it("delivers after the sender is SIGKILLed mid-send: not lost, the duplicate carries the same id", async () => {
    const { auth } = await createTestProject();
    const url = `${receiver.url}/killed-${auth.projectId}`;
    const subscription = await createSubscription({
      db: db(),
      projectId: auth.projectId,
      tokenId: auth.tokenId,
      input: createSubscriptionSchema.parse({ event: "job-failed", recipient: { channel: "webhook", url } }),
    });
    // The first request is never answered: the sender is killed while it waits.
    receiver.next("hang");
    const first = spawnWorker(inject("databaseUrl"), workerEnv);
    workers.push(first);
    const job = await createJob({ db: db(), auth, input: { component: "jobdeck.generator", configData: { durationSeconds: 0, failureProbability: 1 }, mode: "run" } as CreateJobInput });
    const seen = () => receiver.received.filter((r) => r.path === new URL(url).pathname);
    await waitFor("the first request", async () => seen().length === 1, 60_000);
    const inFlight = await db().notificationDelivery.findFirstOrThrow({ where: { subscriptionId: BigInt(subscription.id) } });
    expect(inFlight).toMatchObject({ status: "sending", attempts: 1 });
    first.child.kill("SIGKILL");
    await first.exited;
    expect((await db().job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("error");

    workers.push(spawnWorker(inject("databaseUrl"), workerEnv));
    await waitFor("the delivery after the restart", async () => (await db().notificationDelivery.findUniqueOrThrow({ where: { id: inFlight.id } })).status === "delivered", 60_000);
    const requests = seen();
    expect(requests).toHaveLength(2);
    expect(requests.map((r) => r.headers[DELIVERY_HEADER.toLowerCase()])).toEqual([inFlight.id, inFlight.id]);
    for (const r of requests) expect(verifySignature({ secret: subscription.secret!, body: r.body, header: String(r.headers[SIGNATURE_HEADER.toLowerCase()]) })).toBe(true);
    expect(JSON.parse(requests[1]!.body)).toMatchObject({ id: inFlight.id, event: "job-failed", job: { id: String(job.id), status: "error" } });
    const delivered = await db().notificationDelivery.findUniqueOrThrow({ where: { id: inFlight.id }, include: { attemptLog: true } });
    // The killed attempt left no log row (it never finished); the one after the restart did.
    expect(delivered.attempts).toBe(2);
    expect(delivered.attemptLog.map((a) => [a.attempt, a.statusCode])).toEqual([[2, 200]]);
  }, 120_000);

  it("delivers every failure of many jobs once per subscription with several worker processes", async () => {
    const { auth } = await createTestProject();
    await db().project.update({ where: { id: auth.projectId }, data: { maxProcessingJobs: 50 } });
    const urls = [0, 1, 2].map((i) => `${receiver.url}/many-${auth.projectId}-${i}`);
    for (const url of urls) {
      await createSubscription({ db: db(), projectId: auth.projectId, tokenId: auth.tokenId, input: createSubscriptionSchema.parse({ event: "job-failed", recipient: { channel: "webhook", url } }) });
    }
    for (let i = 0; i < 2; i++) workers.push(spawnWorker(inject("databaseUrl"), workerEnv));
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      ids.push(String((await createJob({ db: db(), auth, input: { component: "jobdeck.generator", configData: { durationSeconds: 0, failureProbability: 1, i }, mode: "run" } as CreateJobInput })).id));
    }
    await waitFor("90 deliveries", async () => (await db().notificationDelivery.count({ where: { projectId: auth.projectId, status: "delivered" } })) === 90, 90_000);
    for (const url of urls) {
      const got = receiver.received.filter((r) => r.path === new URL(url).pathname).map((r) => (JSON.parse(r.body) as { job: { id: string } }).job.id);
      expect(got.sort()).toEqual([...ids].sort());
    }
  }, 120_000);
});
