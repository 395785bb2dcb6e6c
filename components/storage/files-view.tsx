"use client";
import { useQuery } from "@tanstack/react-query";
import { Link } from "@/components/link";
import { useRouter } from "next/navigation";
import { type FormEvent } from "react";
import { filesQuery } from "@/lib/queries/storage";
import { formatBytes, formatTime } from "@/components/storage/format";
import { FileUpload } from "@/components/storage/file-upload";
import { QueryState } from "@/components/storage/query-state";

export function filesHref(filters: { q?: string; fileId?: string }): string {
  const search = new URLSearchParams();
  if (filters.q) search.set("q", filters.q);
  if (filters.fileId) search.set("fileId", filters.fileId);
  const text = search.toString();
  return `/storage/files${text ? `?${text}` : ""}`;
}

/** The Files tab: search by name, upload, download; `fileId` (a job's File ID link) shows one file. */
export function FilesView({ q, fileId }: { q?: string; fileId?: string }) {
  const router = useRouter();
  const files = useQuery(filesQuery({ q, id: fileId }));
  const search = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const text = String(new FormData(event.currentTarget).get("q") ?? "").trim();
    router.push(filesHref({ q: text || undefined }));
  };
  return (
    <div className="space-y-4">
      <FileUpload />
      <div className="flex flex-wrap items-center gap-3">
        <form onSubmit={search} role="search" className="flex flex-1 gap-2">
          <input name="q" type="search" defaultValue={q ?? ""} placeholder="Search files by name" aria-label="Search files by name" className="w-full max-w-sm rounded border border-zinc-300 dark:border-zinc-700 px-3 py-1.5 text-sm" />
          <button type="submit" className="rounded border border-zinc-300 dark:border-zinc-700 bg-white dark:bg-zinc-900 px-3 py-1.5 text-sm hover:bg-zinc-50 dark:hover:bg-zinc-800/60">Search</button>
        </form>
        {(fileId || q) && <Link href="/storage/files" className="text-sm text-indigo-700 dark:text-indigo-300 hover:underline">Show all files</Link>}
      </div>
      {fileId && files.data?.length === 0 && (
        <p className="rounded-lg border border-amber-200 dark:border-amber-900 bg-amber-50 dark:bg-amber-950/50 p-4 text-sm text-amber-900 dark:text-amber-100">File {fileId} does not exist or has expired.</p>
      )}
      {!(fileId && files.data?.length === 0) && (
      <section className="rounded-lg border border-zinc-200 dark:border-zinc-800 bg-white dark:bg-zinc-900">
        {files.data ? (
          files.data.length === 0 ? (
            <p className="p-6 text-center text-sm text-zinc-500 dark:text-zinc-400">No files{q ? ` named like “${q}”` : ""}.</p>
          ) : (
            <div className="overflow-x-auto">
              <table className="w-full text-left text-sm">
                <thead className="border-b border-zinc-200 dark:border-zinc-800 text-xs uppercase tracking-wide text-zinc-500 dark:text-zinc-400">
                  <tr>
                    <th className="px-3 py-2 font-medium">ID</th>
                    <th className="px-3 py-2 font-medium">Name</th>
                    <th className="px-3 py-2 font-medium">Size</th>
                    <th className="hidden px-3 py-2 font-medium md:table-cell">Tags</th>
                    <th className="hidden px-3 py-2 font-medium md:table-cell">Created</th>
                    <th className="hidden px-3 py-2 font-medium lg:table-cell">Creator</th>
                    <th className="hidden px-3 py-2 font-medium lg:table-cell">Expires</th>
                    <th className="px-3 py-2"><span className="sr-only">Download</span></th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
                  {files.data.map((file) => (
                    <tr key={file.id} data-file-id={file.id} className={file.id === fileId ? "bg-indigo-50 dark:bg-indigo-950" : "hover:bg-zinc-50 dark:hover:bg-zinc-800/60"}>
                      <td className="px-3 py-2 font-mono text-xs">{file.id}</td>
                      <td className="max-w-[8rem] truncate px-3 py-2 sm:max-w-xs" title={file.name}>{file.name}</td>
                      <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatBytes(file.sizeBytes)}</td>
                      <td className="hidden px-3 py-2 md:table-cell">
                        <span className="flex flex-wrap gap-1">
                          {file.tags.map((tag) => <span key={tag} className="rounded bg-zinc-100 dark:bg-zinc-800 px-1.5 py-0.5 text-xs text-zinc-700 dark:text-zinc-300">{tag}</span>)}
                        </span>
                      </td>
                      <td className="hidden whitespace-nowrap px-3 py-2 tabular-nums md:table-cell">{formatTime(file.created)}</td>
                      <td className="hidden max-w-[12rem] truncate px-3 py-2 lg:table-cell">{file.creatorToken.description}</td>
                      <td className="hidden whitespace-nowrap px-3 py-2 tabular-nums lg:table-cell">{file.expiresAt ? formatTime(file.expiresAt) : "never"}</td>
                      <td className="whitespace-nowrap px-3 py-2 text-right">
                        <a href={`/api/v2/storage/files/${file.id}/download`} download className="text-indigo-700 dark:text-indigo-300 hover:underline">Download</a>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        ) : (
          <QueryState error={files.error} loading={files.isPending} what="files" />
        )}
      </section>
      )}
    </div>
  );
}
