// The SQL workspace processes (worker/components/sql-workspace-process.mjs) a process started.
import { readFileSync } from "node:fs";
import { childrenOf } from "@/worker/runtime/run-process";

export function workspaceProcessesOf(parent: number): number[] {
  return childrenOf(parent).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("sql-workspace-process.mjs");
    } catch {
      return false;
    }
  });
}
