// User data carrying HTML and script renders inert everywhere the dashboard shows it: job
// parameters, configuration names, event messages and token descriptions are shown literally, no
// dialog opens and no script runs (the payloads would set window.__pwned). Names that end up in
// paths and SQL (files, buckets, tables) cannot carry markup at all: the API refuses them.
import type { Page } from "@playwright/test";
import { auth } from "../fixtures";
import { expect, listOf, row, signInWithDemo, test, uniqueId } from "./helpers";

// No double quotes, so the parameters' exact JSON shows the payload unescaped.
const payload = (tag: string) =>
  `<img src=x onerror=window.__pwned='${tag}';alert(1)><script>window.__pwned='${tag}-script'</script>` +
  `<a href=javascript:window.__pwned='${tag}-link'>open</a> ${uniqueId(tag)}`;

/** Watches a page for anything a payload could do: dialogs, and the flag its script would set. */
function watch(page: Page) {
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return {
    dialogs,
    async assertInert() {
      expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
      await expect(page.locator('img[src="x"]')).toHaveCount(0);
      await expect(page.locator('a[href^="javascript:"]')).toHaveCount(0);
      // Next.js's own scripts carry the page's nonce; a script from a payload would not.
      await expect(page.locator("script:not([nonce])").filter({ hasText: "__pwned" })).toHaveCount(0);
      expect(dialogs).toEqual([]);
    },
  };
}

test("job parameters, configuration names, event messages and token descriptions with HTML render as text", async ({ page, request, jobs }) => {
  // Four pages and a finished job: more than the default minute on a busy machine.
  test.setTimeout(180_000);
  const watcher = watch(page);
  const tokenDescription = payload("token");
  const token = await request.post("/api/tokens", { headers: auth, data: { description: tokenDescription, canManageJobs: true } });
  expect(token.status(), await token.text()).toBe(201);
  const hostileAuth = { "X-StorageApi-Token": ((await token.json()) as { token: string }).token };

  const configName = payload("config");
  const config = await jobs.config("jobdeck.generator", { rows: 1, durationSeconds: 0 }, configName);
  const parameter = payload("param");
  const created = await request.post("/api/jobs", {
    headers: hostileAuth,
    data: { component: "jobdeck.generator", config: config.id, configData: { rows: 1, durationSeconds: 0, note: parameter }, mode: "run" },
  });
  expect(created.status(), await created.text()).toBe(201);
  const job = (await created.json()) as { id: string; runId: string };
  await jobs.until(job.id, /success|error/);
  const message = payload("event");
  await jobs.event(job.runId, message, "error");
  const upload = await request.post("/api/v2/storage/files?name=hostile-creator.csv", { headers: hostileAuth, data: Buffer.from("a\n1\n") });
  expect(upload.status()).toBe(201);
  const fileId = ((await upload.json()) as { id: string }).id;

  await signInWithDemo(page, `/jobs/${job.id}`);
  // The exact JSON of the parameters, the event, the configuration's name and the creator, as text.
  await expect(page.getByText(parameter, { exact: false }).first()).toBeVisible();
  await expect(page.getByRole("list", { name: "Events, newest first" }).getByRole("listitem").filter({ hasText: message })).toHaveCount(1);
  await expect(page.getByText(configName, { exact: false }).first()).toBeVisible();
  await expect(page.getByText(tokenDescription, { exact: false }).first()).toBeVisible();
  await watcher.assertInert();

  await page.goto(listOf("jobdeck.generator", [config.id]));
  await expect(row(page, job.id)).toContainText(configName);
  await watcher.assertInert();

  await page.goto(`/storage/files?fileId=${fileId}`);
  await expect(page.getByText(tokenDescription, { exact: false }).first()).toBeAttached();
  await watcher.assertInert();

  await page.goto("/storage/jobs");
  await expect(page.getByRole("table")).toBeVisible();
  await watcher.assertInert();
});

test("names that reach paths and SQL cannot carry markup: files, buckets and tables", async ({ request }) => {
  const markup = '<img src=x onerror="alert(1)">';
  const file = await request.post(`/api/v2/storage/files?name=${encodeURIComponent(markup)}`, { headers: auth, data: Buffer.from("a\n1\n") });
  expect(file.status()).toBe(422);
  expect(await file.json()).toMatchObject({ code: "invalidInput", status: 422, field: "name" });

  const bucket = await request.post("/api/v2/storage/buckets", { headers: auth, data: { name: markup, stage: "in" } });
  expect(bucket.status()).toBe(422);
  expect(await bucket.json()).toMatchObject({ code: "invalidInput", field: "name" });

  const name = uniqueId("xss");
  expect((await request.post("/api/v2/storage/buckets", { headers: auth, data: { name, stage: "in" } })).status()).toBe(201);
  const data = await request.post("/api/v2/storage/files?name=ok.csv", { headers: auth, data: Buffer.from("a\n1\n") });
  const table = await request.post(`/api/v2/storage/buckets/in.c-${name}/tables-async`, {
    headers: auth,
    data: { name: markup, dataFileId: ((await data.json()) as { id: string }).id },
  });
  expect(table.status()).toBe(422);
  expect(await table.json()).toMatchObject({ code: "invalidInput", field: "name" });
});
