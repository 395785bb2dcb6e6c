#!/usr/bin/env node
// Runs the Prisma CLI (node_modules/prisma/build/index.js) with all given arguments.
// When Prisma's native schema-engine binary is not installed (it is downloaded on first use, which
// fails without access to binaries.prisma.sh), point the CLI at prisma/schema-engine.mjs, a
// stand-in built on Prisma's official WASM schema engine. An already-set
// PRISMA_SCHEMA_ENGINE_BINARY is always honoured. Exits with the CLI's exit code.
//
//   node scripts/prisma.mjs migrate deploy
//   node scripts/prisma.mjs migrate diff --from-empty --to-schema prisma/schema.prisma --script

import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(path.join(root, "package.json"));
const cli = require.resolve("prisma/build/index.js");
const shim = path.join(root, "prisma", "schema-engine.mjs");

/** Where @prisma/engines keeps the native binary: <enginesPath>/schema-engine-<binaryTarget>. */
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

const child = spawn(process.execPath, [cli, ...process.argv.slice(2)], { stdio: "inherit", env });
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("error", (e) => {
  console.error(`Could not start the Prisma CLI: ${e.message}`);
  process.exit(1);
});
child.on("exit", (code, signal) => {
  process.exit(code ?? (signal ? 128 + (signalNumber(signal) ?? 1) : 1));
});

function signalNumber(signal) {
  return { SIGHUP: 1, SIGINT: 2, SIGTERM: 15, SIGKILL: 9 }[signal];
}
