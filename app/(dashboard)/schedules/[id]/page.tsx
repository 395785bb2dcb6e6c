import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ScheduleDetail } from "@/components/schedule-detail";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  return { title: `Schedule ${id}` };
}

export default async function Page({ params }: Props) {
  const { id } = await params;
  if (!/^\d{1,9}$/.test(id)) notFound();
  return <ScheduleDetail key={id} id={id} />;
}
