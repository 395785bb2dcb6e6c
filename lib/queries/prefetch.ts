// Server side of the dashboard's queries: the data a page needs, read straight from the domain
// functions while the server renders, under the same query keys the browser's hooks use. The
// HTML then arrives with rows in it instead of a skeleton, and the browser polls from there.
import "server-only";
import { dehydrate, type DehydratedState, type InfiniteData, QueryClient } from "@tanstack/react-query";
import { cookies, headers } from "next/headers";
import { cache } from "react";
import { authenticateSession, SESSION_COOKIE } from "@/lib/auth/session";
import type { AuthContext } from "@/lib/auth/tokens";
import { listComponents } from "@/lib/configurations/configurations";
import { db } from "@/lib/db";
import { countJobs } from "@/lib/jobs/count-jobs";
import { searchJobs } from "@/lib/jobs/search-jobs";
import { type JobsFilters, jobsFiltersToApi, withoutStatusFilters } from "@/lib/schemas/filters";
import { countJobsSchema } from "@/lib/schemas/job-counts";
import { searchJobsSchema } from "@/lib/schemas/jobs";
import type { SessionJson } from "@/lib/schemas/session";
import { componentKeys, componentsInclude } from "@/lib/queries/components";
import { type JobsPage, jobKeys } from "@/lib/queries/jobs";
import { sessionKeys } from "@/lib/queries/session";

/** Who the request's session cookie belongs to, once per request; null: not signed in. */
const requestAuth = cache(async (): Promise<AuthContext | null> => {
  const sessionId = (await cookies()).get(SESSION_COOKIE)?.value;
  return sessionId ? authenticateSession({ db: db(), sessionId }) : null;
});

/** The origin the browser sees, for the jobs' `url` (as lib/api/handler.ts works it out). */
async function requestOrigin(): Promise<string> {
  const h = await headers();
  return `${h.get("x-forwarded-proto") ?? "http"}://${h.get("x-forwarded-host") ?? h.get("host") ?? "localhost"}`;
}

function toSessionJson(auth: AuthContext): SessionJson {
  return {
    project: { id: String(auth.projectId), name: auth.projectName },
    token: { id: String(auth.tokenId), description: auth.tokenDescription, canManageJobs: auth.permission === "manage" },
  };
}

/** The signed-in session, so the app shell renders its page on the server already. */
export async function prefetchSession(): Promise<DehydratedState | null> {
  const auth = await requestAuth();
  if (!auth) return null;
  const client = new QueryClient();
  client.setQueryData(sessionKeys.current, toSessionJson(auth));
  return dehydrate(client);
}

/** The first page of the jobs list, its tab counts and the component names, for `filters`. */
export async function prefetchJobsList(filters: JobsFilters): Promise<DehydratedState | null> {
  const auth = await requestAuth();
  if (!auth) return null;
  const { projectId } = auth;
  try {
    const search = searchJobsSchema.parse({ ...jobsFiltersToApi(filters), sortBy: "id", sortOrder: "desc", limit: String(filters.limit) });
    const countParams = jobsFiltersToApi(withoutStatusFilters(filters));
    const [page, counts, components] = await Promise.all([
      searchJobs({ db: db(), projectId, input: search, origin: await requestOrigin() }),
      countJobs({ db: db(), projectId, input: countJobsSchema.parse(countParams) }),
      // The same answer the browser's components query gets: pages read configurations' rows from it.
      listComponents({ db: db(), projectId, origin: await requestOrigin(), include: [...componentsInclude] }),
    ]);
    const client = new QueryClient();
    client.setQueryData<InfiniteData<JobsPage, string | null>>(jobKeys.list(filters), { pages: [page], pageParams: [null] });
    client.setQueryData(jobKeys.counts(countParams), counts);
    client.setQueryData(componentKeys.all, components);
    return dehydrate(client);
  } catch (error) {
    // The browser fetches what the server could not; a failed prefetch is never a failed page.
    console.error("[dashboard] could not prefetch the jobs list", error);
    return null;
  }
}
