import "server-only";
import { revokeToken } from "@/lib/auth/tokens";
import type { Db } from "@/lib/db";
import { findSchedule } from "@/lib/schedules/activate-schedule";

/** DELETE /schedules/{id}: no more slots, its token revoked. The configuration stays, as in Keboola. */
export async function deleteSchedule(options: { db: Db; projectId: number; id: string }): Promise<void> {
  const schedule = await findSchedule(options.db, options.projectId, options.id);
  await options.db.schedule.delete({ where: { id: schedule.id } });
  await revokeToken({ db: options.db, projectId: options.projectId, id: String(schedule.tokenId) });
}
