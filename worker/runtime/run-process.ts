// Runs a component's program over its data folder (Keboola's Common Interface): in a bubblewrap
// sandbox when there is one, with wall-clock, memory and data-folder limits, its output split into
// lines for events and kept whole in a file, and no process of it left behind whatever happens.
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { type Dirent, constants as fsConstants, lstatSync, readFileSync, readdirSync, readlinkSync, statSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { env } from "@/lib/env";
import type { OutputLine, OutputStream, ProcessEnd, ProcessOutcome, RunProcessOptions } from "@/worker/runtime/types";

export const SANDBOX_PATH = "/usr/local/bin:/usr/bin:/bin";
/** The user a root Jobdeck runs programs as. */
export const SANDBOX_UID = 65534;
/** Characters of one line in an event; the output file keeps the whole line. */
export const MAX_LINE_CHARS = 4000;
const BATCH_LINES = 500;
const BATCH_MS = 200;
const TREE_POLL_MS = 250;
const DATA_POLL_MS = 1000;
// A walk of the data folder stops counting here (a bounded cost per second).
const DATA_WALK_MAX_ENTRIES = 100_000;
const TAIL_LINES = 20;
// A line without a newline is written to the file in pieces of this size: memory stays flat.
const MAX_PENDING_BYTES = 1 << 20;
// RLIMIT_NPROC counts every process and thread of the uid, so all runs as nobody share it.
const NOBODY_NPROC = 4096;
const SYSTEM_LINKS = ["bin", "lib", "lib32", "lib64", "libx32", "sbin"];
const PAGE_BYTES = 4096;

type Sandbox = "bwrap" | "none";

// ——— which sandbox ———

let probe: Promise<string | null> | undefined;

/** Whether bubblewrap works here with the flags a run uses; null when it does, else why not. Probed once per process. */
export function probeSandbox(): Promise<string | null> {
  probe ??= new Promise((resolve) => {
    const bwrap = findOnPath("bwrap");
    if (!bwrap) return resolve("bubblewrap (bwrap) is not installed");
    const argv = [...dropRootPrefix(), bwrap, ...systemMounts(), "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", ...NAMESPACE_FLAGS, "--unshare-net", "--", "true"];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "ignore", "pipe"], timeout: 10_000, env: spawnEnv({ PATH: SANDBOX_PATH }) });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", (error) => resolve(`bubblewrap does not work here: ${error.message}`));
    child.on("close", (code, signal) => resolve(code === 0 ? null : `bubblewrap does not work here: ${stderr.trim() || `exit ${code ?? signal}`}`));
  });
  return probe;
}

async function chooseSandbox(wanted: "auto" | "bwrap" | "none"): Promise<{ sandbox: Sandbox; error?: string }> {
  if (wanted === "none") return { sandbox: "none" };
  const problem = await probeSandbox();
  if (!problem) return { sandbox: "bwrap" };
  if (wanted === "bwrap") return { sandbox: "bwrap", error: `${problem} (JOBDECK_SANDBOX=bwrap requires it)` };
  return { sandbox: "none" };
}

// ——— the command line ———

const NAMESPACE_FLAGS = ["--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--die-with-parent", "--new-session"];

const runsAsRoot = () => process.getuid?.() === 0;

function dropRootPrefix(): string[] {
  if (!runsAsRoot()) return [];
  const setpriv = findOnPath("setpriv");
  return setpriv ? [setpriv, `--reuid=${SANDBOX_UID}`, `--regid=${SANDBOX_UID}`, "--clear-groups", "--"] : [];
}

/** /usr and /etc read-only; /bin, /lib… as the host has them (on Debian, symlinks into /usr). */
function systemMounts(): string[] {
  const args = ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"];
  for (const name of SYSTEM_LINKS) {
    const host = `/${name}`;
    try {
      const stat = lstatSync(host);
      if (stat.isSymbolicLink()) args.push("--symlink", readlinkSync(host), host);
      else if (stat.isDirectory()) args.push("--ro-bind", host, host);
    } catch {
      // not on this system
    }
  }
  return args;
}

/**
 * What to put before a command so that it dies with this process even while it is too busy to
 * notice (setpriv's parent-death signal); nothing where setpriv is missing.
 */
export function dieWithParentPrefix(): string[] {
  const setpriv = findOnPath("setpriv");
  return setpriv ? [setpriv, "--pdeathsig", "KILL", "--"] : [];
}

function findOnPath(name: string, dirs = SANDBOX_PATH.split(":")): string | null {
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

function isExecutableFile(file: string): boolean {
  try {
    return statSync(file).isFile() && (statSync(file).mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** The program the command names, as the host sees it; null when it does not exist. */
function resolveCommand(command: string, codeDir: string, sandbox: Sandbox): string | null {
  if (!command.includes("/")) return findOnPath(command);
  if (sandbox === "bwrap" && (command === "/code" || command.startsWith("/code/"))) return isExecutableFile(path.join(codeDir, command.slice(6))) ? command : null;
  if (path.isAbsolute(command)) return isExecutableFile(command) ? command : null;
  return isExecutableFile(path.resolve(codeDir, command)) ? command : null;
}

function buildArgv(options: RunProcessOptions, sandbox: Sandbox): string[] {
  const { limits } = options;
  const prlimit = findOnPath("prlimit");
  // RLIMIT_FSIZE: one write past the data-folder limit fails at once (SIGXFSZ), between two polls.
  const rlimits = prlimit ? [prlimit, `--fsize=${limits.dataFolderMb * 1024 * 1024}`, ...(runsAsRoot() ? [`--nproc=${NOBODY_NPROC}`] : []), "--"] : [];
  if (sandbox === "none") {
    const setpriv = findOnPath("setpriv");
    // Without a sandbox the program at least dies with the worker (not its children: that needs bwrap).
    const pdeath = setpriv ? [setpriv, ...(runsAsRoot() ? [`--reuid=${SANDBOX_UID}`, `--regid=${SANDBOX_UID}`, "--clear-groups"] : []), "--pdeathsig", "KILL", "--"] : [];
    return [...rlimits, ...pdeath, ...options.command];
  }
  return [
    ...rlimits,
    ...dropRootPrefix(),
    findOnPath("bwrap")!,
    ...systemMounts(),
    "--proc", "/proc",
    "--dev", "/dev",
    // tmpfs pages are memory the tree's RSS does not show: cap /tmp at the memory limit.
    "--size", String(limits.memoryMb * 1024 * 1024), "--tmpfs", "/tmp",
    "--ro-bind", options.codeDir, "/code",
    "--bind", options.dataDir, "/data",
    "--chdir", "/code",
    // The root bwrap builds is a writable tmpfs: only /data and /tmp stay writable.
    "--remount-ro", "/",
    ...NAMESPACE_FLAGS,
    ...(limits.network ? [] : ["--unshare-net"]),
    "--",
    ...options.command,
  ];
}

/** The program's whole environment. It goes through spawn (setpriv, prlimit and bwrap pass it on),
 *  not through bwrap's --setenv, so no secret ever shows in a command line under /proc. */
function programEnv(options: RunProcessOptions, sandbox: Sandbox): Record<string, string> {
  const dataDir = sandbox === "bwrap" ? "/data/" : `${path.resolve(options.dataDir)}/`;
  return { PATH: SANDBOX_PATH, HOME: "/tmp", LANG: "C.UTF-8", PYTHONUNBUFFERED: "1", ...options.env, KBC_DATADIR: dataDir };
}

// Next's types make NODE_ENV required in ProcessEnv; a program's environment has only what it is given.
const spawnEnv = (vars: Record<string, string>) => vars as unknown as NodeJS.ProcessEnv;

// ——— preparing the folders for the sandbox user ———

/** Why the sandbox user could not reach `dir`, or null. */
function unreachable(dir: string): string | null {
  let current = path.resolve(dir);
  for (;;) {
    const parent = path.dirname(current);
    if (parent === current) return null;
    current = parent;
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) return `the sandbox user (uid ${SANDBOX_UID}) cannot reach ${dir}: ${current} is not searchable by others (mode ${(mode & 0o777).toString(8)})`;
  }
}

async function walk(dir: string, visit: (file: string, isDir: boolean) => Promise<void>): Promise<void> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    await visit(file, entry.isDirectory());
    if (entry.isDirectory()) await walk(file, visit);
  }
}

/** Root runs programs as nobody: the data folder becomes nobody's, the code readable by everyone. */
async function prepareForNobody(options: RunProcessOptions): Promise<string | null> {
  for (const dir of [options.codeDir, options.dataDir]) {
    const problem = unreachable(dir);
    if (problem) return problem;
  }
  await fs.lchown(options.dataDir, SANDBOX_UID, SANDBOX_UID);
  await walk(options.dataDir, (file) => fs.lchown(file, SANDBOX_UID, SANDBOX_UID));
  const readable = async (file: string, isDir: boolean) => {
    const stat = await fs.lstat(file);
    if (stat.isSymbolicLink()) return;
    // Directories need r-x, files r (and x where their owner has it).
    const wanted = isDir || stat.mode & 0o100 ? 0o005 : 0o004;
    if ((stat.mode & wanted) !== wanted) await fs.chmod(file, (stat.mode & 0o7777) | wanted);
  };
  await readable(options.codeDir, true);
  await walk(options.codeDir, readable);
  return null;
}

// ——— the process tree, from /proc ———

type ProcessInfo = { pid: number; startTime: string; rssBytes: number; zombie: boolean; depth: number };

function readProcess(pid: number, depth: number): ProcessInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may hold spaces: fields count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { pid, startTime: fields[19] ?? "", rssBytes: Number(fields[21] ?? 0) * PAGE_BYTES, zombie: fields[0] === "Z" || fields[0] === "X", depth };
  } catch {
    return null;
  }
}

/** A live process's resident memory in bytes, or null once it is gone. */
export function residentBytes(pid: number): number | null {
  return readProcess(pid, 0)?.rssBytes ?? null;
}

/** Whether `pid` is a process that has not ended (a zombie has). */
export function isRunning(pid: number): boolean {
  const info = readProcess(pid, 0);
  return info !== null && !info.zombie;
}

/** The processes `pid` started that are its children still (an orphan's parent is init). */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim();
      if (text) children.push(...text.split(" ").map(Number));
    }
  } catch {
    // gone meanwhile
  }
  return children;
}

/** `root` and its descendants, root first (depth 0). */
function processTree(root: number): ProcessInfo[] {
  const tree: ProcessInfo[] = [];
  const queue: Array<[number, number]> = [[root, 0]];
  while (queue.length > 0) {
    const [pid, depth] = queue.shift()!;
    const info = readProcess(pid, depth);
    if (!info) continue;
    tree.push(info);
    for (const child of childrenOf(pid)) queue.push([child, depth + 1]);
  }
  return tree;
}

function isAlive(pid: number, startTime: string): boolean {
  const info = readProcess(pid, 0);
  return info !== null && info.startTime === startTime && !info.zombie;
}

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

// ——— the data folder's size ———

async function folderBytes(dir: string): Promise<number> {
  let bytes = 0;
  let entries = 0;
  const stack = [dir];
  while (stack.length > 0 && entries < DATA_WALK_MAX_ENTRIES) {
    const current = stack.pop()!;
    let names: Dirent[];
    try {
      names = await fs.readdir(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of names) {
      entries += 1;
      const file = path.join(current, entry.name);
      if (entry.isDirectory()) stack.push(file);
      else if (entry.isFile()) bytes += await fs.lstat(file).then((s) => s.size, () => 0);
    }
  }
  return bytes;
}

// ——— output: lines for events, the whole text for the file ———

/** Cuts a line to MAX_LINE_CHARS, saying how much was cut. `total` counts the characters of the whole line. */
function cutLine(text: string, total = text.length): string {
  if (total <= MAX_LINE_CHARS) return text;
  let end = Math.min(MAX_LINE_CHARS, text.length);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1; // do not split a surrogate pair
  return `${text.slice(0, end)} … [${(total - end).toLocaleString("en-US")} more characters cut]`;
}

/** The index just past the last complete UTF-8 character in `buffer` (a cut there splits no character). */
function utf8Boundary(buffer: Buffer): number {
  const end = buffer.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = buffer[end - back]!;
    if ((byte & 0xc0) !== 0x80) {
      const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
      return length > back ? end - back : end;
    }
  }
  return end;
}

class Output {
  lines = 0;
  bytes = 0;
  tail: OutputLine[] = [];
  private batch: OutputLine[] = [];
  private fileText: string[] = [];
  private fileChars = 0;
  private flushing: Promise<void> | null = null;
  private readonly pending = new Map<OutputStream, Buffer[]>();
  // A line longer than MAX_PENDING_BYTES: its start (for the event) and its length so far.
  private readonly longLine = new Map<OutputStream, { head: string; chars: number }>();
  error: unknown = null;

  constructor(
    private readonly file: fs.FileHandle,
    private readonly onLines: (lines: OutputLine[]) => Promise<void>,
    private readonly redact: (text: string) => string,
    private readonly streams: Readable[],
    private readonly onError: (error: unknown) => void,
  ) {}

  write(stream: OutputStream, chunk: Buffer): void {
    this.bytes += chunk.length;
    let start = 0;
    for (let newline = chunk.indexOf(10, start); newline !== -1; newline = chunk.indexOf(10, start)) {
      this.endLine(stream, chunk.subarray(start, newline));
      start = newline + 1;
    }
    if (start < chunk.length) this.keep(stream, chunk.subarray(start));
    if (this.batch.length >= BATCH_LINES || this.fileChars >= MAX_PENDING_BYTES) this.flush();
  }

  /** A stream ended: its last line may lack a newline. */
  end(stream: OutputStream): void {
    if (this.pending.has(stream) || this.longLine.has(stream)) this.endLine(stream, Buffer.alloc(0));
  }

  private keep(stream: OutputStream, piece: Buffer): void {
    const parts = this.pending.get(stream) ?? [];
    parts.push(Buffer.from(piece)); // a copy: the chunk's memory is not held
    this.pending.set(stream, parts);
    const size = parts.reduce((sum, p) => sum + p.length, 0);
    if (size < MAX_PENDING_BYTES) return;
    // A very long line goes to the file in pieces, cut at a character boundary.
    const joined = Buffer.concat(parts);
    const cut = utf8Boundary(joined);
    const text = this.redact(joined.subarray(0, cut).toString("utf8"));
    this.pending.set(stream, cut < joined.length ? [joined.subarray(cut)] : []);
    const long = this.longLine.get(stream) ?? { head: "", chars: 0 };
    if (long.head.length < MAX_LINE_CHARS) long.head += text.slice(0, MAX_LINE_CHARS - long.head.length);
    long.chars += text.length;
    this.longLine.set(stream, long);
    this.appendFile(text);
  }

  private endLine(stream: OutputStream, piece: Buffer): void {
    const parts = this.pending.get(stream);
    let raw = parts ? Buffer.concat([...parts, piece]) : piece;
    this.pending.delete(stream);
    if (raw.length > 0 && raw[raw.length - 1] === 13) raw = raw.subarray(0, raw.length - 1);
    const text = this.redact(raw.toString("utf8"));
    this.appendFile(`${text}\n`);
    const long = this.longLine.get(stream);
    this.longLine.delete(stream);
    const line = { stream, text: long ? cutLine(long.head + text.slice(0, MAX_LINE_CHARS), long.chars + text.length) : cutLine(text) };
    this.lines += 1;
    this.batch.push(line);
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
  }

  private appendFile(text: string): void {
    this.fileText.push(text);
    this.fileChars += text.length;
  }

  /** Writes what is waiting to the file and to onLines; the pipes are not read meanwhile (back-pressure). */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.batch.length === 0 && this.fileText.length === 0) return Promise.resolve();
    for (const stream of this.streams) stream.pause();
    this.flushing = (async () => {
      try {
        while (this.batch.length > 0 || this.fileText.length > 0) {
          const text = this.fileText.join("");
          this.fileText = [];
          this.fileChars = 0;
          if (text) await this.file.appendFile(text);
          while (this.batch.length > 0) await this.onLines(this.batch.splice(0, BATCH_LINES));
        }
      } catch (error) {
        this.error ??= error;
        this.batch = [];
        this.fileText = [];
        this.onError(error);
      } finally {
        this.flushing = null;
        for (const stream of this.streams) stream.resume();
      }
    })();
    return this.flushing;
  }
}

// ——— the run ———

const SIGNAL_NAMES = Object.fromEntries(Object.entries(os.constants.signals).map(([name, number]) => [number, name]));

/** Runs `options.command` over the data folder and resolves once every process of it is gone.
 *  Never throws for what the program does; rejects only when onLines does (after killing the run). */
export async function runProcess(options: RunProcessOptions): Promise<ProcessOutcome> {
  const started = Date.now();
  const chosen = await chooseSandbox(options.sandbox ?? env.JOBDECK_SANDBOX);
  const sandbox = chosen.sandbox;
  const empty = { exitCode: null, signal: null, sandbox, peakRssBytes: 0, lines: 0, bytes: 0, tail: [] };
  const failed = (message: string): ProcessOutcome => ({ ...empty, end: "spawnFailed", message, durationMs: Date.now() - started });

  if (chosen.error) return failed(chosen.error);
  if (options.signal.aborted) return { ...empty, end: "terminated", message: "terminated before it started", durationMs: 0 };
  const program = options.command[0];
  if (!program) return failed("no command given");
  if (!resolveCommand(program, options.codeDir, sandbox)) {
    return failed(`command not found: ${program} (looked ${program.includes("/") ? `for ${program}` : `in ${SANDBOX_PATH}`})`);
  }
  try {
    if (!statSync(options.codeDir).isDirectory() || !statSync(options.dataDir).isDirectory()) return failed("codeDir and dataDir must be folders");
    if (runsAsRoot()) {
      const problem = await prepareForNobody(options);
      if (problem) return failed(problem);
    }
  } catch (error) {
    return failed(`cannot prepare the folders: ${(error as Error).message}`);
  }

  let file: fs.FileHandle;
  try {
    file = await fs.open(options.outputPath, fsConstants.O_WRONLY | fsConstants.O_APPEND | fsConstants.O_CREAT);
  } catch (error) {
    return failed(`cannot open the output file: ${(error as Error).message}`);
  }

  const argv = buildArgv(options, sandbox);
  let child: ChildProcessByStdio<null, Readable, Readable>;
  try {
    child = spawn(argv[0]!, argv.slice(1), {
      cwd: options.codeDir,
      env: spawnEnv(programEnv(options, sandbox)),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group: a terminal's Ctrl-C reaches the worker, not the program
    });
  } catch (error) {
    await file.close();
    return failed(`cannot start ${program}: ${(error as Error).message}`);
  }

  const run = new Run(child, sandbox, options, file);
  const result = await run.finished;
  await file.close().catch(() => {});
  if (run.output.error) throw run.output.error;
  return { ...result, sandbox, durationMs: Date.now() - started };
}

type RunResult = Omit<ProcessOutcome, "sandbox" | "durationMs">;

/** One spawned program: its watchers, its kill, its end. */
class Run {
  readonly output: Output;
  readonly finished: Promise<RunResult>;
  private stopping: ProcessEnd | null = null;
  private peakRssBytes = 0;
  // Every process of the run seen so far (pid → start time): what must be gone at the end.
  private readonly seen = new Map<number, string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private graceTimer: NodeJS.Timeout | undefined;
  private spawnError: Error | null = null;
  private dataPolling = false;

  constructor(
    private readonly child: ChildProcessByStdio<null, Readable, Readable>,
    private readonly sandbox: Sandbox,
    private readonly options: RunProcessOptions,
    file: fs.FileHandle,
  ) {
    const redact = options.redact ?? ((text: string) => text);
    this.output = new Output(file, options.onLines, redact, [child.stdout, child.stderr], () => this.stop("terminated", false));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on("error", (error) => {
        this.spawnError = error;
        resolve({ code: null, signal: null });
      });
      child.on("exit", (code, signal) => resolve({ code, signal }));
    });
    const ended = (stream: Readable, name: OutputStream) =>
      new Promise<void>((resolve) => {
        stream.on("data", (chunk: Buffer) => this.output.write(name, chunk));
        stream.on("end", () => {
          this.output.end(name);
          resolve();
        });
        stream.on("error", () => resolve());
        stream.on("close", () => resolve());
      });
    const streamsEnded = Promise.all([ended(child.stdout, "stdout"), ended(child.stderr, "stderr")]);

    const onAbort = () => this.stop("terminated");
    options.signal.addEventListener("abort", onAbort, { once: true });
    this.timers.push(setInterval(() => this.output.flush(), BATCH_MS));
    this.timers.push(setInterval(() => this.watchTree(), TREE_POLL_MS));
    this.timers.push(setInterval(() => void this.watchDataFolder(), DATA_POLL_MS));
    this.timers.push(setTimeout(() => this.stop("timeout"), options.limits.timeoutSeconds * 1000));
    this.watchTree();
    // Short runs end before the first poll: a few early looks give them a peak too.
    for (const ms of [20, 60, 120]) this.timers.push(setTimeout(() => this.watchTree(), ms));
    this.finished = this.finish(exited, streamsEnded, onAbort);
  }

  private async finish(exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>, streamsEnded: Promise<unknown>, onAbort: () => void): Promise<RunResult> {
    const { child, options } = this;
    const { code, signal } = await exited;
    // Whatever is left (unsandboxed children, a sandbox being torn down) goes now.
    this.killAll("SIGKILL");
    const streamsTimeout = new Promise((resolve) => this.timers.push(setTimeout(resolve, 3000)));
    if ((await Promise.race([streamsEnded.then(() => "ended"), streamsTimeout])) !== "ended") {
      child.stdout.destroy();
      child.stderr.destroy();
    }
    await this.output.flush();
    await this.output.flush(); // lines a flush in progress left behind
    options.signal.removeEventListener("abort", onAbort);
    for (const timer of this.timers) clearTimeout(timer);
    clearTimeout(this.graceTimer);
    await this.allGone();
    // RLIMIT_FSIZE stops a write at the limit exactly: Python ignores SIGXFSZ and fails with EFBIG.
    if (!this.stopping && (code !== 0 || signal) && (await folderBytes(options.dataDir)) >= options.limits.dataFolderMb * 1024 * 1024) this.stopping = "dataFolder";
    return this.result(code, signal);
  }

  private result(code: number | null, signal: NodeJS.Signals | null): RunResult {
    const common = { peakRssBytes: this.peakRssBytes, lines: this.output.lines, bytes: this.output.bytes, tail: this.output.tail };
    if (this.spawnError) return { ...common, end: "spawnFailed", exitCode: null, signal: null, message: `cannot start ${this.options.command[0]}: ${this.spawnError.message}` };
    // bwrap's init reports a program killed by signal N as exit 128 + N, as shells do.
    if (this.sandbox === "bwrap" && code !== null && code > 128 && SIGNAL_NAMES[code - 128]) {
      signal = SIGNAL_NAMES[code - 128] as NodeJS.Signals;
      code = null;
    }
    if (signal === "SIGXFSZ" && !this.stopping) this.stopping = "dataFolder";
    const first = this.output.tail[0];
    if (this.sandbox === "bwrap" && code === 1 && this.output.lines === 1 && first?.stream === "stderr" && first.text.startsWith("bwrap: ")) {
      return { ...common, end: "spawnFailed", exitCode: null, signal: null, message: `the sandbox did not start: ${first.text}` };
    }
    const end: ProcessEnd = this.stopping ?? (signal ? "signaled" : "exited");
    return { ...common, end, exitCode: code, signal, ...(this.stopping && { message: this.message(this.stopping) }) };
  }

  private message(end: ProcessEnd): string {
    const { limits } = this.options;
    if (end === "timeout") return `the program ran longer than ${limits.timeoutSeconds} s`;
    if (end === "memory") return `the program used more than ${limits.memoryMb} MB of memory`;
    if (end === "dataFolder") return `the data folder grew past ${limits.dataFolderMb} MB`;
    return "the program was terminated";
  }

  /** The run's processes now (recorded in `seen`), and the peak of their summed RSS. */
  private tree(): ProcessInfo[] {
    const pid = this.child.pid;
    // Once reaped, the pid may belong to someone else: only `seen` (with start times) is safe then.
    if (pid === undefined || this.exited()) return [];
    const tree = processTree(pid).filter((p) => !p.zombie);
    for (const p of tree) this.seen.set(p.pid, p.startTime);
    return tree;
  }

  private exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  private watchTree(): void {
    if (this.exited()) return;
    const rss = this.tree().reduce((sum, p) => sum + p.rssBytes, 0);
    this.peakRssBytes = Math.max(this.peakRssBytes, rss);
    if (rss > this.options.limits.memoryMb * 1024 * 1024) this.stop("memory", false);
  }

  private async watchDataFolder(): Promise<void> {
    if (this.dataPolling || this.stopping) return;
    this.dataPolling = true;
    try {
      if ((await folderBytes(this.options.dataDir)) > this.options.limits.dataFolderMb * 1024 * 1024) this.stop("dataFolder", false);
    } finally {
      this.dataPolling = false;
    }
  }

  /** Ends the run: SIGTERM to the program's processes, SIGKILL to all after the grace (at once when `grace` is false). */
  private stop(reason: ProcessEnd, grace = true): void {
    if (this.stopping) return;
    this.stopping = reason;
    const graceMs = this.options.limits.killGraceMs;
    // In the sandbox, depth 0 is bwrap and depth 1 its init (pid 1 of the namespace): a SIGTERM to
    // them would tear the sandbox down without a grace, so it goes to the program's processes only.
    const programs = this.tree().filter((p) => p.depth >= (this.sandbox === "bwrap" ? 2 : 0));
    if (!grace || graceMs === 0 || programs.length === 0) return this.killAll("SIGKILL");
    for (const p of programs) sendSignal(p.pid, "SIGTERM");
    if (this.sandbox === "none" && this.child.pid) sendSignal(-this.child.pid, "SIGTERM");
    this.graceTimer = setTimeout(() => this.killAll("SIGKILL"), graceMs);
  }

  /** Kills the namespace's pid 1 first (the kernel then kills everything in it), then the rest. */
  private killAll(signal: NodeJS.Signals): void {
    const tree = this.tree();
    for (const p of [...tree.filter((q) => q.depth === 1), ...tree]) sendSignal(p.pid, signal);
    // Unsandboxed, children that were never polled are still in the program's process group.
    if (this.child.pid && (this.sandbox === "none" || !this.exited())) sendSignal(-this.child.pid, signal);
    for (const [pid, startTime] of this.seen) if (isAlive(pid, startTime)) sendSignal(pid, signal);
  }

  /** Waits (a bounded while) until no process the run ever had is alive. */
  private async allGone(): Promise<void> {
    for (let waited = 0; waited < 5000; waited += 20) {
      const alive = [...this.seen].filter(([pid, startTime]) => isAlive(pid, startTime));
      if (alive.length === 0) return;
      for (const [pid] of alive) sendSignal(pid, "SIGKILL");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
