-- AlterTable
ALTER TABLE "Job" ADD COLUMN     "childrenSpawnedAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "Job_status_leaseExpiresAt_idx" ON "Job"("status", "leaseExpiresAt");
