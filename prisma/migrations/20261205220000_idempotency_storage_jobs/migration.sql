-- AlterTable
ALTER TABLE "IdempotencyKey" ALTER COLUMN "jobId" DROP NOT NULL,
ADD COLUMN     "storageJobId" BIGINT;
