// Part 4 of issue 8: thousands of malformed requests over real HTTP to a real Jobdeck server on
// PostgreSQL. Every route under app/api (read from the file tree) × every kind of mutation: bad JSON,
// wrong types, huge numbers, deep nesting, over-long strings, unicode edge cases, SQL and
// path-traversal strings, wrong methods and content types, oversized and cut-short uploads, missing
// and garbage tokens. Never a 5xx; every error is JSON {error, code, status}; nothing is written
// outside the data folder; the server is still healthy afterwards.
import { existsSync, readdirSync, statSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createToken } from "@/lib/auth/tokens";
import { db } from "@/lib/db";
import { apiRoutes } from "@/test/faults/api-routes";
import { recordFigure } from "@/test/faults/figures";
import { type JobdeckServer, startJobdeckServer } from "@/test/faults/jobdeck-server";
import { waitFor as waitForProbe } from "@/test/wait";

const SEED = 20260408;
// Traversal payloads name files with this marker: none may appear anywhere we look afterwards.
const MARKER = `jobdeck-pwned-${SEED}`;
const MAX_FILE_BYTES = 1024 * 1024;
const CONCURRENCY = 8;
const ROOT = path.resolve(".");
type Method = "GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "HEAD" | "OPTIONS";
const SERVED: Method[] = ["GET", "POST", "PUT", "DELETE", "PATCH"];

// ---- the requests ------------------------------------------------------------------------------

type Body = { kind: "bytes"; bytes: Buffer } | { kind: "stream"; total: number; declared?: number; cutAfter?: number; prefix?: Buffer };
type Case = { route: string; kind: string; method: Method; path: string; headers: Record<string, string>; body?: Body };
type Answer = { status: number; contentType: string; text: string } | { error: string };

/** A deterministic stream of numbers in [0, 1): the same seed gives the same requests. */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Percent-encodes the UTF-8 bytes of a string (a lone surrogate becomes U+FFFD's bytes). */
const pct = (s: string) => [...Buffer.from(s, "utf8")].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`)).join("");

// Hostile strings for ids, names and query values.
const HOSTILE_TEXT = [
  "", " ", "0", "-1", "1.5", "1e3", "0x1F", "+5", "1 ", "99999999999999999999999999", "18446744073709551616", "9".repeat(400), "-9223372036854775809",
  "NaN", "Infinity", "null", "undefined", "true", "[]", "{}", "%", "_", "\\",
  "' OR '1'='1", "1; DROP TABLE \"Job\"; --", "1' UNION SELECT \"secretHash\" FROM \"Token\" --", "\"; SELECT pg_sleep(0); --", "$1", "in.c-x'; DROP SCHEMA storage CASCADE; --.t",
  `../../../../tmp/${MARKER}`, `..\\..\\..\\${MARKER}`, `/tmp/${MARKER}`, `....//....//${MARKER}`, `../${MARKER}/../../etc/passwd`, `${MARKER}\u0000.csv`, "/etc/passwd", "C:\\Windows\\win.ini",
  "a\u0000b", "\u0000", "\ud800", "\udfff", "x\udc00y", "\u202eevil.csv\u202d", "שלום", "😀🔥👩‍👩‍👧", "e\u0301", "\ufeffbom", "\u2028\u2029", "Ω≈ç√∫",
  "x".repeat(10_000), "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)", "${jndi:ldap://x/a}", "{{7*7}}", "%s%n%x", "\r\nSet-Cookie: a=b",
];
// Percent-encodings no string can produce: overlong UTF-8, encoded surrogates, broken escapes.
const RAW_ENCODED = ["%00", "%C0%AE%C0%AE%2F", "%C0%AF", "%ED%A0%80", "%ED%BF%BF", "%FF%FE", "%E0%A4%A", "%", "%%", "%zz", "%2e%2e%2f%2e%2e%2f" + MARKER, "..%2F..%2F..%2Ftmp%2F" + MARKER, "%252e%252e%252f", "..%5C..%5C" + MARKER];
const HOSTILE_SEGMENTS = [...HOSTILE_TEXT.filter((s) => s !== "").map(pct), ...RAW_ENCODED];
const HOSTILE_QUERY_VALUES = [...HOSTILE_TEXT.map(pct), ...RAW_ENCODED];

// JSON literals of the wrong type, size or content, put in place of each field of a valid body.
const deepArray = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;
const WRONG_VALUES = [
  "null", "true", "false", "0", "-1", "-0", "1.5", "1e309", "-1e309", "123456789012345678901234567890", "9007199254740993", "1e-400",
  '""', '" "', '"1"', "[]", "{}", "[null]", '["a",1,null,{}]', deepArray(63), deepArray(65), deepObject(70),
  '"\\u0000"', '"a\\u0000b"', '"\\ud800"', '"x\\udc00"', '"\\u202eabc"', '"😀"', '"e\\u0301"', '"\\uFEFF"',
  JSON.stringify("y".repeat(100_000)), JSON.stringify(["z".repeat(1000)]), JSON.stringify(Array.from({ length: 5000 }, (_, i) => i)),
  JSON.stringify("1'; DROP TABLE \"Job\"; --"), JSON.stringify(`../../../../tmp/${MARKER}`), JSON.stringify("<script>alert(1)</script>"),
  '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}',
];
// Whole bodies that are not what any route wants.
const BAD_BODIES: [string, Buffer][] = [
  ["empty", Buffer.from("")],
  ["spaces", Buffer.from("   \n\t")],
  ["open brace", Buffer.from("{")],
  ["truncated", Buffer.from('{"a":')],
  ["trailing comma", Buffer.from('{"a":1,}')],
  ["single quotes", Buffer.from("{'a':1}")],
  ["two documents", Buffer.from('{"a":1}{"b":2}')],
  ["trailing garbage", Buffer.from('{"a":1} garbage')],
  ["NaN", Buffer.from('{"a":NaN}')],
  ["comment", Buffer.from('{/* x */"a":1}')],
  ["null", Buffer.from("null")],
  ["true", Buffer.from("true")],
  ["number", Buffer.from("1")],
  ["string", Buffer.from('"text"')],
  ["array", Buffer.from("[]")],
  ["array of objects", Buffer.from("[{}]")],
  ["deep array 100k", Buffer.from(deepArray(100_000))],
  ["deep object 100k", Buffer.from(deepObject(100_000))],
  ["raw NUL in a string", Buffer.from('{"a":"x\u0000y"}')],
  ["raw control characters", Buffer.from('{"a":"\u0001\u0002\u001f"}')],
  ["invalid UTF-8", Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('"}')])],
  ["overlong UTF-8", Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc0, 0xae, 0xc0, 0xaf]), Buffer.from('"}')])],
  ["UTF-8 surrogate bytes", Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])],
  ["UTF-16LE", Buffer.from('{"a":1}', "utf16le")],
  ["byte order mark", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("{}")])],
  ["binary", Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))],
  ["over the limit", Buffer.from(JSON.stringify({ a: "b".repeat(1_100_000) }))],
  ["many keys", Buffer.from(JSON.stringify(Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i]))))],
];
const CONTENT_TYPES = ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=x", "application/json; charset=utf-16", "garbage/", "*/*", ""];
const GARBAGE_TOKENS: [string, string | null][] = [
  ["no token", null],
  ["empty token", ""],
  ["spaces", "   "],
  ["garbage", "not-a-token"],
  ["almost the token", "__TOKEN__x"],
  ["the token's prefix", "__TOKEN_PREFIX__"],
  ["SQL", "' OR '1'='1"],
  ["5000 characters", "t".repeat(5000)],
  ["latin-1 bytes", "\u00ff\u00fe\u00e9"],
  ["bearer form", "Bearer __TOKEN__"],
  ["revoked", "__REVOKED__"],
];
const RUN_IDS = ["x", "1.2.x", "-1", "99999999999999999999", "1..2", ".", "1' OR '1'='1", "\u00e9"];

// ---- the routes --------------------------------------------------------------------------------

type Fixtures = {
  token: string;
  readToken: string;
  revokedToken: string;
  jobId: string;
  victimJobId: string;
  bucketId: string;
  victimBucketId: string;
  tableId: string;
  victimTableId: string;
  fileId: string;
  victimFileId: string;
  storageJobId: string;
  component: string;
  config: string;
  row: string;
  // Deleted by the fuzzing of DELETE …/configs/[config] and …/rows/[row].
  victimConfig: string;
  victimRow: string;
  // Deleted by the fuzzing of DELETE …/metadata/[metadataId].
  victimConfigMetadataId: string;
  victimTableMetadataId: string;
  victimTokenId: string;
  victimScheduleId: string;
  tokenId: number;
  // Deleted by the fuzzing of DELETE /v2/storage/triggers/[id].
  victimTriggerId: string;
  componentId: string;
  victimComponentId: string;
  subscriptionId: string;
  victimSubscriptionId: string;
  deliveryId: string;
  session: string;
};
type RouteSpec = {
  params?: (f: Fixtures) => Record<string, string>;
  // Query parameters the route knows, with a valid value each.
  query?: Record<string, string>;
  // A valid JSON body per method.
  body?: (f: Fixtures) => Partial<Record<Method, Record<string, unknown>>>;
  upload?: true;
  // No token needed (health, OpenAPI, sign-in).
  open?: true;
};

const ROUTES: Record<string, RouteSpec> = {
  "/api/[...path]": { params: () => ({ path: "no/such/endpoint" }) },
  "/api/health": { open: true },
  "/api/openapi.json": { open: true },
  "/api/jobs": { body: () => ({ POST: { component: "jobdeck.noop", configData: { parameters: { a: 1 } }, mode: "run", tag: "t", backend: { size: "small" }, parallelism: 2 } }) },
  "/api/jobs/[id]": { params: (f) => ({ id: f.jobId }) },
  "/api/jobs/[id]/kill": { params: (f) => ({ id: f.victimJobId }) },
  "/api/jobs/[id]/run-again": { params: (f) => ({ id: f.jobId }) },
  "/api/operations": { body: (f) => ({ POST: { operation: "csv_data_load", schema: f.bucketId, table: "orders", data: "id,name\n9,Zed\n", action: "upsert" } }) },
  "/api/search/jobs": {
    query: { id: "1", runId: "1", status: "success", componentId: "jobdeck.noop", limit: "10", offset: "0", sortBy: "id", sortOrder: "desc", createdTimeFrom: "2020-01-01", durationSecondsFrom: "0", cursor: "x", tokenDescription: "d" },
  },
  "/api/search/grouped-jobs": { query: { componentId: "jobdeck.noop", configId: "1", status: "success", groupBy: "componentId", jobsPerGroup: "2", limit: "10", offset: "0" } },
  "/api/search/jobs/counts": { query: { componentId: "jobdeck.noop", createdTimeFrom: "2020-01-01" } },
  "/api/session": { body: (f) => ({ POST: { token: f.token } }), open: true },
  "/api/components": { body: () => ({ POST: { id: "hostile.made-by-fuzz", name: "Fuzzed", type: "extractor", description: "d", settings: { timeoutSeconds: 60 } } }) },
  "/api/components/[id]": { params: (f) => ({ id: f.victimComponentId }), body: () => ({ PATCH: { name: "Renamed", description: "d", settings: { network: false } } }) },
  "/api/components/[id]/versions": { params: (f) => ({ id: f.componentId }), body: () => ({ POST: { tag: "v9", command: ["python3", "main.py"] } }) },
  "/api/project-subscriptions": {
    body: () => ({ POST: { event: "job-failed", filters: [{ field: "job.component.id", value: "jobdeck.noop", operator: "==" }], recipient: { channel: "webhook", url: "https://hooks.example.com/x", format: "slack" }, expiresAt: "2030-01-01T00:00:00Z" } }),
  },
  "/api/project-subscriptions/[id]": { params: (f) => ({ id: f.victimSubscriptionId }) },
  "/api/project-subscriptions/[id]/deliveries": { params: (f) => ({ id: f.subscriptionId }) },
  "/api/project-subscriptions/[id]/deliveries/[deliveryId]/send-again": { params: (f) => ({ id: f.subscriptionId, deliveryId: f.deliveryId }) },
  "/api/project-subscriptions/[id]/test": { params: (f) => ({ id: f.subscriptionId }) },
  "/api/schedules": {
    query: { componentId: "jobdeck.noop", configurationId: "1", tokenId: "1" },
    body: (f) => ({ POST: { name: "Hostile schedule", configuration: { schedule: { cronTab: "0 3 * * *", timezone: "UTC", state: "disabled" }, target: { componentId: f.component, configurationId: f.config, mode: "run" } } } }),
  },
  "/api/schedules/[id]": { params: (f) => ({ id: f.victimScheduleId }), body: () => ({ PATCH: { state: "disabled", name: "Renamed" } }) },
  "/api/schedules/preview": { query: { cronTab: "30 2 * * 1-5", timezone: "Europe/Prague" } },
  "/api/tokens": { body: () => ({ POST: { description: "hostile-input", canManageJobs: false } }) },
  "/api/tokens/[id]": { params: (f) => ({ id: f.victimTokenId }) },
  "/api/v2/storage/buckets": { body: () => ({ POST: { name: "hostile", stage: "in", description: "d" } }) },
  "/api/v2/storage/buckets/[bucketId]": { params: (f) => ({ bucketId: f.victimBucketId }) },
  "/api/v2/storage/buckets/[bucketId]/tables-async": { params: (f) => ({ bucketId: f.bucketId }), body: (f) => ({ POST: { name: "created", dataFileId: f.fileId, primaryKey: ["id"] } }) },
  "/api/v2/storage/components": {},
  "/api/v2/storage/components/[component]/configs": {
    params: (f) => ({ component: f.component }),
    body: () => ({ POST: { name: "Hostile", description: "d", configuration: { parameters: {} }, isDisabled: false } }),
  },
  "/api/v2/storage/components/[component]/configs/[config]": {
    params: (f) => ({ component: f.component, config: f.victimConfig }),
    body: () => ({ PUT: { name: "Renamed", description: "d", configuration: { parameters: {} }, changeDescription: "c" } }),
  },
  "/api/v2/storage/components/[component]/configs/[config]/metadata": {
    params: (f) => ({ component: f.component, config: f.config }),
    body: () => ({ POST: { provider: "user", metadata: [{ key: "KBC.description", value: "Hostile" }] } }),
  },
  "/api/v2/storage/components/[component]/configs/[config]/metadata/[metadataId]": {
    params: (f) => ({ component: f.component, config: f.config, metadataId: f.victimConfigMetadataId }),
  },
  "/api/v2/storage/components/[component]/configs/[config]/rows": {
    params: (f) => ({ component: f.component, config: f.config }),
    body: () => ({ POST: { name: "Row", configuration: {}, isDisabled: false } }),
  },
  "/api/v2/storage/components/[component]/configs/[config]/rows-sort": {
    params: (f) => ({ component: f.component, config: f.config }),
    body: (f) => ({ PUT: { rowsSortOrder: [f.row], changeDescription: "c", version: 1 } }),
  },
  "/api/v2/storage/components/[component]/configs/[config]/versions": { params: (f) => ({ component: f.component, config: f.config }), query: { limit: "10", offset: "0" } },
  "/api/v2/storage/components/[component]/configs/[config]/versions/[version]": { params: (f) => ({ component: f.component, config: f.config, version: "1" }) },
  "/api/v2/storage/components/[component]/configs/[config]/versions/[version]/rollback": {
    params: (f) => ({ component: f.component, config: f.config, version: "1" }),
    body: () => ({ POST: { changeDescription: "c" } }),
  },
  "/api/v2/storage/components/[component]/configs/[config]/versions/[version]/create": {
    params: (f) => ({ component: f.component, config: f.config, version: "1" }),
    body: () => ({ POST: { name: "Copy", description: "d", changeDescription: "c" } }),
  },
  "/api/v2/storage/components/[component]/configs/[config]/rows/[row]": {
    params: (f) => ({ component: f.component, config: f.config, row: f.victimRow }),
    body: () => ({ PUT: { name: "Row 2", configuration: { a: 1 }, isDisabled: true } }),
  },
  "/api/v2/storage/events": { query: { runId: "1", sinceId: "1", maxId: "100", limit: "10", q: "x" }, body: () => ({ POST: { message: "m", type: "info", runId: "1", component: "c" } }) },
  "/api/v2/storage/files": { query: { name: "data.csv", tags: "a", q: "x", runId: "1", id: "1", limit: "10", offset: "0", expiresIn: "60" }, upload: true },
  "/api/v2/storage/files/[id]": { params: (f) => ({ id: f.victimFileId }) },
  "/api/v2/storage/files/[id]/download": { params: (f) => ({ id: f.fileId }) },
  "/api/v2/storage/files/[id]/upload": { params: (f) => ({ id: f.victimFileId }), query: { project: "1", expires: "9999999999", signature: "x" }, open: true },
  "/api/v2/storage/files/prepare": { body: () => ({ POST: { name: "prepared.csv", sizeBytes: 12, tags: ["a"], isPermanent: false, federationToken: true } }) },
  "/api/v2/storage/jobs": { query: { tableId: "in.c-a.b", status: "success", operationName: "tableImport", runId: "1", id: "1", limit: "10", offset: "0" } },
  "/api/v2/storage/jobs/[id]": { params: (f) => ({ id: f.storageJobId }) },
  "/api/v2/storage/tables": { query: { bucketId: "in.c-a" } },
  "/api/v2/storage/tables/[tableId]": { params: (f) => ({ tableId: f.victimTableId }) },
  "/api/v2/storage/tables/[tableId]/data-preview": { params: (f) => ({ tableId: f.tableId }), query: { limit: "10", format: "csv" } },
  "/api/v2/storage/tables/[tableId]/export-async": { params: (f) => ({ tableId: f.tableId }) },
  "/api/v2/storage/tables/[tableId]/import-async": { params: (f) => ({ tableId: f.tableId }), body: (f) => ({ POST: { dataFileId: f.fileId, incremental: true, action: "upsert" } }) },
  "/api/v2/storage/tables/[tableId]/rows": { params: (f) => ({ tableId: f.victimTableId }), query: { whereColumn: "id", whereValues: "1", whereOperator: "eq", timestampColumn: "id", before: "2020-01-01" } },
  "/api/v2/storage/tables/[tableId]/metadata": {
    params: (f) => ({ tableId: f.tableId }),
    body: () => ({ POST: { provider: "user", metadata: [{ key: "KBC.description", value: "Hostile" }], columnsMetadata: { id: [{ key: "KBC.datatype.basetype", value: "INTEGER" }] } } }),
  },
  "/api/v2/storage/tables/[tableId]/metadata/[metadataId]": { params: (f) => ({ tableId: f.tableId, metadataId: f.victimTableMetadataId }) },
  "/api/v2/storage": {},
  "/api/v2/storage/branch/[branchId]/metadata": { params: () => ({ branchId: "default" }) },
  "/api/v2/storage/buckets/[bucketId]/tables": { params: (f) => ({ bucketId: f.bucketId }) },
  "/api/v2/storage/dev-branches": {},
  "/api/v2/storage/dev-branches/[branchId]": { params: () => ({ branchId: "default" }) },
  "/api/v2/storage/tokens/verify": {},
  "/api/v2/storage/tables/[tableId]/snapshots": { params: (f) => ({ tableId: f.tableId }) },
  "/api/v2/storage/triggers": { body: (f) => ({ POST: { runWithTokenId: f.tokenId, component: f.component, configurationId: f.config, coolDownPeriodMinutes: 5, tableIds: [f.tableId] } }) },
  "/api/v2/storage/triggers/[id]": { params: (f) => ({ id: f.victimTriggerId }), body: (f) => ({ PUT: { coolDownPeriodMinutes: 7, tableIds: [f.tableId] }, PATCH: { coolDownPeriodMinutes: 8 } }) },
};

/** Every route file under app/api and the methods it serves, read from the source. */
function routesOnDisk(): Map<string, Method[]> {
  return apiRoutes(ROOT);
}

function fillPath(template: string, params: Record<string, string>, encode = true): string {
  return template.replace(/\[(?:\.\.\.)?(\w+)\]/g, (_, name: string) => (encode ? params[name]!.split("/").map(pct).join("/") : params[name]!));
}

/** The whole generated set: each route × each mutation kind, secondary choices drawn from the seed. */
function generateCases(f: Fixtures): Case[] {
  const random = mulberry32(SEED);
  const pick = <T,>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const cases: Case[] = [];
  const authHeaders = (spec: RouteSpec): Record<string, string> => (spec.open ? {} : { "X-StorageApi-Token": f.token });
  for (const [route, served] of routesOnDisk()) {
    const spec = ROUTES[route]!;
    const params = spec.params?.(f) ?? {};
    const bodies = spec.body?.(f) ?? {};
    const validPath = fillPath(route, params);
    const jsonHeaders = { "Content-Type": "application/json" };
    const jsonBody = (method: Method) => (bodies[method] ? { kind: "bytes" as const, bytes: Buffer.from(JSON.stringify(bodies[method])) } : undefined);
    for (const method of served) {
      const add = (kind: string, c: Partial<Case> & { path: string }) =>
        cases.push({ route, kind, method, headers: { ...authHeaders(spec), ...(bodies[method] ? jsonHeaders : {}) }, body: jsonBody(method), ...c });

      // Path parameters: every hostile segment in place of each parameter.
      // The route's first method gets every value; its other methods a seeded sample.
      const firstMethod = method === served[0];
      const some = <T,>(items: readonly T[], n: number) => (firstMethod ? items : Array.from({ length: n }, () => pick(items)));
      for (const name of Object.keys(params)) {
        for (const segment of some(HOSTILE_SEGMENTS, 20)) add(`path ${name}`, { path: fillPath(route, { ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.split("/").map(pct).join("/")])), [name]: segment }, false) });
      }
      // Query parameters: every hostile value under each known key, an unknown key, a hostile key, and arrays.
      // A route that reads no query gets a sample under an unknown key: with a valid body these
      // requests do real work (jobs, imports, files), and the answer cannot depend on the value.
      for (const key of [...Object.keys(spec.query ?? {}), "unknownKey"]) {
        const values = spec.query || method === "GET" ? some(HOSTILE_QUERY_VALUES, 12) : Array.from({ length: 20 }, () => pick(HOSTILE_QUERY_VALUES));
        for (const value of values) {
          const array = random() < 0.3;
          add(`query ${key}`, { path: `${validPath}?${pct(key)}${array ? "[]" : ""}=${value}${array ? `&${pct(key)}[]=${pick(HOSTILE_QUERY_VALUES)}` : ""}` });
        }
      }
      for (const value of method === "GET" ? HOSTILE_QUERY_VALUES.slice(0, 30) : some(HOSTILE_QUERY_VALUES.slice(0, 30), 5).slice(0, 5)) add("query hostile key", { path: `${validPath}?${value}=1` });
      add("query repeated 2000 times", { path: `${validPath}?${Array.from({ length: 2000 }, () => "limit=1").join("&")}` });
      // JSON bodies: structural garbage, then every wrong value in place of each field.
      if (bodies[method]) {
        for (const [name, bytes] of BAD_BODIES) add(`body ${name}`, { path: validPath, body: { kind: "bytes", bytes } });
        const base = bodies[method]!;
        for (const field of [...Object.keys(base), "unknownField"]) {
          for (const value of WRONG_VALUES) {
            const rest = Object.entries(base).filter(([k]) => k !== field).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
            add(`body field ${field}`, { path: validPath, body: { kind: "bytes", bytes: Buffer.from(`{${[...rest, `${JSON.stringify(field)}:${value}`].join(",")}}`) } });
          }
        }
        add("body duplicate key of the wrong type", { path: validPath, body: { kind: "bytes", bytes: Buffer.from(`${JSON.stringify(base).slice(0, -1)},"${Object.keys(base)[0]}":{"x":[1]}}`) } });
        add("body streamed over the limit", { path: validPath, body: { kind: "stream", total: 1_500_000, prefix: Buffer.from('{"a":"') } });
        add("body declared over the limit", { path: validPath, body: { kind: "stream", total: 1_200_000, declared: 1_200_000 } });
        for (const type of CONTENT_TYPES) add(`content type ${type || "(none)"}`, { path: validPath, headers: { ...authHeaders(spec), "Content-Type": type } });
      } else {
        // Bodies nobody asked for.
        for (const [name, bytes] of BAD_BODIES.filter((_, i) => i % 3 === 0)) add(`unwanted body ${name}`, { path: validPath, body: { kind: "bytes", bytes }, headers: { ...authHeaders(spec), "Content-Type": pick(CONTENT_TYPES) || "application/json" } });
      }
      // Tokens: missing, garbage, revoked, read-only.
      for (const [name, token] of GARBAGE_TOKENS) {
        const value = token?.replace("__TOKEN_PREFIX__", f.token.slice(0, -1)).replace("__TOKEN__", f.token).replace("__REVOKED__", f.revokedToken);
        const headers: Record<string, string> = { ...(bodies[method] ? jsonHeaders : {}), ...(value === undefined ? {} : { "X-StorageApi-Token": value }) };
        add(`token ${name}`, { path: validPath, headers });
      }
      add("read-only token", { path: validPath, headers: { ...(bodies[method] ? jsonHeaders : {}), "X-StorageApi-Token": f.readToken } });
      // A session cookie without our Origin (cross-site), with a garbage cookie, and with a forged Origin.
      add("session without Origin", { path: validPath, headers: { ...(bodies[method] ? jsonHeaders : {}), Cookie: `jobdeck_session=${f.session}` } });
      add("garbage session", { path: validPath, headers: { ...(bodies[method] ? jsonHeaders : {}), Cookie: `jobdeck_session=${pick(HOSTILE_QUERY_VALUES).slice(0, 90)}` } });
      add("session with a foreign Origin", { path: validPath, headers: { ...(bodies[method] ? jsonHeaders : {}), Cookie: `jobdeck_session=${f.session}`, Origin: "https://evil.example" } });
      for (const runId of RUN_IDS) add("garbage X-KBC-RunId", { path: validPath, headers: { ...authHeaders(spec), ...(bodies[method] ? jsonHeaders : {}), "X-KBC-RunId": runId } });
      add("huge Content-Length on a GET-sized request", { path: validPath, body: { kind: "stream", total: 64 * 1024, declared: 10 ** 12 } });
    }
    // Methods the route does not serve (and HEAD/OPTIONS, which Next.js answers itself).
    for (const method of [...SERVED.filter((m) => !served.includes(m)), "HEAD", "OPTIONS"] as Method[]) {
      cases.push({ route, kind: "wrong method", method, path: validPath, headers: authHeaders(spec) });
      cases.push({ route, kind: "wrong method with a body", method, path: validPath, headers: { ...authHeaders(spec), "Content-Type": "application/json" }, body: { kind: "bytes", bytes: Buffer.from("{}") } });
    }
  }
  // Uploads: hostile names in the query and in the form, broken forms, streams over the limit, bodies cut short.
  const upload = (kind: string, query: string, headers: Record<string, string>, body: Body) =>
    cases.push({ route: "/api/v2/storage/files", kind, method: "POST", path: `/api/v2/storage/files${query}`, headers: { "X-StorageApi-Token": f.token, ...headers }, body });
  const csv = { kind: "bytes" as const, bytes: Buffer.from("id,name\n1,a\n") };
  for (const name of HOSTILE_QUERY_VALUES) upload("upload name", `?name=${name}`, { "Content-Type": "text/csv" }, csv);
  for (const name of HOSTILE_TEXT) {
    const boundary = "----jobdeck";
    const form = (filename: string, field?: string) =>
      Buffer.from(
        `--${boundary}\r\n${field === undefined ? "" : `Content-Disposition: form-data; name="name"\r\n\r\n${field}\r\n--${boundary}\r\n`}` +
          `Content-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\nid\n1\n\r\n--${boundary}--\r\n`,
      );
    upload("upload form file name", "", { "Content-Type": `multipart/form-data; boundary=${boundary}` }, { kind: "bytes", bytes: form(name.replace(/"/g, "%22")) });
    upload("upload form name field", "", { "Content-Type": `multipart/form-data; boundary=${boundary}` }, { kind: "bytes", bytes: form("ok.csv", name) });
    upload("upload tags", `?name=ok.csv&tags[]=${pct(name)}`, { "Content-Type": "text/csv" }, csv);
  }
  const forms: [string, string][] = [
    ["no file part", '--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nx.csv\r\n--b--\r\n'],
    ["never closed", '--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nid\n1\n'],
    ["no headers", "--b\r\n\r\n\r\n--b--\r\n"],
    ["garbage", "this is not a multipart body at all"],
    ["empty", ""],
    ["header without end", '--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"'],
    ["fifty-one fields", `${Array.from({ length: 51 }, (_, i) => `--b\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nv\r\n`).join("")}--b--\r\n`],
    ["huge field", `--b\r\nContent-Disposition: form-data; name="name"\r\n\r\n${"n".repeat(200_000)}\r\n--b--\r\n`],
  ];
  for (const [name, text] of forms) upload(`upload form ${name}`, "", { "Content-Type": "multipart/form-data; boundary=b" }, { kind: "bytes", bytes: Buffer.from(text) });
  for (const type of CONTENT_TYPES) upload(`upload content type ${type || "(none)"}`, "?name=a.csv", { "Content-Type": type }, csv);
  for (let i = 0; i < 8; i++) {
    upload("upload streamed over the limit", `?name=big-${i}.csv`, { "Content-Type": "text/csv" }, { kind: "stream", total: MAX_FILE_BYTES * 3 });
    upload("upload declared over the limit", `?name=big-${i}.csv`, { "Content-Type": "text/csv" }, { kind: "stream", total: MAX_FILE_BYTES * 2, declared: MAX_FILE_BYTES * 2 });
    upload("form streamed over the limit", "", { "Content-Type": "multipart/form-data; boundary=b" }, {
      kind: "stream",
      total: MAX_FILE_BYTES * 3,
      prefix: Buffer.from('--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'),
    });
    upload("upload cut short", `?name=${MARKER}-cut-${i}.csv`, { "Content-Type": "text/csv" }, { kind: "stream", total: 600_000, declared: 900_000, cutAfter: 300_000 });
  }
  return cases;
}

// ---- sending them --------------------------------------------------------------------------------

/**
 * Sends one case. A body the server may not read (a stream, a false Content-Length) goes on a
 * connection of its own. A kept-alive socket the server had just closed is retried once, as HTTP
 * clients do: that is the connection's end, not an answer.
 */
async function send(base: string, agent: http.Agent, c: Case): Promise<Answer> {
  const own = c.body?.kind === "stream";
  const first = await sendOnce(base, own ? false : agent, c);
  if ("error" in first && first.reused && /socket hang up|ECONNRESET/.test(first.error)) return sendOnce(base, false, c);
  return first;
}

function sendOnce(base: string, agent: http.Agent | false, c: Case): Promise<Answer & { reused?: boolean }> {
  const url = new URL(base);
  return new Promise((resolve) => {
    let settled = false;
    let request: http.ClientRequest | undefined;
    const done = (answer: Answer) => {
      if (!settled) {
        settled = true;
        resolve({ ...answer, reused: request?.reusedSocket ?? false });
      }
    };
    const headers: Record<string, string> = { ...c.headers };
    if (c.body?.kind === "bytes") headers["Content-Length"] = String(c.body.bytes.length);
    if (c.body?.kind === "stream" && c.body.declared !== undefined) headers["Content-Length"] = String(c.body.declared);
    if (agent === false) headers.Connection = "close";
    try {
      request = http.request({ host: url.hostname, port: url.port, method: c.method, path: c.path, headers, agent, timeout: 120_000 }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => done({ status: response.statusCode!, contentType: String(response.headers["content-type"] ?? ""), text: Buffer.concat(chunks).toString("utf8") }));
        response.on("error", (e) => done({ error: `response: ${e.message}` }));
      });
    } catch (e) {
      return done({ error: `client refused to send: ${(e as Error).message}` });
    }
    request.on("timeout", () => request!.destroy(new Error("timed out")));
    // A server that answers before reading the whole body may close the socket under our writes:
    // give the answer that is already on its way the moment to arrive.
    request.on("error", (e) => setTimeout(() => done({ error: e.message }), 500));
    const sending = request;
    const body = c.body;
    if (!body) return void sending.end();
    if (body.kind === "bytes") return void sending.end(body.bytes);
    // A stream: written chunk by chunk until the server answers (it may cut us off), or cut short.
    const chunk = Buffer.alloc(64 * 1024, "a");
    let sent = 0;
    let answered = false;
    sending.once("response", () => (answered = true));
    const pump = () => {
      if (body.prefix && sent === 0) {
        sending.write(body.prefix);
        sent += body.prefix.length;
      }
      while (!answered && sent < body.total) {
        if (body.cutAfter !== undefined && sent >= body.cutAfter) {
          // The client goes away mid-upload: no answer is expected.
          sending.destroy();
          return done({ error: "cut short (expected)" });
        }
        sent += chunk.length;
        if (!sending.write(chunk)) return void sending.once("drain", pump);
      }
      sending.end();
    };
    pump();
  });
}

// Milliseconds spent per kind of case, to see where a slow run goes (printed, never asserted).
const spent = new Map<string, number>();

async function runAll(base: string, cases: Case[]) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const answers: Answer[] = new Array(cases.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < cases.length) {
        const i = next++;
        const t0 = performance.now();
        answers[i] = await send(base, agent, cases[i]!);
        spent.set(cases[i]!.kind, (spent.get(cases[i]!.kind) ?? 0) + performance.now() - t0);
      }
    }),
  );
  agent.destroy();
  return answers;
}

/** What is wrong with an answer, or null: no 5xx, and every error is JSON {error, code, status}. */
function problemWith(c: Case, answer: Answer): string | null {
  if ("error" in answer) return answer.error === "cut short (expected)" ? null : `no answer (${answer.error})`;
  if (answer.status >= 500) return `${answer.status}: ${answer.text.slice(0, 200)}`;
  if (answer.status < 400 || c.method === "HEAD") return null;
  if (!answer.contentType.startsWith("application/json")) return `non-JSON error ${answer.status} (${answer.contentType || "no content type"}): ${answer.text.slice(0, 100)}`;
  let body: { error?: unknown; code?: unknown; status?: unknown };
  try {
    body = JSON.parse(answer.text) as typeof body;
  } catch {
    return `non-JSON error ${answer.status}: ${answer.text.slice(0, 100)}`;
  }
  if (typeof body.error !== "string" || !/[A-Za-z]{2,}.* /.test(body.error)) return `error without a human message: ${answer.text.slice(0, 200)}`;
  if (typeof body.code !== "string" || !/^[a-z][A-Za-z]+$/.test(body.code)) return `error without a machine code: ${answer.text.slice(0, 200)}`;
  if (body.status !== answer.status) return `error status ${String(body.status)} under HTTP ${answer.status}`;
  return null;
}

// ---- the file system -----------------------------------------------------------------------------

/** Every file and folder below `dir` (relative paths), skipping folders others write to all the time. */
function listTree(dir: string, skip: readonly string[] = []): Set<string> {
  const out = new Set<string>();
  const walk = (current: string) => {
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      const relative = path.relative(dir, full);
      if (skip.some((s) => relative === s || relative.startsWith(`${s}/`))) continue;
      out.add(relative);
      if (entry.isDirectory() && !entry.isSymbolicLink()) walk(full);
    }
  };
  walk(dir);
  return out;
}

// The repository's build output, dependencies and test reports change on their own; nothing else may.
const REPO_NOISE = ["node_modules", ".git", ".next", "test-results", "playwright-report", ".data", "tsconfig.tsbuildinfo", "next-env.d.ts"];

// ---- the test ------------------------------------------------------------------------------------

let server: JobdeckServer;
let fixtures: Fixtures;

async function api(method: string, pathname: string, options: { body?: unknown; raw?: Buffer; token?: string; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${server.base}${pathname}`, {
    method,
    headers: { "X-StorageApi-Token": options.token ?? server.demoToken, ...(options.body !== undefined && { "Content-Type": "application/json" }), ...options.headers },
    body: options.raw ? new Uint8Array(options.raw) : (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown> & { id: string }) : null, headers: response.headers };
}

async function waitForStorageJob(id: string) {
  return waitForProbe(`Storage job ${id} to end`, async () => {
    const { json } = await api("GET", `/api/v2/storage/jobs/${id}`);
    return json?.status === "success" || json?.status === "error" ? json : null;
  }, 60_000);
}

async function makeTable(bucketId: string, name: string, fileId: string) {
  const created = await api("POST", `/api/v2/storage/buckets/${bucketId}/tables-async`, { body: { name, dataFileId: fileId, primaryKey: ["id"] } });
  expect(created.status).toBe(202);
  expect(await waitForStorageJob(created.json!.id)).toMatchObject({ status: "success" });
  return `${bucketId}.${name}`;
}

async function makeFixtures(): Promise<Fixtures> {
  const token = server.demoToken;
  const project = await db().project.findFirstOrThrow({ where: { isDemo: true } });
  const read = await createToken({ db: db(), projectId: project.id, description: "hostile-reader", permission: "read" });
  const revoked = await createToken({ db: db(), projectId: project.id, description: "hostile-revoked" });
  await db().token.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } });
  const victimToken = await createToken({ db: db(), projectId: project.id, description: "hostile-victim" });
  const job = await api("POST", "/api/jobs", { body: { component: "jobdeck.noop", configData: {}, mode: "run" } });
  const victimJob = await api("POST", "/api/jobs", { body: { component: "jobdeck.noop", configData: {}, mode: "run" } });
  for (const name of ["fixtures", "victims"]) expect((await api("POST", "/api/v2/storage/buckets", { body: { name, stage: "in" } })).status).toBe(201);
  const emptyBucket = await api("POST", "/api/v2/storage/buckets", { body: { name: "empty", stage: "out" } });
  const file = await api("POST", "/api/v2/storage/files?name=orders.csv", { raw: Buffer.from("id,name\n1,Ann\n2,Bob\n"), headers: { "Content-Type": "text/csv" } });
  const victimFile = await api("POST", "/api/v2/storage/files?name=victim.csv", { raw: Buffer.from("id\n1\n"), headers: { "Content-Type": "text/csv" } });
  const tableId = await makeTable("in.c-fixtures", "orders", file.json!.id);
  const victimTableId = await makeTable("in.c-victims", "doomed", file.json!.id);
  const storageJob = await api("GET", "/api/v2/storage/jobs?limit=1");
  const config = await api("POST", "/api/v2/storage/components/jobdeck.noop/configs", { body: { name: "Hostile fixture" } });
  const row = await api("POST", `/api/v2/storage/components/jobdeck.noop/configs/${config.json!.id}/rows`, { body: { name: "Row" } });
  const victimRow = await api("POST", `/api/v2/storage/components/jobdeck.noop/configs/${config.json!.id}/rows`, { body: { name: "Doomed row" } });
  const victimConfig = await api("POST", "/api/v2/storage/components/jobdeck.noop/configs", { body: { name: "Hostile victim" } });
  const configMetadata = await api("POST", `/api/v2/storage/components/jobdeck.noop/configs/${config.json!.id}/metadata`, { body: { metadata: [{ key: "hostile.victim", value: "1" }] } });
  expect(configMetadata.status).toBe(201);
  const tableMetadata = await api("POST", `/api/v2/storage/tables/${tableId}/metadata`, { body: { provider: "user", metadata: [{ key: "hostile.victim", value: "1" }] } });
  expect(tableMetadata.status).toBe(201);
  const victimSchedule = await api("POST", "/api/schedules", { body: { name: "Hostile victim", configuration: { schedule: { cronTab: "0 3 * * *", state: "disabled" }, target: { componentId: "jobdeck.noop", configurationId: config.json!.id } } } });
  expect(victimSchedule.status).toBe(201);
  const tokenId = Number((await api("GET", "/api/v2/storage/tokens/verify")).json!.id);
  const victimTrigger = await api("POST", "/api/v2/storage/triggers", { body: { runWithTokenId: tokenId, component: "jobdeck.noop", configurationId: config.json!.id, coolDownPeriodMinutes: 5, tableIds: [tableId] } });
  expect(victimTrigger.status).toBe(201);
  for (const id of ["hostile.fixture", "hostile.victim"]) expect((await api("POST", "/api/components", { body: { id, name: id } })).status).toBe(201);
  const subscriptions = [];
  for (const address of ["fixture@example.com", "victim@example.com"]) {
    const made = await api("POST", "/api/project-subscriptions", { body: { event: "job-failed", recipient: { channel: "email", address } } });
    expect(made.status).toBe(201);
    subscriptions.push(made.json!.id);
  }
  const delivery = await api("POST", `/api/project-subscriptions/${subscriptions[0]}/test`);
  expect(delivery.status).toBe(202);
  const session = await fetch(`${server.base}/api/session`, { method: "POST", headers: { "Content-Type": "application/json", Origin: server.base }, body: JSON.stringify({ token }) });
  expect(session.status).toBe(200);
  return {
    componentId: "hostile.fixture",
    victimComponentId: "hostile.victim",
    token,
    readToken: read.secret,
    revokedToken: revoked.secret,
    jobId: job.json!.id,
    victimJobId: victimJob.json!.id,
    bucketId: "in.c-fixtures",
    victimBucketId: emptyBucket.json!.id,
    tableId,
    victimTableId,
    fileId: file.json!.id,
    victimFileId: victimFile.json!.id,
    storageJobId: (storageJob.json as unknown as { id: string }[])[0]!.id,
    component: "jobdeck.noop",
    config: config.json!.id,
    row: (row.json as unknown as { rows: { id: string }[] }).rows[0]!.id,
    victimConfig: victimConfig.json!.id as string,
    victimConfigMetadataId: String((configMetadata.json as unknown as { id: string }[])[0]!.id),
    victimTableMetadataId: String((tableMetadata.json as unknown as { metadata: { id: string; key: string }[] }).metadata.find((m) => m.key === "hostile.victim")!.id),
    victimRow: (victimRow.json as unknown as { rows: { id: string }[] }).rows[1]!.id,
    victimTokenId: String(victimToken.id),
    subscriptionId: subscriptions[0]!,
    victimSubscriptionId: subscriptions[1]!,
    deliveryId: delivery.json!.id,
    victimScheduleId: victimSchedule.json!.id,
    tokenId,
    victimTriggerId: victimTrigger.json!.id,
    session: /jobdeck_session=([^;]+)/.exec(session.headers.get("set-cookie") ?? "")![1]!,
  };
}

beforeAll(async () => {
  server = await startJobdeckServer({ databaseUrl: inject("databaseUrl"), env: { JOBDECK_MAX_FILE_BYTES: String(MAX_FILE_BYTES) } });
  fixtures = await makeFixtures();
}, 900_000);

afterAll(async () => {
  await server?.stop();
});

describe("hostile input over HTTP", () => {
  it("knows every route under app/api", () => {
    const onDisk = routesOnDisk();
    expect([...onDisk.keys()].sort()).toEqual(Object.keys(ROUTES).sort());
    for (const [route, served] of onDisk) expect(served.length, route).toBeGreaterThan(0);
  });

  it("answers thousands of malformed requests without a 5xx, always with a JSON error, writing nothing outside the data folder", async () => {
    const repoBefore = listTree(ROOT, REPO_NOISE);
    const parentBefore = listTree(server.parentDir, ["data"]);
    const tmpBefore = new Set(readdirSync("/tmp"));
    const cases = generateCases(fixtures);
    expect(cases.length).toBeGreaterThanOrEqual(10_000);
    expect(new Set(cases.map((c) => c.route)).size).toBe(routesOnDisk().size);

    const started = performance.now();
    const answers = await runAll(server.base, cases);
    const seconds = (performance.now() - started) / 1000;
    const kinds = new Map<string, number>();
    for (const c of cases) kinds.set(c.kind.replace(/ \S+$/, ""), (kinds.get(c.kind.replace(/ \S+$/, "")) ?? 0) + 1);
    console.log("cases by kind:", JSON.stringify(Object.fromEntries(kinds)));
    console.log("slowest kinds (ms in total):", JSON.stringify([...spent].sort((x, y) => y[1] - x[1]).slice(0, 12).map(([k, ms]) => [k, Math.round(ms)])));

    const problems = cases.map((c, i) => ({ c, problem: problemWith(c, answers[i]!) })).filter((p) => p.problem !== null);
    const serverErrors = answers.filter((a) => "status" in a && a.status >= 500).length;
    const nonJson = problems.filter((p) => p.problem!.startsWith("non-JSON")).length;

    // The data folder holds the files folder (generated names only), the demo token, the key of "#" values and nothing else.
    // Storage jobs the fuzzing queued (exports, snapshots) write their files through files/.tmp: let them end first.
    await waitForProbe("the Storage jobs the fuzzing queued to end", async () => (await db().storageJob.count({ where: { status: { in: ["waiting", "processing"] } } })) === 0, 120_000);
    await waitForProbe("files/.tmp to empty once no Storage job runs", async () => readdirSafe(path.join(server.dataDir, "files", ".tmp")).length === 0, 15_000);
    const strayInData = [...listTree(server.dataDir)].filter(
      (p) => !/^(demo-token|secret-key|files|files\/\.tmp|files\/\d+|files\/\d+\/\d{4}-\d{2}|files\/\d+\/\d{4}-\d{2}\/[0-9a-f-]{36})$/.test(p),
    );
    const newInRepo = [...listTree(ROOT, REPO_NOISE)].filter((p) => !repoBefore.has(p));
    const newInParent = [...listTree(server.parentDir, ["data"])].filter((p) => !parentBefore.has(p));
    // Other engineers' runs write to /tmp all the time: there, only files named by our payloads count.
    const markedInTmp = readdirSync("/tmp").filter((name) => !tmpBefore.has(name) && name.includes(MARKER));
    const markedElsewhere = ["/", "/etc", path.dirname(ROOT), ROOT, server.parentDir].flatMap((dir) => readdirSafe(dir).filter((n) => n.includes(MARKER)));
    const outside = newInRepo.length + newInParent.length + markedInTmp.length + markedElsewhere.length + strayInData.length;

    recordFigure("hostile input", "inputs tried", cases.length);
    recordFigure("hostile input", "routes × methods covered", new Set(cases.map((c) => `${c.method} ${c.route}`)).size);
    recordFigure("hostile input", "5xx seen", serverErrors);
    recordFigure("hostile input", "non-JSON errors", nonJson);
    recordFigure("hostile input", "other contract breaks", problems.length - serverErrors - nonJson);
    recordFigure("hostile input", "files outside data dir", outside);
    recordFigure("hostile input", "seconds to send them all", Number(seconds.toFixed(1)));

    if (problems.length > 0) {
      const log = server.output().split("\n");
      console.log(log.flatMap((line, i) => (/unexpected error|⨯|Error/.test(line) ? log.slice(i, i + 8) : [])).slice(0, 200).join("\n"));
    }
    // One line per route, method, kind and sort of problem.
    const sample = [...new Map(problems.map((p) => [`${p.c.method} ${p.c.route} [${p.c.kind}] ${p.problem!.slice(0, 40)}`, `${p.c.method} ${p.c.path.slice(0, 120)} [${p.c.kind}] → ${p.problem!.slice(0, 200)}`])).values()].slice(0, 80);
    expect(sample).toEqual([]);
    expect(serverErrors).toBe(0);
    expect({ newInRepo, newInParent, markedInTmp, markedElsewhere, strayInData }).toEqual({ newInRepo: [], newInParent: [], markedInTmp: [], markedElsewhere: [], strayInData: [] });
    // The uploads cut short left no File behind.
    expect(await db().file.count({ where: { name: { startsWith: `${MARKER}-cut-` } } })).toBe(0);
    expect(server.output()).not.toMatch(/unexpected error|FATAL|Unhandled/i);
  });

  it("is still healthy afterwards: health, a search and a new job", async () => {
    const health = await fetch(`${server.base}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", database: "postgresql" });
    expect((await api("GET", "/api/search/jobs?limit=5")).status).toBe(200);
    const created = await api("POST", "/api/jobs", { body: { component: "jobdeck.noop", configData: {}, mode: "run" } });
    expect(created.status).toBe(201);
    expect((await api("GET", `/api/jobs/${created.json!.id}`)).status).toBe(200);
    expect((await api("GET", `/api/v2/storage/tables/${fixtures.tableId}/data-preview?format=json`)).status).toBe(200);
  });
});

function readdirSafe(dir: string): string[] {
  return existsSync(dir) && statSync(dir).isDirectory() ? readdirSync(dir) : [];
}
