-- CreateTable
CREATE TABLE "Schedule" (
    "id" SERIAL NOT NULL,
    "projectId" INTEGER NOT NULL,
    "configurationPk" INTEGER NOT NULL,
    "configurationVersion" INTEGER NOT NULL,
    "tokenId" INTEGER NOT NULL,
    "cronTab" TEXT NOT NULL,
    "timezone" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "targetComponentId" TEXT NOT NULL,
    "targetConfigurationId" TEXT NOT NULL,
    "targetConfigurationRowIds" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "targetMode" TEXT NOT NULL DEFAULT 'run',
    "targetTag" TEXT,
    "nextSlotAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Schedule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ScheduleExecution" (
    "id" BIGSERIAL NOT NULL,
    "scheduleId" INTEGER NOT NULL,
    "slotTime" TIMESTAMP(3) NOT NULL,
    "executionTime" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" TEXT NOT NULL,
    "jobId" BIGINT,
    "reason" TEXT,
    "missedSlots" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "ScheduleExecution_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Schedule_configurationPk_key" ON "Schedule"("configurationPk");

-- CreateIndex
CREATE UNIQUE INDEX "Schedule_tokenId_key" ON "Schedule"("tokenId");

-- CreateIndex
CREATE INDEX "Schedule_projectId_idx" ON "Schedule"("projectId");

-- CreateIndex
CREATE INDEX "Schedule_state_nextSlotAt_idx" ON "Schedule"("state", "nextSlotAt");

-- CreateIndex
CREATE INDEX "ScheduleExecution_jobId_idx" ON "ScheduleExecution"("jobId");

-- CreateIndex
CREATE UNIQUE INDEX "ScheduleExecution_scheduleId_slotTime_key" ON "ScheduleExecution"("scheduleId", "slotTime");

-- AddForeignKey
ALTER TABLE "Schedule" ADD CONSTRAINT "Schedule_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Schedule" ADD CONSTRAINT "Schedule_configurationPk_fkey" FOREIGN KEY ("configurationPk") REFERENCES "Configuration"("pk") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Schedule" ADD CONSTRAINT "Schedule_tokenId_fkey" FOREIGN KEY ("tokenId") REFERENCES "Token"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScheduleExecution" ADD CONSTRAINT "ScheduleExecution_scheduleId_fkey" FOREIGN KEY ("scheduleId") REFERENCES "Schedule"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The database holds the vocabulary too.
ALTER TABLE "Schedule" ADD CONSTRAINT "Schedule_state_check" CHECK ("state" IN ('enabled', 'disabled'));
ALTER TABLE "ScheduleExecution" ADD CONSTRAINT "ScheduleExecution_status_check" CHECK ("status" IN ('created', 'failed'));
