// A pg-boss worker process for the dispatch benchmark (pg-boss is a dev dependency, used only here).
import { PgBoss } from "pg-boss";

const [url, queue, concurrency] = [process.argv[2]!, process.argv[3]!, Number(process.argv[4] ?? 4)];
const boss = new PgBoss({ connectionString: url, max: concurrency + 2 });
boss.on("error", (e) => console.error(e));
await boss.start();
const batchSize = Number(process.argv[5] ?? 1);
// batchSize 1: one job per fetch, like Jobdeck's per-job lifecycle; larger: pg-boss's bulk mode.
// burstWhenBatchFull: a loop whose fetch came back full fetches again at once instead of waiting for its poll.
await boss.work(queue, { localConcurrency: concurrency, batchSize, pollingIntervalSeconds: 0.5, burstWhenBatchFull: true }, async () => undefined);
process.on("SIGTERM", () => void boss.stop({ graceful: false }).then(() => process.exit(0)));
