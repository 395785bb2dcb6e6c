// Headers on every answer: those Next.js sends (next.config.ts) and those the HTTP server sends
// itself (server/main.ts).
export const SECURITY_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
  "X-Frame-Options": "DENY",
};
