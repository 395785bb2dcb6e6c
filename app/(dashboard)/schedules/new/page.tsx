import type { Metadata } from "next";
import { Link } from "@/components/link";
import { ScheduleEditor } from "@/components/schedule-editor";

export const metadata: Metadata = { title: "New schedule" };

export default function Page() {
  return (
    <div className="space-y-4">
      <nav aria-label="Breadcrumb" className="text-sm text-zinc-500 dark:text-zinc-400">
        <Link href="/schedules" className="hover:underline">
          Schedules
        </Link>{" "}
        / <span className="text-zinc-800 dark:text-zinc-200">New</span>
      </nav>
      <h1 className="text-2xl font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">New schedule</h1>
      <ScheduleEditor />
    </div>
  );
}
