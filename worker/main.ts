// `npm run worker`: a worker process. Scale out by starting more, on any machine that reaches the
// same PostgreSQL. SIGTERM/SIGINT finish running jobs (or hand them back after a grace period).
import http from "node:http";
import { closeDb, db } from "@/lib/db";
import { env } from "@/lib/env";
import { startConfiguredWorker } from "@/worker/host";

if (env.database === "pglite") {
  console.error("npm run worker needs DATABASE_URL (PostgreSQL): the embedded database runs its workers inside `npm start`.");
  process.exit(2);
}

const host = startConfiguredWorker(env.WORKER_CONCURRENCY);
console.log(`[worker ${host.worker.id}] started with ${env.WORKER_CONCURRENCY} slot(s)`);

const health = env.WORKER_HEALTH_PORT
  ? http
      .createServer((request, response) => {
        if (request.url !== "/health") {
          response.writeHead(404).end();
          return;
        }
        db()
          .$queryRaw`SELECT 1`
          .then(() => {
            response.writeHead(200, { "Content-Type": "application/json" });
            response.end(JSON.stringify({ status: "ok", worker: host.worker.id, running: host.worker.running(), concurrency: env.WORKER_CONCURRENCY }));
          })
          .catch(() => {
            response.writeHead(503, { "Content-Type": "application/json" });
            response.end(JSON.stringify({ status: "database unavailable", worker: host.worker.id }));
          });
      })
      .listen(env.WORKER_HEALTH_PORT)
  : null;

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`[worker ${host.worker.id}] ${signal}: finishing running jobs`);
    health?.close();
    void host
      .stop(20_000)
      .then(() => closeDb())
      .then(() => process.exit(0));
  });
}
