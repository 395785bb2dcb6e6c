import { StorageJobsView } from "@/components/storage/storage-jobs-view";

export const metadata = { title: "Jobs · Storage · Jobdeck" };

export default function StorageJobsPage() {
  return <StorageJobsView />;
}
