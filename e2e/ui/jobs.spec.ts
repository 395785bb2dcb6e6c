import { expect, type Page, test } from "@playwright/test";
import { auth } from "../fixtures";

// The dashboard against the seeded demo project. Tests that change jobs create their own.

async function signInWithDemo(page: Page, path = "/jobs") {
  await page.goto(path);
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByRole("button", { name: "Use the demo project" }).click();
  await expect(page.getByTestId("project-name")).toHaveText("Demo project");
}

const jobRows = (page: Page) => page.locator("tbody tr[data-job-id]");
const rootRows = (page: Page) => page.locator('tbody tr[data-job-id][data-depth="0"]');

async function createJob(page: Page, data: Record<string, unknown>): Promise<string> {
  const response = await page.request.post("/api/jobs", { headers: auth, data: { mode: "run", ...data } });
  expect(response.status()).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

test.describe("jobs dashboard", () => {
  test("signs in with the demo button and lists jobs with statuses and seeded configuration names", async ({ page }) => {
    await signInWithDemo(page);
    await expect(page).toHaveURL(/\/jobs$/);
    await expect(page.getByTestId("token-description")).toContainText("demo@jobdeck.local");
    await expect(page.getByRole("heading", { level: 1, name: "Jobs" })).toBeVisible();

    for (const name of ["Nightly pipeline", "Orders from the shop", "Customers from the CRM", "Daily revenue", "Churn model scoring"]) {
      await expect(jobRows(page).filter({ hasText: name }).first()).toBeVisible();
    }
    for (const status of ["success", "error", "warning", "processing", "waiting", "cancelled", "terminated"]) {
      await expect(jobRows(page).locator(`[data-status="${status}"]`).first()).toBeVisible();
    }
    // Root jobs only by default: no phase of an orchestration is a row of its own.
    await expect(rootRows(page).filter({ hasText: "Phase “Extract”" })).toHaveCount(0);
    await expect(jobRows(page).filter({ hasText: "inline configuration" }).first()).toBeVisible();
  });

  test("expands a parent job in the list to show its children in place", async ({ page }) => {
    await signInWithDemo(page);
    const pipeline = rootRows(page).filter({ hasText: "Nightly pipeline" }).filter({ has: page.locator('[data-status="processing"]') }).first();
    const expander = pipeline.locator("button[aria-expanded]");
    await expect(expander).toHaveAccessibleName(/^Show 3 child jobs of job \d+$/);
    await expect(expander).toHaveAttribute("aria-expanded", "false");
    await expander.click();
    await expect(expander).toHaveAttribute("aria-expanded", "true");
    await expect(expander).toHaveAccessibleName(/^Hide 3 child jobs/);

    const children = page.locator('tbody tr[data-depth="1"]');
    await expect(children).toHaveCount(3);
    await expect(children.nth(0)).toContainText("Phase “Extract”");
    await expect(children.nth(1)).toContainText("Phase “Transform”");
    await expect(children.nth(2)).toContainText("Phase “Load”");
    await expect(children.nth(2).locator('[data-status="waiting"]')).toBeVisible();

    await expander.click();
    await expect(children).toHaveCount(0);
  });

  test("opens a parent job and sees its children, events and breadcrumbs that lead back up", async ({ page }) => {
    await signInWithDemo(page);
    const pipeline = rootRows(page).filter({ hasText: "Nightly pipeline" }).filter({ has: page.locator('[data-status="processing"]') }).first();
    const rootId = await pipeline.getAttribute("data-job-id");
    await pipeline.getByRole("link", { name: "Nightly pipeline" }).click();

    await expect(page).toHaveURL(new RegExp(`/jobs/${rootId}$`));
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Job ${rootId}`);
    await expect(page.getByTestId("job-status")).toHaveText("Processing");
    await expect(page.getByTestId("subtree-credits")).toContainText("with its 7 descendants");

    const childJobs = page.getByRole("region", { name: /Child jobs/ });
    await expect(childJobs.getByRole("row").filter({ hasText: "Phase “Extract”" })).toBeVisible();
    await expect(childJobs.getByRole("row").filter({ hasText: "Phase “Load”" })).toBeVisible();

    // The parent's log includes its children's events, each linked to the child that wrote it.
    const events = page.getByRole("list", { name: "Events, newest first" });
    await expect(events.getByRole("listitem").filter({ hasText: `Job ${rootId} created` })).toBeVisible();
    await expect(events.getByRole("listitem").filter({ hasText: "Imported table in.c-shop.orders" }).first()).toBeVisible();
    await page.getByRole("searchbox", { name: "Search events" }).fill("imported table");
    await expect(events.getByRole("listitem").filter({ hasNotText: /imported table/i })).toHaveCount(0);
    await expect(events.getByRole("listitem").first()).toBeVisible();

    // Down to a phase, then to a task: breadcrumbs follow the runId chain.
    const phaseRow = childJobs.getByRole("row").filter({ hasText: "Phase “Transform”" });
    const phaseId = await phaseRow.getAttribute("data-job-id");
    await phaseRow.getByRole("link", { name: "Phase “Transform”" }).click();
    await expect(page).toHaveURL(new RegExp(`/jobs/${phaseId}$`));
    await page.getByRole("region", { name: /Child jobs/ }).getByRole("link", { name: "Daily revenue" }).click();
    await expect(page.getByRole("heading", { level: 1 })).not.toHaveText(`Job ${phaseId}`);
    await expect(page.getByTestId("job-status")).toHaveText("Success");
    const crumbs = page.getByRole("navigation", { name: "Breadcrumbs" });
    await expect(crumbs.getByRole("link")).toHaveText(["Jobs", new RegExp(`#${rootId}`), new RegExp(`#${phaseId}`)]);

    await crumbs.getByRole("link", { name: new RegExp(`#${phaseId}`) }).click();
    await expect(page).toHaveURL(new RegExp(`/jobs/${phaseId}$`));
    await page.getByRole("navigation", { name: "Breadcrumbs" }).getByRole("link", { name: new RegExp(`#${rootId}`) }).click();
    await expect(page).toHaveURL(new RegExp(`/jobs/${rootId}$`));
    await page.getByRole("navigation", { name: "Breadcrumbs" }).getByRole("link", { name: "Jobs" }).click();
    await expect(page).toHaveURL(/\/jobs$/);
  });

  test("status chips and the component filter change the URL and the rows", async ({ page }) => {
    await signInWithDemo(page);
    await expect(jobRows(page).first()).toBeVisible();

    await page.getByRole("group", { name: "Filter by status" }).getByRole("button", { name: "Error", exact: true }).click();
    await expect(page).toHaveURL(/\/jobs\?status=error$/);
    await expect(page.getByRole("button", { name: "Error", exact: true })).toHaveAttribute("aria-pressed", "true");
    await expect(jobRows(page).locator('[data-status]:not([data-status="error"])')).toHaveCount(0);
    await expect(jobRows(page).filter({ hasText: "Exchange rates (retired)" })).toBeVisible();

    await page.getByLabel("Component").selectOption({ label: "HTTP CSV Extractor" });
    await expect(page).toHaveURL(/status=error&component=keboola\.ex-http/);
    await expect(jobRows(page).first()).toBeVisible();
    await expect(jobRows(page).filter({ hasNotText: "HTTP CSV Extractor" })).toHaveCount(0);
    await expect(jobRows(page).locator('[data-status]:not([data-status="error"])')).toHaveCount(0);

    // The URL alone restores the view (parsed on the server), and "Clear filters" empties it.
    await page.reload();
    await expect(page.getByLabel("Component")).toHaveValue("keboola.ex-http");
    await expect(jobRows(page).filter({ hasNotText: "HTTP CSV Extractor" })).toHaveCount(0);
    await page.getByRole("button", { name: "Clear filters" }).click();
    await expect(page).toHaveURL(/\/jobs$/);
    await expect(jobRows(page).filter({ hasText: "Nightly pipeline" }).first()).toBeVisible();
  });

  test("a waiting job explains why it waits", async ({ page }) => {
    await signInWithDemo(page, "/jobs?status=waiting");
    await expect(page.getByRole("button", { name: "Waiting", exact: true })).toHaveAttribute("aria-pressed", "true");
    await jobRows(page).filter({ hasText: "Customer segments" }).getByRole("link", { name: "Customer segments" }).click();

    await expect(page.getByTestId("job-status")).toHaveText("Waiting");
    const why = page.getByRole("region", { name: "Why is this job waiting?" });
    await expect(why).toBeVisible();
    await expect(why.getByTestId("waiting-reason")).toHaveText("Its configuration is locked.");
    await expect(why.getByTestId("waiting-message")).toHaveText(/^Job \d+ is already processing configuration "Customer segments"\.$/);
  });

  test("a failed job shows its error and its error events", async ({ page }) => {
    await signInWithDemo(page, "/jobs?status=error");
    await jobRows(page).filter({ hasText: "Exchange rates (retired)" }).getByRole("link").click();
    await expect(page.getByTestId("job-status")).toHaveText("Error");
    await expect(page.getByTestId("job-error")).toHaveText('Column "amount" does not exist in table "orders" (line 3).');
    await expect(page.getByRole("button", { name: "Terminate job" })).toHaveCount(0);

    await page.getByRole("group", { name: "Filter events by type" }).getByRole("button", { name: "Error" }).click();
    const events = page.getByRole("list", { name: "Events, newest first" }).getByRole("listitem");
    await expect(events).toHaveCount(1);
    await expect(events.first()).toHaveAttribute("data-type", "error");
  });

  test("terminating asks for confirmation, then shows terminating at once", async ({ page }) => {
    await signInWithDemo(page);
    const id = await createJob(page, { component: "jobdeck.generator", config: "601" });
    // Hold the kill request so the optimistic status can be seen before the API answers.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(`**/api/jobs/${id}/kill`, async (route) => {
      await held;
      await route.continue();
    });

    await page.goto(`/jobs/${id}`);
    const terminate = page.getByRole("button", { name: "Terminate job", exact: true });
    await terminate.click();
    const dialog = page.getByRole("dialog", { name: `Terminate job ${id}?` });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText("Load test: 10k rows");
    await expect(dialog).toContainText("child jobs");
    await expect(dialog.getByRole("button", { name: "Keep it running" })).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(terminate).toBeFocused();

    await terminate.click();
    await dialog.getByRole("button", { name: `Terminate job ${id}` }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId("job-status")).toHaveText("Terminating");
    await expect(terminate).toHaveCount(0);

    const answer = page.waitForResponse((r) => r.url().endsWith(`/api/jobs/${id}/kill`));
    release();
    const killed = (await (await answer).json()) as { status: string };
    // Not started yet: cancelled at once; picked up by a worker meanwhile: terminating, then terminated.
    expect(["cancelled", "terminating", "terminated"]).toContain(killed.status);
    await expect(page.getByTestId("job-status")).toHaveText(killed.status[0]!.toUpperCase() + killed.status.slice(1));
    await expect(page.getByRole("list", { name: "Events, newest first" }).getByRole("listitem").filter({ hasText: `Job ${id}` }).first()).toBeVisible();
  });

  test("a refused termination puts the status back and shows the API's message", async ({ page }) => {
    await signInWithDemo(page);
    const id = await createJob(page, { component: "jobdeck.generator", config: "601" });
    await page.route(`**/api/jobs/${id}/kill`, (route) =>
      route.fulfill({
        status: 400,
        contentType: "application/json",
        body: JSON.stringify({ error: `Job ${id} is already success and cannot be terminated.`, code: "jobNotKillable", status: 400 }),
      }),
    );
    await page.goto(`/jobs/${id}`);
    const before = await page.getByTestId("job-status").innerText();
    await page.getByRole("button", { name: "Terminate job", exact: true }).click();
    await page.getByRole("dialog").getByRole("button", { name: `Terminate job ${id}` }).click();

    await expect(page.getByRole("alert").filter({ hasText: "Could not terminate" })).toHaveText(
      `Could not terminate job ${id}: Job ${id} is already success and cannot be terminated.`,
    );
    await expect(page.getByTestId("job-status")).toHaveText(before);

    await page.unroute(`**/api/jobs/${id}/kill`);
    await page.request.post(`/api/jobs/${id}/kill`, { headers: auth });
  });

  test("the event log of an unfinished job shows new events as they are written", async ({ page }) => {
    await signInWithDemo(page);
    const id = await createJob(page, { component: "jobdeck.generator", config: "601" });
    await page.goto(`/jobs/${id}`);
    const events = page.getByRole("list", { name: "Events, newest first" }).getByRole("listitem");
    await expect(events.filter({ hasText: `Job ${id} created` })).toBeVisible();

    const message = `Live event ${Date.now()}`;
    const written = await page.request.post("/api/v2/storage/events", { headers: auth, data: { message, runId: id, type: "warn" } });
    expect(written.status()).toBe(201);
    await expect(events.first()).toContainText(message);
    await expect(events.first()).toHaveAttribute("data-type", "warn");

    await page.request.post(`/api/jobs/${id}/kill`, { headers: auth });
  });

  test("a read-only token signs in with the token field and is not offered Terminate", async ({ page }) => {
    const created = await page.request.post("/api/tokens", { headers: auth, data: { description: `Viewer ${Date.now()}`, canManageJobs: false } });
    expect(created.status()).toBe(201);
    const { token, description } = (await created.json()) as { token: string; description: string };

    await page.goto("/sign-in");
    await page.getByLabel("Storage API token").fill(token);
    await page.getByRole("button", { name: "Sign in with token" }).click();
    await expect(page).toHaveURL(/\/jobs$/);
    await expect(page.getByTestId("token-description")).toHaveText(`Signed in as ${description} (read only)`);

    const processing = jobRows(page).filter({ has: page.locator('[data-status="processing"]') }).first();
    await processing.getByRole("link").first().click();
    await expect(page.getByTestId("job-status")).toHaveText("Processing");
    await expect(page.getByRole("button", { name: "Terminate job" })).toHaveCount(0);
  });

  test("on a phone the jobs fit the screen as cards", async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await signInWithDemo(page);
    await expect(jobRows(page).first()).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const firstRow = jobRows(page).first();
    expect(await firstRow.evaluate((row) => getComputedStyle(row).display)).toBe("grid");
    const box = await firstRow.boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    await expect(firstRow.getByRole("link")).toBeInViewport();
  });

  test("signing out returns to the sign-in page and keeps the dashboard closed", async ({ page }) => {
    await signInWithDemo(page);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in$/);
    await page.goto("/jobs?status=error");
    await expect(page).toHaveURL(/\/sign-in\?next=/);
    await page.getByRole("button", { name: "Use the demo project" }).click();
    await expect(page).toHaveURL(/\/jobs\?status=error$/);
  });

  test("a wrong token is refused with the API's message", async ({ page }) => {
    await page.goto("/sign-in");
    await page.getByLabel("Storage API token").fill("not-a-real-token");
    await page.getByRole("button", { name: "Sign in with token" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "token" })).toHaveText("That token is not valid or has been revoked.");
    await expect(page.getByLabel("Storage API token")).toHaveAttribute("aria-invalid", "true");
  });
});
