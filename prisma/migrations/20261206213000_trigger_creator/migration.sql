-- AlterTable
ALTER TABLE "Trigger" ADD COLUMN     "creatorDescription" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "creatorTokenId" INTEGER;
