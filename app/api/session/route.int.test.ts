// The sign-in route handler called directly (no server): sessions, and the limit on failures.
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { SESSION_COOKIE } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { CLIENT_ADDRESS_HEADER } from "@/lib/net/client-address";
import { createTestProject } from "@/test/factories";
import { GET, POST } from "./route";

const origin = "http://jobdeck.test";
const signIn = (body: object, ip: string) =>
  POST(new NextRequest(`${origin}/api/session`, { method: "POST", body: JSON.stringify(body), headers: { origin, host: "jobdeck.test", [CLIENT_ADDRESS_HEADER]: ip } }), { params: Promise.resolve({}) });

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

  it("makes a client that keeps failing wait, with a JSON 429 and Retry-After, without locking out a valid token", async () => {
    const { manage } = await createTestProject();
    for (let i = 0; i < 9; i++) expect((await signIn({ token: `wrong-${i}` }, "10.9.9.9")).status).toBe(401);
    const blocked = await signIn({ token: "wrong-again" }, "10.9.9.9");
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await blocked.json()).toMatchObject({ code: "tooManyAttempts", status: 429, error: expect.stringMatching(/try again in \d+ seconds/) });
    // The same client with the right token, and other clients, are not locked out.
    expect((await signIn({ token: manage.secret }, "10.9.9.9")).status).toBe(200);
    expect((await signIn({ token: manage.secret }, "10.1.2.3")).status).toBe(200);
  });

  it("counts failures per token prefix too: rotating the client address does not reset the limit", async () => {
    const prefix = `${900_000 + Math.floor(Math.random() * 99_999)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await signIn({ token: `${prefix}-wrong${i}` }, `10.7.0.${i}`)).status);
    expect(statuses.slice(0, 9)).toEqual(Array(9).fill(401));
    expect(statuses.slice(9)).toEqual([429, 429, 429]);
  });

  it("200 failed sign-ins from everywhere do not lock out a valid token", async () => {
    const { manage } = await createTestProject();
    for (let i = 0; i < 200; i++) await signIn({ token: `x${i}-wrong` }, `10.8.${i >> 8}.${i & 255}`);
    expect((await signIn({ token: manage.secret }, "10.8.0.1")).status).toBe(200);
    expect((await signIn({ token: manage.secret }, "10.99.0.1")).status).toBe(200);
  });

  it("offers the demo sign-in only to this machine", async () => {
    const remote = await signIn({ demo: true }, "198.51.100.20");
    expect(remote.status).toBe(403);
    expect((await remote.json()).error).toMatch(/turned off/);
    // On this machine it is offered: it signs in to the demo project, or says there is none (on the
    // shared PostgreSQL test database another file may have seeded one).
    const local = await signIn({ demo: true }, "127.0.0.1");
    const demo = await db().project.findFirst({ where: { isDemo: true } });
    if (demo) expect(await local.json()).toMatchObject({ project: { id: String(demo.id) } });
    else expect((await local.json()).error).toMatch(/no demo project/);
  });
});
