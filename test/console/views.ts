/**
 * The console seen at another width and in another language, inside one browser and one box:
 * the browser tests check each page at 1366 px in Chinese and at 375 px in English (issue 22:
 * both languages, phone and desktop) without starting another daemon.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

export interface View {
  width: number;
  lang: 'zh' | 'en';
}
export const DESKTOP_ZH: View = { width: 1366, lang: 'zh' };
export const PHONE_EN: View = { width: 375, lang: 'en' };
export const VIEWS: readonly View[] = [DESKTOP_ZH, PHONE_EN];

export const viewName = (v: View): string => `${v.width} px, ${v.lang}`;

/** Sets the viewport and the language, then opens `hash` (the UI reads its language at load, so the page loads again). */
export async function useView(page: Page, view: View, hash?: string): Promise<void> {
  await page.setViewportSize({ width: view.width, height: 800 });
  await page.evaluate(
    (l) => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('pe.lang', l),
    view.lang,
  );
  if (hash !== undefined) await page.evaluate((h) => ((globalThis as unknown as { location: { hash: string } }).location.hash = h), hash);
  await page.reload();
}

/** How far the page scrolls sideways (0 when it does not). */
export function sideScroll(page: Page): Promise<number> {
  return page.evaluate(() => {
    const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document;
    return d.documentElement.scrollWidth - d.documentElement.clientWidth;
  });
}

/** The first element matching `selector` lies within the viewport's width (`scroll`: scrolled to it first, for long forms). */
export async function expectWithinWidth(page: Page, selector: string, width: number, o: { scroll?: boolean } = {}): Promise<void> {
  if (o.scroll) await page.locator(selector).first().scrollIntoViewIfNeeded();
  const box = await page.locator(selector).first().boundingBox();
  expect(box, selector).not.toBeNull();
  expect(box!.x, `${selector} left edge`).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, `${selector} right edge at ${width} px`).toBeLessThanOrEqual(width);
}

/** No sideways page scroll, and each of `selectors` inside the viewport's width. */
export async function expectFits(page: Page, view: View, ...selectors: string[]): Promise<void> {
  expect(await sideScroll(page), `sideways scroll at ${viewName(view)}`).toBeLessThanOrEqual(0);
  for (const s of selectors) await expectWithinWidth(page, s, view.width);
}
