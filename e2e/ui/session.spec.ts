import { expect, test } from "@playwright/test";
import { signInWithDemo } from "./helpers";

test.describe("session", () => {
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
