import { describe, expect, it } from "vitest";
import {
  DEFAULT_JOBS_FILTERS,
  hasActiveFilters,
  jobsFiltersToApi,
  jobsFiltersToSearch,
  killableStatusesFor,
  parseJobsFilters,
} from "./filters";
import { searchJobsSchema } from "./jobs";

const parse = (query: string) => parseJobsFilters(new URLSearchParams(query));

describe("jobs list filters in the URL", () => {
  it("reads every filter and writes the same URL back", () => {
    const query =
      "status=error&status=warning&notStatus=success&component=keboola.ex-http&config=101&created=7d&minDuration=60&maxDuration=3600" +
      "&creator=demo%40jobdeck.local&id=12&runId=5.7&parent=5&scope=all&limit=100";
    const filters = parse(query);
    expect(filters).toMatchObject({
      status: ["error", "warning"],
      notStatus: ["success"],
      component: ["keboola.ex-http"],
      config: ["101"],
      created: "7d",
      minDuration: 60,
      maxDuration: 3600,
      creator: ["demo@jobdeck.local"],
      id: ["12"],
      runId: ["5.7"],
      parent: ["5"],
      scope: "all",
      limit: 100,
    });
    expect(jobsFiltersToSearch(filters)).toBe(`?${query}`);
  });

  it("drops what it cannot read instead of failing, and keeps the plain list plain", () => {
    expect(parse("status=done&created=yesterday&minDuration=-1&id=abc&limit=7&createdFrom=soon")).toEqual(DEFAULT_JOBS_FILTERS);
    expect(jobsFiltersToSearch(DEFAULT_JOBS_FILTERS)).toBe("");
    expect(hasActiveFilters(DEFAULT_JOBS_FILTERS)).toBe(false);
    expect(hasActiveFilters({ ...DEFAULT_JOBS_FILTERS, limit: 200 })).toBe(false);
    expect(parse("created=24h&createdFrom=2026-01-01")).toMatchObject({ created: "24h", createdFrom: null });
  });

  it("turns filters into search parameters the API accepts", () => {
    const api = jobsFiltersToApi(parse("notStatus=success&createdFrom=2026-10-01&minDuration=300&creator=Scheduler&createdTo=2026-11-01T10:00"));
    expect(api).toEqual({
      excludeStatus: ["success"],
      createdTimeFrom: "2026-10-01",
      createdTimeTo: "2026-11-01T10:00",
      durationSecondsFrom: "300",
      tokenDescription: ["Scheduler"],
      rootOnly: "true",
    });
    expect(searchJobsSchema.safeParse(api).success).toBe(true);
    // Looking a job up by id finds it even when it is a child.
    expect(jobsFiltersToApi(parse("id=42")).rootOnly).toBeUndefined();
    expect(jobsFiltersToApi(parse("created=1h")).createdTimeFrom).toBe("-1 hour");
  });

  it("knows which matching jobs could still be terminated", () => {
    expect(killableStatusesFor(DEFAULT_JOBS_FILTERS)).toEqual(["created", "waiting", "processing"]);
    expect(killableStatusesFor(parse("status=processing&status=error"))).toEqual(["processing"]);
    expect(killableStatusesFor(parse("notStatus=created"))).toEqual(["waiting", "processing"]);
    expect(killableStatusesFor(parse("status=success"))).toEqual([]);
  });
});
