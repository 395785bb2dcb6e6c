-- AlterTable
ALTER TABLE "Component" ADD COLUMN     "configurationSchema" JSONB,
ADD COLUMN     "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'builtin',
ADD COLUMN     "projectId" INTEGER,
ADD COLUMN     "settings" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- AlterTable
ALTER TABLE "Configuration" ADD COLUMN     "state" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "ConfigurationRow" ADD COLUMN     "state" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "ComponentVersion" (
    "id" SERIAL NOT NULL,
    "componentId" TEXT NOT NULL,
    "tag" TEXT NOT NULL,
    "command" TEXT[],
    "archiveType" TEXT NOT NULL,
    "archive" BYTEA NOT NULL,
    "sha256" TEXT NOT NULL,
    "sizeBytes" INTEGER NOT NULL,
    "unpackedBytes" BIGINT NOT NULL,
    "fileCount" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "tokenId" INTEGER,

    CONSTRAINT "ComponentVersion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ComponentVersion_componentId_id_idx" ON "ComponentVersion"("componentId", "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "ComponentVersion_componentId_tag_key" ON "ComponentVersion"("componentId", "tag");

-- CreateIndex
CREATE INDEX "Component_projectId_idx" ON "Component"("projectId");

-- AddForeignKey
ALTER TABLE "Component" ADD CONSTRAINT "Component_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ComponentVersion" ADD CONSTRAINT "ComponentVersion_componentId_fkey" FOREIGN KEY ("componentId") REFERENCES "Component"("id") ON DELETE CASCADE ON UPDATE CASCADE;
