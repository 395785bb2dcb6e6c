import type { Metadata } from "next";
import { headers } from "next/headers";
import { ApiReference, type ApiDocument } from "@/components/api-reference";
import { openApiDocument } from "@/lib/openapi";

export const metadata: Metadata = { title: "API" };

export default async function ApiDocsPage() {
  const h = await headers();
  const origin = `${h.get("x-forwarded-proto") ?? "http"}://${h.get("host") ?? "localhost"}`;
  // The generated document is plain JSON; the page reads the parts it shows.
  return <ApiReference document={openApiDocument(origin) as unknown as ApiDocument} />;
}
