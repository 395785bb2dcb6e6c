-- CreateIndex
CREATE INDEX "File_expiresAt_idx" ON "File"("expiresAt");

-- CreateIndex
CREATE INDEX "StorageJob_projectId_tableId_id_idx" ON "StorageJob"("projectId", "tableId", "id" DESC);

-- Hand-written: the rows of Storage tables live in their own schema, one SQL table per Storage
-- table (StorageTable.sqlName), created and dropped by lib/storage/table-sql.ts.
CREATE SCHEMA IF NOT EXISTS storage;

-- Rules the database holds even against a buggy writer (the code validates first).
ALTER TABLE "Bucket" ADD CONSTRAINT "Bucket_stage_check" CHECK (stage IN ('in', 'out'));
ALTER TABLE "StorageTable" ADD CONSTRAINT "StorageTable_sqlName_check" CHECK ("sqlName" ~ '^t[0-9]+_[a-z0-9_]{1,40}_[a-f0-9]{8}$');
ALTER TABLE "StorageJob" ADD CONSTRAINT "StorageJob_operationName_check" CHECK ("operationName" IN
  ('tableCreate', 'tableImport', 'tableExport', 'tableDrop', 'tableSnapshotCreate', 'tableRowsDelete'));
ALTER TABLE "File" ADD CONSTRAINT "File_sizeBytes_check" CHECK ("sizeBytes" >= 0);
