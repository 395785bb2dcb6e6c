// Issue 22 over real HTTP against the embedded default a new user gets (`npm start` on PGlite,
// workers inside the server): a long SQL job does not freeze the server, its kill is
// answered and ends it; TRACE, CONNECT and bad-% paths are answered before Next.js; failed tokens
// back off without locking out a valid one, whatever X-Forwarded-For says; ex-http cannot reach a
// loopback-only service while the demo's relative URLs work; one Idempotency-Key makes one job.
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordFigure } from "@/test/faults/figures";
import { type JobdeckServer, startJobdeckServer } from "@/test/faults/jobdeck-server";
import { waitFor } from "@/test/wait";

let server: JobdeckServer;
let secret: http.Server;
let secretPort = 0;
let redirector: http.Server;
let redirectorPort = 0;
const secretHits: string[] = [];

type Reply = { status: number; json: Record<string, unknown> | null; text: string; headers: Headers };
async function call(method: string, pathname: string, options: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
  const token = options.token === undefined ? server.demoToken : options.token;
  const response = await fetch(`${server.base}${pathname}`, {
    method,
    headers: { ...(token && { "X-StorageApi-Token": token }), ...(options.body !== undefined && { "Content-Type": "application/json" }), ...options.headers },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let json: Record<string, unknown> | null = null;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = null;
  }
  return { status: response.status, json, text, headers: response.headers };
}

/** What the server answers to bytes written on a raw socket (methods fetch refuses to send). */
function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, "127.0.0.1", () => socket.write(request));
    let answer = "";
    socket.on("data", (chunk) => (answer += chunk.toString()));
    socket.on("end", () => resolve(answer));
    socket.on("error", reject);
    socket.setTimeout(10_000, () => {
      socket.destroy();
      resolve(answer);
    });
  });
}

async function waitForJob(id: string, statuses: string[], timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await call("GET", `/api/jobs/${id}`);
    if (statuses.includes(String(job.json?.status))) return job.json!;
    if (Date.now() > deadline) throw new Error(`job ${id} is ${job.json?.status}, not ${statuses.join("/")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  secret = http.createServer((req, res) => {
    secretHits.push(req.url ?? "");
    res.end("token\ntop-secret\n");
  });
  await new Promise<void>((r) => secret.listen(0, "127.0.0.1", r));
  secretPort = (secret.address() as AddressInfo).port;
  // An allowed host that redirects to the loopback-only service.
  redirector = http.createServer((_req, res) => res.writeHead(302, { location: `http://127.0.0.1:${secretPort}/secret.csv` }).end());
  await new Promise<void>((r) => redirector.listen(0, "127.0.0.1", r));
  redirectorPort = (redirector.address() as AddressInfo).port;
  // Nothing else allowed beyond the server's own public URL (the tests' own default allows 127.0.0.1).
  // Verbose: the server's own log is read below (the statistics upkeep).
  server = await startJobdeckServer({ databaseUrl: null, env: { JOBDECK_OUTBOUND_ALLOW_HOSTS: `localhost:${redirectorPort}`, JOBDECK_VERBOSE: "1" } });
});

afterAll(async () => {
  await server?.stop();
  secret?.close();
  redirector?.close();
});

describe("the embedded database's planner statistics", () => {
  it("are gathered by the server that holds it: the seeded demo's tables are analyzed soon after start", async () => {
    // PGlite has no autovacuum; without this round its tables were never analyzed (lib/db-statistics.ts).
    const line = await waitFor("the statistics round in the server's log", async () => server.output().split("\n").find((l) => l.startsWith("[db] analyzed")));
    expect(line).toMatch(/\bJob\b/);
    expect(server.output()).not.toContain("could not analyze");
  });
});

describe("the embedded default under a heavy SQL job", () => {
  it("answers /api/health and the kill while a long SQL job runs, and the kill ends it", async () => {
    // 27 billion combinations of three small series: minutes of CPU in the workspace, little memory.
    const sql = "CREATE TABLE counted AS SELECT count(*) AS n FROM generate_series(1, 3000) AS a, generate_series(1, 3000) AS b, generate_series(1, 3000) AS c";
    const created = await call("POST", "/api/jobs", { body: { component: "jobdeck.sql-transformation", configData: { input: [], output: [], sql }, mode: "run" } });
    expect(created.status).toBe(201);
    const id = String(created.json!.id);
    await waitForJob(id, ["processing"]);
    await new Promise((r) => setTimeout(r, 2_000)); // well into the SQL
    const timings: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      const health = await call("GET", "/api/health", { token: null });
      timings.push(performance.now() - t0);
      expect(health.status).toBe(200);
      await new Promise((r) => setTimeout(r, 20));
    }
    timings.sort((a, b) => a - b);
    recordFigure("embedded", "GET /api/health p99 ms during a long SQL job", Math.round(timings[Math.ceil(timings.length * 0.99) - 1]!));
    expect((await waitForJob(id, ["processing"])).status).toBe("processing");
    const t0 = performance.now();
    const kill = await call("POST", `/api/jobs/${id}/kill`);
    expect(kill.status).toBeLessThan(300);
    const ended = await waitForJob(id, ["terminated", "success", "error"]);
    recordFigure("embedded", "kill → terminated ms of the SQL job", Math.round(performance.now() - t0));
    expect(ended.status).toBe("terminated");
  }, 300_000);
});

describe("requests answered before Next.js", () => {
  it("TRACE and CONNECT: a JSON 405 with Allow", async () => {
    for (const path of ["/", "/jobs", "/api/health", "/api/jobs"]) {
      const answer = await raw(`TRACE ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Secret: echo-me\r\n\r\n`);
      expect(answer).toMatch(/^HTTP\/1\.1 405 /);
      expect(answer).toMatch(/\r\nAllow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\r\n/i);
      expect(answer).not.toContain("echo-me");
      expect(JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4))).toMatchObject({ code: "methodNotAllowed", status: 405 });
    }
    const connect = await raw("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
    expect(connect).toMatch(/^HTTP\/1\.1 405 /);
    expect(JSON.parse(connect.slice(connect.indexOf("\r\n\r\n") + 4))).toMatchObject({ code: "methodNotAllowed", status: 405 });
  });

  it("paths that are not percent-encoded UTF-8: 400, JSON under /api, a page with a CSP otherwise", async () => {
    for (const path of ["/api/jobs/%zz", "/api/v2/storage/tables/%C0%AE", "/api/%"]) {
      const answer = await call("GET", path);
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ code: "malformedPath", status: 400 });
    }
    for (const path of ["/jobs/%zz", "/%", "/jobs/%ED%A0%80", "/sign-in/%C0%AE"]) {
      const answer = await call("GET", path, { token: null });
      expect(answer.status).toBe(400);
      expect(answer.headers.get("content-type")).toMatch(/^text\/html/);
      expect(answer.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
      expect(answer.text).toMatch(/not valid/);
    }
  });

  it("a CSP on every page: /api-docs and prefetches too", async () => {
    const variants: Record<string, string>[] = [{}, { "Next-Router-Prefetch": "1", RSC: "1" }, { Purpose: "prefetch" }];
    for (const headers of variants) {
      for (const path of ["/api-docs", "/sign-in", "/jobs"]) {
        const answer = await fetch(`${server.base}${path}`, { headers, redirect: "manual" });
        expect(answer.headers.get("content-security-policy"), `${path} ${JSON.stringify(headers)}`).toMatch(/script-src 'self' 'nonce-/);
      }
    }
  });
});

describe("abuse limits over HTTP", () => {
  it("a thousand wrong tokens get 429s with Retry-After, rotating X-Forwarded-For changes nothing, a valid token still works", async () => {
    const statuses = new Map<number, number>();
    let retryAfterMissing = 0;
    for (let i = 0; i < 1000; i++) {
      const answer = await call("GET", "/api/search/jobs?limit=1", { token: `${i}-wrong-${i}`, headers: { "X-Forwarded-For": `198.51.100.${i % 250}`, "X-Real-IP": `203.0.113.${i % 250}` } });
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      if (answer.status === 429 && !answer.headers.get("retry-after")) retryAfterMissing++;
      if (i % 100 === 0) expect((await call("GET", "/api/search/jobs?limit=1")).status).toBe(200);
    }
    recordFigure("embedded", "wrong tokens answered 429 (of 1000)", statuses.get(429) ?? 0);
    expect(statuses.get(429) ?? 0).toBeGreaterThan(900);
    expect([...statuses.keys()].sort()).toEqual([401, 429]);
    expect(retryAfterMissing).toBe(0);
    expect((await call("GET", "/api/search/jobs?limit=1")).status).toBe(200);
  }, 300_000);

  it("the demo sign-in works from this machine; a forged X-Forwarded-Host does not pass the Origin check", async () => {
    const origin = server.base;
    const demo = await fetch(`${origin}/api/session`, { method: "POST", headers: { Origin: origin, "Content-Type": "application/json" }, body: JSON.stringify({ demo: true }) });
    expect(demo.status).toBe(200);
    const forged = await fetch(`${origin}/api/session`, {
      method: "POST",
      headers: { Origin: "http://evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http", "Content-Type": "application/json" },
      body: JSON.stringify({ demo: true }),
    });
    expect(forged.status).toBe(403);
  });
});

describe("keboola.ex-http through the outbound guard", () => {
  it("refuses a 127.0.0.1-only service, directly and through a redirect, while the demo's relative URL works", async () => {
    const run = async (url: string, table: string) => {
      const created = await call("POST", "/api/jobs", { body: { component: "keboola.ex-http", configData: { url, table }, mode: "run" } });
      expect(created.status).toBe(201);
      return waitForJob(String(created.json!.id), ["success", "error", "warning"]);
    };
    const direct = await run(`http://127.0.0.1:${secretPort}/secret.csv`, "in.c-ssrf.direct");
    expect(direct.status).toBe("error");
    expect(JSON.stringify(direct.result)).toMatch(/loopback address/);
    const via = await run(`http://localhost:${redirectorPort}/go`, "in.c-ssrf.redirect");
    expect(via.status).toBe("error");
    expect(JSON.stringify(via.result)).toMatch(/127\.0\.0\.1 is a loopback address/);
    expect(secretHits).toEqual([]);
    const demo = await run("/demo/orders.csv", "in.c-ssrf.demo");
    expect(demo.status).toBe("success");
  }, 120_000);
});
