"use client";

import { useId, useRef, useState } from "react";
import { plural } from "@/components/format";
import { configurationLabel } from "@/components/job-labels";
import { Modal, ModalFooter } from "@/components/modal";
import { Button, Spinner, StopIcon } from "@/components/ui";
import { useComponentInfo } from "@/components/use-component-catalog";
import { isFinished } from "@/lib/jobs/state";
import type { JobJson } from "@/lib/schemas/jobs";

/** Terminate, behind a confirm dialog; "Keep it running" is focused first so Enter is safe. */
export function TerminateJobButton({ job, pending, onConfirm }: { job: JobJson; pending: boolean; onConfirm: () => void }) {
  const [open, setOpen] = useState(false);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  const config = configurationLabel(job);
  const component = useComponentInfo(job.component);
  const unfinishedDescendants = job.subtree.unfinished - (isFinished(job.status) ? 0 : 1);

  return (
    <>
      <Button ref={triggerRef} variant="danger" onClick={() => setOpen(true)} disabled={pending}>
        {pending ? <Spinner /> : <StopIcon />}
        Terminate job
      </Button>
      <Modal
        open={open}
        onClose={() => setOpen(false)}
        labelledBy={titleId}
        describedBy={descriptionId}
        returnFocus={triggerRef}
        className="w-[min(28rem,calc(100vw-2rem))]"
      >
        <div className="p-6">
          <h2 id={titleId} className="text-lg font-semibold">
            Terminate job {job.id}?
          </h2>
          <div id={descriptionId} className="mt-3 space-y-2 text-sm text-zinc-600 dark:text-zinc-300">
            <p>
              Job <span className="font-mono font-medium text-zinc-900 dark:text-zinc-100">{job.id}</span> runs{" "}
              <span className="font-medium text-zinc-900 dark:text-zinc-100">{config.text}</span> of{" "}
              {component.name}.{" "}
              {job.status === "processing"
                ? "It stops as soon as its worker notices and ends as terminated."
                : "It has not started yet, so it is cancelled at once."}
            </p>
            <p>
              {unfinishedDescendants > 0
                ? `Its child jobs are stopped too: ${plural(unfinishedDescendants, "job")} below it ${unfinishedDescendants === 1 ? "is" : "are"} still unfinished.`
                : "Any child jobs it starts or has started are stopped too."}
            </p>
          </div>
        </div>
        <ModalFooter>
          <Button type="submit" autoFocus>
            Keep it running
          </Button>
          <Button
            variant="danger"
            onClick={() => {
              setOpen(false);
              onConfirm();
            }}
          >
            Terminate job {job.id}
          </Button>
        </ModalFooter>
      </Modal>
    </>
  );
}
