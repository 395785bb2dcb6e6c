-- AlterTable
ALTER TABLE "File" ADD COLUMN     "isSliced" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "preparedSizeBytes" BIGINT,
ADD COLUMN     "uploadState" TEXT NOT NULL DEFAULT 'uploaded';

ALTER TABLE "File" ADD CONSTRAINT "File_uploadState_check" CHECK ("uploadState" IN ('prepared', 'uploaded'));
ALTER TABLE "File" ADD CONSTRAINT "File_preparedSizeBytes_check" CHECK ("preparedSizeBytes" IS NULL OR "preparedSizeBytes" >= 0);
