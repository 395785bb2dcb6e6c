import "server-only";
import type { AuthContext } from "@/lib/auth/tokens";
import { findVisibleComponent } from "@/lib/components/find-visible-component";
import { validateParameters } from "@/lib/components/parameters-schema";
import { type DbClient, prismaErrorCode } from "@/lib/db";

import { badRequest, invalidInput } from "@/lib/errors";
import { writeEvents } from "@/lib/events/write-event";
import type { Job } from "@/lib/generated/prisma/client";
import { findIdempotentJob, type Idempotency, IDEMPOTENCY_TTL_MS } from "@/lib/jobs/idempotency";
import { publishWork } from "@/lib/jobs/kill-signal";
import { encryptSecrets } from "@/lib/secrets/secrets";
import type { CreateJobInput, JOB_TYPES } from "@/lib/schemas/jobs";

/**
 * POST /jobs. Checks the component and configuration, places the job in its parent's tree
 * (X-KBC-RunId), and stores it as `created` for the scheduler to pick up.
 */
export async function createJob(options: {
  db: DbClient;
  /** `db` is an open transaction (a schedule's slot): the job commits with it, and the caller publishes the work. */
  inTransaction?: boolean;
  auth: Pick<AuthContext, "projectId" | "tokenId">;
  input: CreateJobInput;
  parentRunId?: string | null;
  type?: (typeof JOB_TYPES)[number];
  phase?: number;
  now?: Date;
  /** Stored with the job, in its transaction (createJobOnce). */
  idempotency?: Idempotency;
}): Promise<Job> {
  const { db, auth, input } = options;
  const now = options.now ?? new Date();
  const branchId = input.branchId ?? "default";

  // Another project's process component does not exist for this one.
  const component = await findVisibleComponent({ db, projectId: auth.projectId, componentId: input.component });
  if (!component) throw invalidInput(`component "${input.component}" does not exist`, "component");

  let enabledRows = 0;
  let storedParameters: unknown;
  if (input.config !== undefined) {
    const config = await db.configuration.findUnique({
      include: { rows: { where: { isDisabled: false, ...(input.configRowIds?.length && { rowId: { in: input.configRowIds } }) }, select: { rowId: true } } },
      where: {
        projectId_componentId_branchId_configId: {
          projectId: auth.projectId,
          componentId: input.component,
          branchId,
          configId: input.config,
        },
      },
    });
    if (!config) {
      throw invalidInput(`configuration "${input.config}" of component "${input.component}" does not exist`, "config");
    }
    if (config.isDisabled && input.mode !== "forceRun") {
      throw badRequest("configurationDisabled", `Configuration "${config.name}" is disabled; run it with mode "forceRun".`);
    }
    enabledRows = config.rows.length;
    storedParameters = (config.configuration as Record<string, unknown> | null)?.parameters;
  }
  // What the run will get: configData's top-level keys replace the stored ones (worker/run-job.ts).
  const configData = input.configData ?? {};
  validateParameters({ schema: component.configurationSchema, parameters: "parameters" in configData ? configData.parameters : storedParameters });

  let parent: Pick<Job, "runId" | "rootRunId"> | null = null;
  const parentRunId = options.parentRunId?.trim() || null;
  if (parentRunId) {
    if (!/^\d{1,18}(\.\d{1,18})*$/.test(parentRunId)) {
      throw badRequest("invalidRunId", "X-KBC-RunId must be a run id such as 123 or 123.456.");
    }
    parent = await db.job.findUnique({
      where: { projectId_runId: { projectId: auth.projectId, runId: parentRunId } },
      select: { runId: true, rootRunId: true },
    });
    if (!parent) throw badRequest("invalidRunId", `X-KBC-RunId "${parentRunId}" does not match a job of this project.`);
  }

  // The id is needed before the insert: runId embeds it.
  const [{ id }] = await db.$queryRaw<[{ id: bigint }]>`SELECT nextval(pg_get_serial_sequence('"Job"', 'id')) AS id`;
  const runId = parent ? `${parent.runId}.${id}` : id.toString();
  // Rows run with a parallelism become a container with one child job per row.
  const type =
    options.type ??
    (component.type === "orchestrator" ? "orchestrationContainer" : input.parallelism && enabledRows > 0 ? "container" : "standard");

  // The job and its job.created event commit together: a database that goes away in between
  // leaves neither, never a job without its first event.
  const insert = async (tx: DbClient) => {
    const job = await tx.job.create({
      data: {
        id,
        projectId: auth.projectId,
        tokenId: auth.tokenId,
        runId,
        parentRunId: parent?.runId ?? null,
        rootRunId: parent?.rootRunId ?? runId,
        status: "created",
        desiredStatus: "processing",
        mode: input.mode,
        type,
        component: input.component,
        config: input.config ?? null,
        // Its "#" values are stored encrypted, like a configuration's.
        configData: (input.configData ? encryptSecrets(input.configData, { projectId: auth.projectId }) : undefined) as object | undefined,
        configRowIds: input.configRowIds ?? [],
        tag: input.tag ?? null,
        branchId,
        backendSize: input.backend?.size ?? null,
        parallelism: input.parallelism ?? null,
        onError: input.behavior?.onError ?? null,
        phase: options.phase ?? null,
        createdTime: now,
        updatedAt: now,
      },
    });
    if (options.idempotency) {
      // An expired key makes room; a live one (a concurrent retry won) fails the unique key: nothing commits.
      const { key, requestHash } = options.idempotency;
      await tx.idempotencyKey.deleteMany({ where: { projectId: auth.projectId, key, createdAt: { lte: new Date(now.getTime() - IDEMPOTENCY_TTL_MS) } } });
      await tx.idempotencyKey.create({ data: { projectId: auth.projectId, key, requestHash, jobId: job.id, createdAt: now } });
    }
    await writeEvents({
      db: tx,
      events: [
        {
          projectId: auth.projectId,
          jobId: job.id,
          runId: job.runId,
          event: "job.created",
          component: job.component,
          message: `Job ${job.id} created`,
          params: { mode: job.mode, config: job.config, configRowIds: job.configRowIds, tag: job.tag },
          created: now,
        },
      ],
    });
    return job;
  };
  if (options.inTransaction || !("$transaction" in db)) return insert(db);
  const job = await db.$transaction(insert);
  // Only a wake-up: idle workers poll anyway, so a lost one must not fail a job that exists.
  await publishWork(db).catch(() => undefined);
  return job;
}

/**
 * createJob with an Idempotency-Key: the job the key already made (`replayed`), or a new one whose
 * key commits with it. Of two concurrent requests with one key, one creates and the other answers
 * its job; the same key with another request is a 422.
 */
export async function createJobOnce(options: Parameters<typeof createJob>[0] & { idempotency: Idempotency }): Promise<{ job: Job; replayed: boolean }> {
  const { db, auth, idempotency } = options;
  const replay = async (): Promise<{ job: Job; replayed: boolean } | null> => {
    const jobId = await findIdempotentJob({ db, projectId: auth.projectId, idempotency, now: options.now });
    if (jobId === null) return null;
    return { job: await db.job.findUniqueOrThrow({ where: { id: jobId } }), replayed: true };
  };
  const earlier = await replay();
  if (earlier) return earlier;
  try {
    return { job: await createJob(options), replayed: false };
  } catch (error) {
    if (prismaErrorCode(error) !== "P2002") throw error;
    const winner = await replay();
    if (winner) return winner;
    throw error;
  }
}
