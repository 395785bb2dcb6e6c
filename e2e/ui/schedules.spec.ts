import path from "node:path";
import type { Page } from "@playwright/test";
import { expect, test } from "./helpers";

// A schedule made in the dashboard as a new user would: a bad expression is refused with the
// reason, an every-minute schedule makes its job at the next minute, and pausing it stops it.

async function shoot(page: Page, name: string) {
  const dir = process.env.SCHEDULES_SHOTS;
  if (!dir) return;
  await page.screenshot({ path: path.join(dir, `${name}-desktop.png`), fullPage: true });
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(dir, `${name}-390.png`), fullPage: true });
  await page.setViewportSize(size);
}

/** The demo sign-in, with room for a busy machine (the server runs the seeded pipeline meanwhile). */
async function signInWithDemo(page: Page, to: string) {
  await page.goto(to);
  await expect(page).toHaveURL(/\/sign-in/, { timeout: 30_000 });
  await page.getByRole("button", { name: "Use the demo project" }).click();
  await expect(page.getByTestId("project-name")).toHaveText("Demo project", { timeout: 30_000 });
}

test.describe("schedules", () => {
  test("create a schedule every minute, see its job appear, pause it", async ({ page, jobs }) => {
    test.setTimeout(240_000);
    const target = await jobs.config("jobdeck.noop", {});
    await signInWithDemo(page, "/schedules");
    await page.getByRole("link", { name: "New schedule" }).click();
    await expect(page).toHaveURL(/\/schedules\/new$/);

    const form = page.getByRole("form", { name: "New schedule" });
    await form.getByLabel("Name").fill(`Every minute ${target.id}`);
    await form.getByLabel("Configuration to run").selectOption({ label: `No-op — ${target.name}` });
    const cron = form.getByLabel(/^When/);
    await cron.fill("61 * * * *");
    await expect(form.getByRole("alert").filter({ hasText: "not a valid cron expression" })).toContainText("minute");
    await expect(form.getByRole("button", { name: "Create schedule" })).toBeDisabled();
    await form.getByLabel("Time zone").fill("Mars/Olympus");
    await expect(form.getByRole("alert").filter({ hasText: "is not a time zone" })).toBeVisible();
    await form.getByLabel("Time zone").fill("Europe/Prague");
    await form.getByRole("button", { name: "Every minute" }).click();
    await expect(cron).toHaveValue("* * * * *");
    await expect(page.getByTestId("cron-reading")).toHaveText("Every minute (Europe/Prague)");
    await expect(page.getByTestId("next-runs").getByRole("listitem")).toHaveCount(5);
    await shoot(page, "schedule-editor");
    await form.getByRole("button", { name: "Create schedule" }).click();

    await expect(page).toHaveURL(/\/schedules\/\d+$/);
    const scheduleUrl = page.url();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Every minute ${target.id}`);
    await expect(page.getByTestId("schedule-state")).toHaveText("Enabled");
    await expect(page.getByTestId("next-runs").getByRole("listitem")).toHaveCount(5);

    // The next minute's slot makes a job, shown in the schedule's runs.
    const jobLink = page.getByTestId("executions").getByRole("link", { name: /^Job \d+$/ }).first();
    await expect(jobLink).toBeVisible({ timeout: 90_000 });
    await shoot(page, "schedule-detail");
    await jobLink.click();
    await expect(page).toHaveURL(/\/jobs\/\d+$/);
    const scheduled = page.getByTestId("scheduled-by");
    await expect(scheduled).toContainText("Scheduled");
    await expect(scheduled.getByRole("link", { name: `Every minute ${target.id}` })).toHaveAttribute("href", new URL(scheduleUrl).pathname);
    await expect(page.getByTestId("job-status")).toHaveText("Success", { timeout: 30_000 });

    await scheduled.getByRole("link").click();
    await page.getByRole("button", { name: "Pause" }).click();
    await expect(page.getByTestId("schedule-state")).toHaveText("Paused");
    await expect(page.getByText("Paused: nothing runs until it is resumed.")).toBeVisible();
    await expect(page.getByRole("button", { name: "Resume" })).toBeVisible();
    await page.goto("/schedules");
    await expect(page.getByRole("listitem").filter({ hasText: `Every minute ${target.id}` }).getByTestId("schedule-state")).toHaveText("Paused");
    await shoot(page, "schedule-list");
  });
});
