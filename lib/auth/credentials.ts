// Where a request carries its credential: a Storage token in a header, or a dashboard session in a
// cookie. Plain constants, shared by the route handlers and the HTTP server (server/main.ts).
export const TOKEN_HEADER = "x-storageapi-token";
export const SESSION_COOKIE = "jobdeck_session";
