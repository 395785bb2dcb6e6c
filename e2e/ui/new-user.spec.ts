// Issue 19's story, as a new user walks it in Chromium from the seeded demo project: sign in →
// Components → a new generator configuration → its JSON edited (an invalid edit is refused with the
// reason) → two versions saved → a diff and a rollback → Run, watching the job finish → Run again on
// the job → a new flow with that configuration as its task, run to the end → a schedule every
// minute whose job appears at the next minute → paused. Everything is done through the pages; the
// API only reads back what a page does not show. Screenshots of each main page at desktop and phone
// width go to test-results/new-user/.
import type { Page } from "@playwright/test";
import { auth } from "../fixtures";
import { expect, rollBackTo, screens, setEditorText, signInWithDemo, test } from "./helpers";

const SHOTS = "test-results/new-user";
const shoot = (page: Page, name: string) => screens(page, SHOTS, name);

/** The page's width never exceeds the window's: nothing to scroll sideways to reach. */
async function expectNoSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

/** Runs the open configuration from its Run dialog, watches its job succeed there, and opens the job's page. */
async function runToSuccess(page: Page, configName: string, timeout: number): Promise<string> {
  await page.getByRole("button", { name: "Run", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: `Run ${configName}` });
  await dialog.getByRole("button", { name: "Run", exact: true }).click();
  const created = dialog.getByTestId("created-job");
  await expect(created.locator("[data-status]")).toHaveAttribute("data-status", "success", { timeout });
  const jobId = (await created.getByRole("link").textContent())!.trim();
  await created.getByRole("link").click();
  await expect(page.getByRole("heading", { name: `Job ${jobId}` })).toBeVisible();
  return jobId;
}

/** Opens a page from the main navigation, as a person would rather than typing a URL. */
async function openFromNav(page: Page, name: string) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).click();
}

test("a new user's journey: configure, version, run, orchestrate and schedule", async ({ page }) => {
  // The schedule step alone may wait up to a minute for its slot, plus a worker tick.
  test.setTimeout(300_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  const stamp = Date.now().toString(36);
  const name = `Orders export ${stamp}`;
  const flowName = `Morning flow ${stamp}`;

  await signInWithDemo(page, "/jobs");
  await openFromNav(page, "Components");
  await expect(page.getByRole("heading", { level: 1, name: "Components" })).toBeVisible();
  const generator = page.locator('[data-component-id="jobdeck.generator"]');
  await expect(generator.getByRole("button", { name: /New configuration of/ })).toBeVisible();
  await shoot(page, "components");

  // A new configuration of the generator.
  await generator.getByRole("button", { name: /New configuration of/ }).click();
  const form = generator.getByRole("form", { name: /New configuration of/ });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Description").fill("Exports yesterday's orders");
  await form.getByRole("button", { name: "Create configuration" }).click();
  await expect(page).toHaveURL(/\/components\/jobdeck\.generator\/[\w.-]+$/);
  const configUrl = new URL(page.url()).pathname;
  const configId = configUrl.split("/").at(-1)!;
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByText("version 1 ·")).toBeVisible();

  // An edit that does not parse is refused, with the reason, and cannot be saved.
  await setEditorText(page, '{"rows": 10, "durationSeconds": ');
  await expect(page.getByTestId("json-problem")).toContainText("Not valid JSON");
  await expect(page.getByRole("button", { name: /^Save as version/ })).toBeDisabled();

  // Two versions: 2, then 3.
  await setEditorText(page, '{"rows": 10, "durationSeconds": 1}');
  await expect(page.getByTestId("json-problem")).toHaveCount(0);
  await page.getByLabel("What changed").fill("Ten rows to start with");
  await page.getByRole("button", { name: "Save as version 2" }).click();
  await expect(page.getByText("version 2 ·")).toBeVisible();
  await setEditorText(page, '{"rows": 25, "durationSeconds": 1}');
  await page.getByLabel("What changed").fill("More rows");
  await page.getByRole("button", { name: "Save as version 3" }).click();
  await expect(page.getByText("version 3 ·")).toBeVisible();
  const versions = page.getByRole("list", { name: "Versions, newest first" });
  await expect(versions.locator('[data-version="3"]')).toContainText("More rows");
  await expect(page.getByTestId("version-diff")).toContainText("Changes from v2 to v3");
  await shoot(page, "configuration");

  // The diff of the two saved versions, chosen by ticking them.
  await versions.getByRole("checkbox", { name: "Compare version 2" }).check();
  await versions.getByRole("checkbox", { name: "Compare version 3" }).check();
  const diff = page.getByTestId("version-diff");
  await expect(diff).toContainText("Changes from v2 to v3");
  await expect(diff.locator('[data-diff="removed"]')).toContainText('"rows": 10');
  await expect(diff.locator('[data-diff="added"]')).toContainText('"rows": 25');
  await shoot(page, "diff");

  // Roll back to version 2: a new version 4 with version 2's JSON, shown in the editor.
  await rollBackTo(versions, 2);
  await expect(page.getByText("version 4 ·")).toBeVisible();
  await expect(versions.locator("li").first()).toContainText("Rollback to version 2");
  await expect(page.getByTestId("code-editor")).toContainText('"rows": 10');

  // Run it and watch the job finish, then open the job.
  const jobId = await runToSuccess(page, name, 30_000);
  await expect(page.getByTestId("job-status")).toHaveText("Success");
  const ran = await (await page.request.get(`/api/jobs/${jobId}`, { headers: auth })).json();
  expect(ran).toMatchObject({ component: "jobdeck.generator", config: configId, status: "success" });

  // Run again on the job: a new job of the same configuration, which finishes too.
  const again = page.getByTestId("run-again");
  await again.getByRole("button", { name: "Run again" }).click();
  const rerun = again.getByTestId("created-job");
  const rerunId = (await rerun.getByRole("link").textContent())!.trim();
  expect(rerunId).not.toBe(jobId);
  await expect(rerun.locator("[data-status]")).toHaveAttribute("data-status", "success", { timeout: 30_000 });
  await page.reload();
  await expect(page.locator('[data-run-status="success"]')).toHaveCount(2);
  await shoot(page, "job-detail");

  // A new flow whose one task is the configuration, run to the end.
  await openFromNav(page, "Components");
  const orchestrator = page.locator('[data-component-id="keboola.orchestrator"]');
  await orchestrator.getByRole("button", { name: /New configuration of/ }).click();
  const flowForm = orchestrator.getByRole("form", { name: /New configuration of/ });
  await flowForm.getByLabel("Name").fill(flowName);
  await flowForm.getByRole("button", { name: "Create configuration" }).click();
  await expect(page).toHaveURL(/\/components\/keboola\.orchestrator\/[\w.-]+$/);
  const flowId = new URL(page.url()).pathname.split("/").at(-1)!;
  await expect(page.getByRole("heading", { level: 1, name: flowName })).toBeVisible();
  const editor = page.getByRole("group", { name: "Flow editor" });
  await editor.getByPlaceholder("New phase name").fill("Export");
  await editor.getByRole("button", { name: "Add phase" }).click();
  const phase = editor.getByLabel("Phase 1: Export");
  await phase.getByLabel("Configuration to add to phase 1").selectOption({ label: `Data Generator — ${name}` });
  await phase.getByRole("button", { name: "Add task" }).click();
  await expect(phase.getByRole("listitem", { name: `Data Generator — ${name}` })).toBeVisible();
  await page.getByLabel("What changed").fill("Export phase");
  await page.getByRole("button", { name: "Save as version 2" }).click();
  await expect(page.getByText("version 2 ·")).toBeVisible();
  await expect(page.getByRole("list", { name: "Versions, newest first" }).locator('[data-version="2"]')).toContainText("Export phase");
  await expect(page.getByTestId("version-diff")).toContainText("Changes from v1 to v2");
  await shoot(page, "flow-editor");
  const savedFlow = await (await page.request.get(`/api/v2/storage/components/keboola.orchestrator/configs/${flowId}`, { headers: auth })).json();
  expect(savedFlow.configuration.phases).toEqual([{ name: "Export", tasks: [`jobdeck.generator/${configId}`] }]);

  const flowJobId = await runToSuccess(page, flowName, 60_000);
  // The flow's child jobs include a run of the configuration, and it succeeded.
  const childRuns = page.getByRole("table", { name: new RegExp(`^Child jobs of job ${flowJobId}`) });
  await expect(childRuns).toBeVisible();
  const tree = await (await page.request.get(`/api/search/jobs?componentId=jobdeck.generator&configId=${configId}&limit=100`, { headers: auth })).json();
  const inFlow = (tree as { runId: string; status: string }[]).filter((j) => j.runId.startsWith(`${flowJobId}.`));
  expect(inFlow.map((j) => j.status)).toEqual(["success"]);

  // A schedule every minute of the configuration: its job appears at the next minute's slot.
  await openFromNav(page, "Schedules");
  await page.getByRole("link", { name: "New schedule" }).click();
  const scheduleForm = page.getByRole("form", { name: "New schedule" });
  await scheduleForm.getByLabel("Name").fill(`Every minute ${stamp}`);
  await scheduleForm.getByLabel("Configuration to run").selectOption({ label: `Data Generator — ${name}` });
  await scheduleForm.getByRole("button", { name: "Every minute" }).click();
  await expect(page.getByTestId("cron-reading")).toContainText("Every minute");
  await scheduleForm.getByRole("button", { name: "Create schedule" }).click();
  await expect(page).toHaveURL(/\/schedules\/\d+$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Every minute ${stamp}`);
  await expect(page.getByTestId("schedule-state")).toHaveText("Enabled");
  await expect(page.getByRole("link", { name, exact: true })).toHaveAttribute("href", configUrl);
  // Up to a minute until the next slot, then a worker tick and a poll of the page.
  const scheduledJob = page.getByTestId("executions").getByRole("link", { name: /^Job \d+$/ }).first();
  await expect(scheduledJob).toBeVisible({ timeout: 120_000 });
  await shoot(page, "schedule");
  const scheduledId = (await scheduledJob.textContent())!.replace(/\D/g, "");
  const scheduled = await (await page.request.get(`/api/jobs/${scheduledId}`, { headers: auth })).json();
  expect(scheduled).toMatchObject({ component: "jobdeck.generator", config: configId });

  // Paused, it says so, here and in the list.
  await page.getByRole("button", { name: "Pause" }).click();
  await expect(page.getByTestId("schedule-state")).toHaveText("Paused");
  await expect(page.getByRole("button", { name: "Resume" })).toBeVisible();
  await openFromNav(page, "Schedules");
  await expect(page.getByRole("listitem").filter({ hasText: `Every minute ${stamp}` }).getByTestId("schedule-state")).toHaveText("Paused");

  // At a phone's width every page of the journey is in the navigation, and none scrolls sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  for (const path of ["/components", configUrl, `/jobs/${jobId}`, `/components/keboola.orchestrator/${flowId}`, "/schedules"]) {
    await page.goto(path);
    await expect(page.locator("main h1").first()).toBeVisible();
    await expectNoSidewaysScroll(page);
  }
  for (const name of ["Jobs", "Components", "Schedules"]) {
    await openFromNav(page, name);
    await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  }
  // The flow's task keeps its name on a phone.
  await page.goto(`/components/keboola.orchestrator/${flowId}`);
  await expect(page.getByRole("listitem", { name: `Data Generator — ${name}` }).getByText(`Data Generator — ${name}`)).toBeVisible();
});
