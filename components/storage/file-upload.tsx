"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useRef } from "react";
import { storageKeys } from "@/lib/queries/storage";
import type { FileJson } from "@/lib/schemas/storage";

async function upload(form: FormData): Promise<FileJson> {
  const response = await fetch("/api/v2/storage/files", { method: "POST", body: form });
  const body = (await response.json().catch(() => null)) as (FileJson & { error?: string }) | null;
  if (!response.ok) throw new Error(body?.error ?? `Upload failed (${response.status})`);
  return body!;
}

/** Uploads one file (multipart, streamed to disk by the server) with optional comma-separated tags. */
export function FileUpload() {
  const client = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const mutation = useMutation({
    mutationFn: upload,
    onSuccess: () => {
      formRef.current?.reset();
      void client.invalidateQueries({ queryKey: storageKeys.all });
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const file = data.get("file");
    if (!(file instanceof File) || file.name === "") return;
    // Fields before the file part: the server reads them as it streams the file.
    const form = new FormData();
    const tags = String(data.get("tags") ?? "").trim();
    if (tags) form.append("tags", tags);
    form.append("file", file);
    mutation.mutate(form);
  };
  return (
    <form ref={formRef} onSubmit={submit} className="flex flex-col gap-2 rounded-lg border border-zinc-200 dark:border-zinc-800 bg-white dark:bg-zinc-900 p-4 sm:flex-row sm:items-end">
      <label className="flex flex-1 flex-col gap-1 text-sm">
        <span className="font-medium text-zinc-700 dark:text-zinc-300">Upload a file</span>
        <input name="file" type="file" required className="text-sm file:mr-3 file:rounded file:border-0 file:bg-slate-100 file:px-3 file:py-1.5 file:text-sm" />
      </label>
      <label className="flex flex-col gap-1 text-sm sm:w-48">
        <span className="font-medium text-zinc-700 dark:text-zinc-300">Tags</span>
        <input name="tags" placeholder="e.g. orders, daily" className="rounded border border-zinc-300 dark:border-zinc-700 px-2 py-1.5 text-sm" />
      </label>
      <button type="submit" disabled={mutation.isPending} className="rounded bg-indigo-700 px-4 py-1.5 text-sm font-medium text-white hover:bg-indigo-800 disabled:opacity-50">
        {mutation.isPending ? "Uploading…" : "Upload"}
      </button>
      {mutation.error && <p role="alert" className="text-sm text-red-700 dark:text-red-300 sm:ml-2">{mutation.error.message}</p>}
      {mutation.data && <p className="text-sm text-emerald-700 dark:text-emerald-300 sm:ml-2">Uploaded {mutation.data.name} as file {mutation.data.id}.</p>}
    </form>
  );
}
