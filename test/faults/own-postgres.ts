// A PostgreSQL cluster of the test's own, in a temporary folder on a port of its own, which the
// test may stop and start at will (the shared cluster on 5432 is never touched).
import { execFileSync } from "node:child_process";
import { chownSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

export type OwnCluster = {
  /** postgresql://postgres@127.0.0.1:<port>/<database> */
  url(database: string): string;
  /** Shuts down (`fast`: connections are told; `immediate`: a crash, recovered from the WAL on start). */
  stop(mode: "fast" | "immediate"): void;
  start(): void;
  /** Stops the cluster if it runs and deletes its folder. */
  remove(): void;
};

function postgresBin(): string {
  const versions = readdirSync("/usr/lib/postgresql").sort((a, b) => Number(a) - Number(b));
  if (versions.length === 0) throw new Error("No PostgreSQL server binaries under /usr/lib/postgresql");
  return path.join("/usr/lib/postgresql", versions.at(-1)!, "bin");
}

export async function startOwnCluster(port: number): Promise<OwnCluster> {
  const bin = postgresBin();
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobdeck-own-pg-"));
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  chownSync(dir, uid, gid);
  const data = path.join(dir, "data");
  const asPostgres = (tool: string, args: string[]) =>
    execFileSync("runuser", ["-u", "postgres", "--", path.join(bin, tool), ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  const pgCtl = (args: string[]) => asPostgres("pg_ctl", ["-D", data, "-w", "-t", "60", ...args]);
  let running = false;

  asPostgres("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions"]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=100`;
  const cluster: OwnCluster = {
    url: (database) => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    start() {
      pgCtl(["-o", options, "-l", path.join(dir, "server.log"), "start"]);
      running = true;
    },
    stop(mode) {
      pgCtl(["-m", mode, "stop"]);
      running = false;
    },
    remove() {
      if (running) {
        try {
          pgCtl(["-m", "immediate", "stop"]);
        } catch {
          // already down
        }
        running = false;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    cluster.start();
    const admin = new pg.Client({ connectionString: cluster.url("postgres") });
    await admin.connect();
    await admin.query("CREATE DATABASE jobdeck");
    await admin.end();
  } catch (error) {
    cluster.remove();
    throw error;
  }
  return cluster;
}
