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

  it("keeps each value once, trims names, takes a single filter's last value, and reads Next.js's params", () => {
    const many = Array.from({ length: 60 }, (_, i) => `component=c${i}`).join("&");
    expect(parse(`status=error&status=error&status=bogus&${many}`)).toMatchObject({ status: ["error"], component: expect.any(Array) });
    expect(parse(many).component).toHaveLength(50);
    expect(parse("component=%20keboola.ex-http%20&component=%20%20")).toMatchObject({ component: ["keboola.ex-http"] });
    expect(parse("limit=25&limit=bogus&scope=root&scope=all&maxDuration=10&maxDuration=2.5")).toMatchObject({ limit: 50, scope: "all", maxDuration: null });
    expect(parseJobsFilters({ status: ["error", "warning"], runId: "5.7", parent: undefined, limit: "200" })).toMatchObject({
      status: ["error", "warning"],
      runId: ["5.7"],
      parent: [],
      limit: 200,
    });
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
