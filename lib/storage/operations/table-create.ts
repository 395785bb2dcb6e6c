import "server-only";
import { z } from "zod";
import { Prisma } from "@/lib/generated/prisma/client";
import { CsvError } from "@/lib/storage/csv/csv-error";
import { columnNamesProblem, newSqlName, parseTableId, primaryKeyProblem } from "@/lib/storage/identifiers";
import { StorageJobError } from "@/lib/storage/jobs/storage-job-error";
import { LONG_TRANSACTION, type OperationContext, type OperationOutcome } from "@/lib/storage/operations/context";
import { loadDataFile } from "@/lib/storage/operations/load-data-file";
import { assertUniqueKeys, explainDuplicateKey, isDuplicateKeyError, stageCsvFile } from "@/lib/storage/operations/stage-csv-file";
import { addPrimaryKey, createDataTable, mergeStaging, renameDataTable, tableStats } from "@/lib/storage/table-sql";

const paramsSchema = z.object({
  bucketId: z.string(),
  name: z.string(),
  dataFileId: z.string(),
  primaryKey: z.array(z.string()).default([]),
  // The file's columns when it has no header (a sliced file's slices have none).
  columns: z.array(z.string()).optional(),
  delimiter: z.string().optional(),
  enclosure: z.string().optional(),
  escapedBy: z.string().optional(),
});

/** tableCreate: a new table whose columns are the file's header, loaded with the file's rows. */
export async function runTableCreate(ctx: OperationContext): Promise<OperationOutcome> {
  const { db, job } = ctx;
  const params = paramsSchema.parse(job.operationParams);
  const tableId = parseTableId(job.tableId ?? "");
  if (!tableId) throw new StorageJobError("invalidParams", `"${job.tableId}" is not a table id.`);
  const file = await loadDataFile(db, job.projectId, params.dataFileId);
  const columnsProblem = params.columns ? columnNamesProblem(params.columns) : null;
  if (columnsProblem) throw new StorageJobError("invalidColumns", `columns: ${columnsProblem}`);
  const stage = {
    db,
    jobId: job.id,
    file,
    files: ctx.files,
    dialect: { delimiter: params.delimiter, enclosure: params.enclosure, escapedBy: params.escapedBy },
    ...(params.columns && { header: params.columns }),
  };
  const staged = await stageCsvFile({ ...stage, shape: "table" });
  try {
    const keyProblem = primaryKeyProblem(params.primaryKey, staged.header);
    if (keyProblem) throw new CsvError(1, keyProblem);
    if (staged.shape === "staging") await assertUniqueKeys(db, staged, params.primaryKey);
    else if (params.primaryKey.length > 0) {
      // Loaded straight into the new table's shape: its key, built once, finds a key given twice.
      await addPrimaryKey(db, { sqlName: staged.name, primaryKey: params.primaryKey }).catch((error: unknown) => {
        if (!isDuplicateKeyError(error)) throw error;
        return explainDuplicateKey({ ...stage, staged, primaryKey: params.primaryKey, error });
      });
    }
    const sqlName = newSqlName(job.projectId, tableId);
    const stats = await db.$transaction(async (tx) => {
      const bucket = await tx.bucket.findUnique({ where: { projectId_bucketId: { projectId: job.projectId, bucketId: params.bucketId } } });
      if (!bucket) throw new StorageJobError("bucketNotFound", `Bucket ${params.bucketId} was not found; it may have been deleted.`);
      const row = await tx.storageTable.create({
        data: {
          projectId: job.projectId,
          bucketPk: bucket.pk,
          tableId: tableId.tableId,
          name: tableId.name,
          displayName: tableId.name,
          columns: staged.header,
          primaryKey: params.primaryKey,
          sqlName,
          lastImportDate: new Date(),
        },
      });
      if (staged.shape === "table") await renameDataTable(tx, { from: staged.name, to: sqlName });
      else {
        await createDataTable(tx, { sqlName, columns: staged.header, primaryKey: params.primaryKey });
        await mergeStaging(tx, { target: sqlName, staging: staged.name, columns: staged.header, positions: staged.positionsOf(staged.header), primaryKey: params.primaryKey, mode: "append" });
      }
      const stats = await tableStats(tx, sqlName);
      await tx.storageTable.update({ where: { pk: row.pk }, data: { rowsCount: stats.rows, dataSizeBytes: stats.bytes } });
      return stats;
    }, LONG_TRANSACTION).catch((error: unknown) => {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
        throw new StorageJobError("tableExists", `Table ${tableId.tableId} already exists.`);
      }
      throw error;
    });
    return {
      results: {
        id: tableId.tableId,
        columns: staged.header,
        primaryKey: params.primaryKey,
        importedRowsCount: staged.rows,
        totalRowsCount: Number(stats.rows),
        totalDataSizeBytes: Number(stats.bytes),
        file: { id: file.id.toString() },
      },
      inBytes: file.sizeBytes,
      message: `Created table ${tableId.tableId} with ${staged.rows} rows`,
    };
  } finally {
    await staged.drop().catch(() => undefined);
  }
}
