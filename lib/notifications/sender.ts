import "server-only";
// The sender: claims due deliveries with FOR UPDATE SKIP LOCKED (any number of processes may run
// it), sends each apart from the job slots with a per-attempt timeout, and records every attempt.
// A claim is a lease: a sender that dies mid-send is replaced once it runs out, and the receiver
// gets the same delivery id again (at least once, never lost).
import { setTimeout as sleep } from "node:timers/promises";
import type { Db } from "@/lib/db";
import type { NotificationDelivery, NotificationSubscription } from "@/lib/generated/prisma/client";
import { onDeliveriesDue } from "@/lib/jobs/kill-signal";
import { loadJobViews } from "@/lib/jobs/views";
import { type OutboundPolicy } from "@/lib/net/outbound";
import { type AttemptOutcome, type SmtpSettings, sendEmail, sendWebhook } from "@/lib/notifications/channels";
import { type DeliveryFacts } from "@/lib/notifications/payload";
import { detectLongJobs } from "@/lib/notifications/processing-long";
import { nextAttemptAt } from "@/lib/notifications/retry";
import type { NotificationEvent } from "@/lib/schemas/notifications";
import type { JobJson } from "@/lib/schemas/jobs";
import { decryptValue } from "@/lib/secrets/secrets";

export type SenderOptions = {
  db: Db;
  /** Where links point (the dashboard's public URL). */
  publicUrl: string;
  /** Which webhook hosts may be reached (lib/net/outbound.ts). */
  policy: OutboundPolicy;
  smtp: SmtpSettings;
  /** Deliveries in flight at once. */
  concurrency?: number;
  /** How long one attempt may take before it is cut off. */
  timeoutMs: number;
  /** How long a delivery is retried (from when it was made) before it is marked failed. */
  retryForMs: number;
  /** The wait before attempt n + 1 (tests); exponential backoff with jitter by default (retry.ts). */
  retryDelayMs?: (attempt: number) => number;
  /** Idle wait between looks for due deliveries that nothing announced (retries, leases run out). */
  pollMs?: number;
  /** How often running jobs are checked against their configuration's average (job-processing-long). */
  longCheckMs?: number;
  log?: (message: string) => void;
};

type Claimed = NotificationDelivery;

/** Claims up to `limit` due deliveries (pending and due, or sending with a lease run out). */
export async function claimDeliveries(options: { db: Db; limit: number; leaseMs: number }): Promise<Claimed[]> {
  // Times from this process, as Prisma writes every other timestamp (the columns have no time zone).
  const now = new Date();
  return options.db.$queryRaw<Claimed[]>`
    UPDATE "NotificationDelivery" d
    SET status = 'sending', attempts = d.attempts + 1, "leaseExpiresAt" = ${new Date(now.getTime() + options.leaseMs)}
    FROM (
      SELECT id FROM "NotificationDelivery"
      WHERE (status = 'pending' AND "nextAttemptAt" <= ${now}) OR (status = 'sending' AND "leaseExpiresAt" < ${now})
      ORDER BY "nextAttemptAt"
      LIMIT ${options.limit}
      FOR UPDATE SKIP LOCKED
    ) due
    WHERE d.id = due.id
    RETURNING d.*`;
}

/** What the claimed deliveries need: their subscriptions, projects, jobs (as the API shows them) and the jobs' last errors. */
async function loadFacts(db: Db, claimed: Claimed[], publicUrl: string) {
  const subscriptions = new Map(
    (await db.notificationSubscription.findMany({ where: { id: { in: [...new Set(claimed.map((d) => d.subscriptionId))] } }, include: { project: { select: { name: true } } } })).map((s) => [s.id, s]),
  );
  const jobs = new Map<bigint, JobJson>();
  const byProject = new Map<number, bigint[]>();
  for (const d of claimed) if (d.jobId !== null) byProject.set(d.projectId, [...(byProject.get(d.projectId) ?? []), d.jobId]);
  // A test shows the project's newest job as a sample.
  const testProjects = [...new Set(claimed.filter((d) => d.jobId === null).map((d) => d.projectId))];
  const samples = new Map<number, bigint>();
  for (const projectId of testProjects) {
    const newest = await db.job.findFirst({ where: { projectId }, orderBy: { id: "desc" }, select: { id: true } });
    if (newest) {
      samples.set(projectId, newest.id);
      byProject.set(projectId, [...(byProject.get(projectId) ?? []), newest.id]);
    }
  }
  for (const [projectId, ids] of byProject) for (const job of await loadJobViews({ db, projectId, ids: [...new Set(ids)], origin: publicUrl })) jobs.set(BigInt(job.id), job);
  const errors = new Map<string, { created: string; message: string }[]>();
  const withJobs = [...jobs.values()];
  if (withJobs.length > 0) {
    const rows = await db.$queryRaw<{ id: string; created: Date; message: string }[]>`
      SELECT j.id, e.created, e.message
      FROM unnest(${withJobs.map((j) => Number(j.project.id))}::int[], ${withJobs.map((j) => j.runId)}::text[], ${withJobs.map((j) => j.id)}::text[]) AS j(project, run, id)
      CROSS JOIN LATERAL (
        SELECT created, message FROM "JobEvent" e
        WHERE e."projectId" = j.project AND e."runId" = j.run AND e.type = 'error'
        ORDER BY e.id DESC LIMIT 5) e`;
    for (const r of rows) errors.set(r.id, [...(errors.get(r.id) ?? []), { created: r.created.toISOString(), message: r.message.slice(0, 1000) }]);
  }
  return {
    subscription: (d: Claimed) => subscriptions.get(d.subscriptionId) ?? null,
    facts: (d: Claimed, s: NotificationSubscription & { project: { name: string } }): DeliveryFacts => {
      const jobId = d.jobId ?? samples.get(d.projectId) ?? null;
      const job = jobId === null ? null : (jobs.get(jobId) ?? null);
      return {
        deliveryId: d.id,
        event: d.event as NotificationEvent,
        project: { id: d.projectId, name: s.project.name },
        job,
        test: d.jobId === null,
        details: (d.details ?? {}) as DeliveryFacts["details"],
        errors: job ? (errors.get(job.id) ?? []) : [],
        jobPageUrl: job ? `${publicUrl}/jobs/${job.id}` : null,
        created: d.createdAt,
      };
    },
  };
}

async function attempt(d: Claimed, s: NotificationSubscription | null, facts: DeliveryFacts | null, options: SenderOptions): Promise<AttemptOutcome> {
  const { timeoutMs } = options;
  if (!s || !facts) return { ok: false, statusCode: null, error: "The subscription was deleted.", retryable: false };
  if (s.channel === "email") return sendEmail({ address: s.address, facts, timeoutMs, smtp: options.smtp });
  let secret: string;
  try {
    secret = decryptValue(s.secret ?? "", s.projectId);
  } catch {
    return { ok: false, statusCode: null, error: "The subscription's signing secret cannot be decrypted (JOBDECK_SECRET_KEY changed?).", retryable: false };
  }
  return sendWebhook({ url: s.address, format: s.format, secret, facts, timeoutMs, policy: options.policy });
}

type Recorded = {
  id: string;
  attempt: number;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  status: "delivered" | "pending" | "failed";
  lastError: string | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
};

/** How an attempt went, as the delivery and its attempt log are to be written. */
function recordOf(d: Claimed, outcome: AttemptOutcome, startedAt: Date, options: SenderOptions): Recorded {
  const now = new Date();
  const retryAt = !outcome.ok && outcome.retryable ? nextAttemptAt({ attempt: d.attempts, createdAt: d.createdAt, now, retryForMs: options.retryForMs, delayMs: options.retryDelayMs }) : null;
  const gaveUp = !outcome.ok && outcome.retryable && !retryAt;
  return {
    id: d.id,
    attempt: d.attempts,
    startedAt,
    durationMs: now.getTime() - startedAt.getTime(),
    statusCode: outcome.statusCode,
    error: outcome.error,
    status: outcome.ok ? "delivered" : retryAt ? "pending" : "failed",
    lastError: outcome.ok ? null : gaveUp ? `${outcome.error} Gave up after ${d.attempts} attempt(s).` : outcome.error,
    nextAttemptAt: retryAt,
    deliveredAt: outcome.ok ? now : null,
  };
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/**
 * Writes attempts in one statement: the attempt log rows, and each delivery delivered, due again or
 * failed, only while it is still that claim (same attempt), so a sender whose lease ran out does not
 * overwrite its successor. Timestamps go as UTC text into columns without a zone, as Prisma writes them.
 */
async function writeRecords(db: Db, rows: Recorded[]): Promise<void> {
  const col = <T,>(pick: (r: Recorded) => T) => rows.map(pick);
  await db.$executeRaw`
    WITH o AS (
      SELECT * FROM unnest(
        ${col((r) => r.id)}::uuid[], ${col((r) => r.attempt)}::int[], ${col((r) => iso(r.startedAt))}::text[], ${col((r) => r.durationMs)}::int[],
        ${col((r) => r.statusCode)}::int[], ${col((r) => r.error)}::text[], ${col((r) => r.status)}::text[], ${col((r) => r.lastError)}::text[],
        ${col((r) => iso(r.nextAttemptAt))}::text[], ${col((r) => iso(r.deliveredAt))}::text[]
      ) AS o(id, attempt, started, duration, code, error, status, last_error, next_at, delivered_at)),
    log AS (
      INSERT INTO "NotificationAttempt" ("deliveryId", attempt, "startedAt", "durationMs", "statusCode", error)
      SELECT o.id, o.attempt, o.started::timestamp, o.duration, o.code, o.error FROM o JOIN "NotificationDelivery" d ON d.id = o.id)
    UPDATE "NotificationDelivery" d
    SET status = o.status, "lastStatusCode" = o.code, "lastError" = o.last_error, "leaseExpiresAt" = NULL,
        "deliveredAt" = coalesce(o.delivered_at::timestamp, d."deliveredAt"), "nextAttemptAt" = coalesce(o.next_at::timestamp, d."nextAttemptAt")
    FROM o
    WHERE d.id = o.id AND d.status = 'sending' AND d.attempts = o.attempt`;
}

/** Group commit for attempts: those that end while a write is going on go together in the next one. */
function recorder(db: Db, log: (m: string) => void): (row: Recorded) => Promise<void> {
  let queue: { row: Recorded; done: () => void }[] = [];
  let writing = false;
  const flush = async () => {
    writing = true;
    while (queue.length > 0) {
      const batch = queue.slice(0, 500);
      queue = queue.slice(batch.length);
      // A write that fails leaves the claims to run out and be taken again: sent again, not lost.
      await writeRecords(db, batch.map((b) => b.row)).catch((error: unknown) => log(`recording ${batch.length} attempts failed: ${(error as Error).message}`));
      for (const b of batch) b.done();
    }
    writing = false;
  };
  return (row) =>
    new Promise<void>((resolve) => {
      queue.push({ row, done: resolve });
      if (!writing && queue.length === 1) setImmediate(() => void flush());
    });
}

const recorders = new WeakMap<Db, (row: Recorded) => Promise<void>>();
function recordFor(db: Db, log: (m: string) => void) {
  if (!recorders.has(db)) recorders.set(db, recorder(db, log));
  return recorders.get(db)!;
}

/**
 * Claims up to `limit` due deliveries and starts sending them; `settled` runs as each one's attempt
 * ends (its record is then written with others, below). Answers once they are claimed, with a
 * promise of them all, records included.
 */
export async function claimAndSend(options: SenderOptions & { limit: number; settled?: () => void }): Promise<{ claimed: number; done: Promise<void> }> {
  const { db } = options;
  const claimed = await claimDeliveries({ db, limit: options.limit, leaseMs: leaseMs(options.timeoutMs) });
  if (claimed.length === 0) return { claimed: 0, done: Promise.resolve() };
  const loaded = await loadFacts(db, claimed, options.publicUrl).catch((error: unknown) => {
    // The claims run out and are taken again; nothing is lost.
    options.log?.(`loading ${claimed.length} deliveries failed: ${(error as Error).message}`);
    return null;
  });
  if (!loaded) {
    claimed.forEach(() => options.settled?.());
    return { claimed: claimed.length, done: Promise.resolve() };
  }
  const record = recordFor(db, options.log ?? console.error);
  const done = Promise.all(
    claimed.map(async (d) => {
      const s = loaded.subscription(d);
      const startedAt = new Date();
      const outcome = await attempt(d, s, s ? loaded.facts(d, s) : null, options).catch(
        (error: unknown): AttemptOutcome => ({ ok: false, statusCode: null, error: `Internal error: ${(error as Error).message}`, retryable: true }),
      );
      const row = recordOf(d, outcome, startedAt, options);
      // The slot is free once the receiver has answered: holding it until the group write below
      // commits made every delivery wait for the previous batch's write as well as its own request.
      // The claim (a lease) still covers the delivery until its record is written.
      options.settled?.();
      await record(row);
    }),
  ).then(() => undefined);
  return { claimed: claimed.length, done };
}

/** One round, waited for: what tests and scripts call. Returns how many were claimed. */
export async function sendDueDeliveries(options: SenderOptions & { limit: number }): Promise<number> {
  const { claimed, done } = await claimAndSend(options);
  await done;
  return claimed;
}

/** A claim outlives the attempt's timeout with room to record it. */
const leaseMs = (timeoutMs: number) => timeoutMs + 5_000;

/** How often an idle sender looks anyway: for retries coming due and leases run out, which nothing announces. */
export const SENDER_POLL_MS = 1_000;

/**
 * Runs the sender until stopped: keeps up to `concurrency` deliveries in flight (a slow receiver
 * holds one slot until its timeout, not the others) and runs the job-processing-long check on its
 * own timer. An idle sender sleeps until a delivery is due (the database's NOTIFY, relayed onto
 * this process's bus: lib/jobs/kill-signal.ts), a slot frees up while all were busy, or `pollMs`.
 */
export function startNotificationSender(options: SenderOptions): { stop(): Promise<void> } {
  const concurrency = options.concurrency ?? 64;
  const pollMs = options.pollMs ?? SENDER_POLL_MS;
  const log = options.log ?? ((m: string) => console.log(`[notifications] ${m}`));
  const stopping = new AbortController();
  let inFlight = 0;
  const running = new Set<Promise<void>>();

  // The claim loop's one wake-up. A wake while the loop is claiming is kept for its next sleep: the
  // NOTIFY of a delivery committed just after the claim's snapshot must not be left to the poll.
  let wakeLoop: (() => void) | null = null;
  let wokenMeanwhile = false;
  let waitingForSlot = false;
  const wake = () => {
    if (wakeLoop) wakeLoop();
    else wokenMeanwhile = true;
  };
  const sleepUntilWoken = (ms: number) =>
    new Promise<void>((resolve) => {
      if (wokenMeanwhile || stopping.signal.aborted) {
        wokenMeanwhile = false;
        return resolve();
      }
      const done = () => {
        clearTimeout(timer);
        wakeLoop = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakeLoop = done;
    });
  const pause = (ms: number) => sleep(ms, undefined, { signal: stopping.signal }).catch(() => undefined);
  const offDue = onDeliveriesDue(wake);
  stopping.signal.addEventListener("abort", wake, { once: true });
  const settled = () => {
    inFlight--;
    if (waitingForSlot) wake();
  };

  const loop = (async () => {
    let failures = 0;
    while (!stopping.signal.aborted) {
      const free = concurrency - inFlight;
      if (free <= 0) {
        waitingForSlot = true;
        await sleepUntilWoken(pollMs);
        waitingForSlot = false;
        continue;
      }
      try {
        const round = await claimAndSend({ ...options, log, limit: free, settled });
        inFlight += round.claimed;
        running.add(round.done);
        void round.done.finally(() => running.delete(round.done));
        failures = 0;
        // Fewer than asked for: nothing else is due now. As many: more may be, look again at once.
        if (round.claimed < free) await sleepUntilWoken(pollMs);
      } catch (error) {
        failures++;
        if (failures === 1 || failures % 20 === 0) log(`claiming deliveries failed (${failures}x): ${(error as Error).message}`);
        await pause(Math.min(10_000, pollMs * 2 ** Math.min(failures, 6)));
      }
    }
    await Promise.all(running);
  })();

  // Its own timer: woken by nothing but stop (a wake per settled delivery once ran it per delivery).
  const long = (async () => {
    while (!stopping.signal.aborted) {
      await pause(options.longCheckMs ?? 10_000);
      if (stopping.signal.aborted) break;
      await detectLongJobs({ db: options.db }).catch((error: unknown) => log(`job-processing-long check failed: ${(error as Error).message}`));
    }
  })();

  return {
    async stop() {
      stopping.abort();
      offDue();
      await Promise.all([loop, long]);
    },
  };
}
