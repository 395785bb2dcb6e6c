import { notFound } from "next/navigation";
import { StorageJobDetail } from "@/components/storage/storage-job-detail";

export default async function StorageJobPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!/^\d{1,18}$/.test(id)) notFound();
  return <StorageJobDetail id={id} />;
}
