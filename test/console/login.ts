/** Browser steps the console tests share: the first-run setup through the printed URL, and a login. */
import type { Page } from 'playwright-core';
import type { ConsoleBox } from './box.js';

export const PASSWORD = 'Installer-Pass-42';

/** Sets the admin password through the printed setup URL; the page ends on the dashboard. */
export async function setupAdmin(page: Page, box: ConsoleBox, password = PASSWORD): Promise<void> {
  await page.goto(box.runtime.consoleUrl()!);
  await page.locator('#setup-form').waitFor();
  await page.fill('#setup-password', password);
  await page.fill('#setup-password2', password);
  await page.click('#setup-submit');
  await page.locator('#dash-devices').waitFor();
}

/** Logs in on the login page shown. */
export async function logIn(page: Page, password = PASSWORD): Promise<void> {
  await page.locator('#login-form').waitFor();
  await page.fill('#login-password', password);
  await page.click('#login-submit');
  await page.locator('#login-form').waitFor({ state: 'detached' });
}
