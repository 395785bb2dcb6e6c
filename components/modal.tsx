"use client";

import { type ReactNode, type RefObject, useEffect, useRef } from "react";

/**
 * A modal on the native <dialog>: it traps focus, closes on Escape and leaves the page inert.
 * Controlled by `open`; Escape, a click on the backdrop or a `<form method="dialog">` button
 * call `onClose`. Focus goes back to `returnFocus` (the button that opened it) afterwards.
 */
export function Modal({
  open,
  onClose,
  labelledBy,
  describedBy,
  returnFocus,
  className = "",
  children,
}: {
  open: boolean;
  onClose: () => void;
  labelledBy: string;
  describedBy?: string;
  returnFocus?: RefObject<HTMLElement | null>;
  className?: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      onClose={() => {
        returnFocus?.current?.focus();
        if (open) onClose();
      }}
      onClick={(e) => {
        // A click on the backdrop lands on the dialog element itself.
        if (e.target === ref.current) onClose();
      }}
      className={`m-auto max-h-[calc(100dvh-2rem)] rounded-xl border border-zinc-200 bg-white p-0 text-zinc-900 shadow-xl backdrop:bg-zinc-950/50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 ${className}`}
    >
      {open && children}
    </dialog>
  );
}

/** The button row at the bottom of a modal; its submit buttons close the dialog. */
export function ModalFooter({ children }: { children: ReactNode }) {
  return (
    <form method="dialog" className="flex flex-col-reverse gap-2 rounded-b-xl bg-zinc-50 px-6 py-4 dark:bg-zinc-950/60 sm:flex-row sm:justify-end">
      {children}
    </form>
  );
}
