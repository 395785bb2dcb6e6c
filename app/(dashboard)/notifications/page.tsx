import type { Metadata } from "next";
import { NotificationsPage } from "@/components/notifications-page";
import { emailConfigured } from "@/lib/notifications/channels";

export const metadata: Metadata = { title: "Notifications" };
// Whether e-mail is set up is read when the page is asked for, not when it is built.
export const dynamic = "force-dynamic";

export default function Page() {
  return <NotificationsPage emailConfigured={emailConfigured()} />;
}
