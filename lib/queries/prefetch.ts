// Server side of the dashboard's queries: the data a page needs, read straight from the domain
// functions while the server renders, under the same query keys the browser's hooks use. The
// HTML then arrives with rows in it instead of a skeleton, and the browser polls from there.
import "server-only";
import { dehydrate, type DehydratedState, type InfiniteData, QueryClient } from "@tanstack/react-query";
import { cookies, headers } from "next/headers";
import { cache } from "react";
import { authenticateCaller } from "@/lib/auth/caller";
import { SESSION_COOKIE } from "@/lib/auth/session";
import type { AuthContext } from "@/lib/auth/tokens";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import type { JobsFilters } from "@/lib/schemas/filters";
import type { SessionJson } from "@/lib/schemas/session";
import { componentKeys } from "@/lib/queries/components";
import { componentsData, projectComponentsVersionSql } from "@/lib/queries/components-data";
import { type JobsPage, jobKeys } from "@/lib/queries/jobs";
import { jobsListData, jobsListVersionSql } from "@/lib/queries/jobs-list-data";
import { sessionKeys } from "@/lib/queries/session";

/** The versions the Jobs page's data is kept under, computed with the session: `[jobs, components]`. */
const pageVersionsSql = Prisma.sql`json_build_array(${jobsListVersionSql}, ${projectComponentsVersionSql})`;

type Versions = { jobs: string | null; components: string | null };

function readVersions(extra: string | null): Versions {
  const [jobs, components] = extra === null ? [] : (JSON.parse(extra) as (string | null)[]);
  return { jobs: jobs ?? null, components: components ?? null };
}

/**
 * Who the request's session cookie belongs to, once per request, with the versions of the
 * project's job lists and components in the same query (what the Jobs page's data is kept
 * under); null: not signed in.
 */
const requestAuth = cache(async (): Promise<{ auth: AuthContext; versions: Versions } | null> => {
  const sessionId = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!sessionId) return null;
  const found = await authenticateCaller({ db: db(), credential: { kind: "session", sessionId }, extra: pageVersionsSql });
  return found && { auth: found.auth, versions: readVersions(found.extra) };
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
  const found = await requestAuth();
  if (!found) return null;
  const client = new QueryClient();
  client.setQueryData(sessionKeys.current, toSessionJson(found.auth));
  return dehydrate(client);
}

/** The first page of the jobs list, its tab counts and the component names, for `filters`. */
export async function prefetchJobsList(filters: JobsFilters): Promise<DehydratedState | null> {
  const found = await requestAuth();
  if (!found) return null;
  const { projectId } = found.auth;
  try {
    const origin = await requestOrigin();
    const [{ page, counts, countParams }, components] = await Promise.all([
      jobsListData({ db: db(), projectId, version: found.versions.jobs, filters, origin }),
      // The same answer the browser's components query gets: pages read configurations' rows from it.
      componentsData({ db: db(), projectId, version: found.versions.components, origin }),
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
