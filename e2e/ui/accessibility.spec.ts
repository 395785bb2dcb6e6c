import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, listOf, row, signInWithDemo, test } from "./helpers";

// axe-core on every kind of screen, in light and dark: no serious or critical violations.

async function seriousViolations(page: Page, include?: string) {
  let builder = new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]);
  if (include) builder = builder.include(include);
  const { violations } = await builder.analyze();
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) }));
}

for (const colorScheme of ["light", "dark"] as const) {
  test.describe(`accessibility (${colorScheme})`, () => {
    test.use({ colorScheme });

    test("sign-in page", async ({ page }) => {
      await page.goto("/sign-in");
      await expect(page.getByRole("button", { name: "Use the demo project" })).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
    });

    test("jobs list, with a filter and a selection", async ({ page, jobs }) => {
      const long = await jobs.generator({ seconds: 600 });
      const quick = await jobs.generator({ seconds: 0, fail: true });
      const running = await jobs.run({ component: "jobdeck.generator", config: long.id });
      const failed = await jobs.run({ component: "jobdeck.generator", config: quick.id });
      await jobs.until(running.id, "processing");
      await jobs.until(failed.id, "error");
      await signInWithDemo(page, listOf("jobdeck.generator", [long.id, quick.id], "&notStatus=success"));
      await expect(row(page, failed.id)).toBeVisible();
      await page.getByRole("checkbox", { name: `Select job ${running.id}` }).check();
      expect(await seriousViolations(page)).toEqual([]);

      await page.goto("/jobs");
      await expect(page.locator("tbody tr[data-job-id]").first()).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
    });

    test("job detail with children, timeline and the terminate dialog", async ({ page, jobs }) => {
      const orchestration = await jobs.config("keboola.orchestrator", {
        phases: [{ name: "Only", tasks: [{ component: "jobdeck.generator", configData: { rows: 5, durationSeconds: 600 } }] }],
      });
      const root = await jobs.run({ component: "keboola.orchestrator", config: orchestration.id });
      await jobs.until(root.id, "processing");
      await signInWithDemo(page, `/jobs/${root.id}`);
      const children = page.getByRole("region", { name: /Child jobs/ });
      await expect(children.getByRole("row").filter({ hasText: "Phase “Only”" })).toBeVisible();
      await expect(page.getByRole("list", { name: "Events, newest first" })).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);

      await children.getByRole("button", { name: "Timeline" }).click();
      await expect(children.getByTestId("timeline-bar").first()).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);

      await page.getByRole("button", { name: "Terminate job", exact: true }).click();
      await expect(page.getByRole("dialog")).toBeVisible();
      expect(await seriousViolations(page, "dialog")).toEqual([]);
    });

    test("bulk terminate dialog", async ({ page, jobs }) => {
      const long = await jobs.generator({ seconds: 600 });
      await jobs.runUntil(long, "processing");
      await signInWithDemo(page, listOf("jobdeck.generator", [long.id]));
      await page.getByRole("button", { name: "Terminate 1 unfinished job matching…" }).click();
      await expect(page.getByRole("dialog", { name: "Terminate 1 job?" })).toBeVisible();
      expect(await seriousViolations(page, "dialog")).toEqual([]);
    });
  });
}
