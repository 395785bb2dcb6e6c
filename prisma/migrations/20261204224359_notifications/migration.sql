-- CreateTable
CREATE TABLE "NotificationSubscription" (
    "id" BIGSERIAL NOT NULL,
    "projectId" INTEGER NOT NULL,
    "event" TEXT NOT NULL,
    "filters" JSONB NOT NULL DEFAULT '[]',
    "channel" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "format" TEXT NOT NULL DEFAULT 'json',
    "secret" TEXT,
    "tokenId" INTEGER,
    "expiresAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "NotificationSubscription_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationDelivery" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "subscriptionId" BIGINT NOT NULL,
    "projectId" INTEGER NOT NULL,
    "event" TEXT NOT NULL,
    "jobId" BIGINT,
    "details" JSONB NOT NULL DEFAULT '{}',
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseExpiresAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMP(3),
    "lastStatusCode" INTEGER,
    "lastError" TEXT,

    CONSTRAINT "NotificationDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationAttempt" (
    "id" BIGSERIAL NOT NULL,
    "deliveryId" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "durationMs" INTEGER NOT NULL,
    "statusCode" INTEGER,
    "error" TEXT,

    CONSTRAINT "NotificationAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "NotificationSubscription_projectId_event_idx" ON "NotificationSubscription"("projectId", "event");

-- CreateIndex
CREATE INDEX "NotificationDelivery_status_nextAttemptAt_idx" ON "NotificationDelivery"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "NotificationDelivery_subscriptionId_createdAt_idx" ON "NotificationDelivery"("subscriptionId", "createdAt" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "NotificationDelivery_subscriptionId_jobId_event_key" ON "NotificationDelivery"("subscriptionId", "jobId", "event");

-- CreateIndex
CREATE INDEX "NotificationAttempt_deliveryId_attempt_idx" ON "NotificationAttempt"("deliveryId", "attempt");

-- AddForeignKey
ALTER TABLE "NotificationSubscription" ADD CONSTRAINT "NotificationSubscription_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationDelivery" ADD CONSTRAINT "NotificationDelivery_subscriptionId_fkey" FOREIGN KEY ("subscriptionId") REFERENCES "NotificationSubscription"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationAttempt" ADD CONSTRAINT "NotificationAttempt_deliveryId_fkey" FOREIGN KEY ("deliveryId") REFERENCES "NotificationDelivery"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: valid values, and the outbox written by the statement that ends a job.
ALTER TABLE "NotificationSubscription" ADD CONSTRAINT "NotificationSubscription_channel_check" CHECK (channel IN ('email', 'webhook'));
ALTER TABLE "NotificationSubscription" ADD CONSTRAINT "NotificationSubscription_format_check" CHECK (format IN ('json', 'slack'));
ALTER TABLE "NotificationSubscription" ADD CONSTRAINT "NotificationSubscription_event_check" CHECK (event IN
  ('job-failed', 'job-succeeded-with-warning', 'job-processing-long', 'job-succeeded', 'phase-job-failed'));
ALTER TABLE "NotificationDelivery" ADD CONSTRAINT "NotificationDelivery_status_check" CHECK (status IN ('pending', 'sending', 'delivered', 'failed'));

-- Whether a subscription's filters (Keboola's [{field, value, operator}]) hold for a job. The one
-- place filters are evaluated: the outbox trigger below and the job-processing-long check both ask here.
-- `overtime` is the job's durationOvertimePercentage (0.5 = 50 % over its average), NULL for other events.
CREATE FUNCTION jobdeck_notification_matches(filters jsonb, component text, config text, branch text, overtime double precision)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(bool_and(
    CASE WHEN f->>'field' = 'durationOvertimePercentage' THEN
      overtime IS NOT NULL AND CASE coalesce(f->>'operator', '==')
        WHEN '==' THEN overtime = (f->>'value')::float8
        WHEN '!=' THEN overtime <> (f->>'value')::float8
        WHEN '>' THEN overtime > (f->>'value')::float8
        WHEN '>=' THEN overtime >= (f->>'value')::float8
        WHEN '<' THEN overtime < (f->>'value')::float8
        WHEN '<=' THEN overtime <= (f->>'value')::float8
        ELSE false END
    ELSE
      CASE coalesce(f->>'operator', '==')
        WHEN '==' THEN (CASE f->>'field' WHEN 'job.component.id' THEN component WHEN 'job.configuration.id' THEN config WHEN 'branch.id' THEN branch END) IS NOT DISTINCT FROM f->>'value'
        WHEN '!=' THEN (CASE f->>'field' WHEN 'job.component.id' THEN component WHEN 'job.configuration.id' THEN config WHEN 'branch.id' THEN branch END) IS DISTINCT FROM f->>'value'
        ELSE false END
    END), true)
  FROM jsonb_array_elements(filters) f
$$;

-- The outbox: in the statement (so the transaction) that moves jobs to a final status, one
-- delivery per matching subscription. Every path that ends a job (a worker's group commit, a
-- container settling, a lost job given up) goes through an UPDATE of "Job", so none is missed.
-- Timestamps are UTC without a zone, as Prisma writes them, whatever the session's TimeZone.
CREATE FUNCTION jobdeck_notification_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "NotificationDelivery" ("subscriptionId", "projectId", event, "jobId", "createdAt", "nextAttemptAt")
  SELECT s.id, j."projectId", s.event, j.id, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
  FROM new_rows j
  JOIN old_rows o ON o.id = j.id AND o.status IS DISTINCT FROM j.status
  JOIN "NotificationSubscription" s ON s."projectId" = j."projectId" AND s.event = CASE j.status
      WHEN 'error' THEN CASE WHEN j.type = 'phaseContainer' THEN 'phase-job-failed' ELSE 'job-failed' END
      WHEN 'warning' THEN 'job-succeeded-with-warning'
      WHEN 'success' THEN 'job-succeeded' END
  WHERE j.status IN ('success', 'warning', 'error')
    AND (s."expiresAt" IS NULL OR s."expiresAt" > now() AT TIME ZONE 'UTC')
    AND jobdeck_notification_matches(s.filters, j.component, j.config, j."branchId", NULL)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Job_final_notification" AFTER UPDATE ON "Job" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION jobdeck_notification_outbox();
