import "server-only";
// job-processing-long: a periodic check (run by every sender; the unique delivery per subscription,
// job and event makes it fire once per job however many run it) compares each processing job with
// the average duration of its configuration's last successful runs.
import type { Db } from "@/lib/db";
import { DEFAULT_OVERTIME } from "@/lib/schemas/notifications";

/** Successful runs the average is taken over. */
export const AVERAGE_OF_RUNS = 10;

/** Writes a delivery for every processing job over its subscriptions' threshold; returns how many. */
export async function detectLongJobs(options: { db: Db; now?: Date }): Promise<number> {
  // Times from this process, as Prisma writes every other timestamp (the columns have no time zone).
  const now = options.now ?? new Date();
  return options.db.$executeRaw`
    INSERT INTO "NotificationDelivery" ("subscriptionId", "projectId", event, "jobId", "createdAt", "nextAttemptAt", details)
    SELECT s.id, r."projectId", s.event, r.id, ${now}, ${now},
           jsonb_build_object('averageDuration', round(a.average::numeric, 3), 'currentDuration', round(r.current::numeric, 3),
                              'durationOvertimePercentage', round((r.current / a.average - 1)::numeric, 4))
    FROM (
      SELECT j.id, j."projectId", j.component, j.config, j."branchId", j.type,
             EXTRACT(EPOCH FROM (${now}::timestamp - j."startTime"))::float8 AS current
      FROM "Job" j
      WHERE j.status = 'processing' AND j."startTime" IS NOT NULL AND j.config IS NOT NULL
        AND j."projectId" IN (SELECT "projectId" FROM "NotificationSubscription" WHERE event = 'job-processing-long')
    ) r
    CROSS JOIN LATERAL (
      SELECT avg(EXTRACT(EPOCH FROM (h."endTime" - h."startTime"))::float8) AS average
      FROM (
        SELECT "startTime", "endTime" FROM "Job" h
        WHERE h."projectId" = r."projectId" AND h.component = r.component AND h.config = r.config
          AND h."branchId" = r."branchId" AND h.type = r.type AND h.status = 'success' AND h."startTime" IS NOT NULL
        ORDER BY h.id DESC LIMIT ${AVERAGE_OF_RUNS}
      ) h
    ) a
    JOIN "NotificationSubscription" s ON s."projectId" = r."projectId" AND s.event = 'job-processing-long'
      AND (s."expiresAt" IS NULL OR s."expiresAt" > ${now})
    WHERE a.average > 0
      AND jobdeck_notification_matches(s.filters, r.component, r.config, r."branchId", r.current / a.average - 1)
      AND (r.current / a.average - 1 >= ${DEFAULT_OVERTIME}
           OR EXISTS (SELECT 1 FROM jsonb_array_elements(s.filters) f WHERE f->>'field' = 'durationOvertimePercentage'))
    ON CONFLICT DO NOTHING`;
}
