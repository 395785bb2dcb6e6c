import { describe, expect, it } from "vitest";
import { VersionedStore } from "@/lib/versioned-store";

describe("VersionedStore", () => {
  const store = (limits: { total: number; largest: number; entries?: number }) => new VersionedStore<string>({ ...limits, sizeOf: (v) => v.length });

  it("hands a value out only at the version it was kept under", () => {
    const kept = store({ total: 100, largest: 100 });
    kept.set("a", "v1", "one");
    expect(kept.get("a", "v1")).toBe("one");
    expect(kept.get("a", "v2")).toBeUndefined();
    kept.set("a", "v2", "two");
    expect(kept.get("a", "v1")).toBeUndefined();
    expect(kept.get("a", "v2")).toBe("two");
  });

  it("forgets the least recently used first, by entries and by size, and keeps nothing larger than largest", () => {
    const byCount = store({ total: 100, largest: 100, entries: 2 });
    byCount.set("a", "v", "a");
    byCount.set("b", "v", "b");
    byCount.get("a", "v");
    byCount.set("c", "v", "c");
    expect([byCount.get("a", "v"), byCount.get("b", "v"), byCount.get("c", "v")]).toEqual(["a", undefined, "c"]);

    const bySize = store({ total: 10, largest: 6 });
    bySize.set("a", "v", "xxxx");
    bySize.set("b", "v", "yyyy");
    bySize.set("c", "v", "zzzz");
    expect([bySize.get("a", "v"), bySize.get("b", "v"), bySize.get("c", "v")]).toEqual([undefined, "yyyy", "zzzz"]);
    bySize.set("b", "w", "too large");
    expect(bySize.get("b", "w")).toBeUndefined();
    expect(bySize.get("b", "v")).toBeUndefined();
    bySize.set("d", "v", "dddddd");
    expect(bySize.get("c", "v")).toBe("zzzz");
  });
  it("reads through: loads on a miss and keeps the value at its version, never keeps under a null version", async () => {
    const kept = store({ total: 100, largest: 100 });
    let loads = 0;
    const load = async () => `value ${++loads}`;
    expect(await kept.read("a", "v1", load)).toBe("value 1");
    expect(await kept.read("a", "v1", load)).toBe("value 1");
    expect(await kept.read("a", "v2", load)).toBe("value 2");
    expect(await kept.read("a", null, load)).toBe("value 3");
    expect(await kept.read("a", null, load)).toBe("value 4");
    expect(kept.get("a", "v2")).toBe("value 2");
  });
});
