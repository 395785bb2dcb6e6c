// A new user's path through configurations in Chromium: Components → a new configuration → its
// JSON edited (an invalid edit is refused with the reason) → two versions saved → a diff and a
// rollback → Run, watching the job finish → Run again on the job. Screenshots at desktop and
// phone width go to test-results/screens/.
import { expect, type Page, test } from "@playwright/test";
import { auth } from "../fixtures";
import { rollBackTo, screens as shoot, setEditorText } from "./helpers";

const SHOTS = "test-results/screens";

test.beforeEach(async ({ page, baseURL }) => {
  const signIn = await page.request.post("/api/session", { data: { demo: true }, headers: { Origin: baseURL! } });
  expect(signIn.status()).toBe(200);
});

const screens = (page: Page, name: string) => shoot(page, SHOTS, name);

test("creates a configuration, versions it, diffs, rolls back, runs it and runs it again", async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/components");
  const generator = page.locator('[data-component-id="jobdeck.generator"]');
  await generator.getByRole("button", { name: /New configuration of/ }).click();
  const name = `Nightly orders ${Date.now().toString(36)}`;
  const form = generator.getByRole("form", { name: /New configuration of/ });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Description").fill("Loads the night's orders");
  await form.getByRole("button", { name: "Create configuration" }).click();
  await expect(page).toHaveURL(/\/components\/jobdeck\.generator\/[\w.-]+$/);
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByText("version 1 ·")).toBeVisible();

  // An edit that does not parse is refused, with the reason.
  await setEditorText(page, '{"rows": 10, "durationSeconds": ');
  await expect(page.getByTestId("json-problem")).toContainText("Not valid JSON");
  const save = page.getByRole("button", { name: /^Save as version/ });
  await expect(save).toBeDisabled();

  // Version 2, then version 3.
  await setEditorText(page, '{"rows": 10, "durationSeconds": 1}');
  await expect(page.getByTestId("json-problem")).toHaveCount(0);
  await page.getByLabel("What changed").fill("First settings");
  await save.click();
  await expect(page.getByText("version 2 ·")).toBeVisible();
  await setEditorText(page, '{"rows": 20, "durationSeconds": 1}');
  await page.getByLabel("What changed").fill("More rows");
  await page.getByRole("button", { name: "Save as version 3" }).click();
  await expect(page.getByText("version 3 ·")).toBeVisible();

  // The versions say who changed what; the diff of the last two shows the change.
  const versions = page.getByRole("list", { name: "Versions, newest first" });
  await expect(versions.locator("li").first()).toContainText("More rows");
  await expect(versions.locator('[data-version="2"]')).toContainText("First settings");
  const diff = page.getByTestId("version-diff");
  await expect(diff).toContainText("Changes from v2 to v3");
  await expect(diff.locator('[data-diff="added"]')).toContainText('"rows": 20');
  await expect(diff.locator('[data-diff="removed"]')).toContainText('"rows": 10');
  await screens(page, "configuration");

  // Roll back to version 2: a new version 4 with version 2's JSON.
  await rollBackTo(versions, 2);
  await expect(page.getByText("version 4 ·")).toBeVisible();
  await expect(versions.locator("li").first()).toContainText("Rollback to version 2");
  await expect(page.getByTestId("code-editor")).toContainText('"rows": 10');

  // Run it and watch the job finish.
  await page.getByRole("button", { name: "Run", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: `Run ${name}` });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Backend size").selectOption("small");
  await dialog.getByRole("button", { name: "Run", exact: true }).click();
  const created = dialog.getByTestId("created-job");
  await expect(created).toBeVisible();
  await expect(created.locator("[data-status]")).toHaveAttribute("data-status", "success", { timeout: 30_000 });
  await screens(page, "run-dialog");
  const jobId = (await created.getByRole("link").textContent())!.trim();
  await created.getByRole("link").click();
  await expect(page.getByRole("heading", { name: `Job ${jobId}` })).toBeVisible();
  await expect(page.getByRole("link", { name })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Run history" })).toBeVisible();

  // Run again: the same configuration, mode and backend, as a new job.
  const again = page.getByTestId("run-again");
  await again.getByRole("button", { name: "Run again" }).click();
  const rerun = again.getByTestId("created-job");
  await expect(rerun).toBeVisible();
  const rerunId = (await rerun.getByRole("link").textContent())!.trim();
  expect(rerunId).not.toBe(jobId);
  await expect(rerun.locator("[data-status]")).toHaveAttribute("data-status", "success", { timeout: 30_000 });
  const job = await (await page.request.get(`/api/jobs/${rerunId}`, { headers: auth })).json();
  expect(job).toMatchObject({ component: "jobdeck.generator", mode: "run", metrics: { backend: { size: "small" } } });
  // The configuration changes afterwards: Run again says so, with the version then and now.
  const configId = new URL(await page.getByRole("link", { name }).first().getAttribute("href") ?? "", "http://x").pathname.split("/").at(-1)!;
  const put = await page.request.put(`/api/v2/storage/components/jobdeck.generator/configs/${configId}`, { headers: auth, data: { description: "changed after the run" } });
  expect(put.status()).toBe(200);
  await page.reload();
  await expect(page.locator('[data-run-status="success"]')).toHaveCount(2);
  await expect(page.getByTestId("config-changed")).toContainText("version 4 then, version 5 now");
  await screens(page, "job-detail");
  await page.goto("/components");
  const listed = page.locator('[data-component-id="jobdeck.generator"] li', { hasText: name });
  await expect(listed.locator("[data-status]")).toHaveAttribute("data-status", "success");
  await screens(page, "components");
});

test("a disabled configuration explains why it does not run, and a second saver is told", async ({ page }) => {
  const created = await page.request.post("/api/v2/storage/components/jobdeck.noop/configs", { data: { name: "Parked", isDisabled: true }, headers: auth });
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  await page.goto(`/components/jobdeck.noop/${id}`);
  await expect(page.getByTestId("enabled-state")).toHaveText("Disabled");
  await page.getByRole("button", { name: "Run", exact: true }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("button", { name: "Run", exact: true }).click();
  await expect(dialog.getByRole("alert")).toContainText('is disabled; run it with mode "forceRun"');
  await dialog.getByLabel("Mode").selectOption("forceRun");
  await dialog.getByRole("button", { name: "Run", exact: true }).click();
  await expect(dialog.getByTestId("created-job")).toBeVisible();
  await dialog.getByRole("button", { name: "Close" }).click();

  // Someone else saves while this page shows version 1: this page's save is refused, its text kept.
  await setEditorText(page, '{"parameters": {"mine": true}}');
  const other = await page.request.put(`/api/v2/storage/components/jobdeck.noop/configs/${id}`, { data: { description: "theirs", version: 1 }, headers: auth });
  expect(other.status()).toBe(200);
  await page.getByRole("button", { name: "Save as version 2" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Someone else saved first" })).toContainText("after you loaded version 1");
  await expect(page.getByTestId("code-editor")).toContainText('"mine": true');
});
