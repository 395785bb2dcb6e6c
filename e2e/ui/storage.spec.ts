// The Storage section in Chromium: Storage jobs move to success in the Jobs tab, a job's File ID
// leads to its file, and a file uploaded in the browser appears in the Files tab.
import { expect, test } from "@playwright/test";
import { auth } from "../fixtures";

const unique = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

test.beforeEach(async ({ page, baseURL }) => {
  const signIn = await page.request.post("/api/session", { data: { demo: true }, headers: { Origin: baseURL! } });
  expect(signIn.status()).toBe(200);
});

test("Storage jobs move to success in the Jobs tab, and a File ID leads to the file", async ({ page }) => {
  const request = page.request;
  const bucket = `ui_${unique()}`;
  expect((await request.post("/api/v2/storage/buckets", { headers: auth, data: { name: bucket, stage: "out" } })).status()).toBe(201);
  const upload = await request.post("/api/v2/storage/files?name=customers.csv", { headers: auth, data: Buffer.from("id,name\n1,Ann\n2,Bob\n") });
  const file = await upload.json();
  const tableId = `out.c-${bucket}.customers`;

  const create = await (await request.post(`/api/v2/storage/buckets/out.c-${bucket}/tables-async`, { headers: auth, data: { name: "customers", dataFileId: file.id, primaryKey: ["id"] } })).json();
  await page.goto("/storage/jobs");
  const createRow = page.locator(`tr[data-job-id="${create.id}"]`);
  await expect(createRow).toBeVisible();
  await expect(createRow.locator("[data-status]")).toHaveAttribute("data-status", "success", { timeout: 20_000 });
  await expect(createRow).toContainText("tableCreate");
  await expect(createRow).toContainText(tableId);

  // Export from the table's page; the new job shows up in the Jobs tab and finishes there.
  await createRow.getByRole("link", { name: tableId }).click();
  await expect(page.getByRole("heading", { name: tableId })).toBeVisible();
  await page.getByRole("button", { name: "Export to file" }).click();
  const started = page.getByRole("link", { name: /^job \d+$/ });
  await expect(started).toBeVisible();
  const exportId = (await started.textContent())!.replace("job ", "");
  await page.getByRole("navigation", { name: "Storage" }).getByRole("link", { name: "Jobs" }).click();
  const exportRow = page.locator(`tr[data-job-id="${exportId}"]`);
  await expect(exportRow).toContainText("tableExport");
  await expect(exportRow.locator("[data-status]")).toHaveAttribute("data-status", "success", { timeout: 20_000 });

  await exportRow.getByRole("link", { name: exportId, exact: true }).click();
  await expect(page.getByRole("heading", { name: `Storage job ${exportId}` })).toBeVisible();
  await expect(page.getByText("tableExport").first()).toBeVisible();
  const fileLink = page.getByTestId("job-file-link");
  const fileId = (await fileLink.textContent())!.trim();
  await fileLink.click();
  await expect(page).toHaveURL(new RegExp(`/storage/files\\?fileId=${fileId}$`));
  const fileRow = page.locator(`tr[data-file-id="${fileId}"]`);
  await expect(fileRow).toContainText(`${tableId}.csv`);
  await expect(fileRow.getByRole("link", { name: "Download" })).toHaveAttribute("href", `/api/v2/storage/files/${fileId}/download`);

  await page.getByRole("navigation", { name: "Storage" }).getByRole("link", { name: "Tables" }).click();
  // The demo has a customers table of its own: pick ours by its bucket.
  await page.getByRole("listitem").filter({ hasText: `out.c-${bucket}` }).getByRole("link", { name: /^customers/ }).click();
  await expect(page.getByRole("heading", { name: tableId })).toBeVisible();
  await expect(page.getByTestId("rows-count")).toHaveText("2");
  await expect(page.getByRole("cell", { name: "Bob" })).toBeVisible();
});

test("a bad import shows its error with the line in the job detail", async ({ page }) => {
  const request = page.request;
  const bucket = `ui_${unique()}`;
  await request.post("/api/v2/storage/buckets", { headers: auth, data: { name: bucket, stage: "in" } });
  const good = await (await request.post("/api/v2/storage/files?name=good.csv", { headers: auth, data: Buffer.from("a,b\n1,2\n") })).json();
  const create = await (await request.post(`/api/v2/storage/buckets/in.c-${bucket}/tables-async`, { headers: auth, data: { name: "t", dataFileId: good.id } })).json();
  await expect.poll(async () => (await (await request.get(`/api/v2/storage/jobs/${create.id}`, { headers: auth })).json()).status).toBe("success");
  const bad = await (await request.post("/api/v2/storage/files?name=bad.csv", { headers: auth, data: Buffer.from("a,b\n1,2\n3\n") })).json();
  const job = await (await request.post(`/api/v2/storage/tables/in.c-${bucket}.t/import-async`, { headers: auth, data: { dataFileId: bad.id } })).json();
  await page.goto(`/storage/jobs/${job.id}`);
  await expect(page.getByRole("alert").filter({ hasText: "invalidCsv" })).toContainText("Line 3: expected 2 values (as in the header) but found 1", { timeout: 20_000 });
  await expect(page.getByTestId("job-file-link")).toHaveText(bad.id);
});

test("a file uploaded in the browser is listed and found by name", async ({ page }) => {
  const name = `upload-${unique()}.csv`;
  await page.goto("/storage/files");
  await page.locator('input[type="file"]').setInputFiles({ name, mimeType: "text/csv", buffer: Buffer.from("x,y\n1,2\n") });
  await page.getByLabel("Tags").fill("ui-test");
  await page.getByRole("button", { name: "Upload", exact: true }).click();
  await expect(page.getByText(`Uploaded ${name} as file`)).toBeVisible();
  await page.getByRole("searchbox", { name: "Search files by name" }).fill(name);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/\/storage\/files\?q=/);
  const rows = page.locator("tr[data-file-id]");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(name);
  await expect(rows.first()).toContainText("ui-test");
});
