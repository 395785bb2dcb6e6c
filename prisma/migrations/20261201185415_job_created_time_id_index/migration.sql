-- DropIndex
DROP INDEX "Job_projectId_createdTime_idx";

-- CreateIndex
CREATE INDEX "Job_projectId_createdTime_id_idx" ON "Job"("projectId", "createdTime" DESC, "id" DESC);
