-- CreateTable
CREATE TABLE "ConfigurationVersion" (
    "pk" SERIAL NOT NULL,
    "configurationPk" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "configuration" JSONB NOT NULL DEFAULT '{}',
    "isDisabled" BOOLEAN NOT NULL DEFAULT false,
    "rows" JSONB NOT NULL DEFAULT '[]',
    "changeDescription" TEXT NOT NULL DEFAULT '',
    "creatorTokenId" INTEGER,
    "creatorDescription" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConfigurationVersion_pkey" PRIMARY KEY ("pk")
);

-- CreateIndex
CREATE UNIQUE INDEX "ConfigurationVersion_configurationPk_version_key" ON "ConfigurationVersion"("configurationPk", "version");

-- AddForeignKey
ALTER TABLE "ConfigurationVersion" ADD CONSTRAINT "ConfigurationVersion_configurationPk_fkey" FOREIGN KEY ("configurationPk") REFERENCES "Configuration"("pk") ON DELETE CASCADE ON UPDATE CASCADE;

-- Configurations saved before versions were kept: their current state becomes their one version.
INSERT INTO "ConfigurationVersion" ("configurationPk", "version", "name", "description", "configuration", "isDisabled", "rows", "changeDescription", "createdAt")
SELECT c."pk", c."version", c."name", c."description", c."configuration", c."isDisabled",
       coalesce((SELECT jsonb_agg(jsonb_build_object('id', r."rowId", 'name', r."name", 'configuration', r."configuration", 'isDisabled', r."isDisabled") ORDER BY r."sortOrder", r."pk")
                 FROM "ConfigurationRow" r WHERE r."configurationPk" = c."pk"), '[]'::jsonb),
       'Version kept when versions were introduced', c."updatedAt"
FROM "Configuration" c;
