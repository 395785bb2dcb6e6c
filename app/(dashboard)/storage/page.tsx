import { redirect } from "next/navigation";

export default function StoragePage() {
  redirect("/storage/tables");
}
