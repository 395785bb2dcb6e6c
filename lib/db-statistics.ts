import "server-only";
import type { Db } from "@/lib/db";

// Planner statistics on the embedded database. PostgreSQL's autovacuum ANALYZEs a table once enough
// of it has changed; PGlite runs no autovacuum and keeps no change counters (pg_stat_user_tables
// stays at 0), so without this its tables are never analyzed. The planner then guesses one row per
// condition and picks plans that walk every job of the project for each row of a page: the Jobs
// list's statement took 50 ms at 76,000 jobs and 2 ms once analyzed.
//
// Growth stands in for the change counters: a table is analyzed when it never was, or when its size
// in pages has moved by more than a tenth since (pg_class.relpages, written by ANALYZE, survives a
// restart). The planner scales the sampled rows per page by the current size, so stale statistics of
// a table that merely grew still estimate well. A small sample keeps one ANALYZE in the tens of ms
// whatever the table's size, since it holds the embedded database's only connection while it runs.

/** Rows ANALYZE samples are 300 × this (PostgreSQL's default is 100: 30,000 rows, ≈ 0.7 s at 76,000 jobs on PGlite). */
const STATISTICS_TARGET = 10;
/** How far a table's size may move from the one it was analyzed at before it is analyzed again. */
const GROWTH = 0.1;

type TableSize = { name: string; analyzedPages: number; analyzedTuples: number; pages: number };

/** The tables of the public schema that are due: never analyzed, or grown or shrunk past GROWTH. */
export function staleTables(tables: TableSize[]): string[] {
  return tables
    .filter(({ analyzedPages, analyzedTuples, pages }) =>
      analyzedTuples < 0 ? pages > 0 : Math.abs(pages - analyzedPages) > Math.max(1, analyzedPages * GROWTH),
    )
    .map((table) => table.name);
}

/** Analyzes the tables that are due, one at a time; returns their names. */
export async function analyzeStaleTables(db: Db): Promise<string[]> {
  const tables = await db.$queryRaw<TableSize[]>`
    SELECT c.relname AS name, c.relpages AS "analyzedPages", c.reltuples::float8 AS "analyzedTuples",
           (pg_relation_size(c.oid) / current_setting('block_size')::int)::int AS pages
    FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'`;
  const due = staleTables(tables);
  for (const name of due) {
    await db.$transaction([
      db.$executeRawUnsafe(`SET LOCAL default_statistics_target = ${STATISTICS_TARGET}`),
      db.$executeRawUnsafe(`ANALYZE "${name.replaceAll('"', '""')}"`),
    ]);
  }
  return due;
}

/**
 * Checks every `intervalMs` for tables that are due, and once `firstAfterMs` after it starts: past
 * the start-up's own queries on the one connection, soon enough for a freshly seeded demo. A failed
 * round is logged and the next one tries again; the timers do not keep the process alive.
 */
export function startStatisticsUpkeep(options: { db: Db; intervalMs?: number; firstAfterMs?: number; log?: (message: string) => void }): () => void {
  const { db, intervalMs = 60_000, firstAfterMs = 5_000, log = console.log } = options;
  let running = false;
  const round = async () => {
    if (running) return;
    running = true;
    try {
      const started = performance.now();
      const analyzed = await analyzeStaleTables(db);
      if (analyzed.length > 0) log(`[db] analyzed ${analyzed.length} table(s) in ${Math.round(performance.now() - started)} ms: ${analyzed.join(", ")}`);
    } catch (error) {
      log(`[db] could not analyze the embedded database's tables: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      running = false;
    }
  };
  const first = setTimeout(() => void round(), firstAfterMs);
  const timer = setInterval(() => void round(), intervalMs);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
