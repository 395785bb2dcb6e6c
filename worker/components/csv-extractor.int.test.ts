// keboola.ex-http through the outbound guard: a service that listens only on loopback cannot be read,
// directly or through a redirect, while a relative URL (this server's own public URL) still works.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthContext } from "@/lib/auth/tokens";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { createJob } from "@/lib/jobs/create-job";
import { FINAL_STATUSES } from "@/lib/jobs/state";
import type { CreateJobInput, JobResult } from "@/lib/schemas/jobs";
import { startStorageWorker } from "@/lib/storage/worker/start-storage-worker";
import { createTestProject } from "@/test/factories";
import { waitFor } from "@/test/wait";
import { type WorkerHandle, startWorker } from "@/worker/worker";

// The tests allow 127.0.0.1 (test/setup-env.ts); 127.0.0.2 and 127.0.0.3 are loopback addresses nobody allowed.
const secrets: string[] = [];
let secret: http.Server;
let own: http.Server;
let secretBase = "";
let ownBase = "";
let redirector: http.Server;
let redirectBase = "";
let worker: WorkerHandle;
const storage = new AbortController();
let storageDone: Promise<void>;
const publicUrl = env.publicUrl;

const listen = async (server: http.Server, host: string) => {
  await new Promise<void>((r) => server.listen(0, host, r));
  return `http://${host}:${(server.address() as AddressInfo).port}`;
};

beforeAll(async () => {
  secret = http.createServer((req, res) => {
    secrets.push(req.url ?? "");
    res.end("token\nsecret-value\n");
  });
  own = http.createServer((req, res) => {
    if (req.url === "/demo/orders.csv") res.end("id,amount\n1,10\n2,20\n");
    else res.writeHead(404).end();
  });
  redirector = http.createServer((_req, res) => res.writeHead(302, { location: `${secretBase}/secret.csv` }).end());
  secretBase = await listen(secret, "127.0.0.2");
  ownBase = await listen(own, "127.0.0.3");
  redirectBase = await listen(redirector, "127.0.0.1");
  // This server's public URL, which components may always reach (the demo's relative URLs).
  env.publicUrl = ownBase;
  worker = startWorker({ db: db(), concurrency: 2, leaseMs: 5_000, idlePollMs: 50, log: () => undefined });
  storageDone = startStorageWorker({ concurrency: 1, signal: storage.signal, db: db() });
});

afterAll(async () => {
  env.publicUrl = publicUrl;
  await worker.stop({ graceMs: 2_000 });
  storage.abort();
  await storageDone;
  for (const server of [secret, own, redirector]) server.close();
});

async function run(auth: AuthContext, input: Partial<CreateJobInput> & { component: string }) {
  const job = await createJob({ db: db(), auth, input: { mode: "run", ...input } as CreateJobInput });
  return waitFor(`job ${job.id}`, async () => {
    const j = await db().job.findUniqueOrThrow({ where: { id: job.id } });
    return (FINAL_STATUSES as readonly string[]).includes(j.status) ? { ...j, result: j.result as JobResult } : null;
  });
}

describe("keboola.ex-http and the outbound guard", () => {
  it("refuses a loopback-only service, directly, as IPv6 and through a redirect, with a user error", async () => {
    const { project, auth } = await createTestProject();
    const port = new URL(secretBase).port;
    // (A name resolving to loopback is refused the same way: lib/net/outbound.test.ts.)
    for (const url of [`${secretBase}/secret.csv`, `${redirectBase}/go`, `http://[::1]:${port}/secret.csv`, `http://[::ffff:127.0.0.2]:${port}/secret.csv`]) {
      const job = await run(auth, { component: "keboola.ex-http", configData: { url, table: "in.c-x.stolen" } });
      expect(job).toMatchObject({ status: "error", result: { error: { type: "user", message: expect.stringMatching(/^Could not download .*(loopback|IPv4-mapped).*JOBDECK_OUTBOUND_ALLOW_HOSTS/) } } });
    }
    expect(secrets).toEqual([]);
    expect(await db().storageTable.count({ where: { projectId: project.id } })).toBe(0);
  });

  it("still downloads the demo's relative URLs from this server's own public URL", async () => {
    const { auth } = await createTestProject();
    const job = await run(auth, { component: "keboola.ex-http", configData: { url: "/demo/orders.csv", table: "in.c-shop.orders" } });
    expect(job.status).toBe("success");
    expect(job.result.output?.tables.map((t) => t.id)).toEqual(["in.c-shop.orders"]);
    // The same host on another port is not this server.
    const other = await run(auth, { component: "keboola.ex-http", configData: { url: `http://127.0.0.3:${new URL(secretBase).port}/x.csv`, table: "in.c-x.y" } });
    expect(other.result.error?.message).toMatch(/loopback address/);
  });
});
