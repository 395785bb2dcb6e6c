// runProcess with real programs (python3, node), real folders under os.tmpdir() and real bubblewrap.
// Without a working bwrap the sandbox tests fail, saying why: CI installs bubblewrap.
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_LINE_CHARS, SANDBOX_UID, probeSandbox, runProcess } from "@/worker/runtime/run-process";
import { DEFAULT_LIMITS, type OutputLine, type ProcessLimits, type RunProcessOptions } from "@/worker/runtime/types";

const base = mkdtempSync(path.join(os.tmpdir(), "jobdeck-run-process-test-"));
chmodSync(base, 0o755); // as the run dir: nobody must reach the folders inside
const repo = path.resolve(import.meta.dirname, "../..");
let counter = 0;

afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A fresh code folder holding `files`, an empty data folder and an output path. */
function folders(files: Record<string, string>) {
  counter += 1;
  const root = path.join(base, `run-${counter}`);
  const codeDir = path.join(root, "code");
  const dataDir = path.join(root, "data");
  mkdirSync(codeDir, { recursive: true });
  mkdirSync(dataDir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(codeDir, name), text);
  return { codeDir, dataDir, outputPath: path.join(root, "output.txt") };
}

type Run = Partial<Omit<RunProcessOptions, "limits">> & { limits?: Partial<ProcessLimits>; files?: Record<string, string> };

async function run(options: Run & { python?: string }) {
  const files = options.python ? { "main.py": options.python, ...options.files } : (options.files ?? {});
  const dirs = folders(files);
  const lines: OutputLine[] = [];
  const batches: number[] = [];
  const outcome = await runProcess({
    command: ["python3", "main.py"],
    env: {},
    signal: new AbortController().signal,
    onLines: async (batch) => {
      batches.push(batch.length);
      lines.push(...batch);
    },
    ...dirs,
    ...options,
    limits: { ...DEFAULT_LIMITS, killGraceMs: 500, ...options.limits },
  });
  return { outcome, lines, batches, ...dirs, output: () => readFileSync(dirs.outputPath, "utf8") };
}

const texts = (lines: OutputLine[]) => lines.map((l) => l.text);
const uniqueMarker = () => `jobdeck-marker-${process.pid}-${Date.now().toString(36)}-${++counter}`;

/** Pids whose command line holds `marker`. */
function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, "utf8").includes(marker)) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function eventually(check: () => boolean, what: string, ms = 5000): Promise<void> {
  for (const started = Date.now(); Date.now() - started < ms; ) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting until ${what}`);
}

// A program that announces itself, ignores SIGTERM, has a child that ignores it too, and sleeps.
const stubborn = (marker: string) => `
import os, signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)", "${marker}"])
time.sleep(0.2)
print("ready", flush=True)
time.sleep(600)
`;

describe("runProcess in the bubblewrap sandbox", { timeout: 60_000 }, () => {
  beforeAll(async () => {
    const problem = await probeSandbox();
    if (problem) throw new Error(`These tests need a working bubblewrap (CI installs the bubblewrap package): ${problem}`);
  });

  it("reports the exit code and runs in the sandbox", async () => {
    for (const code of [0, 1, 2]) {
      const { outcome } = await run({ sandbox: "bwrap", python: `import sys; sys.exit(${code})` });
      expect(outcome).toMatchObject({ end: "exited", exitCode: code, signal: null, sandbox: "bwrap" });
    }
  });

  it("reports a program killed by a signal", async () => {
    const { outcome } = await run({ sandbox: "bwrap", python: "import os, signal; os.kill(os.getpid(), signal.SIGKILL)" });
    expect(outcome).toMatchObject({ end: "signaled", signal: "SIGKILL", exitCode: null });
  });

  it("names a command that does not exist", async () => {
    const { outcome } = await run({ sandbox: "bwrap", command: ["no-such-program-xyz", "x"] });
    expect(outcome.end).toBe("spawnFailed");
    expect(outcome.message).toMatch(/no-such-program-xyz/);
  });

  it("passes stdout and stderr on as lines, in order, redacted, \\r stripped and invalid UTF-8 replaced", async () => {
    const { outcome, lines, output } = await run({
      sandbox: "bwrap",
      redact: (text) => text.replaceAll("s3cret", "[hidden]"),
      python: `
import sys, time
def out(s): sys.stdout.write(s); sys.stdout.flush(); time.sleep(0.05)
def err(s): sys.stderr.write(s); sys.stderr.flush(); time.sleep(0.05)
out("one\\n"); err("two\\n"); out("three with s3cret\\r\\n"); err("four\\n")
sys.stdout.buffer.write(b"bad \\xff byte\\n"); sys.stdout.flush(); time.sleep(0.05)
out("no newline at the end")`,
    });
    const expected = [
      { stream: "stdout", text: "one" },
      { stream: "stderr", text: "two" },
      { stream: "stdout", text: "three with [hidden]" },
      { stream: "stderr", text: "four" },
      { stream: "stdout", text: "bad \uFFFD byte" },
      { stream: "stdout", text: "no newline at the end" },
    ];
    expect(lines).toEqual(expected);
    expect(outcome).toMatchObject({ end: "exited", exitCode: 0, lines: 6, tail: expected });
    expect(outcome.bytes).toBe(Buffer.byteLength("one\ntwo\nthree with s3cret\r\nfour\nbad \xff byte\nno newline at the end", "latin1"));
    expect(output()).toBe(`${expected.map((l) => l.text).join("\n")}\n`);
  });

  it("cuts over-long lines in events but keeps them whole in the output file", async () => {
    const { lines, output } = await run({
      sandbox: "bwrap",
      python: `import sys\nprint("a" * 10000 + "END")\nprint("é" * (3 << 20) + "END")\nprint("short")`,
    });
    expect(lines).toHaveLength(3);
    expect(lines[0]!.text).toBe(`${"a".repeat(MAX_LINE_CHARS)} … [6,003 more characters cut]`);
    expect(lines[1]!.text).toBe(`${"é".repeat(MAX_LINE_CHARS)} … [${((3 << 20) + 3 - MAX_LINE_CHARS).toLocaleString("en-US")} more characters cut]`);
    expect(lines[2]!.text).toBe("short");
    expect(output()).toBe(`${"a".repeat(10000)}END\n${"é".repeat(3 << 20)}END\nshort\n`);
  });

  it("counts every line of a million-line printer and keeps them all in the file", async () => {
    let count = 0;
    let last = "";
    let largestBatch = 0;
    const { outcome, output } = await run({
      sandbox: "bwrap",
      python: `import sys\nw = sys.stdout.write\nfor i in range(1_000_000): w(f"line {i}\\n")`,
      onLines: async (batch) => {
        count += batch.length;
        largestBatch = Math.max(largestBatch, batch.length);
        last = batch.at(-1)!.text;
      },
    });
    expect(outcome).toMatchObject({ end: "exited", exitCode: 0, lines: 1_000_000 });
    expect(count).toBe(1_000_000);
    expect(largestBatch).toBeLessThanOrEqual(500);
    expect(last).toBe("line 999999");
    const text = output();
    expect(text.length).toBe(outcome.bytes);
    expect(text.endsWith("line 999998\nline 999999\n")).toBe(true);
    expect(text.split("\n")).toHaveLength(1_000_001);
  });

  it("ends a program that runs past its time", async () => {
    const { outcome } = await run({ sandbox: "bwrap", python: "import time; time.sleep(60)", limits: { timeoutSeconds: 1 } });
    expect(outcome).toMatchObject({ end: "timeout" });
    expect(outcome.durationMs).toBeLessThan(10_000);
  });

  it("kills a program over its memory limit", async () => {
    const { outcome } = await run({ sandbox: "bwrap", python: 'import time\ns = b"x" * (400 << 20)\ntime.sleep(60)', limits: { memoryMb: 100 } });
    expect(outcome).toMatchObject({ end: "memory" });
    expect(outcome.peakRssBytes).toBeGreaterThan(100 * 1024 * 1024);
  });

  it("kills a program whose data folder grows past the limit: one big file, or many small ones", async () => {
    const big = await run({
      sandbox: "bwrap",
      python: 'import time\nwith open("/data/big", "wb") as f:\n  for _ in range(20): f.write(b"x" * (1 << 20)); f.flush()\ntime.sleep(60)',
      limits: { dataFolderMb: 5 },
    });
    expect(big.outcome).toMatchObject({ end: "dataFolder" });
    const many = await run({
      sandbox: "bwrap",
      python: 'import time\nfor i in range(10):\n  open(f"/data/f{i}", "wb").write(b"x" * (1 << 20))\ntime.sleep(60)',
      limits: { dataFolderMb: 5 },
    });
    expect(many.outcome).toMatchObject({ end: "dataFolder" });
  });

  it("terminates a program that ignores SIGTERM after the grace, leaving no process behind", async () => {
    const marker = uniqueMarker();
    const abort = new AbortController();
    const { outcome } = await run({
      sandbox: "bwrap",
      python: stubborn(marker),
      signal: abort.signal,
      limits: { killGraceMs: 300 },
      onLines: async (batch) => {
        if (batch.some((l) => l.text === "ready")) {
          expect(processesWith(marker)).toHaveLength(1);
          abort.abort();
        }
      },
    });
    expect(outcome).toMatchObject({ end: "terminated" });
    expect(processesWith(marker)).toEqual([]);
  });

  it("resolves as soon as a terminated program has exited, before the grace", async () => {
    const abort = new AbortController();
    let abortedAt = 0;
    const started = Date.now();
    await run({
      sandbox: "bwrap",
      python: 'import time\nprint("ready", flush=True)\ntime.sleep(60)',
      signal: abort.signal,
      limits: { killGraceMs: 20_000 },
      onLines: async () => {
        abortedAt = Date.now();
        abort.abort();
      },
    });
    expect(Date.now() - abortedAt).toBeLessThan(5000);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("runs as nobody when Jobdeck is root, and owns the data folder", async () => {
    const { lines, dataDir } = await run({ sandbox: "bwrap", python: 'import os\nopen("/data/made", "w").write("x")\nprint(os.getuid(), os.getgid())' });
    const uid = process.getuid!() === 0 ? SANDBOX_UID : process.getuid!();
    expect(texts(lines)).toEqual([process.getuid!() === 0 ? `${SANDBOX_UID} ${SANDBOX_UID}` : `${uid} ${process.getgid!()}`]);
    expect(statSync(path.join(dataDir, "made")).uid).toBe(uid);
  });

  it("sees nothing of Jobdeck and writes only to /data and /tmp", async () => {
    const secretDir = path.join(repo, ".data-sandbox-probe");
    mkdirSync(secretDir, { recursive: true });
    const outside = [path.join(secretDir, "marker"), path.join(base, "marker"), path.join(repo, "package.json")];
    for (const file of outside.slice(0, 2)) writeFileSync(file, "secret");
    try {
      const { lines } = await run({
        sandbox: "bwrap",
        env: { OUTSIDE: JSON.stringify(outside) },
        python: `
import json, os
for f in json.loads(os.environ["OUTSIDE"]):
  try: open(f).read(); print("read", f)
  except OSError: print("cannot read")
for f in ["/usr/x", "/etc/x", "/code/x", "/x", "/proc/x"]:
  try: open(f, "w").write("x"); print("wrote", f)
  except OSError: print("cannot write")
for f in ["/data/ok", "/tmp/ok"]: open(f, "w").write("x"); print("wrote", f)
print(sorted(os.listdir("/")))
print(os.getcwd(), sorted(os.listdir("/code")))`,
      });
      expect(texts(lines)).toEqual([
        ...outside.map(() => "cannot read"),
        ...Array(5).fill("cannot write"),
        "wrote /data/ok",
        "wrote /tmp/ok",
        expect.not.stringMatching(/work|root|home|old_root|mnt/),
        "/code ['main.py']",
      ]);
    } finally {
      rmSync(secretDir, { recursive: true, force: true });
    }
  });

  it("reaches the network only when the limits allow it", async () => {
    const server = net.createServer((socket) => socket.end("pong"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    const python = `
import socket
try:
  s = socket.create_connection(("127.0.0.1", ${port}), timeout=5); print(s.recv(10).decode())
except OSError as e: print("no network")`;
    try {
      const off = await run({ sandbox: "bwrap", python, limits: { network: false } });
      expect(texts(off.lines)).toEqual(["no network"]);
      const on = await run({ sandbox: "bwrap", python, limits: { network: true } });
      expect(texts(on.lines)).toEqual(["pong"]);
    } finally {
      server.close();
    }
  });

  it("gives the program only its own environment, with KBC_DATADIR=/data/", async () => {
    process.env.JOBDECK_TEST_SECRET = "do-not-leak";
    try {
      const { lines } = await run({ sandbox: "bwrap", env: { KBC_RUNID: "123" }, python: "import json, os; print(json.dumps(dict(os.environ)))" });
      const seen = JSON.parse(lines[0]!.text) as Record<string, string>;
      expect(seen).toMatchObject({ KBC_DATADIR: "/data/", KBC_RUNID: "123", HOME: "/tmp", LANG: "C.UTF-8", PYTHONUNBUFFERED: "1", PATH: "/usr/local/bin:/usr/bin:/bin" });
      expect(Object.keys(seen).sort()).toEqual(["HOME", "KBC_DATADIR", "KBC_RUNID", "LANG", "PATH", "PWD", "PYTHONUNBUFFERED"]);
    } finally {
      delete process.env.JOBDECK_TEST_SECRET;
    }
  });

  it("runs node programs too", async () => {
    const { outcome, lines } = await run({ sandbox: "bwrap", command: ["node", "index.js"], files: { "index.js": 'console.log("from node"); console.error(process.env.KBC_DATADIR); process.exit(2)' } });
    expect(outcome).toMatchObject({ end: "exited", exitCode: 2 });
    expect(lines).toEqual([{ stream: "stdout", text: "from node" }, { stream: "stderr", text: "/data/" }]);
  });

  it("takes the program down with a worker that is SIGKILLed", async () => {
    const marker = uniqueMarker();
    const dirs = folders({ "main.py": stubborn(marker) });
    const script = path.join(base, `worker-${counter}.mts`);
    writeFileSync(
      script,
      `import { runProcess } from "@/worker/runtime/run-process";
import { DEFAULT_LIMITS } from "@/worker/runtime/types";
await runProcess({ sandbox: "bwrap", command: ["python3", "main.py"], env: {}, ...${JSON.stringify(dirs)}, limits: DEFAULT_LIMITS,
  signal: new AbortController().signal, onLines: async (lines) => { if (lines.some((l) => l.text === "ready")) console.log("ready"); } });`,
    );
    const worker = spawn(process.execPath, ["--import", "tsx", script], { cwd: repo, stdio: ["ignore", "pipe", "inherit"] });
    try {
      await new Promise<void>((resolve, reject) => {
        worker.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve());
        worker.on("exit", (code) => reject(new Error(`the worker exited (${code}) before the program was ready`)));
      });
      expect(processesWith(marker)).toHaveLength(1);
      worker.kill("SIGKILL");
      await eventually(() => processesWith(marker).length === 0, "the sandboxed program is gone");
    } finally {
      worker.kill("SIGKILL");
    }
  });
});

describe("runProcess without a sandbox", { timeout: 30_000 }, () => {
  it("reports exit codes and signals, with KBC_DATADIR the real folder", async () => {
    const exited = await run({ sandbox: "none", python: 'import os, sys\nprint(os.environ["KBC_DATADIR"])\nsys.exit(1)' });
    expect(exited.outcome).toMatchObject({ end: "exited", exitCode: 1, sandbox: "none" });
    expect(texts(exited.lines)).toEqual([`${exited.dataDir}/`]);
    const signaled = await run({ sandbox: "none", python: "import os, signal; os.kill(os.getpid(), signal.SIGKILL)" });
    expect(signaled.outcome).toMatchObject({ end: "signaled", signal: "SIGKILL" });
  });

  it("terminates the whole process group after the grace", async () => {
    const marker = uniqueMarker();
    const abort = new AbortController();
    const { outcome } = await run({
      sandbox: "none",
      python: stubborn(marker),
      signal: abort.signal,
      limits: { killGraceMs: 300 },
      onLines: async (batch) => {
        if (batch.some((l) => l.text === "ready")) abort.abort();
      },
    });
    expect(outcome).toMatchObject({ end: "terminated" });
    expect(processesWith(marker)).toEqual([]);
  });

  it("leaves no background child behind a program that exits", async () => {
    const marker = uniqueMarker();
    const { outcome } = await run({
      sandbox: "none",
      python: `import subprocess, sys, time\nsubprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", "${marker}"])\ntime.sleep(0.5)`,
    });
    expect(outcome).toMatchObject({ end: "exited", exitCode: 0 });
    expect(existsSync(base)).toBe(true);
    await eventually(() => processesWith(marker).length === 0, "the background child is gone", 2000);
  });
});
