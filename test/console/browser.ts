/** Debian's Chromium driven by playwright-core, set up as the issue asks: headless, no background traffic. */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const ARTIFACTS = resolve(import.meta.dirname, '..', '..', 'test-artifacts', 'console');
/**
 * `npm run docs:screenshots` sets this to docs/img/console: the shots the tests take become the
 * pictures of docs/console.md (JPEG, the viewport only, so the repository stays small).
 */
const DOCS_SHOTS = process.env.PE_DOCS_SCREENSHOTS ? resolve(process.env.PE_DOCS_SCREENSHOTS) : undefined;

export interface TestBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function openBrowser(): Promise<TestBrowser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  if (DOCS_SHOTS) mkdirSync(DOCS_SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    // launch() gives every run a fresh, throw-away --user-data-dir of its own (it refuses one passed in args).
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true, locale: 'zh-CN' });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  return {
    browser,
    context,
    page,
    shot: async (name) => {
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
      if (DOCS_SHOTS) await page.screenshot({ path: join(DOCS_SHOTS, `${name}.jpg`), type: 'jpeg', quality: 70 });
    },
    close: async () => {
      await browser.close();
    },
  };
}
