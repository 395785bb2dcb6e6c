import type { Metadata } from "next";
import { ScheduleList } from "@/components/schedule-list";

export const metadata: Metadata = { title: "Schedules" };

export default function Page() {
  return <ScheduleList />;
}
