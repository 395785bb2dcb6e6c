import { describe, expect, it } from "vitest";
import { Ajv2020 } from "ajv/dist/2020.js";
import { openApiDocument } from "./openapi";

describe("OpenAPI document", () => {
  const doc = openApiDocument("http://x");

  it("is OpenAPI 3.1 with every route of the API", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/jobs", "/jobs/{id}", "/jobs/{id}/kill", "/search/jobs", "/v2/storage/events", "/tokens", "/schedules", "/schedules/{id}"]),
    );
  });

  it("documents every search filter from the validating schema", () => {
    const names = doc.paths["/search/jobs"].get.parameters.map((p) => p.name);
    for (const name of ["status", "componentId", "configId", "tokenDescription", "createdTimeFrom", "durationSecondsTo", "sortBy", "limit", "offset", "cursor"]) {
      expect(names).toContain(name);
    }
  });

  it("has component schemas a JSON Schema validator accepts and uses", () => {
    const ajv = new Ajv2020({ strict: false });
    const validateJob = ajv.compile(doc.components.schemas.Job!);
    expect(validateJob({ id: "1" })).toBe(false);
    expect(validateJob.errors?.[0]?.message).toMatch(/required/);
  });
});
