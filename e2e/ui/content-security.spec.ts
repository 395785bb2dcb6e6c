// Pages carry a nonce-based Content-Security-Policy without 'unsafe-inline' scripts, and the
// dashboard works under it: no script is refused while signing in and opening a job.
import { expect, test } from "@playwright/test";

test("pages send a strict script policy and run under it", async ({ page }) => {
  const refused: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text());
  });
  const response = await page.goto("/sign-in");
  const policy = response!.headers()["content-security-policy"]!;
  const scripts = policy.split(";").find((d) => d.trim().startsWith("script-src"))!;
  expect(scripts).toMatch(/'nonce-[A-Za-z0-9+/=]+'/);
  expect(scripts).not.toContain("unsafe-inline");
  expect(policy).toContain("frame-ancestors 'none'");
  expect(response!.headers()["x-content-type-options"]).toBe("nosniff");

  await page.getByRole("button", { name: /demo project/i }).click();
  await expect(page).toHaveURL(/\/jobs/);
  await expect(page.getByRole("table").first()).toBeVisible();
  // A second page load gets a different nonce.
  const again = await page.goto("/jobs");
  expect(again!.headers()["content-security-policy"]).not.toBe(policy);
  expect(refused).toEqual([]);
});
