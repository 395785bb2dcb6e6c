import type { Metadata } from "next";
import { ConfigurationPage } from "@/components/configuration-page";
import { emailConfigured } from "@/lib/notifications/channels";

export const metadata: Metadata = { title: "Configuration" };

export default async function Page({ params }: { params: Promise<{ componentId: string; configId: string }> }) {
  const { componentId, configId } = await params;
  return <ConfigurationPage componentId={decodeURIComponent(componentId)} configId={decodeURIComponent(configId)} emailConfigured={emailConfigured()} />;
}
