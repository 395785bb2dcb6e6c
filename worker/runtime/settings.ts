// A process component's settings (Component.settings) and the limits a run gets from them and
// from its configuration's `runtime` section (Keboola's `process_timeout`, and ours for memory and disk).
import { env } from "@/lib/env";
import { DEFAULT_LIMITS, type ProcessLimits } from "./types";
import { UserError } from "@/worker/components/types";

export type ComponentSettings = {
  timeoutSeconds?: number;
  memoryMb?: number;
  dataFolderMb?: number;
  network?: boolean;
  /** The run gets KBC_TOKEN (a token made for this run, revoked when it ends) and KBC_URL. */
  forwardToken?: boolean;
  /** Tables without a destination go to `out.c-<component>-<config>`, Keboola's default bucket. */
  defaultBucket?: boolean;
};

const MAX = { timeoutSeconds: 7 * 86_400, memoryMb: 256 * 1024, dataFolderMb: 1024 * 1024 };

const positive = (value: unknown) => (typeof value === "number" && Number.isFinite(value) && value > 0 ? value : undefined);

export function componentSettings(stored: unknown): ComponentSettings {
  const s = stored && typeof stored === "object" ? (stored as Record<string, unknown>) : {};
  return {
    timeoutSeconds: positive(s.timeoutSeconds),
    memoryMb: positive(s.memoryMb),
    dataFolderMb: positive(s.dataFolderMb),
    network: typeof s.network === "boolean" ? s.network : undefined,
    forwardToken: s.forwardToken === true,
    defaultBucket: s.defaultBucket === true,
  };
}

/** The limits of one run: the configuration's `runtime` over the component's settings over the defaults. */
export function runLimits(settings: ComponentSettings, configuration: Record<string, unknown>): ProcessLimits {
  const runtime = configuration.runtime && typeof configuration.runtime === "object" ? (configuration.runtime as Record<string, unknown>) : {};
  const pick = (key: string, name: keyof typeof MAX, fallback: number): number => {
    const value = runtime[key];
    if (value === undefined || value === null) return fallback;
    if (positive(value) === undefined || (value as number) > MAX[name]) {
      throw new UserError(`Configuration "runtime.${key}" must be a number from 1 to ${MAX[name]}.`);
    }
    return value as number;
  };
  return {
    timeoutSeconds: pick("process_timeout", "timeoutSeconds", settings.timeoutSeconds ?? DEFAULT_LIMITS.timeoutSeconds),
    memoryMb: pick("memory_mb", "memoryMb", settings.memoryMb ?? DEFAULT_LIMITS.memoryMb),
    dataFolderMb: pick("data_folder_mb", "dataFolderMb", settings.dataFolderMb ?? DEFAULT_LIMITS.dataFolderMb),
    network: settings.network ?? DEFAULT_LIMITS.network,
    killGraceMs: env.JOBDECK_KILL_GRACE_MS,
  };
}
