// The build's scripts and styles are answered by the HTTP server from memory, gzipped once
// (server/static-files.ts); a path that is not one of them still gets Next.js's answer.
import { expect, test } from "@playwright/test";

/** A stylesheet and a script the sign-in page loads. */
async function assetsOfSignIn(request: import("@playwright/test").APIRequestContext) {
  const html = await (await request.get("/sign-in", { failOnStatusCode: true })).text();
  const css = /\/_next\/static\/[\w./-]+\.css/.exec(html)?.[0];
  const js = /\/_next\/static\/[\w./-]+\.js/.exec(html)?.[0];
  expect(css, "the page links a stylesheet").toBeTruthy();
  expect(js, "the page loads a script").toBeTruthy();
  return { css: css!, js: js! };
}

test.describe("Static assets", () => {
  test("are sent gzipped with their type, for a year, and a 304 when the browser holds them", async ({ request }) => {
    const { css, js } = await assetsOfSignIn(request);
    for (const [path, type] of [[css, "text/css"], [js, "application/javascript"]] as const) {
      const response = await request.get(path, { headers: { "Accept-Encoding": "gzip" } });
      expect(response.status(), path).toBe(200);
      const headers = response.headers();
      expect(headers["content-type"]).toContain(type);
      expect(headers["content-encoding"]).toBe("gzip");
      expect(headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(headers["x-content-type-options"]).toBe("nosniff");
      expect(headers.etag).toMatch(/^"[\w-]{27}"$/);
      const body = await response.text();
      expect(body.length).toBeGreaterThan(100);

      // Without gzip: the same bytes, as they are.
      const plain = await request.get(path, { headers: { "Accept-Encoding": "identity" } });
      expect(plain.headers()["content-encoding"]).toBeUndefined();
      expect(Number(plain.headers()["content-length"])).toBe(Buffer.byteLength(body));
      expect(await plain.text()).toBe(body);

      const again = await request.get(path, { headers: { "If-None-Match": headers.etag! } });
      expect(again.status()).toBe(304);
      expect(again.headers().vary).toBe("Accept-Encoding");
      expect(await again.body()).toHaveLength(0);

      const head = await request.head(path, { headers: { "Accept-Encoding": "identity" } });
      expect(head.status()).toBe(200);
      expect(head.headers()["content-length"]).toBe(plain.headers()["content-length"]);
      expect(await head.body()).toHaveLength(0);
    }
  });

  test("a name that is not in the build, or that leaves the folder, is Next.js's 404", async ({ request }) => {
    for (const path of ["/_next/static/chunks/not-in-this-build.js", "/_next/static/%2e%2e/%2e%2e/package.json", "/_next/static/chunks/..%2f..%2f..%2fpackage.json"]) {
      const response = await request.get(path);
      expect(response.status(), path).toBe(404);
      expect(await response.text(), path).not.toContain('"name": "jobdeck"');
    }
  });
});
