// Notifications in Chromium: a webhook subscription made on the Notifications page, and one made
// on a configuration's page ("Notify me when this fails"), each with a test sent from the page,
// received (signed) by a local receiver, and shown as delivered in the delivery log.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { verifySignature } from "../../lib/notifications/signature";
import { auth } from "../fixtures";

type Received = { headers: http.IncomingHttpHeaders; body: string; path: string };
let server: http.Server;
let base = "";
const received: Received[] = [];

test.beforeAll(async () => {
  server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (c: Buffer) => (body += c.toString()));
    request.on("end", () => {
      received.push({ headers: request.headers, body, path: request.url ?? "/" });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
test.afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test.beforeEach(async ({ page, baseURL }) => {
  const signIn = await page.request.post("/api/session", { data: { demo: true }, headers: { Origin: baseURL! } });
  expect(signIn.status()).toBe(200);
});

test("a webhook subscription made on the Notifications page gets a signed test, shown in its delivery log", async ({ page }, testInfo) => {
  const hook = `${base}/hook-${Date.now().toString(36)}`;
  await page.goto("/notifications");
  await expect(page.getByRole("heading", { name: "Notifications", level: 1 })).toBeVisible();
  // The embedded default has no SMTP server: the page says so and how to set one up.
  await expect(page.getByRole("note")).toContainText("JOBDECK_SMTP_URL");

  const form = page.getByRole("form", { name: "New subscription" });
  await form.getByLabel("Event").selectOption("job-failed");
  await form.getByRole("radio", { name: "Webhook" }).check();
  await form.getByLabel("Webhook URL").fill(hook);
  await form.getByRole("button", { name: "Create subscription" }).click();
  const secret = (await form.getByTestId("webhook-secret").textContent())!.trim();
  expect(secret).toMatch(/^whsec_/);

  const item = page.getByRole("listitem").filter({ hasText: hook });
  await expect(item).toBeVisible();
  await item.getByRole("button", { name: "Send a test" }).click();
  const log = item.getByRole("list", { name: "Delivery log" });
  await expect(log.locator("[data-delivery-status]").first()).toHaveAttribute("data-delivery-status", "delivered", { timeout: 20_000 });
  await expect(log).toContainText("Test");
  await expect(log).toContainText("answered 204");

  const mine = received.filter((r) => r.body.includes('"test":true') && r.headers["x-jobdeck-signature"]);
  expect(mine).toHaveLength(1);
  expect(verifySignature({ secret, body: mine[0]!.body, header: String(mine[0]!.headers["x-jobdeck-signature"]) })).toBe(true);
  expect(JSON.parse(mine[0]!.body)).toMatchObject({ event: "job-failed", test: true, id: mine[0]!.headers["x-jobdeck-delivery"] });

  // Send again: the same delivery goes out once more.
  await log.getByRole("button", { name: "Send again" }).first().click();
  await expect.poll(() => received.filter((r) => r.headers["x-jobdeck-delivery"] === mine[0]!.headers["x-jobdeck-delivery"]).length, { timeout: 20_000 }).toBe(2);

  await page.screenshot({ path: testInfo.outputPath("notifications-desktop.png"), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(item.getByRole("button", { name: "Send a test" })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("notifications-390.png"), fullPage: true });
});

test("bad input is answered on the form, naming what is wrong", async ({ page }) => {
  await page.goto("/notifications");
  const form = page.getByRole("form", { name: "New subscription" });
  await form.getByRole("radio", { name: "Webhook" }).check();
  // The browser takes it as a URL; the API refuses the scheme.
  await form.getByLabel("Webhook URL").fill("ftp://files.example.com/hook");
  await form.getByRole("button", { name: "Create subscription" }).click();
  await expect(form).toContainText("url must be an http:// or https:// URL");
});

test("\"Notify me when this fails\" on a configuration's page subscribes its failed jobs; a test sent there shows in its delivery log", async ({ page }, testInfo) => {
  const created = await page.request.post("/api/v2/storage/components/jobdeck.generator/configs", { data: { name: `Orders ${Date.now().toString(36)}` }, headers: auth });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const hook = `${base}/config-${id}`;
  await page.goto(`/components/jobdeck.generator/${id}`);
  const section = page.getByRole("region", { name: "Notify me when this fails" });
  await expect(section).toContainText("Nobody is told when a job of this configuration fails.");
  await section.getByRole("button", { name: "Notify me" }).click();
  const form = section.getByRole("form", { name: "Notify me when this fails" });
  await form.getByRole("radio", { name: "Webhook" }).check();
  await form.getByLabel("Webhook URL").fill(hook);
  await form.getByRole("button", { name: "Notify me" }).click();
  const secret = (await form.getByTestId("webhook-secret").textContent())!.trim();

  // The subscription is this configuration's failed jobs, as the API shows it.
  const listed = section.getByRole("list", { name: "Told when this fails" }).getByRole("listitem").filter({ hasText: hook });
  await expect(listed).toBeVisible();
  const subscriptions = (await (await page.request.get("/api/project-subscriptions", { headers: auth })).json()) as { recipient: { url?: string }; event: string; filters: { field: string; value: string }[] }[];
  const mine = subscriptions.find((s) => s.recipient.url === hook);
  expect(mine).toMatchObject({ event: "job-failed" });
  expect(mine!.filters).toEqual(
    expect.arrayContaining([expect.objectContaining({ field: "job.component.id", value: "jobdeck.generator" }), expect.objectContaining({ field: "job.configuration.id", value: id })]),
  );

  await listed.getByRole("button", { name: "Send a test" }).click();
  const log = listed.getByRole("list", { name: "Delivery log" });
  await expect(log.locator("[data-delivery-status]").first()).toHaveAttribute("data-delivery-status", "delivered", { timeout: 20_000 });
  await expect(log).toContainText("answered 204");
  const got = received.filter((r) => r.path === `/config-${id}`);
  expect(got).toHaveLength(1);
  expect(verifySignature({ secret, body: got[0]!.body, header: String(got[0]!.headers["x-jobdeck-signature"]) })).toBe(true);
  expect(JSON.parse(got[0]!.body)).toMatchObject({ event: "job-failed", test: true });

  await page.screenshot({ path: testInfo.outputPath("notify-when-fails-desktop.png"), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(listed.getByRole("button", { name: "Send a test" })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("notify-when-fails-390.png"), fullPage: true });
});
