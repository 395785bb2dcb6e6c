#!/usr/bin/env node
// Runs the Prisma CLI (node_modules/prisma/build/index.js) with all given arguments and exits with
// its exit code.
//
// When Prisma's native schema-engine binary is not installed (the CLI downloads it on first use,
// which fails without access to binaries.prisma.sh), point the CLI at prisma/schema-engine.mjs, a
// stand-in built on Prisma's official WASM schema engine. An already-set
// PRISMA_SCHEMA_ENGINE_BINARY (or the deprecated PRISMA_MIGRATION_ENGINE_BINARY) is honoured.
//
//   node scripts/prisma.mjs migrate deploy
//   node scripts/prisma.mjs migrate diff --from-empty --to-schema prisma/schema.prisma --script

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(path.join(root, "package.json"));
const cli = require.resolve("prisma/build/index.js");
const shim = path.join(root, "prisma", "schema-engine.mjs");

/** Where the CLI looks for the native binary first: @prisma/engines' folder, schema-engine-<binaryTarget>. */
async function nativeEnginePath() {
  try {
    const { getEnginesPath } = require("@prisma/engines");
    const { getBinaryTargetForCurrentPlatform } = require("@prisma/get-platform");
    const target = await getBinaryTargetForCurrentPlatform();
    return path.join(getEnginesPath(), `schema-engine-${target}${target === "windows" ? ".exe" : ""}`);
  } catch {
    return undefined; // cannot tell: treat the binary as missing
  }
}

const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY && !env.PRISMA_MIGRATION_ENGINE_BINARY) {
  const native = await nativeEnginePath();
  if (!native || !fs.existsSync(native)) env.PRISMA_SCHEMA_ENGINE_BINARY = shim;
}

// The shim registers each running engine process here; see waitForEngines().
const runDir = fs.mkdtempSync(path.join(os.tmpdir(), "prisma-schema-engines-"));
env.PRISMA_SCHEMA_ENGINE_SHIM_RUN_DIR = runDir;

const child = spawn(process.execPath, [cli, ...process.argv.slice(2)], { stdio: "inherit", env });
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("error", async (e) => {
  console.error(`Could not start the Prisma CLI: ${e.message}`);
  await finish(1);
});
child.on("exit", async (code, signal) => {
  await finish(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1));
});

/**
 * The CLI stops an engine by closing its stdin and sending SIGTERM without waiting for it to exit,
 * so an engine may still be closing its database (a PGlite folder can only be open in one process)
 * when the CLI exits. Wait for them (at most 15 s), so the database is free when we return.
 */
async function waitForEngines(timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let alive = [];
    try {
      alive = fs.readdirSync(runDir).filter((name) => isAlive(Number(name)));
    } catch {
      return;
    }
    if (alive.length === 0 || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

function isAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

async function finish(code) {
  await waitForEngines();
  fs.rmSync(runDir, { recursive: true, force: true });
  process.exit(code);
}
