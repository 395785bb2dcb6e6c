// Requests refused before any route sees them: methods no route serves, paths that are not
// percent-encoded UTF-8. Shared by the HTTP server (server/main.ts) and the Next.js proxy (proxy.ts).

/** Methods Jobdeck never serves: TRACE echoes requests (cross-site tracing), CONNECT asks for a tunnel. */
export const REFUSED_METHODS = new Set(["TRACE", "TRACK", "CONNECT"]);

export const ALLOWED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

/** A path whose `%` escapes do not decode (`%zz`, `%C0%AE`, an encoded lone surrogate): Next.js answers those with a plain-text 500. */
export function isMalformedPath(pathname: string): boolean {
  for (const segment of pathname.split("/")) {
    try {
      decodeURIComponent(segment);
    } catch {
      return true;
    }
  }
  return false;
}

export const isApiPath = (pathname: string) => pathname === "/api" || pathname.startsWith("/api/");

// The policy for pages the server answers itself (no scripts at all).
export const STATIC_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
