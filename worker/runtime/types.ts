// The shapes the three steps of a process component's run share (Keboola's Common Interface):
// prepare the data folder → run the program in its sandbox → output mapping. Each step is its own
// module in this folder and can be tested alone with a folder on disk.

/** What a run may use; the component's settings give them, a configuration's `runtime` may lower or raise them. */
export type ProcessLimits = {
  /** Wall-clock seconds from spawn to exit. */
  timeoutSeconds: number;
  /** Resident memory of the whole process tree, in MiB. */
  memoryMb: number;
  /** Bytes under the data folder (inputs included), in MiB. */
  dataFolderMb: number;
  /** false: the program runs in its own network namespace with nothing but loopback. */
  network: boolean;
  /** Terminate: SIGTERM to the whole group, SIGKILL after this many ms. */
  killGraceMs: number;
};

export const DEFAULT_LIMITS: ProcessLimits = {
  timeoutSeconds: 3600,
  memoryMb: 1024,
  dataFolderMb: 10 * 1024,
  network: true,
  killGraceMs: 2000,
};

export type OutputStream = "stdout" | "stderr";
export type OutputLine = { stream: OutputStream; text: string };

export type RunProcessOptions = {
  /** argv; argv[0] is looked up on the sandbox's PATH (/usr/local/bin:/usr/bin:/bin). */
  command: string[];
  /** The component's unpacked code: read-only, the working directory. */
  codeDir: string;
  /** The job's data folder: the only writable place besides a private /tmp. */
  dataDir: string;
  /** KBC_* and the like. runProcess sets KBC_DATADIR itself (the path the program sees). */
  env: Record<string, string>;
  limits: ProcessLimits;
  /** Aborting terminates the run: SIGTERM to the group, SIGKILL after limits.killGraceMs. */
  signal: AbortSignal;
  /** Batches of lines, in order, each line cut to a bounded length. Awaited: a slow consumer slows the program (back-pressure), memory stays flat. */
  onLines(lines: OutputLine[]): Promise<void>;
  /** Every line, uncut, is appended here (the downloadable full output). */
  outputPath: string;
  /** Applied to every line before it goes anywhere (removes decrypted secrets). */
  redact?: (text: string) => string;
  /** Overrides JOBDECK_SANDBOX for this run (tests run both ways). */
  sandbox?: "auto" | "bwrap" | "none";
};

export type ProcessEnd =
  | "exited" // look at exitCode
  | "signaled" // died of a signal we did not send
  | "timeout"
  | "memory"
  | "dataFolder"
  | "terminated" // the signal aborted
  | "spawnFailed"; // the command could not be started (message says why)

export type ProcessOutcome = {
  end: ProcessEnd;
  exitCode: number | null;
  signal: string | null;
  message?: string;
  sandbox: "bwrap" | "none";
  durationMs: number;
  peakRssBytes: number;
  lines: number;
  bytes: number;
  /** The last lines (at most 20), redacted and cut: the user's error message on exit 1. */
  tail: OutputLine[];
};
