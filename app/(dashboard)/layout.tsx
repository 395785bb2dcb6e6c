import { HydrationBoundary } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { AppShell } from "@/components/app-shell";
import { prefetchSession } from "@/lib/queries/prefetch";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  return (
    <HydrationBoundary state={await prefetchSession()}>
      <AppShell>{children}</AppShell>
    </HydrationBoundary>
  );
}
