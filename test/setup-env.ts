// Runs before anything reads the environment: files written by tests go to a fresh temporary
// folder, never into the repository's .data.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";

process.env.JOBDECK_DATA_DIR = mkdtempSync(path.join(os.tmpdir(), "jobdeck-test-data-"));
// Tests serve their CSVs from 127.0.0.1; the outbound guard refuses loopback unless allowed.
process.env.JOBDECK_OUTBOUND_ALLOW_HOSTS ??= "127.0.0.1";
