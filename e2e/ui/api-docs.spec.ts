// The dashboard's API page is generated from the same OpenAPI document the API serves.
import { expect, test } from "@playwright/test";

test("the API page lists every route of the OpenAPI document with its parameters", async ({ page, request, baseURL }) => {
  const signIn = await page.request.post("/api/session", { data: { demo: true }, headers: { Origin: baseURL! } });
  expect(signIn.status()).toBe(200);
  const doc = await (await request.get("/api/openapi.json")).json();
  await page.goto("/api-docs");
  await expect(page.getByRole("heading", { name: "API", level: 1 })).toBeVisible();
  const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
  await expect(page.locator("section[aria-label]")).toHaveCount(operations.length);
  const search = page.getByRole("region", { name: "GET /search/jobs", exact: true });
  await expect(search.getByRole("cell", { name: "createdTimeFrom", exact: true })).toBeVisible();
  const create = page.getByRole("region", { name: "POST /jobs", exact: true });
  await expect(create.getByRole("cell", { name: "component", exact: true })).toBeVisible();
  await expect(create).toContainText("X-KBC-RunId");
});
