import { FilesView } from "@/components/storage/files-view";
import { parseStorageView } from "@/lib/schemas/storage-view";

export const metadata = { title: "Files · Storage · Jobdeck" };

export default async function FilesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const view = parseStorageView(await searchParams);
  return <FilesView q={view.q} fileId={view.fileId} />;
}
