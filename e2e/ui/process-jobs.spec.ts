// Process components in Chromium: a Python Transformation job runs in the sandbox for real, and its
// page shows what ran (Runtime: sandbox, limits, exit code), its output in the event log and as a
// File, a debug run's snapshots, a failing script's user error; the Components page lists it.
// PROCESS_JOBS_SHOTS=<folder> also saves screenshots at desktop width and at 390 px.
import path from "node:path";
import type { Page } from "@playwright/test";
import yazl from "yazl";
import { auth } from "../fixtures";
import { expect, signInWithDemo, test, uniqueId } from "./helpers";

const PYTHON = "keboola.python-transformation-v2";

type ProcessRun = { component: string; sandbox: "bwrap" | "none"; end: string; exitCode: number | null; limits: { network: boolean }; outputFileId?: string };
type JobResult = {
  message?: string;
  error?: { type: string; message: string };
  processes?: ProcessRun[];
  files?: { id: string; name: string; role: string }[];
};

function pythonConfig(script: string[], table = "result") {
  return {
    parameters: { blocks: [{ name: "b", codes: [{ name: "c", script }] }] },
    storage: { output: { tables: [{ source: `${table}.csv`, destination: `out.c-e2e.${table}` }] } },
  };
}

const HELLO = ["import csv", "print('hello from python')", "open('out/tables/result.csv','w').write('id,value\\n1,a\\n')"];

async function zipOf(files: Record<string, string>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(files)) zip.addBuffer(Buffer.from(content), name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function shoot(page: Page, name: string) {
  const dir = process.env.PROCESS_JOBS_SHOTS;
  if (!dir) return;
  await page.screenshot({ path: path.join(dir, `${name}-desktop.png`), fullPage: true });
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(dir, `${name}-390.png`), fullPage: true });
  await page.setViewportSize(size);
}

/** Nothing on the page is wider than the window (long commands wrap or scroll inside their box). */
async function expectNoHorizontalOverflow(page: Page) {
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: 390, height: 844 });
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
  await page.setViewportSize(size);
}

test.describe("process components", () => {
  test("a Python Transformation shows its runtime, its output in the log and as a File", async ({ page, jobs }) => {
    const created = await jobs.run({ component: PYTHON, configData: pythonConfig(HELLO) });
    const finished = (await jobs.until(created.id, /^(success|error|warning|terminated)$/, 120_000)) as unknown as { status: string; result: JobResult };
    expect(finished.status, JSON.stringify(finished.result)).toBe("success");
    const run = finished.result.processes?.[0];
    expect(run, JSON.stringify(finished.result)).toBeTruthy();

    await signInWithDemo(page, `/jobs/${created.id}`);
    await expect(page.getByTestId("job-status")).toHaveText("Success");
    const runtime = page.getByRole("region", { name: "Runtime" });
    const item = runtime.getByTestId("process-run").first();
    await expect(item).toContainText(PYTHON);
    await expect(item.getByTestId("process-end")).toContainText("Exit code 0");
    await expect(item.getByTestId("process-sandbox")).toHaveText(run!.sandbox === "bwrap" ? "bubblewrap" : "None: ran unsandboxed");
    await expect(item.getByTestId("process-limits")).toContainText(`network ${run!.limits.network ? "on" : "off"}`);
    await expect(item.getByTestId("process-limits")).toContainText("memory");
    await expect(item.getByLabel("Command")).toContainText(/python/i);

    await expect(page.getByRole("list", { name: "Events, newest first" }).getByText("hello from python").first()).toBeVisible({ timeout: 20_000 });
    await expect(page.getByRole("region", { name: "Imported into Storage" })).toContainText("out.c-e2e.result");

    // The complete output, as a File the browser's session may download.
    const download = item.getByRole("link", { name: /Download full output/ });
    await expect(download).toHaveAttribute("href", `/api/v2/storage/files/${run!.outputFileId}/download`);
    const log = await page.request.get((await download.getAttribute("href"))!);
    expect(log.status()).toBe(200);
    expect(await log.text()).toContain("hello from python");

    await shoot(page, "python-success");
    await expectNoHorizontalOverflow(page);
  });

  test("a debug run shows its snapshots, and they download as zips", async ({ page, jobs }) => {
    const created = await jobs.run({ component: PYTHON, mode: "debug", configData: pythonConfig(HELLO) });
    const finished = (await jobs.until(created.id, /^(success|error|warning|terminated)$/, 120_000)) as unknown as { status: string; result: JobResult };
    expect(finished.status, JSON.stringify(finished.result)).toBe("success");
    const snapshots = (finished.result.files ?? []).filter((f) => f.role === "snapshot");
    expect(snapshots.map((f) => f.name), JSON.stringify(finished.result)).toEqual(expect.arrayContaining(["stage_0.zip", "stage_output.zip"]));

    await signInWithDemo(page, `/jobs/${created.id}`);
    const panel = page.getByRole("region", { name: "Snapshots" });
    await expect(panel).toContainText("stage_0 before the first program");
    const list = panel.getByRole("list", { name: "Snapshots" });
    await expect(list.getByRole("listitem")).toHaveCount(snapshots.length);
    await expect(list.getByRole("listitem").filter({ hasText: "stage_output.zip" })).toContainText("before output mapping");
    const link = list.getByRole("link", { name: "Download stage_0.zip" });
    const zip = await page.request.get((await link.getAttribute("href"))!);
    expect(zip.status()).toBe(200);
    expect((await zip.body()).subarray(0, 2).toString("latin1")).toBe("PK");
    // A debug run writes nothing to Storage.
    await expect(page.getByRole("region", { name: "Imported into Storage" })).toContainText("No tables.");

    await shoot(page, "python-debug");
    await expectNoHorizontalOverflow(page);
  });

  test("a failing script shows the user error and exit code 1", async ({ page, jobs }) => {
    const created = await jobs.run({ component: PYTHON, configData: pythonConfig(["raise ValueError('boom')"]) });
    const finished = (await jobs.until(created.id, /^(success|error|warning|terminated)$/, 120_000)) as unknown as { status: string; result: JobResult };
    expect(finished.status, JSON.stringify(finished.result)).toBe("error");
    expect(finished.result.error?.type, JSON.stringify(finished.result)).toBe("user");

    await signInWithDemo(page, `/jobs/${created.id}`);
    await expect(page.getByTestId("job-status")).toHaveText("Error");
    await expect(page.getByRole("region", { name: /User error/ })).toBeVisible();
    await expect(page.getByTestId("job-error")).toContainText("boom");
    const item = page.getByRole("region", { name: "Runtime" }).getByTestId("process-run").first();
    await expect(item.getByTestId("process-end")).toContainText("Exit code 1");
    await expect(item.getByTestId("process-end")).toContainText("user error");
    await shoot(page, "python-error");
    await expectNoHorizontalOverflow(page);
  });

  test("the Components page lists the built-ins and an added component with its version", async ({ page, request }) => {
    // A program of our own, added with its first version (the archive in `code`).
    const id = `e2e.ex-${uniqueId("w").toLowerCase()}`;
    const added = await request.post("/api/components", {
      headers: auth,
      multipart: {
        id,
        name: "E2E Weather",
        type: "extractor",
        description: "Reads the weather for the e2e suite.",
        tag: "v2",
        command: JSON.stringify(["python3", "main.py", "--city", "New York"]),
        code: { name: "code.zip", mimeType: "application/zip", buffer: await zipOf({ "main.py": "print('weather')\n" }) },
      },
    });
    expect(added.status(), await added.text()).toBe(201);

    await signInWithDemo(page, "/components");
    await expect(page.getByRole("heading", { name: "Components", level: 1 })).toBeVisible();
    const python = page.getByRole("region", { name: /^Transformations/ }).locator(`li[data-component-id="${PYTHON}"]`);
    await expect(python).toContainText("Python Transformation");
    await expect(python).toContainText("Built-in");
    const ours = page.getByRole("region", { name: /^Extractors/ }).locator(`li[data-component-id="${id}"]`);
    await expect(ours).toContainText("E2E Weather");
    await expect(ours).toContainText("Added");
    const versions = ours.getByRole("list", { name: "Versions of E2E Weather" });
    await expect(versions.getByRole("listitem")).toHaveCount(1);
    await expect(versions.getByRole("listitem").first()).toContainText("v2");
    await expect(versions.getByLabel("Command of v2")).toHaveText("python3 main.py --city 'New York'");
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Components" })).toHaveAttribute("aria-current", "page");

    await shoot(page, "components");
    await expectNoHorizontalOverflow(page);
  });
});
