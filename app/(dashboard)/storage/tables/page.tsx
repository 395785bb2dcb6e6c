import { TablesView } from "@/components/storage/tables-view";
import { parseStorageView } from "@/lib/schemas/storage-view";

export const metadata = { title: "Tables · Storage · Jobdeck" };

export default async function TablesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const view = parseStorageView(await searchParams);
  return <TablesView selected={view.table} />;
}
