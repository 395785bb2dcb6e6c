"use client";

import { useEffect, useState } from "react";
import { Button } from "@/components/ui";

async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  // Plain-HTTP self-hosted installs have no Clipboard API; the old way still works there.
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.append(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  if (!ok) throw new Error("copy failed");
}

/** Exact JSON, as the API has it, with a Copy button. */
export function JsonBlock({ value, label }: { value: unknown; label: string }) {
  const text = JSON.stringify(value, null, 2);
  const [copyState, setCopyState] = useState<"idle" | "copied" | "failed">("idle");

  useEffect(() => {
    if (copyState === "idle") return;
    const timer = setTimeout(() => setCopyState("idle"), 2_000);
    return () => clearTimeout(timer);
  }, [copyState]);

  return (
    <div className="relative">
      <div className="absolute right-2 top-2 flex items-center gap-2">
        <span role="status" className="text-xs text-zinc-500 dark:text-zinc-400">
          {copyState === "copied" ? "Copied" : copyState === "failed" ? "Could not copy" : ""}
        </span>
        <Button
          size="sm"
          onClick={() => copyText(text).then(() => setCopyState("copied"), () => setCopyState("failed"))}
          aria-label={`Copy ${label}`}
        >
          Copy
        </Button>
      </div>
      <pre
        tabIndex={0}
        aria-label={label}
        className="max-h-96 overflow-auto rounded-lg bg-zinc-50 p-3 pr-20 font-mono text-xs leading-relaxed text-zinc-800 ring-1 ring-inset ring-zinc-200 dark:bg-zinc-950 dark:text-zinc-200 dark:ring-zinc-800"
      >
        {text}
      </pre>
    </div>
  );
}
