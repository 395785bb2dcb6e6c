import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { newStagingName } from "@/lib/storage/identifiers";
import { createStagingTable, dropDataTable, findDuplicateKey, insertStagingBatch, readStagingBatches } from "@/lib/storage/table-sql";

describe("staging tables", () => {
  it("keeps values exactly, finds a duplicate key with its lines, and reads back in order across many batches", async () => {
    const name = newStagingName(BigInt(Date.now()));
    await createStagingTable(db(), { name, width: 3 });
    try {
      const awkward = ["", "comma, inside", 'quote " inside', "new\nline", "ünïcödé 😀", "  spaces  ", "\\N", "NULL"];
      const rows = Array.from({ length: 3000 }, (_, i) => [String(i), awkward[i % awkward.length]!, `k${i % 2999}`]);
      for (let i = 0; i < rows.length; i += 700) {
        const json = JSON.stringify(rows.slice(i, i + 700).map((r, j) => [i + j + 2, ...r]));
        await insertStagingBatch(db(), { name, width: 3, json });
      }
      const batches: string[][][] = [];
      for await (const batch of readStagingBatches(db(), { name, width: 3, blocksPerBatch: 2 })) batches.push(batch);
      expect(batches.length).toBeGreaterThan(5);
      expect(batches.flat()).toEqual(rows);
      expect(await findDuplicateKey(db(), { name, keyPositions: [2] })).toEqual({ firstLine: 2, line: 3001, key: ["k0"] });
      expect(await findDuplicateKey(db(), { name, keyPositions: [0] })).toBeNull();
    } finally {
      await dropDataTable(db(), name);
    }
  });
});
