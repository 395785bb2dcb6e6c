// `npm start`: migrate, seed the demo project once, build when the sources changed, serve.
// Each step is a child process so that only one process at a time opens the embedded database.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { env } from "../lib/env";

const root = path.resolve(import.meta.dirname, "..");
const nextBin = path.join(root, "node_modules/next/dist/bin/next");
const started = Date.now();

function step(label: string, args: string[], extraEnv: Record<string, string> = {}) {
  const t = Date.now();
  process.stdout.write(`› ${label}… `);
  const result = spawnSync(process.execPath, args, { cwd: root, env: { ...process.env, ...extraEnv }, encoding: "utf8" });
  if (result.status !== 0) {
    console.log("failed");
    console.error(result.stdout, result.stderr);
    process.exit(result.status ?? 1);
  }
  console.log(`done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return result.stdout;
}

/** A fingerprint of everything the production build depends on. */
function sourceHash(): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name === "generated" || entry.name.endsWith(".test.ts")) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else hash.update(full).update(String(statSync(full).mtimeMs)).update(String(statSync(full).size));
    }
  };
  // worker/ is in the build too: instrumentation.ts starts the in-process workers inside Next.js.
  for (const dir of ["app", "components", "lib", "public", "worker"]) if (existsSync(path.join(root, dir))) walk(path.join(root, dir));
  for (const file of ["package-lock.json", "next.config.ts", "postcss.config.mjs", "tsconfig.json", "prisma/schema.prisma", "instrumentation.ts", "proxy.ts"]) {
    if (existsSync(path.join(root, file))) hash.update(readFileSync(path.join(root, file)));
  }
  return hash.digest("hex");
}

mkdirSync(env.dataDir, { recursive: true });
const where = env.database === "pglite" ? `embedded database in ${env.pgliteDir}` : "PostgreSQL (DATABASE_URL)";
console.log(`Jobdeck: ${where}`);

if (!existsSync(path.join(root, "lib/generated/prisma/client.ts"))) step("Generating the Prisma client", ["scripts/prisma.mjs", "generate"]);
step("Applying database migrations", ["scripts/prisma.mjs", "migrate", "deploy"]);
step("Seeding the demo project", ["--conditions=react-server", "--import", "tsx", "prisma/seed.ts"]);

const stamp = path.join(root, ".next/jobdeck-build-hash");
const hash = sourceHash();
if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== hash) {
  step("Building the dashboard (first start or changed sources)", [nextBin, "build"]);
  writeFileSync(stamp, hash);
}

// Next.js behind our own HTTP server, which answers unchanged polls itself (server/main.ts).
const server = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
  cwd: root,
  env: { ...process.env, NODE_ENV: "production" },
  stdio: ["ignore", "pipe", "inherit"],
});
server.stdout.on("data", (chunk: Buffer) => {
  if (process.env.JOBDECK_VERBOSE) process.stdout.write(chunk);
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => process.exit(code ?? 0));

const url = `http://localhost:${env.PORT}`;
async function waitForHealth() {
  for (let i = 0; i < 600; i++) {
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

if (await waitForHealth()) {
  const token = env.JOBDECK_DEMO_TOKEN ?? readFileSync(path.join(env.dataDir, "demo-token"), "utf8").trim();
  console.log(`
Jobdeck is running at ${url}  (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)
Sign in: open ${url}/sign-in and press "Use the demo project", or paste this token:
  ${token}
API:     curl -H "X-StorageApi-Token: ${token}" ${url}/api/search/jobs
`);
} else {
  console.error(`Jobdeck did not answer on ${url}/api/health; see the log above.`);
}
