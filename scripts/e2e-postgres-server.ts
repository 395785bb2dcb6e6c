// Starts Jobdeck for the e2e suite on a fresh PostgreSQL database and drops it afterwards.
import { spawn } from "node:child_process";
import { adminUrl, createDatabase } from "../test/postgres";

const database = await createDatabase(adminUrl(), "jobdeck_e2e_");
const child = spawn("npm", ["start"], { stdio: "inherit", env: { ...process.env, DATABASE_URL: database.url } });

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  child.kill("SIGTERM");
  await database.drop().catch(() => undefined);
  process.exit(code);
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void stop(0));
child.on("exit", (code) => void stop(code ?? 1));
