// Page weight: the first-load JavaScript of Jobdeck's pages beside a bare Next.js page built with the
// same next, react and react-dom versions, and how soon a cold load shows something: the first job
// row of /jobs against the bare page's heading, in Debian's Chromium, each load in a fresh browser
// context (no cache): when it is in the document (outside a hidden streaming slot) and when it is
// painted (Element Timing). Prints KB, ratios and the targets (1.25× for weight, 1.3× for the first
// row). The bare page is measured prerendered (the target's measure), rendered per request, and
// rendered per request after spending some of the server's CPU (as much as /jobs's answer at most).
//   npm run bench:pages -- [--loads 9]
// The bare app is installed once into the system's temporary folder (npm registry) and built there;
// Jobdeck is started as `npm start` starts it (building when its sources changed), on a fresh
// embedded database with the demo project.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import http from "node:http";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { chromium, type Browser } from "@playwright/test";
import { CHROMIUM_ARGS } from "@/e2e/fixtures";
import { firstLoadJs, kb } from "@/scripts/page-weight";
import { startJobdeckServer } from "@/test/faults/jobdeck-server";
import { machine, options, percentile, table } from "./lib";

const opts = options({ loads: { default: "9" } });
const loads = opts.quick ? 3 : opts.loads;
const root = path.resolve(import.meta.dirname, "..");
const WEIGHT_TARGET = 1.25;
const FIRST_ROW_TARGET = 1.3;
/** What the bare page's server spends before answering in the `/busy` rows: up to about /jobs's warm answer. */
const BUSY_MS = [10, 20, 35];

const version = (pkg: string) => (JSON.parse(readFileSync(path.join(root, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
const versions = { next: version("next"), react: version("react"), "react-dom": version("react-dom") };

/**
 * A Next.js app with nothing else, of the versions Jobdeck runs: its one page prerendered (`/`,
 * the target's measure), rendered for each request as Jobdeck's pages are (`/dynamic`), and
 * rendered for each request after `?ms=` of the server's CPU (`/busy`): how a cold load's first
 * heading moves with what the server spends on the answer.
 */
function buildBareApp(): string {
  const dir = path.join(os.tmpdir(), `jobdeck-bench-bare-next-${versions.next}-${versions.react}-4`);
  mkdirSync(path.join(dir, "app"), { recursive: true });
  if (!existsSync(path.join(dir, "node_modules/next/package.json"))) {
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "bare-next", private: true }));
    const install = spawnSync("npm", ["install", "--no-audit", "--no-fund", ...Object.entries(versions).map(([p, v]) => `${p}@${v}`)], { cwd: dir, stdio: "inherit" });
    if (install.status !== 0) throw new Error(`npm install of the bare app failed in ${dir}`);
  }
  writeFileSync(path.join(dir, "app/layout.jsx"), 'export default function RootLayout({ children }) {\n  return (<html lang="en"><body>{children}</body></html>);\n}\n');
  writeFileSync(path.join(dir, "app/page.jsx"), "export default function Page() {\n  return <main><h1>Hello</h1></main>;\n}\n");
  mkdirSync(path.join(dir, "app/dynamic"), { recursive: true });
  writeFileSync(
    path.join(dir, "app/dynamic/page.jsx"),
    'import { connection } from "next/server";\n\nexport default async function Page() {\n  await connection();\n  return <main><h1>Hello</h1></main>;\n}\n',
  );
  mkdirSync(path.join(dir, "app/busy"), { recursive: true });
  writeFileSync(
    path.join(dir, "app/busy/page.jsx"),
    `import { connection } from "next/server";

// A fixed amount of work, not a wall-clock wait: under contention it takes longer, as a real answer does.
const spin = (n) => { let x = 0; for (let i = 0; i < n; i++) x = (x + i * 7) % 1000003; return x; };
// Iterations per millisecond, measured on the first request (the second run, after the JIT).
const calibrate = () => { const started = performance.now(); spin(5e6); return 5e6 / (performance.now() - started); };
let perMs;

export default async function Page({ searchParams }) {
  await connection();
  perMs ??= (calibrate(), calibrate());
  return <main><h1 data-spun={spin(Math.round(perMs * Number((await searchParams).ms ?? 0)))}>Hello</h1></main>;
}
`,
  );
  if (!existsSync(path.join(dir, ".next/BUILD_ID"))) {
    const build = spawnSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], { cwd: dir, stdio: "inherit" });
    if (build.status !== 0) throw new Error(`next build of the bare app failed in ${dir}`);
  }
  return dir;
}

async function startBare(dir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(port), "-H", "127.0.0.1"], { cwd: dir, stdio: "ignore" });
  for (let i = 0; i < 200; i++) {
    if ((await fetch(`http://127.0.0.1:${port}/`).catch(() => null))?.ok) {
      // `/busy` measures its work per millisecond on its first request: here, before Chromium starts.
      await fetch(`http://127.0.0.1:${port}/busy?ms=0`);
      return child;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error("the bare Next.js app did not start");
}

type Load = { ttfbMs: number; firstMs: number; paintedMs: number; loadMs: number; scriptGzipBytes: number; scripts: number };

/**
 * One cold load: a new context, `selector`'s first appearance in the document (a MutationObserver
 * from before the HTML arrives) and the load event, both from navigation start; and every script
 * the page fetched before it was loaded, gzipped.
 */
async function coldLoad(browser: Browser, url: string, selector: string, signIn?: string): Promise<Load> {
  const context = await browser.newContext();
  try {
    if (signIn) {
      const answer = await context.request.post(`${signIn}/api/session`, { data: { demo: true }, headers: { Origin: signIn } });
      if (!answer.ok()) throw new Error(`demo sign-in answered ${answer.status()}`);
    }
    const page = await context.newPage();
    // A string, not a function: tsx would wrap a function's inner names in a helper the page lacks.
    await page.addInitScript(`{
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) if (entry.identifier === "bench-first") window.__painted = Math.min(window.__painted ?? Infinity, entry.renderTime);
      }).observe({ type: "element", buffered: true });
      let found = null;
      new MutationObserver((_, observer) => {
        found ??= [...document.querySelectorAll(${JSON.stringify(selector)})].find((el) => !el.closest("[hidden]")) ?? null;
        if (!found) return;
        window.__first ??= performance.now();
        // Element Timing reports when an element's own text is painted: mark every element in it
        // that holds text before any frame is rendered (observers run ahead of rendering), and keep
        // the earliest. Every one, as the parser adds them: the first may never be painted (a
        // row's phone-only "Select" label is display:none on a wide window).
        const walker = document.createTreeWalker(found, NodeFilter.SHOW_TEXT, { acceptNode: (n) => (n.data.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP) });
        for (let text = walker.nextNode(); text; text = walker.nextNode()) text.parentElement?.setAttribute("elementtiming", "bench-first");
        if (document.readyState !== "loading") observer.disconnect();
      }).observe(document, { childList: true, subtree: true });
    }`);
    const bodies: Promise<number>[] = [];
    page.on("response", (response) => {
      if (response.request().resourceType() === "script") bodies.push(response.body().then((b) => gzipSync(b, { level: 9 }).length));
    });
    await page.goto(url, { waitUntil: "load" });
    await page.waitForSelector(selector);
    // Polled inside the page by one evaluate: waitForFunction evaluates its predicate again and again
    // in the page, which Jobdeck's Content-Security-Policy forbids.
    const painted = await page.evaluate(
      "new Promise((resolve) => { const started = performance.now(); const check = () => (window.__painted !== undefined || performance.now() - started > 10000 ? resolve(window.__painted !== undefined) : setTimeout(check, 20)); check(); })",
    );
    if (!painted) throw new Error(`${url}: the first ${selector} was never reported painted`);
    const { first, paintedAt, load, ttfb } = (await page.evaluate(
      "(() => { const n = performance.getEntriesByType('navigation')[0]; return { first: window.__first, paintedAt: window.__painted, load: n.loadEventEnd, ttfb: n.responseStart }; })()",
    )) as { first?: number; paintedAt: number; load: number; ttfb: number };
    if (first === undefined) throw new Error(`${url}: ${selector} was never seen by the page's observer`);
    const sizes = await Promise.all(bodies);
    return { ttfbMs: ttfb, firstMs: first, paintedMs: paintedAt, loadMs: load, scriptGzipBytes: sizes.reduce((a, b) => a + b, 0), scripts: sizes.length };
  } finally {
    await context.close();
  }
}

const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);

/**
 * The server's own answer, warm: `samples` GETs one after another on one keep-alive connection
 * (node:http, gzip as a browser asks), each timed to its last byte, and the answer's size. Beside
 * the cold loads it tells the server's part from the browser's.
 */
async function warmAnswers(url: string, cookie: string | null, samples = 50): Promise<{ ms: number; htmlKb: number }> {
  const agent = new http.Agent({ keepAlive: true });
  const get = () =>
    new Promise<{ ms: number; bytes: number }>((resolve, reject) => {
      const started = performance.now();
      http
        .get(url, { agent, headers: { "accept-encoding": "identity", accept: "text/html", ...(cookie && { cookie }) } }, (response) => {
          let bytes = 0;
          response.on("data", (chunk: Buffer) => (bytes += chunk.length));
          response.on("end", () => (response.statusCode === 200 ? resolve({ ms: performance.now() - started, bytes }) : reject(new Error(`${url} answered ${response.statusCode}`))));
        })
        .on("error", reject);
    });
  for (let i = 0; i < 10; i++) await get();
  const answers: { ms: number; bytes: number }[] = [];
  for (let i = 0; i < samples; i++) answers.push(await get());
  agent.destroy();
  return { ms: median(answers.map((a) => a.ms)), htmlKb: median(answers.map((a) => a.bytes)) / 1024 };
}

const bareDir = buildBareApp();
const barePort = 3460 + Math.floor(Math.random() * 20);
const bare = await startBare(bareDir, barePort);
const jobdeck = await startJobdeckServer({ databaseUrl: null, env: { JOBDECK_DEMO_ACTIVITY: "0" }, ports: [3480, 3499] });
const browser = await chromium.launch({
  executablePath: [process.env.CHROMIUM_PATH, "/usr/bin/chromium"].find((p) => p && existsSync(p)),
  args: CHROMIUM_ARGS,
});
try {
  console.log(`Page weight — next ${versions.next}, react ${versions.react} — ${machine("embedded PGlite, demo project")}`);
  const bareBuilt = firstLoadJs(bareDir).find((w) => w.route === "/")!;
  const built = firstLoadJs(root);
  table(`First-load JS from the builds (gzip -9), ÷ the bare page's ${kb(bareBuilt.gzipBytes)} KB; target ≤ ${WEIGHT_TARGET}×`, [
    ...["/sign-in", "/jobs", "/jobs/[id]", "/components", "/storage", "/schedules"].flatMap((route) => {
      const w = built.find((b) => b.route === route);
      return w ? [{ page: route, "KB gzipped": w.gzipBytes / 1024, "÷ bare": w.gzipBytes / bareBuilt.gzipBytes, met: ["/sign-in", "/jobs"].includes(route) ? (w.gzipBytes / bareBuilt.gzipBytes <= WEIGHT_TARGET ? "yes" : "NO") : "" }] : [];
    }),
  ]);

  const runs = { bare: [] as Load[], bareDynamic: [] as Load[], signIn: [] as Load[], jobs: [] as Load[] };
  const busy = new Map(BUSY_MS.map((ms) => [ms, [] as Load[]]));
  // Warm-ups (a fresh server compiles its routes on first use), then turns, so neither server is
  // measured only while the other is busy.
  for (let i = 0; i < 3; i++) {
    await coldLoad(browser, `http://127.0.0.1:${barePort}/`, "h1");
    await coldLoad(browser, `http://127.0.0.1:${barePort}/dynamic`, "h1");
    await coldLoad(browser, `${jobdeck.base}/sign-in`, "form");
    await coldLoad(browser, `${jobdeck.base}/jobs`, "tr[data-job-id]", jobdeck.base);
    await coldLoad(browser, `http://127.0.0.1:${barePort}/busy?ms=${BUSY_MS[0]}`, "h1");
  }
  for (let i = 0; i < loads; i++) {
    runs.bare.push(await coldLoad(browser, `http://127.0.0.1:${barePort}/`, "h1"));
    runs.bareDynamic.push(await coldLoad(browser, `http://127.0.0.1:${barePort}/dynamic`, "h1"));
    runs.signIn.push(await coldLoad(browser, `${jobdeck.base}/sign-in`, "form"));
    runs.jobs.push(await coldLoad(browser, `${jobdeck.base}/jobs`, "tr[data-job-id]", jobdeck.base));
    for (const [ms, loaded] of busy) loaded.push(await coldLoad(browser, `http://127.0.0.1:${barePort}/busy?ms=${ms}`, "h1"));
  }
  const bareFirst = median(runs.bare.map((r) => r.firstMs));
  const barePainted = median(runs.bare.map((r) => r.paintedMs));
  const bareScripts = median(runs.bare.map((r) => r.scriptGzipBytes));
  const row = (page: string, what: string, r: Load[]) => ({
    page,
    "first shown": what,
    "HTML first byte ms": median(r.map((l) => l.ttfbMs)),
    "first ms (median)": median(r.map((l) => l.firstMs)),
    "÷ bare": median(r.map((l) => l.firstMs)) / bareFirst,
    "painted ms": median(r.map((l) => l.paintedMs)),
    "painted ÷ bare": median(r.map((l) => l.paintedMs)) / barePainted,
    "load event ms": median(r.map((l) => l.loadMs)),
    scripts: median(r.map((l) => l.scripts)),
    "script KB gzipped": median(r.map((l) => l.scriptGzipBytes)) / 1024,
    "KB ÷ bare": median(r.map((l) => l.scriptGzipBytes)) / bareScripts,
  });
  table(`Cold loads in Chromium, ${loads} each, medians (targets: first job row ≤ ${FIRST_ROW_TARGET}× the bare page's heading; scripts ≤ ${WEIGHT_TARGET}×)`, [
    row("bare Next.js /", "h1", runs.bare),
    row("bare, per request", "h1", runs.bareDynamic),
    row("/sign-in", "the form", runs.signIn),
    row("/jobs (signed in)", "first job row", runs.jobs),
    ...[...busy].map(([ms, loaded]) => row(`bare + ${ms} ms of CPU`, "h1", loaded)),
  ]);

  const session = await fetch(`${jobdeck.base}/api/session`, { method: "POST", headers: { "content-type": "application/json", origin: jobdeck.base }, body: JSON.stringify({ demo: true }) });
  const cookie = session.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const warm = {
    bare: await warmAnswers(`http://127.0.0.1:${barePort}/dynamic`, null),
    signIn: await warmAnswers(`${jobdeck.base}/sign-in`, null),
    jobs: await warmAnswers(`${jobdeck.base}/jobs`, cookie),
    busy: [] as [number, { ms: number; htmlKb: number }][],
  };
  for (const ms of BUSY_MS) warm.busy.push([ms, await warmAnswers(`http://127.0.0.1:${barePort}/busy?ms=${ms}`, null)]);
  const warmRow = (page: string, w: { ms: number; htmlKb: number }) => ({ page, "answer ms (median)": w.ms, "÷ bare": w.ms / warm.bare.ms, "HTML KB": w.htmlKb });
  table("The server's answer alone, warm: 50 requests one after another on one connection, each to its last byte (uncompressed)", [
    warmRow("bare, per request", warm.bare),
    warmRow("/sign-in", warm.signIn),
    warmRow("/jobs (signed in)", warm.jobs),
    ...warm.busy.map(([ms, w]) => warmRow(`bare + ${ms} ms of CPU`, w)),
  ]);
} finally {
  await browser.close();
  bare.kill();
  await jobdeck.stop();
}
