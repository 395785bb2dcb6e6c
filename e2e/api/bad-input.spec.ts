// Bad input never gets a 5xx: each row is a request and the JSON error it must get.
import { expect, test } from "@playwright/test";
import { auth } from "../fixtures";

type Case = {
  name: string;
  method?: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  body?: string | object;
  headers?: Record<string, string>;
  // null: send no token at all.
  token?: string | null;
  status: number;
  code: string;
  mentions?: RegExp;
};

const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;

const cases: Case[] = [
  { name: "no token", path: "/api/jobs/1", token: null, status: 401, code: "unauthorized" },
  { name: "empty token", path: "/api/jobs/1", token: "", status: 401, code: "unauthorized" },
  { name: "huge token", path: "/api/jobs/1", token: "x".repeat(5000), status: 401, code: "unauthorized" },
  { name: "malformed JSON", method: "POST", path: "/api/jobs", body: '{"component": ', status: 400, code: "malformedJson" },
  { name: "JSON array instead of object", method: "POST", path: "/api/jobs", body: "[1,2]", status: 422, code: "invalidInput" },
  { name: "JSON null", method: "POST", path: "/api/jobs", body: "null", status: 422, code: "invalidInput" },
  { name: "component of the wrong type", method: "POST", path: "/api/jobs", body: { component: 5, configData: {} }, status: 422, code: "invalidInput", mentions: /component/ },
  { name: "unknown field", method: "POST", path: "/api/jobs", body: { component: "keboola.ex-http", config: "101", priority: 1 }, status: 422, code: "invalidInput", mentions: /priority/ },
  { name: "unknown mode", method: "POST", path: "/api/jobs", body: { component: "keboola.ex-http", config: "101", mode: "turbo" }, status: 422, code: "invalidInput", mentions: /mode/ },
  { name: "unknown backend size", method: "POST", path: "/api/jobs", body: { component: "keboola.ex-http", config: "101", backend: { size: "huge" } }, status: 422, code: "invalidInput", mentions: /backend/ },
  { name: "parallelism out of range", method: "POST", path: "/api/jobs", body: { component: "keboola.ex-http", config: "101", parallelism: 1e12 }, status: 422, code: "invalidInput", mentions: /parallelism/ },
  { name: "SQL in a config id", method: "POST", path: "/api/jobs", body: { component: "keboola.ex-http", config: "1'; DROP TABLE \"Job\"; --" }, status: 422, code: "invalidInput", mentions: /config/ },
  { name: "path traversal in a component", method: "POST", path: "/api/jobs", body: { component: "../../etc/passwd", configData: {} }, status: 422, code: "invalidInput", mentions: /component/ },
  { name: "over-long tag", method: "POST", path: "/api/jobs", body: { component: "keboola.ex-http", config: "101", tag: "t".repeat(10_000) }, status: 422, code: "invalidInput", mentions: /tag/ },
  { name: "garbage X-KBC-RunId", method: "POST", path: "/api/jobs", body: { component: "keboola.ex-http", config: "101" }, headers: { "X-KBC-RunId": "1.2.x" }, status: 400, code: "invalidRunId" },
  { name: "unknown parent run", method: "POST", path: "/api/jobs", body: { component: "keboola.ex-http", config: "101" }, headers: { "X-KBC-RunId": "999999999999" }, status: 400, code: "invalidRunId" },
  { name: "deeply nested configData", method: "POST", path: "/api/jobs", body: `{"component":"keboola.ex-http","configData":${deep(100_000)}}`, status: 400, code: "jsonTooDeep" },
  { name: "body over the limit", method: "POST", path: "/api/jobs", body: { component: "keboola.ex-http", configData: { x: "y".repeat(1_000_001) } }, status: 413, code: "payloadTooLarge" },
  { name: "unicode edge cases in a tag", method: "POST", path: "/api/jobs", body: `{"component":"keboola.ex-http","config":"101","tag":"\\ud800\\u0000"}`, status: 422, code: "invalidInput", mentions: /tag/ },
  { name: "lone surrogate in configData", method: "POST", path: "/api/jobs", body: `{"component":"keboola.ex-http","configData":{"a":["\\udc00"]}}`, status: 422, code: "invalidInput", mentions: /configData\.a\.0/ },
  { name: "NUL in a search filter", path: "/api/search/jobs?tokenDescription[]=a%00b", status: 422, code: "invalidInput", mentions: /tokenDescription/ },
  { name: "negative limit", path: "/api/search/jobs?limit=-5", status: 422, code: "invalidInput", mentions: /limit/ },
  { name: "limit over 500", path: "/api/search/jobs?limit=501", status: 422, code: "invalidInput", mentions: /limit/ },
  { name: "huge limit", path: "/api/search/jobs?limit=99999999999999999999999", status: 422, code: "invalidInput", mentions: /limit/ },
  { name: "fractional offset", path: "/api/search/jobs?offset=1.5", status: 422, code: "invalidInput", mentions: /offset/ },
  { name: "unknown sort key", path: "/api/search/jobs?sortBy=secret", status: 422, code: "invalidInput", mentions: /sortBy/ },
  { name: "unknown sort order", path: "/api/search/jobs?sortOrder=sideways", status: 422, code: "invalidInput", mentions: /sortOrder/ },
  { name: "unknown filter", path: "/api/search/jobs?colour=red", status: 422, code: "invalidInput", mentions: /colour/ },
  { name: "unknown status", path: "/api/search/jobs?status[]=success&status[]=fine", status: 422, code: "invalidInput", mentions: /status/ },
  { name: "SQL in an id filter", path: "/api/search/jobs?id=1%20OR%201=1", status: 422, code: "invalidInput", mentions: /id/ },
  { name: "bad time filter", path: "/api/search/jobs?endTimeTo=yesterday-ish", status: 422, code: "invalidInput", mentions: /endTimeTo/ },
  { name: "forged cursor", path: "/api/search/jobs?cursor=eyJpZCI6Ii0xIn0", status: 422, code: "invalidInput", mentions: /cursor/ },
  { name: "garbage job id", path: "/api/jobs/..%2F..%2Fetc%2Fpasswd", status: 404, code: "notFound" },
  { name: "job id too large", path: "/api/jobs/99999999999999999999999999", status: 404, code: "notFound" },
  { name: "negative job id", path: "/api/jobs/-1", status: 404, code: "notFound" },
  { name: "kill of a garbage id", method: "POST", path: "/api/jobs/1e3/kill", status: 404, code: "notFound" },
  { name: "event without a message", method: "POST", path: "/api/v2/storage/events", body: { type: "info" }, status: 422, code: "invalidInput", mentions: /message/ },
  { name: "event of an unknown type", method: "POST", path: "/api/v2/storage/events", body: { message: "m", type: "fatal" }, status: 422, code: "invalidInput", mentions: /type/ },
  { name: "events paged by a garbage id", path: "/api/v2/storage/events?maxId=abc", status: 422, code: "invalidInput", mentions: /maxId/ },
  { name: "token without a description", method: "POST", path: "/api/tokens", body: {}, status: 422, code: "invalidInput", mentions: /description/ },
  { name: "revoke of a garbage token id", method: "DELETE", path: "/api/tokens/abc", status: 404, code: "notFound" },
  { name: "configuration of an unknown component", path: "/api/v2/storage/components/..%2F..%2Fx/configs", status: 404, code: "notFound" },
];

test("every malformed request gets its JSON error, never a 5xx", async ({ request }) => {
  for (const c of cases) {
    const response = await request.fetch(c.path, {
      method: c.method ?? "GET",
      headers: {
        ...(c.token === undefined ? auth : c.token === null ? {} : { "X-StorageApi-Token": c.token }),
        ...(c.body !== undefined && { "Content-Type": "application/json" }), ...c.headers },
      ...(c.body !== undefined && { data: typeof c.body === "string" ? Buffer.from(c.body) : c.body }),
    });
    const text = await response.text();
    expect(response.status(), `${c.name}: ${text.slice(0, 300)}`).toBe(c.status);
    const body = JSON.parse(text);
    expect(body, c.name).toMatchObject({ code: c.code, status: c.status });
    expect(typeof body.error, c.name).toBe("string");
    if (c.mentions) expect(body.error, c.name).toMatch(c.mentions);
  }
});
