// Notifications end to end inside one process: jobs end through both paths that end jobs (a
// worker's group commit and a single finish), the outbox trigger writes deliveries, the sender
// sends them to a local HTTP receiver and a local SMTP server.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AuthContext } from "@/lib/auth/tokens";
import { db, dbHandle } from "@/lib/db";
import type { Job } from "@/lib/generated/prisma/client";
import { createJob } from "@/lib/jobs/create-job";
import { DELIVERY_CHANNEL, onDeliveriesDue, relayNotifications } from "@/lib/jobs/kill-signal";
import { finishJob, finishRuns, startJob } from "@/lib/jobs/transitions";
import { listDeliveries, sendAgain, sendTest } from "@/lib/notifications/deliveries";
import type { WebhookPayload } from "@/lib/notifications/payload";
import { detectLongJobs } from "@/lib/notifications/processing-long";
import { type SenderOptions, startNotificationSender } from "@/lib/notifications/sender";
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, verifySignature } from "@/lib/notifications/signature";
import { createSubscription } from "@/lib/notifications/subscriptions";
import { type CreateSubscriptionInput, createSubscriptionSchema } from "@/lib/schemas/notifications";
import type { CreateJobInput } from "@/lib/schemas/jobs";
import { createTestConfig, createTestProject } from "@/test/factories";
import { startReceiver, startSmtp } from "@/test/notifications";
import { waitFor } from "@/test/wait";

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let sender: { stop(): Promise<void> } | null = null;

beforeAll(async () => {
  receiver = await startReceiver();
  smtp = await startSmtp();
});
afterEach(async () => {
  await sender?.stop();
  sender = null;
  receiver.reset();
  smtp.refuseNext(0);
});
afterAll(async () => {
  await receiver.stop();
  await smtp.stop();
});

const senderOptions = (over: Partial<SenderOptions> = {}): SenderOptions => ({
  db: db(),
  publicUrl: "http://jobdeck.test",
  policy: { allowHosts: ["127.0.0.1"] },
  smtp: { url: smtp.url, from: "Jobdeck <jobdeck@test.example>" },
  // Generous: a slow first connection on a busy machine must not turn into a retry (a duplicate).
  timeoutMs: 5_000,
  retryForMs: 60_000,
  pollMs: 20,
  longCheckMs: 3_600_000,
  log: () => undefined,
  ...over,
});
const runSender = (over: Partial<SenderOptions> = {}) => {
  sender = startNotificationSender(senderOptions(over));
};

async function subscribe(auth: AuthContext, body: unknown) {
  const input: CreateSubscriptionInput = createSubscriptionSchema.parse(body);
  return createSubscription({ db: db(), projectId: auth.projectId, tokenId: auth.tokenId, input });
}

async function startedJob(auth: AuthContext, input: Partial<CreateJobInput> & { component: string; config?: string }, type?: "phaseContainer"): Promise<Job> {
  const job = await createJob({ db: db(), auth, input: { mode: "run", configData: {}, ...input } as CreateJobInput, type });
  return (await startJob({ db: db(), jobId: job.id }))!;
}

const deliveriesOf = (subscriptionId: string) => db().notificationDelivery.findMany({ where: { subscriptionId: BigInt(subscriptionId) }, include: { attemptLog: true } });
const receivedFor = (url: string) => receiver.received.filter((r) => r.path === new URL(url).pathname);

describe("notifications", () => {
  it("delivers each event once per matching subscription, signed, with the job as the API shows it", async () => {
    const { auth } = await createTestProject();
    const hook = (name: string) => `${receiver.url}/${name}-${auth.projectId}`;
    const cfg = (await createTestConfig(auth.projectId, "jobdeck.generator")).configId;
    const failed = await subscribe(auth, { event: "job-failed", recipient: { channel: "webhook", url: hook("failed") } });
    const failedOfOther = await subscribe(auth, { event: "job-failed", filters: [{ field: "job.component.id", value: "keboola.ex-other" }], recipient: { channel: "webhook", url: hook("other") } });
    const failedOfConfig = await subscribe(auth, {
      event: "job-failed",
      filters: [{ field: "job.component.id", value: "jobdeck.generator" }, { field: "job.configuration.id", value: cfg }, { field: "branch.id", value: "default" }],
      recipient: { channel: "webhook", url: hook("config"), format: "slack" },
    });
    const succeeded = await subscribe(auth, { event: "job-succeeded", recipient: { channel: "webhook", url: hook("succeeded") } });
    const warned = await subscribe(auth, { event: "job-succeeded-with-warning", recipient: { channel: "email", address: `ops-${auth.projectId}@example.com` } });
    const phase = await subscribe(auth, { event: "phase-job-failed", recipient: { channel: "webhook", url: hook("phase") } });

    // Two jobs end through a worker's group commit (one statement), two through finishJob.
    const a = await startedJob(auth, { component: "jobdeck.generator", config: cfg });
    const b = await startedJob(auth, { component: "jobdeck.noop" });
    await db().jobEvent.create({ data: { projectId: auth.projectId, jobId: a.id, runId: a.runId, event: "job.log", message: "Connection to the source refused", type: "error" } });
    await finishRuns({ db: db(), ends: [
      { job: a, outcome: "fail", result: { message: "It broke", error: { type: "user", message: "It broke" } } },
      { job: b, outcome: "succeed", result: { message: "Done" } },
    ] });
    const c = await startedJob(auth, { component: "jobdeck.noop" });
    await finishJob({ db: db(), jobId: c.id, outcome: "warn", result: { message: "A child failed" } });
    const p = await startedJob(auth, { component: "keboola.orchestrator" }, "phaseContainer");
    await finishJob({ db: db(), jobId: p.id, outcome: "fail", result: { message: "Phase 1 failed", error: { type: "user", message: "Phase 1 failed" } } });

    // Written with the job's end, before anything was sent.
    expect(await db().notificationDelivery.count({ where: { projectId: auth.projectId } })).toBe(5);
    runSender();
    await waitFor("every delivery", async () => (await db().notificationDelivery.count({ where: { projectId: auth.projectId, status: "delivered" } })) === 5);

    const secrets = new Map([[failed.id, failed.secret!], [failedOfConfig.id, failedOfConfig.secret!], [succeeded.id, succeeded.secret!], [phase.id, phase.secret!]]);
    const expectOne = (url: string, subscriptionId: string, event: string) => {
      const got = receivedFor(url);
      expect(got).toHaveLength(1);
      const [request] = got;
      expect(request!.headers[EVENT_HEADER.toLowerCase()]).toBe(event);
      expect(verifySignature({ secret: secrets.get(subscriptionId)!, body: request!.body, header: String(request!.headers[SIGNATURE_HEADER.toLowerCase()]) })).toBe(true);
      return request!;
    };
    const failedRequest = expectOne(hook("failed"), failed.id, "job-failed");
    const payload = JSON.parse(failedRequest.body) as WebhookPayload;
    expect(payload).toMatchObject({
      id: failedRequest.headers[DELIVERY_HEADER.toLowerCase()],
      event: "job-failed",
      test: false,
      project: { id: String(auth.projectId) },
      branch: { id: "default" },
      jobPageUrl: `http://jobdeck.test/jobs/${a.id}`,
      job: { id: String(a.id), runId: a.runId, status: "error", component: "jobdeck.generator", config: cfg, isFinished: true, isSuccess: false, result: { error: { message: "It broke" } }, url: `http://jobdeck.test/api/jobs/${a.id}` },
      errors: [{ message: "Connection to the source refused" }],
    });
    expect(receivedFor(hook("other"))).toHaveLength(0);
    const slack = JSON.parse(expectOne(hook("config"), failedOfConfig.id, "job-failed").body) as { text: string };
    expect(slack.text).toMatch(new RegExp(`Job ${a.id} \\(jobdeck.generator / Config-[^)]+\\) failed`));
    expect(slack.text).toContain(`<http://jobdeck.test/jobs/${a.id}|Open the job>`);
    expect(JSON.parse(expectOne(hook("succeeded"), succeeded.id, "job-succeeded").body)).toMatchObject({ job: { id: String(b.id), status: "success" } });
    expect(JSON.parse(expectOne(hook("phase"), phase.id, "phase-job-failed").body)).toMatchObject({ job: { id: String(p.id), type: "phaseContainer", status: "error" } });
    // The phase container is not a job-failed too, and the other subscription's filter held.
    expect(await deliveriesOf(failed.id)).toHaveLength(1);
    expect(await deliveriesOf(failedOfOther.id)).toHaveLength(0);

    const mails = smtp.mails.filter((m) => m.to.includes(`ops-${auth.projectId}@example.com`));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.raw).toMatch(new RegExp(`Subject: \\[Jobdeck\\] Job ${c.id} \\(jobdeck.noop\\) ended with a warning`));
    expect(mails[0]!.raw).toContain("Status: warning");
    expect(mails[0]!.raw).toContain(`http://jobdeck.test/jobs/${c.id}`);
    expect(mails[0]!.raw).toMatch(/Content-Type: text\/html/);
    const [mailDelivery] = await deliveriesOf(warned.id);
    expect(mails[0]!.raw).toContain(`${DELIVERY_HEADER}: ${mailDelivery!.id}`);
    expect(mailDelivery!.attemptLog).toMatchObject([{ attempt: 1, statusCode: 250, error: null }]);
  });

  it("a delivery that becomes due wakes an idle sender through the database's NOTIFY, not its poll", async () => {
    const { auth } = await createTestProject();
    const url = `${receiver.url}/woken-${auth.projectId}`;
    const s = await subscribe(auth, { event: "job-failed", recipient: { channel: "webhook", url } });
    const stopRelay = relayNotifications(dbHandle());
    let heard = 0;
    const offHeard = onDeliveriesDue(() => heard++);
    try {
      // The relay listens once a NOTIFY of ours comes back through it.
      await waitFor("the relay to listen", async () => {
        await db().$executeRaw`SELECT pg_notify(${DELIVERY_CHANNEL}, 'probe')`;
        return heard > 0;
      });
      // A poll that never comes within the test: only a wake can send the delivery.
      runSender({ pollMs: 3_600_000 });
      const job = await startedJob(auth, { component: "jobdeck.noop" });
      await finishJob({ db: db(), jobId: job.id, outcome: "fail", result: { message: "x" } });
      await waitFor("the delivery", async () => (await deliveriesOf(s.id))[0]?.status === "delivered");
      expect(receivedFor(url)).toHaveLength(1);
      // "Send again" is announced the same way.
      const [delivery] = await deliveriesOf(s.id);
      await sendAgain({ db: db(), projectId: auth.projectId, subscriptionId: s.id, deliveryId: delivery!.id });
      await waitFor("the second send", async () => receivedFor(url).length === 2);
      expect(receivedFor(url).map((r) => r.headers[DELIVERY_HEADER.toLowerCase()])).toEqual([delivery!.id, delivery!.id]);
    } finally {
      offHeard();
      await stopRelay();
    }
  });

  it("retries after a 500, a closed connection and a receiver that never answers; the id stays the same", async () => {
    const { auth } = await createTestProject();
    const url = `${receiver.url}/retry-${auth.projectId}`;
    const s = await subscribe(auth, { event: "job-failed", recipient: { channel: "webhook", url } });
    receiver.next(500, "close", "hang");
    const job = await startedJob(auth, { component: "jobdeck.noop" });
    await finishJob({ db: db(), jobId: job.id, outcome: "fail", result: { message: "x" } });
    // A short backoff for the test.
    runSender({ retryDelayMs: () => 20, timeoutMs: 1_000 });
    await waitFor("the delivery after three failures", async () => (await deliveriesOf(s.id))[0]?.status === "delivered", 20_000);
    const [delivery] = await deliveriesOf(s.id);
    expect(delivery!.attempts).toBe(4);
    const log = delivery!.attemptLog.sort((x, y) => x.attempt - y.attempt);
    expect(log.map((a) => a.statusCode)).toEqual([500, null, null, 200]);
    expect(log[0]!.error).toMatch(/answered 500/);
    expect(log[1]!.error).toMatch(/request failed/);
    expect(log[2]!.error).toMatch(/No answer within 1000 ms/);
    const ids = receivedFor(url).map((r) => r.headers[DELIVERY_HEADER.toLowerCase()]);
    expect(ids).toEqual([delivery!.id, delivery!.id, delivery!.id, delivery!.id]);
    // The job was never affected.
    expect((await db().job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("error");
  });

  it("marks failed what cannot pass: a 404, a refused address, an SMTP refusal, and retries past the bounded time", async () => {
    const { auth } = await createTestProject();
    const gone = await subscribe(auth, { event: "job-failed", recipient: { channel: "webhook", url: `${receiver.url}/gone-${auth.projectId}` } });
    const privateHost = await subscribe(auth, { event: "job-failed", recipient: { channel: "webhook", url: "http://10.1.2.3:8080/hook" } });
    const refusedMail = await subscribe(auth, { event: "job-failed", recipient: { channel: "email", address: `refused-${auth.projectId}@example.com` } });
    receiver.next(404);
    smtp.refuseNext(1, 550);
    const job = await startedJob(auth, { component: "jobdeck.noop" });
    await finishJob({ db: db(), jobId: job.id, outcome: "fail", result: { message: "x" } });
    runSender();
    await waitFor("three failed deliveries", async () => (await db().notificationDelivery.count({ where: { projectId: auth.projectId, status: "failed" } })) === 3);
    const [g] = await deliveriesOf(gone.id);
    expect(g).toMatchObject({ attempts: 1, lastStatusCode: 404, lastError: expect.stringMatching(/answered 404/) });
    const [p] = await deliveriesOf(privateHost.id);
    expect(p).toMatchObject({ attempts: 1, lastError: expect.stringMatching(/^Refused: .*private/) });
    const [m] = await deliveriesOf(refusedMail.id);
    expect(m).toMatchObject({ attempts: 1, lastStatusCode: 550, lastError: expect.stringMatching(/SMTP server refused.*Mailbox unavailable/) });

    // A receiver that keeps failing: retried while the bounded time lasts, then failed.
    await sender!.stop();
    const flaky = await subscribe(auth, { event: "job-succeeded", recipient: { channel: "webhook", url: `${receiver.url}/flaky-${auth.projectId}` } });
    receiver.next(503, 503, 503, 503, 503, 503, 503, 503);
    runSender({ retryForMs: 1_000, retryDelayMs: () => 200 });
    const done = await startedJob(auth, { component: "jobdeck.noop" });
    await finishJob({ db: db(), jobId: done.id, outcome: "succeed" });
    await waitFor("the flaky delivery to give up", async () => (await deliveriesOf(flaky.id))[0]?.status === "failed", 20_000);
    const [f] = await deliveriesOf(flaky.id);
    expect(f!.attempts).toBeGreaterThanOrEqual(1);
    expect(f!.lastError).toMatch(/answered 503.*Gave up after \d+ attempt/);
  });

  it("e-mail without SMTP fails at once with the words that say how to set it up", async () => {
    const { auth } = await createTestProject();
    const s = await subscribe(auth, { event: "job-failed", recipient: { channel: "email", address: "nobody@example.com" } });
    runSender({ smtp: { url: undefined, from: "x <x@x>" } });
    const test = await sendTest({ db: db(), projectId: auth.projectId, subscriptionId: s.id });
    expect(test).toMatchObject({ test: true, status: "pending", jobId: null });
    await waitFor("the test to fail", async () => (await deliveriesOf(s.id))[0]?.status === "failed");
    const [log] = await listDeliveries({ db: db(), projectId: auth.projectId, subscriptionId: s.id });
    expect(log).toMatchObject({ id: test.id, status: "failed", attempts: 1, lastError: expect.stringMatching(/JOBDECK_SMTP_URL/), attemptLog: [{ attempt: 1, error: expect.stringMatching(/JOBDECK_SMTP_URL/) }] });
  });

  it("sends a test and sends again with the same delivery id", async () => {
    const { auth } = await createTestProject();
    const url = `${receiver.url}/test-${auth.projectId}`;
    const s = await subscribe(auth, { event: "job-failed", recipient: { channel: "webhook", url } });
    runSender();
    const test = await sendTest({ db: db(), projectId: auth.projectId, subscriptionId: s.id });
    await waitFor("the test", async () => receivedFor(url).length === 1);
    expect(JSON.parse(receivedFor(url)[0]!.body)).toMatchObject({ id: test.id, test: true, event: "job-failed", job: null });
    await waitFor("it to be recorded", async () => (await deliveriesOf(s.id))[0]?.status === "delivered");
    const again = await sendAgain({ db: db(), projectId: auth.projectId, subscriptionId: s.id, deliveryId: test.id });
    expect(again).toMatchObject({ id: test.id, status: "pending" });
    await waitFor("the second send", async () => receivedFor(url).length === 2);
    expect(receivedFor(url).map((r) => r.headers[DELIVERY_HEADER.toLowerCase()])).toEqual([test.id, test.id]);
    await expect(sendAgain({ db: db(), projectId: auth.projectId, subscriptionId: s.id, deliveryId: "00000000-0000-0000-0000-000000000000" })).rejects.toMatchObject({ status: 404 });
  });

  it("fires job-processing-long once for a job running 3x its configuration's average", async () => {
    const { auth } = await createTestProject();
    const config = (await createTestConfig(auth.projectId, "jobdeck.generator")).configId;
    const now = Date.now();
    // Three earlier successful runs of the configuration, 10 s each.
    for (let i = 0; i < 3; i++) {
      const job = await createJob({ db: db(), auth, input: { component: "jobdeck.generator", config, mode: "run" } as CreateJobInput });
      await db().job.update({ where: { id: job.id }, data: { status: "success", startTime: new Date(now - 100_000 + i * 20_000), endTime: new Date(now - 90_000 + i * 20_000), durationSeconds: 10 } });
    }
    const url = `${receiver.url}/long-${auth.projectId}`;
    const s = await subscribe(auth, { event: "job-processing-long", filters: [{ field: "job.configuration.id", value: config }], recipient: { channel: "webhook", url } });
    const strict = await subscribe(auth, { event: "job-processing-long", filters: [{ field: "durationOvertimePercentage", operator: ">=", value: 5 }], recipient: { channel: "webhook", url: `${url}-strict` } });
    const running = await startedJob(auth, { component: "jobdeck.generator", config });
    // Running for 15 s: 50 % over, under the default threshold (100 %).
    await db().job.update({ where: { id: running.id }, data: { startTime: new Date(Date.now() - 15_000) } });
    expect(await detectLongJobs({ db: db() })).toBe(0);
    // Running for 30 s: three times the average.
    await db().job.update({ where: { id: running.id }, data: { startTime: new Date(Date.now() - 30_000) } });
    expect(await detectLongJobs({ db: db() })).toBe(1);
    expect(await detectLongJobs({ db: db() })).toBe(0);
    runSender({ longCheckMs: 30 });
    await waitFor("the notification", async () => receivedFor(url).length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(receivedFor(url)).toHaveLength(1);
    expect(await deliveriesOf(strict.id)).toHaveLength(0);
    const payload = JSON.parse(receivedFor(url)[0]!.body) as WebhookPayload;
    expect(payload).toMatchObject({ event: "job-processing-long", averageDuration: 10, job: { id: String(running.id), status: "processing" } });
    expect(payload.durationOvertimePercentage).toBeGreaterThanOrEqual(2);
    expect(payload.durationOvertimePercentage).toBeLessThan(2.5);
    expect((await deliveriesOf(s.id))).toHaveLength(1);
  });
});
