import { describe, expect, it } from "vitest";
import { openApiDocument } from "@/lib/openapi";

describe("OpenAPI document: Storage", () => {
  const doc = openApiDocument("http://x");

  it("documents every Storage route and the HarperDB operations", () => {
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/v2/storage/buckets",
        "/v2/storage/buckets/{bucketId}",
        "/v2/storage/buckets/{bucketId}/tables-async",
        "/v2/storage/tables",
        "/v2/storage/tables/{tableId}",
        "/v2/storage/tables/{tableId}/data-preview",
        "/v2/storage/tables/{tableId}/import-async",
        "/v2/storage/tables/{tableId}/export-async",
        "/v2/storage/tables/{tableId}/snapshots",
        "/v2/storage/tables/{tableId}/rows",
        "/v2/storage/jobs",
        "/v2/storage/jobs/{id}",
        "/v2/storage/files",
        "/v2/storage/files/{id}",
        "/v2/storage/files/{id}/download",
        "/operations",
      ]),
    );
    for (const name of ["Bucket", "Table", "File", "StorageJob", "HarperJob"]) expect(doc.components.schemas[name]).toBeDefined();
  });

  it("answers asynchronous operations with 202 and the Storage job", () => {
    const post = doc.paths["/v2/storage/tables/{tableId}/import-async"].post as { responses: Record<string, { content: { "application/json": { schema: unknown } } }> };
    expect(post.responses["202"]!.content["application/json"].schema).toEqual({ $ref: "#/components/schemas/StorageJob" });
  });
});
