// The dashboard specs make the jobs they look at, through the API with the demo token: each test
// gets its own configurations (unique ids), so what it sees never depends on the seed or on timing.
import { type APIRequestContext, expect, type Locator, type Page, test as base } from "@playwright/test";
import { auth } from "../fixtures";

type JobJson = { id: string; runId: string; status: string; waiting: { reason: string; message: string } | null; childrenCount: number };

let counter = 0;
/** A configuration id no other test (or earlier run on the same server) uses. */
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${process.pid.toString(36)}${counter}`;
}

export class Jobs {
  private readonly created: string[] = [];

  constructor(private readonly request: APIRequestContext) {}

  /** A configuration of `component` that only this test uses; returns its id. */
  async config(component: string, configuration: Record<string, unknown>, name?: string): Promise<{ id: string; name: string }> {
    const id = uniqueId("e2e");
    const configName = name ?? `E2E ${id}`;
    const response = await this.request.post(`/api/v2/storage/components/${component}/configs`, {
      headers: auth,
      data: { configurationId: id, name: configName, configuration },
    });
    expect(response.status(), await response.text()).toBe(201);
    return { id, name: configName };
  }

  /** A generator configuration: `durationSeconds` long, failing when `fail` is set. */
  generator(options: { seconds: number; fail?: boolean; rows?: number; name?: string }) {
    return this.config(
      "jobdeck.generator",
      { rows: options.rows ?? 100, durationSeconds: options.seconds, failureProbability: options.fail ? 1 : 0 },
      options.name,
    );
  }

  async run(data: Record<string, unknown>, parentRunId?: string): Promise<JobJson> {
    const response = await this.request.post("/api/jobs", {
      headers: { ...auth, ...(parentRunId && { "X-KBC-RunId": parentRunId }) },
      data: { mode: "run", ...data },
    });
    expect(response.status(), await response.text()).toBe(201);
    const job = (await response.json()) as JobJson;
    this.created.push(job.id);
    return job;
  }

  /** A run of a generator configuration, once it has reached `status`. */
  async runUntil(config: { id: string }, status: string | RegExp): Promise<JobJson> {
    const job = await this.run({ component: "jobdeck.generator", config: config.id });
    return this.until(job.id, status);
  }

  async get(id: string): Promise<JobJson> {
    const response = await this.request.get(`/api/jobs/${id}`, { headers: auth });
    expect(response.status()).toBe(200);
    return (await response.json()) as JobJson;
  }

  /** Waits (polling the API) until the job's status matches. */
  async until(id: string, status: string | RegExp, timeout = 30_000): Promise<JobJson> {
    await expect.poll(async () => (await this.get(id)).status, { timeout, message: `job ${id} to be ${status}` }).toMatch(status);
    return this.get(id);
  }

  async event(runId: string, message: string, type = "info"): Promise<void> {
    const response = await this.request.post("/api/v2/storage/events", { headers: auth, data: { message, runId, type } });
    expect(response.status()).toBe(201);
  }

  /** Stops what the test started, so its jobs never hold a worker or a configuration lock. */
  async cleanUp(): Promise<void> {
    for (const id of this.created) await this.request.post(`/api/jobs/${id}/kill`, { headers: auth });
  }
}

export const test = base.extend<{ jobs: Jobs }>({
  // Playwright's fixture callback, not React's `use`.
  jobs: async ({ request }, provide) => {
    const jobs = new Jobs(request);
    await provide(jobs);
    await jobs.cleanUp();
  },
});
export { expect };

export async function signInWithDemo(page: Page, path = "/jobs") {
  await page.goto(path);
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByRole("button", { name: "Use the demo project" }).click();
  await expect(page.getByTestId("project-name")).toHaveText("Demo project");
}

/** The list's rows (top level and expanded children), and the top-level ones alone. */
export const jobRows = (page: Page) => page.locator("tbody tr[data-job-id]");
export const rootRows = (page: Page) => page.locator('tbody tr[data-job-id][data-depth="0"]');
export const row = (page: Page, id: string) => page.locator(`tbody tr[data-job-id="${id}"]`);

/** The list filtered to this test's configurations of one component. */
export function listOf(component: string, configs: readonly string[], extra = ""): string {
  return `/jobs?component=${component}${configs.map((c) => `&config=${c}`).join("")}${extra}`;
}

/** Replaces the whole text of a configuration's CodeMirror editor, as a paste would. */
export async function setEditorText(page: Page, text: string) {
  const editor = page.getByRole("textbox", { name: "Configuration JSON", exact: true });
  await editor.click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.insertText(text);
}

/** Full-page screenshots at the current (desktop) width and at a phone's, into `dir`. */
export async function screens(page: Page, dir: string, name: string) {
  // From the top: a full-page shot of a scrolled page paints the sticky header where the window was.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${dir}/${name}-desktop.png`, fullPage: true });
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${dir}/${name}-phone.png`, fullPage: true });
  await page.setViewportSize(size);
}

/** Rolls a configuration back to `version` from its versions list, as a person does: Roll back… then confirm. */
export async function rollBackTo(versions: Locator, version: number) {
  const item = versions.locator(`[data-version="${version}"]`);
  await item.getByRole("button", { name: "Roll back…" }).click();
  await item.getByRole("button", { name: `Roll back to v${version}` }).click();
}
