// Plays open dashboards against a server: each one polls what its page polls, at the intervals
// the dashboard's own query options decide (lib/queries/*.ts, lib/queries/polling.ts), and keeps
// ETags as a browser's HTTP cache does (a response with an ETag and without `no-store` is kept and
// revalidated with If-None-Match). Open loop: a poll fires on its interval whether or not the
// server kept up; one still in flight when its next turn comes is skipped, as TanStack Query does.
import http from "node:http";
import zlib from "node:zlib";
import { toQueryString } from "@/lib/queries/api-fetch";
import { eventPageQueryOptions, EVENTS_PAGE_SIZE, type EventLogFilters } from "@/lib/queries/events";
import { CHILD_JOBS_PAGE_SIZE, childJobsQueryOptions, jobCountsQueryOptions, jobDetailQueryOptions, jobListQueryOptions } from "@/lib/queries/jobs";
import { DEFAULT_JOBS_FILTERS, type JobsFilters, jobsFiltersToApi, withoutStatusFilters } from "@/lib/schemas/filters";
import type { JobJson } from "@/lib/schemas/jobs";

export type DashboardSpec =
  | { page: "job"; jobId: string; runId: string }
  | { page: "jobs"; filters: JobsFilters };

type Poll = {
  kind: "job detail" | "child jobs" | "events" | "jobs list" | "tab counts";
  /** The URL of the next poll (events move on with sinceId). */
  path(): string;
  /** Called with each answer's JSON (a 304 gives the kept one); returns the next interval or false. */
  interval(data: unknown): number | false;
};

/** One answer; `cached`: the server answered it from its poll cache (X-Jobdeck-Cache: hit). */
export type Sample = { kind: string; status: number; ms: number; at: number; cached: boolean };

export type PlayResult = { samples: Sample[]; skipped: number; offered: number; seconds: number; errors: number };

/** A page's queries as the dashboard's components mount them (components/job-detail.tsx, jobs-list.tsx). */
function pollsFor(spec: DashboardSpec, view: { job?: JobJson }): Poll[] {
  // The query options' own refetchInterval functions decide, given a query holding `data`.
  const every = (refetchInterval: unknown, data: unknown): number | false =>
    typeof refetchInterval === "function" ? (refetchInterval as (q: unknown) => number | false)({ state: { data } }) : (refetchInterval as number | false);
  if (spec.page === "jobs") {
    const list = jobListQueryOptions(spec.filters);
    const counts = jobCountsQueryOptions(spec.filters);
    const listParams = { ...jobsFiltersToApi(spec.filters), sortBy: "id", sortOrder: "desc", limit: String(spec.filters.limit) };
    return [
      { kind: "jobs list", path: () => `/api/search/jobs${toQueryString(listParams)}`, interval: (d) => every(list.refetchInterval, { pages: [{ jobs: d }] }) },
      {
        kind: "tab counts",
        path: () => `/api/search/jobs/counts${toQueryString(jobsFiltersToApi(withoutStatusFilters(spec.filters)))}`,
        interval: (d) => every(counts.refetchInterval, d),
      },
    ];
  }
  const detail = jobDetailQueryOptions(spec.jobId);
  const polls: Poll[] = [
    {
      kind: "job detail",
      path: () => `/api/jobs/${spec.jobId}`,
      interval: (d) => {
        view.job = d as JobJson;
        return every(detail.refetchInterval, d);
      },
    },
  ];
  const job = view.job;
  if (job && job.childrenCount > 0) {
    const children = childJobsQueryOptions(spec.runId);
    const params = { parentRunId: spec.runId, sortBy: "id", sortOrder: "asc", limit: String(CHILD_JOBS_PAGE_SIZE) };
    polls.push({ kind: "child jobs", path: () => `/api/search/jobs${toQueryString(params)}`, interval: (d) => every(children.refetchInterval, { pages: [{ jobs: d }] }) });
  }
  if (job) {
    // The newest page of the log; each poll asks only for events newer than the newest held.
    const filters: EventLogFilters = { runId: spec.runId, includeChildren: job.childrenCount > 0, types: [], q: "" };
    let newest: string | undefined;
    polls.push({
      kind: "events",
      path: () =>
        `/api/v2/storage/events${toQueryString({ runId: filters.runId, includeChildren: filters.includeChildren ? "true" : undefined, sinceId: newest, limit: String(EVENTS_PAGE_SIZE) })}`,
      interval: (d) => {
        const events = d as { id: string }[];
        if (events[0]) newest = events[0].id;
        return every(eventPageQueryOptions(filters, null, view.job ? isLive(view.job) : false).refetchInterval, d);
      },
    });
  }
  return polls;
}

function isLive(job: JobJson): boolean {
  return !job.isFinished || job.subtree.unfinished > 0;
}

/**
 * Opens `specs.length` dashboards, spread over `rampSeconds`, and records every answer from then
 * on for `seconds` more. Each dashboard has its own keep-alive connections and session cookie.
 */
export async function playDashboards(options: {
  host: string;
  port: number;
  specs: DashboardSpec[];
  cookies: string[];
  rampSeconds: number;
  seconds: number;
}): Promise<PlayResult> {
  const samples: Sample[] = [];
  let skipped = 0;
  let offered = 0;
  let errors = 0;
  const t0 = performance.now();
  const measureFrom = t0 + options.rampSeconds * 1000;
  const measureTo = measureFrom + options.seconds * 1000;
  const inWindow = (t: number) => t >= measureFrom && t < measureTo;
  const agents: http.Agent[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const later = (ms: number, fn: () => void) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  const openDashboard = async (spec: DashboardSpec, cookie: string) => {
    // Browsers keep up to 6 connections per origin.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 6 });
    agents.push(agent);
    const kept = new Map<string, { etag: string; data: unknown }>();
    const get = async (kind: string, path: string): Promise<unknown> => {
      const held = kept.get(path);
      const start = performance.now();
      if (inWindow(start)) offered++;
      try {
        const { status, headers, body } = await request(options, agent, path, { cookie, ...(held && { "if-none-match": held.etag }) });
        const end = performance.now();
        if (inWindow(start)) samples.push({ kind, status, ms: end - start, at: start, cached: headers["x-jobdeck-cache"] === "hit" });
        if (status === 304 && held) return held.data;
        if (status !== 200) throw new Error(`${path}: HTTP ${status}`);
        const data: unknown = JSON.parse(decode(body, headers["content-encoding"]).toString("utf8"));
        const etag = headers.etag;
        if (typeof etag === "string" && !String(headers["cache-control"] ?? "").includes("no-store")) kept.set(path, { etag, data });
        return data;
      } catch (error) {
        if (inWindow(start)) errors++;
        throw error;
      }
    };
    const view: { job?: JobJson } = {};
    // Opening the page: the job first (its children and log mount once it is there), or the list.
    const polls = pollsFor(spec, view);
    if (spec.page === "job") {
      const first = polls[0]!;
      const interval = first.interval(await get(first.kind, first.path()));
      polls.length = 0;
      polls.push(...pollsFor(spec, view));
      schedule(polls[0]!, interval);
      for (const poll of polls.slice(1)) void run(poll);
    } else {
      for (const poll of polls) void run(poll);
    }

    async function run(poll: Poll) {
      const started = performance.now();
      let interval: number | false;
      try {
        interval = poll.interval(await get(poll.kind, poll.path()));
      } catch {
        interval = 2_000; // retried later, as TanStack Query refetches errored queries on its interval
      }
      if (interval === false) return;
      // setInterval semantics: turns missed while the request was in flight are skipped.
      let next = started + interval;
      const now = performance.now();
      while (next < now) {
        if (inWindow(next)) {
          skipped++;
          offered++;
        }
        next += interval;
      }
      later(next - now, () => void run(poll));
    }
    function schedule(poll: Poll, interval: number | false) {
      if (interval !== false) later(interval, () => void run(poll));
    }
  };

  options.specs.forEach((spec, i) => {
    later(Math.random() * options.rampSeconds * 1000, () => void openDashboard(spec, options.cookies[i % options.cookies.length]!).catch(() => errors++));
  });
  await new Promise((r) => setTimeout(r, measureTo - performance.now()));
  stopped = true;
  for (const timer of timers) clearTimeout(timer);
  for (const agent of agents) agent.destroy();
  return { samples, skipped, offered, seconds: options.seconds, errors };
}

function request(
  target: { host: string; port: number },
  agent: http.Agent,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: target.host,
        port: target.port,
        path,
        agent,
        // What Chromium sends with a fetch() from the dashboard.
        headers: { accept: "application/json", "accept-encoding": "gzip, deflate, br", ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.setTimeout(30_000, () => req.destroy(new Error("timeout")));
  });
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  if (encoding === "gzip") return zlib.gunzipSync(body);
  if (encoding === "br") return zlib.brotliDecompressSync(body);
  if (encoding === "deflate") return zlib.inflateSync(body);
  return body;
}

export const DEFAULT_LIST: JobsFilters = DEFAULT_JOBS_FILTERS;
