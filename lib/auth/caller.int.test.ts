import { describe, expect, it } from "vitest";
import { authenticateCaller } from "@/lib/auth/caller";
import { createSession } from "@/lib/auth/session";
import { revokeToken } from "@/lib/auth/tokens";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { createTestProject } from "@/test/factories";

describe("authenticateCaller", () => {
  it("finds the caller of a token or a session, with a value computed in the same query", async () => {
    const { project, manage, read } = await createTestProject();
    const byToken = await authenticateCaller({ db: db(), credential: { kind: "token", secret: read.secret }, extra: Prisma.sql`caller."projectId" * 2` });
    expect(byToken).toEqual({
      auth: { projectId: project.id, projectName: project.name, tokenId: read.id, tokenDescription: expect.stringMatching(/^reader/), permission: "read" },
      extra: String(project.id * 2),
      root: null,
      expiresAt: null,
    });
    const session = await createSession({ db: db(), tokenId: manage.id });
    const bySession = await authenticateCaller({ db: db(), credential: { kind: "session", sessionId: session.id } });
    expect(bySession).toMatchObject({ auth: { projectId: project.id, tokenId: manage.id, permission: "manage" }, extra: null, expiresAt: session.expiresAt });
    const withRoot = await authenticateCaller({ db: db(), credential: { kind: "token", secret: read.secret }, root: Prisma.sql`'r' || caller."projectId"` });
    expect(withRoot?.root).toBe(`r${project.id}`);
  });

  it("refuses unknown and oversized credentials, ended sessions and revoked tokens at once", async () => {
    const { project, manage } = await createTestProject();
    const session = await createSession({ db: db(), tokenId: manage.id, now: new Date() });
    const token = { kind: "token" as const, secret: manage.secret };
    const cookie = { kind: "session" as const, sessionId: session.id };
    expect(await authenticateCaller({ db: db(), credential: token })).not.toBeNull();
    for (const credential of [{ kind: "token" as const, secret: "nope" }, { kind: "token" as const, secret: "x".repeat(201) }, { kind: "token" as const, secret: "" }, { kind: "session" as const, sessionId: "nope" }]) {
      expect(await authenticateCaller({ db: db(), credential })).toBeNull();
    }
    expect(await authenticateCaller({ db: db(), credential: cookie, now: new Date(session.expiresAt.getTime() + 1) })).toBeNull();

    await revokeToken({ db: db(), projectId: project.id, id: String(manage.id) });
    expect(await authenticateCaller({ db: db(), credential: token })).toBeNull();
    expect(await authenticateCaller({ db: db(), credential: cookie })).toBeNull();
  });
});
