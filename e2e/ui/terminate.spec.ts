import { auth } from "../fixtures";
import { expect, listOf, rootRows, row, signInWithDemo, test } from "./helpers";

// Terminate against the live engine: a processing job goes terminating, then terminated.

test.describe("terminate", () => {
  test("asks for confirmation, shows terminating at once, then terminated", async ({ page, jobs }) => {
    const long = await jobs.generator({ seconds: 600 });
    const job = await jobs.runUntil(long, "processing");
    // Hold the kill request so the optimistic status can be seen before the API answers.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(`**/api/jobs/${job.id}/kill`, async (route) => {
      await held;
      await route.continue();
    });

    await signInWithDemo(page, `/jobs/${job.id}`);
    await expect(page.getByTestId("job-status")).toHaveText("Processing");
    const terminate = page.getByRole("button", { name: "Terminate job", exact: true });
    await terminate.click();
    const dialog = page.getByRole("dialog", { name: `Terminate job ${job.id}?` });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText(long.name);
    await expect(dialog).toContainText("It stops as soon as its worker notices and ends as terminated.");
    await expect(dialog).toContainText("child jobs");
    await expect(dialog.getByRole("button", { name: "Keep it running" })).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(terminate).toBeFocused();

    await terminate.click();
    await dialog.getByRole("button", { name: `Terminate job ${job.id}` }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId("job-status")).toHaveText("Terminating");
    await expect(terminate).toHaveCount(0);

    const answer = page.waitForResponse((r) => r.url().endsWith(`/api/jobs/${job.id}/kill`));
    release();
    expect(((await (await answer).json()) as { status: string }).status).toBe("terminating");
    await expect(page.getByTestId("job-status")).toHaveText("Terminated", { timeout: 20_000 });
    await expect(page.getByRole("list", { name: "Events, newest first" }).getByRole("listitem").filter({ hasText: `Termination of job ${job.id} requested` })).toBeVisible();
  });

  test("a refused termination puts the status back and shows the API's message", async ({ page, jobs }) => {
    const long = await jobs.generator({ seconds: 600 });
    const job = await jobs.runUntil(long, "processing");
    await page.route(`**/api/jobs/${job.id}/kill`, (route) =>
      route.fulfill({
        status: 400,
        contentType: "application/json",
        body: JSON.stringify({ error: `Job ${job.id} is already success and cannot be terminated.`, code: "jobNotKillable", status: 400 }),
      }),
    );
    await signInWithDemo(page, `/jobs/${job.id}`);
    await expect(page.getByTestId("job-status")).toHaveText("Processing");
    await page.getByRole("button", { name: "Terminate job", exact: true }).click();
    await page.getByRole("dialog").getByRole("button", { name: `Terminate job ${job.id}` }).click();

    await expect(page.getByRole("alert").filter({ hasText: "Could not terminate" })).toHaveText(
      `Could not terminate job ${job.id}: Job ${job.id} is already success and cannot be terminated.`,
    );
    await expect(page.getByTestId("job-status")).toHaveText("Processing");
  });

  test("bulk: the selected rows, then everything matching, with a result per job", async ({ page, jobs }) => {
    const long = await jobs.generator({ seconds: 600 });
    // One configuration: the first run processes, the others wait for its lock.
    const [first, second, third] = [
      await jobs.run({ component: "jobdeck.generator", config: long.id }),
      await jobs.run({ component: "jobdeck.generator", config: long.id }),
      await jobs.run({ component: "jobdeck.generator", config: long.id }),
    ];
    await jobs.until(first.id, "processing");
    await jobs.until(third.id, "waiting");

    await signInWithDemo(page, listOf("jobdeck.generator", [long.id]));
    await expect(rootRows(page)).toHaveCount(3);
    await page.getByRole("checkbox", { name: `Select job ${first.id}` }).check();
    await page.getByRole("checkbox", { name: `Select job ${second.id}` }).check();
    await expect(page.getByTestId("selection-count")).toHaveText("2 jobs selected");
    await page.getByRole("button", { name: "Terminate selected" }).click();

    const dialog = page.getByRole("dialog", { name: "Terminate 2 selected jobs?" });
    const toStop = dialog.getByRole("list", { name: "Jobs to terminate" }).getByRole("listitem");
    await expect(toStop).toHaveCount(2);
    await expect(toStop.filter({ hasText: `#${first.id}` })).toContainText(long.name);
    await dialog.getByRole("button", { name: "Terminate 2 jobs" }).click();

    const done = page.getByRole("dialog", { name: "Terminated 2 jobs" });
    await expect(done.getByTestId("bulk-summary")).toHaveText("2 jobs terminated or stopping.");
    const results = done.getByRole("list", { name: "Result per job" });
    await expect(results.locator(`li[data-job-id="${first.id}"]`).getByRole("link", { name: `Job ${first.id}: terminating` })).toBeVisible();
    await expect(results.locator(`li[data-job-id="${second.id}"] [data-status]`)).toHaveAttribute("data-status", /^(cancelled|terminating)$/);
    await done.getByRole("button", { name: "Close" }).click();
    await expect(done).toBeHidden();
    await expect(page.getByTestId("selection-count")).toHaveCount(0);
    await jobs.until(first.id, "terminated");

    // Only the third is left unfinished: "terminate everything matching" names it, and it alone.
    const all = page.getByRole("button", { name: "Terminate 1 unfinished job matching…" });
    await all.click();
    const matching = page.getByRole("dialog", { name: "Terminate 1 job?" });
    await expect(matching.getByRole("list", { name: "Jobs to terminate" }).getByRole("listitem")).toHaveText([new RegExp(`#${third.id}`)]);
    await matching.getByRole("button", { name: "Terminate 1 job" }).click();
    await expect(page.getByRole("dialog", { name: "Terminated 1 job" }).getByTestId("bulk-summary")).toHaveText("1 job terminated or stopping.");
    await page.getByRole("button", { name: "Close" }).click();
    await expect(row(page, third.id).locator("[data-status]")).toHaveAttribute("data-status", /^(cancelled|terminating|terminated)$/);
    await expect.poll(async () => (await jobs.get(third.id)).status, { timeout: 20_000 }).toMatch(/^(cancelled|terminated)$/);
    await expect(page.getByRole("button", { name: /unfinished/ })).toHaveCount(0, { timeout: 20_000 });
  });

  test("a read-only token sees no Terminate, single or bulk", async ({ page, jobs, request }) => {
    const long = await jobs.generator({ seconds: 600 });
    const job = await jobs.runUntil(long, "processing");
    const created = await request.post("/api/tokens", { headers: auth, data: { description: `Viewer ${Date.now()}`, canManageJobs: false } });
    expect(created.status()).toBe(201);
    const { token, description } = (await created.json()) as { token: string; description: string };

    await page.goto("/sign-in");
    await page.getByLabel("Storage API token").fill(token);
    await page.getByRole("button", { name: "Sign in with token" }).click();
    await expect(page).toHaveURL(/\/jobs$/);
    await expect(page.getByTestId("token-description")).toHaveText(`Signed in as ${description} (read only)`);

    await page.goto(listOf("jobdeck.generator", [long.id]));
    await expect(row(page, job.id).locator('[data-status="processing"]')).toBeVisible();
    await expect(page.getByRole("checkbox", { name: /^Select/ })).toHaveCount(0);
    await expect(page.getByRole("button", { name: /^Terminate (job|selected|all|1)/ })).toHaveCount(0);

    await row(page, job.id).getByRole("link", { name: long.name }).click();
    await expect(page.getByTestId("job-status")).toHaveText("Processing");
    await expect(page.getByRole("button", { name: /^Terminate/ })).toHaveCount(0);
  });
});
