// PostgreSQL only: a COPY connection that the database ends (a restart, an administrator) fails the
// import or export it carries, with the database's reason, and leaves the process running. The
// database going away while the connection sits between two statements once ended a worker with
// an unhandled 'error' event (seen in the database-restart fault test).
import { describe, expect, it } from "vitest";
import { db, driverOf } from "@/lib/db";
import { COPY_APPLICATION_NAME, copyIn, copyOut } from "@/lib/storage/copy";
import { waitFor } from "@/test/wait";

// How many COPY connections the last terminateCopyConnections found (an import fails before it returns).
let terminated = 0;

/** Ends every COPY connection from the server side, then waits until the database has let them go. */
async function terminateCopyConnections(): Promise<void> {
  const pids = await db().$queryRaw<{ pid: number }[]>`SELECT pid FROM pg_stat_activity WHERE application_name = ${COPY_APPLICATION_NAME}`;
  terminated = pids.length;
  for (const { pid } of pids) await db().$queryRaw`SELECT pg_terminate_backend(${pid}::int)`;
  await waitFor("the COPY backends to exit", async () => (await db().$queryRaw<unknown[]>`SELECT 1 FROM pg_stat_activity WHERE application_name = ${COPY_APPLICATION_NAME}`).length === 0);
  // The backend's last message (FATAL 57P01) reaches the idle client.
  await new Promise((r) => setTimeout(r, 200));
}

function postgres() {
  const driver = driverOf(db());
  if (driver?.kind !== "postgresql") throw new Error("this file runs on PostgreSQL only");
  return driver;
}

describe("COPY when the database ends the connection", () => {
  it("an export between two slices fails with the reason, and the process goes on", async () => {
    terminated = 0;
    const out = copyOut(postgres(), {
      options: "WITH (FORMAT csv)",
      queries: async function* () {
        yield "SELECT 1 AS n";
        await terminateCopyConnections();
        yield "SELECT 2 AS n";
      },
    });
    const chunks: Buffer[] = [];
    const read = (async () => {
      for await (const chunk of out.stream) chunks.push(chunk as Buffer);
    })();
    await expect(read).rejects.toThrow(/connection of the export was lost: terminating connection due to administrator command/);
    expect(terminated).toBe(1);
    expect(Buffer.concat(chunks).toString()).toBe("1\n");
    // The process still answers: another COPY runs after it.
    const again = copyOut(postgres(), { options: "WITH (FORMAT csv)", queries: async function* () { yield "SELECT 3 AS n"; } });
    let text = "";
    for await (const chunk of again.stream) text += String(chunk);
    expect(text).toBe("3\n");
  });

  it("an import in the middle of its COPY fails with the reason and writes nothing", async () => {
    await db().$executeRawUnsafe(`CREATE TABLE IF NOT EXISTS public.copy_lost_target (n int)`);
    await db().$executeRawUnsafe(`TRUNCATE public.copy_lost_target`);
    terminated = 0;
    const importing = copyIn(postgres(), {
      target: "public.copy_lost_target (n)",
      options: "WITH (FORMAT csv)",
      input: (async function* () {
        yield Buffer.from("1\n2\n");
        await terminateCopyConnections();
        yield Buffer.from("3\n");
      })(),
    });
    await expect(importing).rejects.toThrow(/terminating connection due to administrator command|Connection terminated/);
    expect(terminated).toBe(1);
    expect(await db().$queryRawUnsafe(`SELECT count(*)::int AS n FROM public.copy_lost_target`)).toEqual([{ n: 0 }]);
    await db().$executeRawUnsafe(`DROP TABLE public.copy_lost_target`);
  });
});
