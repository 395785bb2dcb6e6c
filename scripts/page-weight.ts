// First-load JavaScript of each page, gzipped: what a browser downloads before the page is usable.
// `npm run build` prints it after `next build`; bench/page-weight.ts compares it with a bare
// Next.js page of the same versions. Read from Next.js's own route-bundle-stats.json (the chunks
// a route's HTML loads); the size counted is gzip at level 9, one chunk once per page.
//   npx tsx scripts/page-weight.ts [project folder]
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

export type PageWeight = { route: string; gzipBytes: number; bytes: number; chunks: number };

/** Every page route of a built project (`.next` inside `projectDir`), API routes left out. */
export function firstLoadJs(projectDir: string): PageWeight[] {
  const statsFile = path.join(projectDir, ".next/diagnostics/route-bundle-stats.json");
  let stats: { route: string; firstLoadChunkPaths: string[] }[];
  try {
    stats = JSON.parse(readFileSync(statsFile, "utf8"));
  } catch (error) {
    throw new Error(`No build statistics in ${statsFile}: run \`npm run build\` first (${(error as Error).message})`);
  }
  const gzipped = new Map<string, { gzip: number; raw: number }>();
  const sizeOf = (chunk: string) => {
    let size = gzipped.get(chunk);
    if (!size) {
      const bytes = readFileSync(path.join(projectDir, chunk));
      size = { gzip: gzipSync(bytes, { level: 9 }).length, raw: bytes.length };
      gzipped.set(chunk, size);
    }
    return size;
  };
  return stats
    .filter((s) => !s.route.startsWith("/api/") && s.route !== "/_not-found")
    .map((s) => {
      const chunks = [...new Set(s.firstLoadChunkPaths)];
      const sizes = chunks.map(sizeOf);
      return { route: s.route, gzipBytes: sizes.reduce((a, b) => a + b.gzip, 0), bytes: sizes.reduce((a, b) => a + b.raw, 0), chunks: chunks.length };
    })
    .sort((a, b) => a.route.localeCompare(b.route));
}

export const kb = (bytes: number) => (bytes / 1024).toFixed(1);

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const weights = firstLoadJs(path.resolve(process.argv[2] ?? "."));
  const width = Math.max(...weights.map((w) => w.route.length));
  console.log(`\nFirst-load JS per page (gzip -9; bench/page-weight.ts compares it with a bare Next.js page):`);
  for (const w of weights) console.log(`  ${w.route.padEnd(width)}  ${kb(w.gzipBytes).padStart(6)} KB gzipped  ${kb(w.bytes).padStart(6)} KB  ${w.chunks} chunks`);
}
