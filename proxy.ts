// Every page gets a Content-Security-Policy with a fresh nonce: scripts run only if Next.js put
// them there (no 'unsafe-inline' scripts), so injected markup cannot run code.
import { type NextRequest, NextResponse } from "next/server";
import { ApiError } from "@/lib/errors";

export function proxy(request: NextRequest) {
  if (request.nextUrl.pathname.startsWith("/api/")) return guardApiPath(request);
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
  for (const segment of request.nextUrl.pathname.split("/")) {
    try {
      decodeURIComponent(segment);
    } catch {
      const error = new ApiError(400, "malformedPath", "The request path is not valid percent-encoded UTF-8.");
      return NextResponse.json(error.toJSON(), { status: error.status });
    }
  }
  return NextResponse.next();
}

export const config = {
  matcher: [
    // Only API paths with a percent sign: Next.js buffers the body of every request the proxy sees,
    // and uploads must stream.
    "/api/:path(.*%.*)",
    {
      source: "/((?!api|_next/static|_next/image|favicon.ico|icon.svg|demo/).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
