-- AlterTable
ALTER TABLE "StorageJob" ADD COLUMN     "inBytesUncompressed" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "inCompressed" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "outBytesUncompressed" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "outCompressed" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "Metadata" (
    "id" SERIAL NOT NULL,
    "projectId" INTEGER NOT NULL,
    "tablePk" INTEGER,
    "columnName" TEXT,
    "configurationPk" INTEGER,
    "provider" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "timestamp" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Metadata_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Trigger" (
    "id" SERIAL NOT NULL,
    "projectId" INTEGER NOT NULL,
    "runWithTokenId" INTEGER NOT NULL,
    "component" TEXT NOT NULL,
    "configurationId" TEXT NOT NULL,
    "coolDownPeriodMinutes" INTEGER NOT NULL,
    "tableIds" TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastRun" TIMESTAMP(3),

    CONSTRAINT "Trigger_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Metadata_tablePk_idx" ON "Metadata"("tablePk");

-- CreateIndex
CREATE INDEX "Metadata_configurationPk_idx" ON "Metadata"("configurationPk");

-- CreateIndex
CREATE INDEX "Trigger_projectId_idx" ON "Trigger"("projectId");

-- AddForeignKey
ALTER TABLE "Metadata" ADD CONSTRAINT "Metadata_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Metadata" ADD CONSTRAINT "Metadata_tablePk_fkey" FOREIGN KEY ("tablePk") REFERENCES "StorageTable"("pk") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Metadata" ADD CONSTRAINT "Metadata_configurationPk_fkey" FOREIGN KEY ("configurationPk") REFERENCES "Configuration"("pk") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Trigger" ADD CONSTRAINT "Trigger_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- One value per (object, column, provider, key); the targets are nullable, so coalesced.
CREATE UNIQUE INDEX "Metadata_target_key" ON "Metadata" (coalesce("tablePk", 0), coalesce("columnName", ''), coalesce("configurationPk", 0), "provider", "key");
ALTER TABLE "Metadata" ADD CONSTRAINT "Metadata_target_check" CHECK (("tablePk" IS NULL) <> ("configurationPk" IS NULL) AND ("columnName" IS NULL OR "tablePk" IS NOT NULL));
ALTER TABLE "Trigger" ADD CONSTRAINT "Trigger_coolDown_check" CHECK ("coolDownPeriodMinutes" >= 1);

-- bucketDelete: a bucket dropped with its tables (Keboola's DELETE buckets/{id}?force&async).
ALTER TABLE "StorageJob" DROP CONSTRAINT "StorageJob_operationName_check";
ALTER TABLE "StorageJob" ADD CONSTRAINT "StorageJob_operationName_check" CHECK ("operationName" IN
  ('tableCreate', 'tableImport', 'tableExport', 'tableDrop', 'tableSnapshotCreate', 'tableRowsDelete', 'bucketDelete'));
