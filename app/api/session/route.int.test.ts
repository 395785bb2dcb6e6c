// The sign-in route handler called directly (no server): sessions, and the limit on failures.
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { SESSION_COOKIE } from "@/lib/auth/session";
import { createTestProject } from "@/test/factories";
import { GET, POST } from "./route";

const origin = "http://jobdeck.test";
const signIn = (body: object, ip: string) =>
  POST(new NextRequest(`${origin}/api/session`, { method: "POST", body: JSON.stringify(body), headers: { origin, host: "jobdeck.test", "x-forwarded-for": ip } }), { params: Promise.resolve({}) });

describe("POST /api/session", () => {
  it("signs in with a token: an HttpOnly, SameSite=Strict cookie that authenticates later calls", async () => {
    const { manage, project } = await createTestProject();
    const response = await signIn({ token: manage.secret }, "10.0.0.1");
    expect(response.status).toBe(200);
    const cookie = response.headers.get("set-cookie")!;
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=strict/i);
    const id = cookie.split(";")[0]!.split("=")[1]!;
    const me = await GET(new NextRequest(`${origin}/api/session`, { headers: { cookie: `${SESSION_COOKIE}=${id}` } }), { params: Promise.resolve({}) });
    expect(await me.json()).toMatchObject({ project: { id: String(project.id) }, token: { canManageJobs: true } });
  });

  it("refuses cross-site sign-ins", async () => {
    const response = await POST(
      new NextRequest(`${origin}/api/session`, { method: "POST", body: "{}", headers: { origin: "http://evil.test", host: "jobdeck.test" } }),
      { params: Promise.resolve({}) },
    );
    expect(response.status).toBe(403);
  });

  it("makes a client that keeps failing wait, with a JSON 429, without locking out others", async () => {
    const { manage } = await createTestProject();
    for (let i = 0; i < 10; i++) expect((await signIn({ token: `wrong-${i}` }, "10.9.9.9")).status).toBe(401);
    const blocked = await signIn({ token: manage.secret }, "10.9.9.9");
    expect(blocked.status).toBe(429);
    expect(await blocked.json()).toMatchObject({ code: "tooManyAttempts", status: 429, error: expect.stringMatching(/try again in \d+ seconds/) });
    expect((await signIn({ token: manage.secret }, "10.1.2.3")).status).toBe(200);
  });
});
