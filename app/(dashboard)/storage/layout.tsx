import type { ReactNode } from "react";
import { StorageTabs } from "@/components/storage/storage-tabs";

export default function StorageLayout({ children }: { children: ReactNode }) {
  return (
    <div className="space-y-4">
      <div>
        <p className="text-sm text-zinc-500 dark:text-zinc-400">Storage</p>
        <h1 className="sr-only">Storage</h1>
      </div>
      <StorageTabs />
      {children}
    </div>
  );
}
