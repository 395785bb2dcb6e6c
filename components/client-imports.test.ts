// What the browser loads: every module a "use client" file reaches by value imports (type-only
// imports are erased) must stay clear of zod and next/link, which would put ≈ 35 KB gzipped back
// into every page's first load (bench/page-weight.ts measures it; DEVELOPERS.md says why).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const FORBIDDEN = ["zod", "next/link"];

/** The specifiers a module imports by value: `import type` and `import { type A }`-only lists are left out. */
function valueImports(source: string): string[] {
  const found: string[] = [];
  const statement = /(^|\n)\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*["']([^"']+)["']|(^|\n)\s*import\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
  for (const m of source.matchAll(statement)) {
    if (m[7] || m[8]) {
      found.push((m[7] ?? m[8])!);
      continue;
    }
    if (m[3]) continue;
    const clause = m[4]!.trim();
    const braces = clause.match(/^\{([\s\S]*)\}$/);
    if (braces && braces[1]!.split(",").every((name) => name.trim() === "" || name.trim().startsWith("type "))) continue;
    found.push(m[5]!);
  }
  return found;
}

function resolve(specifier: string): string | null {
  if (!specifier.startsWith("@/")) return null;
  const base = path.join(root, specifier.slice(2));
  return [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")].find((candidate) => existsSync(candidate) && statSync(candidate).isFile()) ?? null;
}

function clientEntries(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.tsx?$/.test(entry.name) && !entry.name.includes(".test.") && /^\s*["']use client["']/.test(readFileSync(full, "utf8"))) files.push(full);
    }
  };
  walk(path.join(root, "components"));
  walk(path.join(root, "app"));
  return files;
}

describe("the browser's modules", () => {
  it("reads value imports and leaves type-only ones out", () => {
    const source = `import type { A } from "zod";\nimport { type B, type C } from "@/lib/schemas/jobs";\nimport { z } from "zod";\nimport Link from "next/link";\nexport { x } from "@/lib/x";\nconst D = lazy(() => import("@/components/d"));`;
    expect(valueImports(source)).toEqual(["zod", "next/link", "@/lib/x", "@/components/d"]);
  });

  it("never reach zod or next/link from a client component", () => {
    const entries = clientEntries();
    expect(entries.length).toBeGreaterThan(20);
    const reached = new Map<string, string>(entries.map((file) => [file, "(client entry)"]));
    const queue = [...entries];
    const offenders: string[] = [];
    while (queue.length > 0) {
      const file = queue.shift()!;
      for (const specifier of valueImports(readFileSync(file, "utf8"))) {
        if (FORBIDDEN.includes(specifier)) offenders.push(`${path.relative(root, file)} imports ${specifier} (reached from ${reached.get(file)})`);
        const target = resolve(specifier);
        if (target && !reached.has(target)) {
          reached.set(target, path.relative(root, file));
          queue.push(target);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
