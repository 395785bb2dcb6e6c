import { describe, expect, it } from "vitest";
import { creditsFor, creditsPerHour } from "./credits";

const sql = { jobType: "standard", componentType: "transformation", runtime: "sql" };
const python = { jobType: "standard", componentType: "transformation", runtime: "python" };

describe("credits", () => {
  it("uses the published rates", () => {
    expect(creditsPerHour({ ...sql, backendSize: "small" })).toBe(6);
    expect(creditsPerHour({ ...sql, backendSize: "medium" })).toBe(12);
    expect(creditsPerHour({ ...sql, backendSize: "large" })).toBe(26);
    expect(creditsPerHour({ ...python, backendSize: "xsmall" })).toBe(0.2);
    expect(creditsPerHour({ ...python, backendSize: "large" })).toBe(2);
    expect(creditsPerHour({ jobType: "standard", componentType: "extractor", runtime: null, backendSize: null })).toBe(2);
  });

  it("bills only standard jobs, by processing time", () => {
    expect(creditsFor({ ...sql, backendSize: "medium" }, 1800)).toBe(6);
    expect(creditsFor({ ...sql, jobType: "container", backendSize: "medium" }, 1800)).toBe(0);
    expect(creditsFor({ ...python, backendSize: null }, 90)).toBe(0.01);
  });
});
