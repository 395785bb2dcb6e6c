import { readFile } from "node:fs/promises";
import { auth } from "../fixtures";
import { expect, jobRows, listOf, rootRows, row, signInWithDemo, test } from "./helpers";

// The Jobs list and a job's detail, on jobs each test makes for itself.

test.describe("jobs list", () => {
  test("shows the test's jobs with statuses, names and how many jobs each tab holds", async ({ page, jobs }) => {
    const long = await jobs.generator({ seconds: 600 });
    const failing = await jobs.generator({ seconds: 0, fail: true });
    const running = await jobs.run({ component: "jobdeck.generator", config: long.id });
    const queued = await jobs.run({ component: "jobdeck.generator", config: long.id });
    const failed = await jobs.run({ component: "jobdeck.generator", config: failing.id });
    await jobs.until(running.id, "processing");
    await jobs.until(queued.id, "waiting");
    await jobs.until(failed.id, "error");

    await signInWithDemo(page, listOf("jobdeck.generator", [long.id, failing.id]));
    await expect(page.getByTestId("token-description")).toContainText("demo@jobdeck.local");
    await expect(rootRows(page)).toHaveCount(3);
    await expect(row(page, running.id).locator('[data-status="processing"]')).toBeVisible();
    await expect(row(page, queued.id).locator('[data-status="waiting"]')).toBeVisible();
    await expect(row(page, failed.id).locator('[data-status="error"]')).toBeVisible();
    await expect(row(page, running.id)).toContainText(long.name);
    await expect(row(page, failed.id)).toContainText("Data Generator");

    const tabs = page.getByRole("group", { name: "Jobs by status" });
    await expect(tabs.getByTestId("count-all")).toHaveText("3 jobs");
    await expect(tabs.getByTestId("count-running")).toHaveText("1 job");
    await expect(tabs.getByTestId("count-waiting")).toHaveText("1 job");
    await expect(tabs.getByTestId("count-failed")).toHaveText("1 job");

    await tabs.getByRole("button", { name: /^Failed/ }).click();
    await expect(page).toHaveURL(/status=error/);
    await expect(tabs.getByRole("button", { name: /^Failed/ })).toHaveAttribute("aria-pressed", "true");
    await expect(rootRows(page)).toHaveCount(1);
    await expect(row(page, failed.id)).toBeVisible();

    await tabs.getByRole("button", { name: /^Waiting/ }).click();
    await expect(page).toHaveURL(/status=created&status=waiting/);
    await expect(rootRows(page)).toHaveCount(1);
    await expect(row(page, queued.id)).toBeVisible();

    // The counts follow the jobs: once the first run is stopped, the second takes the lock.
    await jobs.cleanUp();
    await tabs.getByRole("button", { name: /^All/ }).click();
    await expect(tabs.getByTestId("count-running")).toHaveText("0 jobs", { timeout: 20_000 });
    await expect(tabs.getByTestId("count-waiting")).toHaveText("0 jobs", { timeout: 20_000 });
    await expect(tabs.getByTestId("count-failed")).toHaveText("1 job");
  });

  test("the server's page names each row's component and lists the components to filter by, and the browser does not fetch them again", async ({ page, jobs }) => {
    // A running job keeps the list polling every few seconds.
    const long = await jobs.generator({ seconds: 600 });
    const running = await jobs.run({ component: "jobdeck.generator", config: long.id });
    await jobs.until(running.id, "processing");
    const url = listOf("jobdeck.generator", [long.id]);
    await signInWithDemo(page, url);
    await expect(row(page, running.id)).toContainText("Data Generator");

    // The page as the server sends it, before any script runs: the catalog's name, not a guess from the id.
    const html = await (await page.request.get(url)).text();
    const served = html.slice(html.indexOf(`data-job-id="${running.id}"`));
    expect(served.slice(0, served.indexOf("</tr>"))).toContain(">Data Generator<");
    expect(html).toMatch(/<option value="jobdeck\.generator"[^>]*>Data Generator<\/option>/);

    // Loaded again, the browser keeps what the server prefetched: no components request by the
    // time the list has polled once (every mount effect has run long before).
    const asked: string[] = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname === "/api/v2/storage/components") asked.push(request.url());
    });
    await page.reload();
    await page.waitForResponse((response) => new URL(response.url()).pathname === "/api/search/jobs");
    await expect(row(page, running.id)).toContainText("Data Generator");
    expect(asked).toEqual([]);
  });

  test("the browser renders no frame of the page until its table is parsed", async ({ page, jobs }) => {
    const config = await jobs.generator({ seconds: 0 });
    const done = await jobs.run({ component: "jobdeck.generator", config: config.id });
    await jobs.until(done.id, "success");
    const url = listOf("jobdeck.generator", [config.id]);
    await signInWithDemo(page, url);
    await expect(row(page, done.id)).toBeVisible();

    // A render-blocking expect link in <head> names the element around the table: a first frame of
    // the header and filters alone does not come in between and hold the rows back.
    const html = await (await page.request.get(url)).text();
    const head = html.slice(0, html.indexOf("</head>"));
    const target = /<link rel="expect" href="#([^"]+)" blocking="render"\/>/.exec(head)?.[1];
    expect(target).toBeTruthy();
    const tableAt = html.indexOf(`id="${target}"`);
    expect(tableAt).toBeGreaterThan(head.length);
    expect(html.indexOf(`data-job-id="${done.id}"`)).toBeGreaterThan(tableAt);
    await expect(page.locator(`#${target}`).locator(`tr[data-job-id="${done.id}"]`)).toBeVisible();
  });

  test("filters live in the URL as chips: statuses, exclusions, time, duration, creator, lookup and page size", async ({ page, jobs }) => {
    const quick = await jobs.generator({ seconds: 0 });
    const failing = await jobs.generator({ seconds: 0, fail: true });
    const ok = await jobs.run({ component: "jobdeck.generator", config: quick.id });
    const bad = await jobs.run({ component: "jobdeck.generator", config: failing.id });
    await jobs.until(ok.id, "success");
    await jobs.until(bad.id, "error");
    const list = listOf("jobdeck.generator", [quick.id, failing.id]);

    await signInWithDemo(page, list);
    await expect(rootRows(page)).toHaveCount(2);

    // "Everything but success": Except mode, then the Success chip.
    await page.getByRole("group", { name: "Status filter mode" }).getByRole("button", { name: "Except" }).click();
    await page.getByRole("group", { name: "Hide these statuses" }).getByRole("button", { name: "Success" }).click();
    await expect(page).toHaveURL(/notStatus=success/);
    await expect(rootRows(page)).toHaveCount(1);
    await expect(row(page, bad.id)).toBeVisible();
    const active = page.getByRole("list", { name: "Active filters" });
    await expect(active.getByRole("button", { name: "Remove filter: Status is not Success" })).toBeVisible();

    await page.getByLabel("Created", { exact: true }).selectOption({ label: "Last hour" });
    await expect(page).toHaveURL(/created=1h/);
    await page.getByLabel("Duration", { exact: true }).selectOption({ label: "Under 1 minute" });
    await expect(page).toHaveURL(/maxDuration=59/);
    await page.getByRole("combobox", { name: "Created by" }).fill("demo@jobdeck.local");
    await page.getByRole("button", { name: "Add" }).click();
    await expect(page).toHaveURL(/creator=demo%40jobdeck\.local/);
    await expect(rootRows(page)).toHaveCount(1);
    await expect(row(page, bad.id)).toBeVisible();

    // Another creator matches none of them; the empty state says what to do.
    await page.getByRole("combobox", { name: "Created by" }).fill("Scheduler");
    await page.getByRole("button", { name: "Add" }).click();
    await active.getByRole("button", { name: "Remove filter: Created by demo@jobdeck.local" }).click();
    await expect(page.getByText("No jobs match these filters")).toBeVisible();
    await active.getByRole("button", { name: "Remove filter: Created by Scheduler" }).click();
    await expect(row(page, bad.id)).toBeVisible();

    // The URL alone restores the view (parsed on the server).
    await page.reload();
    await expect(page.getByLabel("Duration", { exact: true })).toHaveValue("lt1m");
    await expect(page.getByRole("group", { name: "Hide these statuses" }).getByRole("button", { name: "Success" })).toHaveAttribute("aria-pressed", "true");
    await expect(rootRows(page)).toHaveCount(1);

    // Looking a job up by id finds exactly it.
    await page.getByRole("button", { name: "Clear filters" }).first().click();
    await expect(page).toHaveURL(/\/jobs$/);
    await page.getByLabel("Job or run id").fill(ok.id);
    await page.getByRole("button", { name: "Find" }).click();
    await expect(page).toHaveURL(new RegExp(`[?&]id=${ok.id}$`));
    await expect(rootRows(page)).toHaveCount(1);
    await expect(row(page, ok.id)).toBeVisible();
    await page.getByLabel("Job or run id").fill("not a job");
    await page.getByRole("button", { name: "Find" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "job id" })).toBeVisible();
    await active.getByRole("button", { name: `Remove filter: Job ${ok.id}` }).click();

    // Page size: fewer rows per page, and more on demand.
    await page.getByLabel("Jobs per page").selectOption("25");
    await expect(page).toHaveURL(/limit=25/);
    await expect(rootRows(page)).toHaveCount(25);
    await page.getByRole("button", { name: "Load 25 more" }).click();
    await expect.poll(() => rootRows(page).count()).toBeGreaterThan(25);
  });

  test("list → filter → detail → child → parent, with the timeline of the children", async ({ page, jobs }) => {
    const task = await jobs.generator({ seconds: 1, name: `Extract task ${Date.now()}` });
    const orchestration = await jobs.config("keboola.orchestrator", {
      phases: [
        { name: "Extract", tasks: [`jobdeck.generator/${task.id}`] },
        { name: "Load", tasks: [{ component: "jobdeck.generator", configData: { rows: 5, durationSeconds: 0 } }] },
      ],
    });
    const root = await jobs.run({ component: "keboola.orchestrator", config: orchestration.id });
    await jobs.until(root.id, "success", 45_000);

    await signInWithDemo(page);
    await page.getByLabel("Component").selectOption({ label: "Orchestrator" });
    await expect(page).toHaveURL(/component=keboola\.orchestrator/);
    await page.getByLabel("Configuration").selectOption({ label: orchestration.name });
    await expect(page).toHaveURL(new RegExp(`config=${orchestration.id}`));
    await expect(rootRows(page)).toHaveCount(1);

    // Children in place, then the detail page.
    const expander = row(page, root.id).locator("button[aria-expanded]");
    await expect(expander).toHaveAccessibleName(`Show 2 child jobs of job ${root.id}`);
    await expander.click();
    const children = page.locator('tbody tr[data-depth="1"]');
    await expect(children).toHaveCount(2);
    await expect(children.nth(0)).toContainText("Phase “Extract”");
    await expect(children.nth(1)).toContainText("Phase “Load”");
    await row(page, root.id).getByRole("link", { name: orchestration.name }).click();

    await expect(page).toHaveURL(new RegExp(`/jobs/${root.id}$`));
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Job ${root.id}`);
    await expect(page.getByTestId("job-status")).toHaveText("Success");
    await expect(page.getByTestId("subtree-credits")).toContainText("with its 4 descendants");
    const childJobs = page.getByRole("region", { name: /Child jobs/ });
    await expect(childJobs.getByRole("row").filter({ hasText: "Phase “Extract”" })).toBeVisible();

    // The timeline: this job, both phases and their tasks, each with a bar from start to end.
    await childJobs.getByRole("button", { name: "Timeline" }).click();
    const timeline = childJobs.getByRole("list", { name: `Timeline of job ${root.id} and its child jobs` });
    await expect(timeline.getByRole("listitem")).toHaveCount(5);
    await expect(timeline.getByTestId("timeline-bar")).toHaveCount(5);
    await expect(timeline.getByRole("listitem").nth(2)).toContainText(task.name);
    await expect(timeline.getByRole("listitem").first()).toContainText(/Success, queued .*, ran .* from/);

    // The parent's log holds its children's events; search narrows it.
    const events = page.getByRole("list", { name: "Events, newest first" });
    await expect(events.getByRole("listitem").filter({ hasText: `Job ${root.id} created` })).toBeVisible();
    await page.getByRole("searchbox", { name: "Search events" }).fill("generated");
    await expect(events.getByRole("listitem").first()).toBeVisible();
    await expect(events.getByRole("listitem").filter({ hasNotText: /generated/i })).toHaveCount(0);

    // Down to the phase, down to its task, and back up.
    await childJobs.getByRole("button", { name: "Tree" }).click();
    const phaseRow = childJobs.getByRole("row").filter({ hasText: "Phase “Extract”" });
    const phaseId = await phaseRow.getAttribute("data-job-id");
    await phaseRow.getByRole("link", { name: "Phase “Extract”" }).click();
    await expect(page).toHaveURL(new RegExp(`/jobs/${phaseId}$`));
    await page.getByRole("region", { name: /Child jobs/ }).getByRole("link", { name: task.name }).click();
    await expect(page.getByRole("heading", { level: 1 })).not.toHaveText(`Job ${phaseId}`);
    await expect(page.getByTestId("job-status")).toHaveText("Success");
    const crumbs = page.getByRole("navigation", { name: "Breadcrumbs" });
    await expect(crumbs.getByRole("link")).toHaveText(["Jobs", new RegExp(`#${root.id}`), new RegExp(`#${phaseId}`)]);

    await page.getByRole("link", { name: `Phase “Extract” #${phaseId}` }).click();
    await expect(page).toHaveURL(new RegExp(`/jobs/${phaseId}$`));
    await page.getByRole("navigation", { name: "Breadcrumbs" }).getByRole("link", { name: new RegExp(`#${root.id}`) }).click();
    await expect(page).toHaveURL(new RegExp(`/jobs/${root.id}$`));
    await page.getByRole("navigation", { name: "Breadcrumbs" }).getByRole("link", { name: "Jobs" }).click();
    await expect(page).toHaveURL(/\/jobs$/);
  });

  test("moves through the list with the keyboard", async ({ page, jobs }) => {
    const quick = await jobs.generator({ seconds: 0 });
    const first = await jobs.run({ component: "jobdeck.generator", config: quick.id });
    const second = await jobs.runUntil(quick, "success");
    await signInWithDemo(page, listOf("jobdeck.generator", [quick.id]));
    await expect(rootRows(page)).toHaveCount(2);

    await row(page, second.id).focus();
    await page.keyboard.press("ArrowDown");
    await expect(row(page, first.id)).toBeFocused();
    await page.keyboard.press("k");
    await expect(row(page, second.id)).toBeFocused();
    await page.keyboard.press("j");
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(new RegExp(`/jobs/${first.id}$`));

    await page.goBack();
    await expect(rootRows(page)).toHaveCount(2);
    await page.keyboard.press("/");
    await expect(page.getByLabel("Job or run id")).toBeFocused();
  });

  test("on a phone the jobs fit the screen as cards", async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await signInWithDemo(page);
    await expect(jobRows(page).first()).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const firstRow = jobRows(page).first();
    expect(await firstRow.evaluate((r) => getComputedStyle(r).display)).toBe("grid");
    const box = await firstRow.boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    await expect(firstRow.getByRole("link").first()).toBeInViewport();
  });
});

test.describe("job detail", () => {
  test("a waiting job explains why it waits", async ({ page, jobs }) => {
    const long = await jobs.generator({ seconds: 600 });
    const first = await jobs.run({ component: "jobdeck.generator", config: long.id });
    const second = await jobs.run({ component: "jobdeck.generator", config: long.id });
    await jobs.until(first.id, "processing");
    await jobs.until(second.id, "waiting");

    await signInWithDemo(page, listOf("jobdeck.generator", [long.id], "&status=waiting"));
    await expect(page.getByRole("group", { name: "Show only these statuses" }).getByRole("button", { name: "Waiting" })).toHaveAttribute("aria-pressed", "true");
    await row(page, second.id).getByRole("link", { name: long.name }).click();

    await expect(page.getByTestId("job-status")).toHaveText("Waiting");
    const why = page.getByRole("region", { name: "Why is this job waiting?" });
    await expect(why.getByTestId("waiting-reason")).toHaveText("Its configuration is locked.");
    await expect(why.getByTestId("waiting-message")).toHaveText(`Job ${first.id} is already processing this configuration.`);
  });

  test("a failed job shows its error and its error events", async ({ page, jobs }) => {
    const failing = await jobs.generator({ seconds: 0, fail: true });
    const job = await jobs.runUntil(failing, "error");

    await signInWithDemo(page, `/jobs/${job.id}`);
    await expect(page.getByTestId("job-status")).toHaveText("Error");
    await expect(page.getByTestId("job-error")).toHaveText("Generation failed, as configured (failure probability 1).");
    await expect(page.getByRole("button", { name: "Terminate job" })).toHaveCount(0);

    await page.getByRole("group", { name: "Filter events by type" }).getByRole("button", { name: "Error" }).click();
    const events = page.getByRole("list", { name: "Events, newest first" }).getByRole("listitem");
    await expect(events.first()).toHaveAttribute("data-type", "error");
    await expect(page.getByRole("list", { name: "Events, newest first" }).locator('li:not([data-type="error"])')).toHaveCount(0);
  });

  test("the event log of a running job shows new events as they are written", async ({ page, jobs }) => {
    const long = await jobs.generator({ seconds: 600 });
    const job = await jobs.run({ component: "jobdeck.generator", config: long.id });
    await signInWithDemo(page, `/jobs/${job.id}`);
    const events = page.getByRole("list", { name: "Events, newest first" }).getByRole("listitem");
    await expect(events.filter({ hasText: `Job ${job.id} created` })).toBeVisible();

    const message = `Live event ${Date.now()}`;
    await jobs.event(job.runId, message, "warn");
    // The job writes its own lines meanwhile; the new one is there, marked as a warning.
    await expect(events.filter({ hasText: message })).toHaveAttribute("data-type", "warn");
  });

  test("an event containing <script> renders as text", async ({ page, jobs }) => {
    const quick = await jobs.generator({ seconds: 0 });
    const job = await jobs.run({ component: "jobdeck.generator", config: quick.id });
    const hostile = `<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> ${Date.now()}`;
    await jobs.event(job.runId, hostile, "error");

    await signInWithDemo(page, `/jobs/${job.id}`);
    const log = page.getByRole("list", { name: "Events, newest first" });
    await expect(log.getByRole("listitem").filter({ hasText: hostile })).toHaveCount(1);
    await expect(log.locator("script, img")).toHaveCount(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  test("a long log is read a page at a time and downloads whole", async ({ page, jobs, request }) => {
    test.setTimeout(120_000);
    const quick = await jobs.generator({ seconds: 0 });
    const job = await jobs.runUntil(quick, "success");
    for (let i = 1; i <= 230; i += 1) await jobs.event(job.runId, `Bulk line ${i}`);
    const total = ((await (await request.get(`/api/v2/storage/events?runId=${job.runId}&limit=1000`, { headers: auth })).json()) as unknown[]).length;

    await signInWithDemo(page, `/jobs/${job.id}`);
    const events = page.getByRole("list", { name: "Events, newest first" }).getByRole("listitem");
    await expect(events).toHaveCount(100);
    await expect(page.getByTestId("event-range")).toHaveText("Events 1–100");
    const pages = page.getByRole("navigation", { name: "Event pages" });
    await pages.getByRole("button", { name: "Older events" }).click();
    await expect(page.getByTestId("event-range")).toHaveText("Events 101–200 (older)");
    await pages.getByRole("button", { name: "Older events" }).click();
    await expect(page.getByTestId("event-range")).toHaveText(`Events 201–${total} (older)`);
    await expect(pages.getByRole("button", { name: "Older events" })).toBeDisabled();
    await expect(events.last()).toContainText(`Job ${job.id} created`);
    await pages.getByRole("button", { name: "Newest" }).click();
    await expect(events.first()).toContainText("Bulk line 230");

    const download = page.waitForEvent("download");
    await page.getByRole("group", { name: "Download events" }).getByRole("button", { name: ".jsonl" }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`job-${job.id}-events.jsonl`);
    const lines = (await readFile((await file.path())!, "utf8")).trim().split("\n");
    expect(lines).toHaveLength(total);
    expect(JSON.parse(lines[0]!)).toMatchObject({ message: "Bulk line 230", runId: job.runId });
  });

  test("an unchanged job costs its poller a 304", async ({ request, jobs }) => {
    const quick = await jobs.generator({ seconds: 0 });
    const job = await jobs.runUntil(quick, "success");
    const first = await request.get(`/api/jobs/${job.id}`, { headers: auth });
    const etag = first.headers()["etag"]!;
    expect(etag).toMatch(/^W\//);
    const again = await request.get(`/api/jobs/${job.id}`, { headers: { ...auth, "If-None-Match": etag } });
    expect(again.status()).toBe(304);
    await jobs.event(job.runId, "events do not change the job");
    expect((await request.get(`/api/jobs/${job.id}`, { headers: { ...auth, "If-None-Match": etag } })).status()).toBe(304);
  });
});
