// Every page gets a Content-Security-Policy with a fresh nonce: scripts run only if Next.js put
// them there (no 'unsafe-inline' scripts), so injected markup cannot run code.
// Two rewrites give Keboola's clients the paths they know: the Queue API at the origin for API
// calls (a client configured with `http://host:3000` asks `/jobs/{id}`; browsers still get pages),
// and Storage's branch-scoped paths (`/v2/storage/branch/{id}/components/…`) onto the main branch's.
import { type NextRequest, NextResponse } from "next/server";
import { ApiError } from "@/lib/errors";
import { isMalformedPath } from "@/lib/net/request-guards";

// The Queue API's paths, answered at the origin too (the API itself lives under /api).
const QUEUE_PATH = /^\/(jobs(\/[^/]+(\/kill)?)?|search\/(jobs(\/counts)?|grouped-jobs))\/?$/;
// Storage paths Keboola scopes to a branch; `branch/{id}/metadata` is the branch's own route.
const BRANCH_PATH = /^\/api\/v2\/storage\/branch\/([^/]+)\/((components|events|tables|buckets|jobs|files)(\/.*)?)$/;
const BRANCH_HEADER = "x-jobdeck-branch";

/** An API call rather than a browser's navigation: a token header, or JSON asked for without HTML. */
export function isApiCall(headers: Headers): boolean {
  if (headers.has("x-storageapi-token")) return true;
  const accept = headers.get("accept") ?? "";
  return accept.includes("application/json") && !accept.includes("text/html");
}

export function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  const branch = BRANCH_PATH.exec(pathname);
  if (branch) {
    const url = request.nextUrl.clone();
    url.pathname = `/api/v2/storage/${branch[2]}`;
    const headers = new Headers(request.headers);
    // withAuth (lib/api/handler.ts) answers 404 unless it names the caller's main branch.
    headers.set(BRANCH_HEADER, safeDecode(branch[1]!));
    return NextResponse.rewrite(url, { request: { headers } });
  }
  if (pathname.startsWith("/api/")) return guardApiPath(request);
  if (QUEUE_PATH.test(pathname) && isApiCall(request.headers)) {
    const url = request.nextUrl.clone();
    url.pathname = `/api${pathname}`;
    return NextResponse.rewrite(url);
  }
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const development = process.env.NODE_ENV === "development";
  const policy = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    // React sets style attributes (bar widths, progress); styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  headers.set("Content-Security-Policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", policy);
  return response;
}

/**
 * Next.js answers a plain-text 500 when a path segment is not percent-encoded UTF-8 (`%`, `%C0%AE`,
 * an encoded lone surrogate): such an API request gets the API's JSON 400 before routing instead.
 */
function guardApiPath(request: NextRequest) {
  if (isMalformedPath(request.nextUrl.pathname)) {
    const error = new ApiError(400, "malformedPath", "The request path is not valid percent-encoded UTF-8.");
    return NextResponse.json(error.toJSON(), { status: error.status });
  }
  return NextResponse.next();
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export const config = {
  matcher: [
    "/api/v2/storage/branch/:path*",
    // Only API paths with a percent sign: Next.js buffers the body of every request the proxy sees,
    // and uploads must stream.
    "/api/:path(.*%.*)",
    // Every page, prefetches included, and /api-docs (a page, though its name starts with "api").
    "/((?!api/|api$|_next/static|_next/image|favicon.ico|icon.svg|demo/).*)",
  ],
};
