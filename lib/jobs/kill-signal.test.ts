import { afterEach, describe, expect, it, vi } from "vitest";
import type { DbClient } from "@/lib/db";

// Next.js bundles kill-signal.ts once for the API routes and once for the in-process workers: two
// module instances in one process. A kill or a "new work" published by one must reach the other.
const fakeDb = { $executeRaw: async () => 0 } as unknown as DbClient;

async function freshInstance() {
  vi.resetModules();
  return import("./kill-signal");
}

afterEach(() => vi.resetModules());

describe("the kill and wake bus", () => {
  it("is one per process, whatever the bundling: a second module instance hears the first", async () => {
    const api = await freshInstance();
    const worker = await freshInstance();
    expect(worker).not.toBe(api);
    const kills: string[][] = [];
    let woken = 0;
    const offKill = worker.onKill((ids) => kills.push(ids));
    const offWork = worker.onWork(() => woken++);
    await api.publishKill(fakeDb, [7n, 8n]);
    await api.publishWork(fakeDb);
    expect(kills).toEqual([["7", "8"]]);
    expect(woken).toBe(1);
    offKill();
    offWork();
    await api.publishKill(fakeDb, [9n]);
    expect(kills).toEqual([["7", "8"]]);
  });

  it("also sends the signal to other processes through PostgreSQL", async () => {
    const sent: unknown[][] = [];
    const db = { $executeRaw: async (...args: unknown[]) => sent.push(args) } as unknown as DbClient;
    const bus = await freshInstance();
    await bus.publishKill(db, [1n]);
    expect(sent).toHaveLength(1);
  });
});
