import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "@/lib/db";

// The shapes Prisma 7 with @prisma/adapter-pg and pg throw while PostgreSQL is down or restarting.
const adapterError = (cause: Record<string, unknown>, code = "P2010") =>
  Object.assign(new Error("Invalid `prisma.job.findMany()` invocation"), { code, meta: { driverAdapterError: { name: "DriverAdapterError", cause } } });

describe("isDatabaseUnavailable", () => {
  it("recognises an unreachable server, a closed connection and PostgreSQL shutting down or starting up", () => {
    expect(isDatabaseUnavailable(adapterError({ kind: "DatabaseNotReachable", host: "127.0.0.1", port: 5432 }, "P1001"))).toBe(true);
    expect(isDatabaseUnavailable(adapterError({ kind: "ConnectionClosed" }))).toBe(true);
    expect(isDatabaseUnavailable(adapterError({ kind: "postgres", code: "57P03", originalCode: "57P03", message: "the database system is starting up" }, "P2039"))).toBe(true);
    expect(isDatabaseUnavailable(adapterError({ kind: "postgres", code: "57P01", originalCode: "57P01" }))).toBe(true);
    expect(isDatabaseUnavailable(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isDatabaseUnavailable(new Error("Client has encountered a connection error and is not queryable"))).toBe(true);
    expect(isDatabaseUnavailable(new Error("wrapped", { cause: new Error("Connection terminated") }))).toBe(true);
  });

  it("does not mistake a bad query or a constraint for an outage", () => {
    expect(isDatabaseUnavailable(adapterError({ kind: "UniqueConstraintViolation" }, "P2002"))).toBe(false);
    expect(isDatabaseUnavailable(adapterError({ kind: "postgres", code: "23514", originalCode: "23514", message: "job 1 is success and can no longer change" }))).toBe(false);
    expect(isDatabaseUnavailable(new Error("Configuration \"url\" must be a non-empty string."))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});
