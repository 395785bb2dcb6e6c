-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Project" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "maxProcessingJobs" INTEGER NOT NULL DEFAULT 10,
    "isDemo" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Project_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Token" (
    "id" SERIAL NOT NULL,
    "projectId" INTEGER NOT NULL,
    "description" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "permission" TEXT NOT NULL DEFAULT 'manage',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "Token_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Session" (
    "idHash" TEXT NOT NULL,
    "tokenId" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Session_pkey" PRIMARY KEY ("idHash")
);

-- CreateTable
CREATE TABLE "Component" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "runtime" TEXT,
    "description" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "Component_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Configuration" (
    "pk" SERIAL NOT NULL,
    "projectId" INTEGER NOT NULL,
    "componentId" TEXT NOT NULL,
    "branchId" TEXT NOT NULL DEFAULT 'default',
    "configId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "configuration" JSONB NOT NULL DEFAULT '{}',
    "isDisabled" BOOLEAN NOT NULL DEFAULT false,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Configuration_pkey" PRIMARY KEY ("pk")
);

-- CreateTable
CREATE TABLE "ConfigurationRow" (
    "pk" SERIAL NOT NULL,
    "configurationPk" INTEGER NOT NULL,
    "rowId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "configuration" JSONB NOT NULL DEFAULT '{}',
    "isDisabled" BOOLEAN NOT NULL DEFAULT false,
    "sortOrder" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConfigurationRow_pkey" PRIMARY KEY ("pk")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" BIGSERIAL NOT NULL,
    "projectId" INTEGER NOT NULL,
    "tokenId" INTEGER NOT NULL,
    "runId" TEXT NOT NULL,
    "parentRunId" TEXT,
    "rootRunId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'created',
    "desiredStatus" TEXT NOT NULL DEFAULT 'processing',
    "mode" TEXT NOT NULL DEFAULT 'run',
    "type" TEXT NOT NULL DEFAULT 'standard',
    "component" TEXT NOT NULL,
    "config" TEXT,
    "configData" JSONB,
    "configRowIds" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "tag" TEXT,
    "branchId" TEXT NOT NULL DEFAULT 'default',
    "backendSize" TEXT,
    "parallelism" TEXT,
    "onError" TEXT,
    "phase" INTEGER,
    "createdTime" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startTime" TIMESTAMP(3),
    "endTime" TIMESTAMP(3),
    "durationSeconds" INTEGER,
    "result" JSONB NOT NULL DEFAULT '{}',
    "usageData" JSONB NOT NULL DEFAULT '{}',
    "inputTablesBytesSum" BIGINT NOT NULL DEFAULT 0,
    "outputTablesBytesSum" BIGINT NOT NULL DEFAULT 0,
    "credits" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "waitReason" TEXT,
    "waitDetail" TEXT,
    "workerId" TEXT,
    "leaseExpiresAt" TIMESTAMP(3),
    "heartbeatAt" TIMESTAMP(3),
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "JobEvent" (
    "id" BIGSERIAL NOT NULL,
    "projectId" INTEGER NOT NULL,
    "jobId" BIGINT,
    "runId" TEXT,
    "event" TEXT NOT NULL,
    "component" TEXT,
    "message" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "type" TEXT NOT NULL DEFAULT 'info',
    "created" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "params" JSONB NOT NULL DEFAULT '{}',
    "results" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "JobEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StorageJob" (
    "id" BIGSERIAL NOT NULL,
    "projectId" INTEGER NOT NULL,
    "tokenId" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'waiting',
    "operationName" TEXT NOT NULL,
    "operationParams" JSONB NOT NULL DEFAULT '{}',
    "tableId" TEXT,
    "runId" TEXT,
    "results" JSONB,
    "createdTime" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startTime" TIMESTAMP(3),
    "endTime" TIMESTAMP(3),
    "inBytes" BIGINT NOT NULL DEFAULT 0,
    "outBytes" BIGINT NOT NULL DEFAULT 0,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "workerId" TEXT,
    "leaseExpiresAt" TIMESTAMP(3),
    "attempt" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "StorageJob_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Bucket" (
    "pk" SERIAL NOT NULL,
    "projectId" INTEGER NOT NULL,
    "bucketId" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Bucket_pkey" PRIMARY KEY ("pk")
);

-- CreateTable
CREATE TABLE "StorageTable" (
    "pk" SERIAL NOT NULL,
    "projectId" INTEGER NOT NULL,
    "bucketPk" INTEGER NOT NULL,
    "tableId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "columns" TEXT[],
    "primaryKey" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "rowsCount" BIGINT NOT NULL DEFAULT 0,
    "dataSizeBytes" BIGINT NOT NULL DEFAULT 0,
    "sqlName" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastImportDate" TIMESTAMP(3),

    CONSTRAINT "StorageTable_pkey" PRIMARY KEY ("pk")
);

-- CreateTable
CREATE TABLE "File" (
    "id" BIGSERIAL NOT NULL,
    "projectId" INTEGER NOT NULL,
    "tokenId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "contentType" TEXT NOT NULL DEFAULT 'application/octet-stream',
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "runId" TEXT,
    "storagePath" TEXT NOT NULL,
    "sha256" TEXT,
    "created" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3),

    CONSTRAINT "File_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Worker" (
    "id" TEXT NOT NULL,
    "hostname" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "concurrency" INTEGER NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Worker_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Token_secretHash_key" ON "Token"("secretHash");

-- CreateIndex
CREATE INDEX "Token_projectId_idx" ON "Token"("projectId");

-- CreateIndex
CREATE INDEX "Session_tokenId_idx" ON "Session"("tokenId");

-- CreateIndex
CREATE UNIQUE INDEX "Configuration_projectId_componentId_branchId_configId_key" ON "Configuration"("projectId", "componentId", "branchId", "configId");

-- CreateIndex
CREATE UNIQUE INDEX "ConfigurationRow_configurationPk_rowId_key" ON "ConfigurationRow"("configurationPk", "rowId");

-- CreateIndex
CREATE INDEX "Job_projectId_id_idx" ON "Job"("projectId", "id" DESC);

-- CreateIndex
CREATE INDEX "Job_projectId_status_id_idx" ON "Job"("projectId", "status", "id" DESC);

-- CreateIndex
CREATE INDEX "Job_projectId_component_config_id_idx" ON "Job"("projectId", "component", "config", "id" DESC);

-- CreateIndex
CREATE INDEX "Job_projectId_parentRunId_idx" ON "Job"("projectId", "parentRunId");

-- CreateIndex
CREATE INDEX "Job_projectId_rootRunId_idx" ON "Job"("projectId", "rootRunId");

-- CreateIndex
CREATE INDEX "Job_projectId_createdTime_idx" ON "Job"("projectId", "createdTime" DESC);

-- CreateIndex
CREATE INDEX "Job_status_component_config_branchId_idx" ON "Job"("status", "component", "config", "branchId");

-- CreateIndex
CREATE UNIQUE INDEX "Job_projectId_runId_key" ON "Job"("projectId", "runId");

-- CreateIndex
CREATE INDEX "JobEvent_projectId_runId_id_idx" ON "JobEvent"("projectId", "runId", "id" DESC);

-- CreateIndex
CREATE INDEX "JobEvent_projectId_id_idx" ON "JobEvent"("projectId", "id" DESC);

-- CreateIndex
CREATE INDEX "StorageJob_projectId_id_idx" ON "StorageJob"("projectId", "id" DESC);

-- CreateIndex
CREATE INDEX "StorageJob_projectId_runId_idx" ON "StorageJob"("projectId", "runId");

-- CreateIndex
CREATE INDEX "StorageJob_status_id_idx" ON "StorageJob"("status", "id");

-- CreateIndex
CREATE UNIQUE INDEX "Bucket_projectId_bucketId_key" ON "Bucket"("projectId", "bucketId");

-- CreateIndex
CREATE UNIQUE INDEX "StorageTable_sqlName_key" ON "StorageTable"("sqlName");

-- CreateIndex
CREATE UNIQUE INDEX "StorageTable_projectId_tableId_key" ON "StorageTable"("projectId", "tableId");

-- CreateIndex
CREATE INDEX "File_projectId_id_idx" ON "File"("projectId", "id" DESC);

-- CreateIndex
CREATE INDEX "File_projectId_runId_idx" ON "File"("projectId", "runId");

-- AddForeignKey
ALTER TABLE "Token" ADD CONSTRAINT "Token_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_tokenId_fkey" FOREIGN KEY ("tokenId") REFERENCES "Token"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Configuration" ADD CONSTRAINT "Configuration_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Configuration" ADD CONSTRAINT "Configuration_componentId_fkey" FOREIGN KEY ("componentId") REFERENCES "Component"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConfigurationRow" ADD CONSTRAINT "ConfigurationRow_configurationPk_fkey" FOREIGN KEY ("configurationPk") REFERENCES "Configuration"("pk") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_tokenId_fkey" FOREIGN KEY ("tokenId") REFERENCES "Token"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "JobEvent" ADD CONSTRAINT "JobEvent_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StorageJob" ADD CONSTRAINT "StorageJob_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StorageJob" ADD CONSTRAINT "StorageJob_tokenId_fkey" FOREIGN KEY ("tokenId") REFERENCES "Token"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Bucket" ADD CONSTRAINT "Bucket_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StorageTable" ADD CONSTRAINT "StorageTable_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StorageTable" ADD CONSTRAINT "StorageTable_bucketPk_fkey" FOREIGN KEY ("bucketPk") REFERENCES "Bucket"("pk") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "File" ADD CONSTRAINT "File_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "File" ADD CONSTRAINT "File_tokenId_fkey" FOREIGN KEY ("tokenId") REFERENCES "Token"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

