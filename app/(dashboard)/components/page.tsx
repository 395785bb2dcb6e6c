import type { Metadata } from "next";
import { ComponentsCatalog } from "@/components/components-catalog";

export const metadata: Metadata = { title: "Components" };

export default function Page() {
  return <ComponentsCatalog />;
}
