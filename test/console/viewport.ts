/** Layout checks the console browser tests share: no sideways page scroll, a control inside the viewport. */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** How far the page scrolls sideways (≤ 0: not at all). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document;
    return d.documentElement.scrollWidth - d.documentElement.clientWidth;
  });
}

/** The element's left and right edges are inside a viewport `width` px wide (`scroll`: scrolled to it first, for long forms). */
export async function inViewport(page: Page, selector: string, width: number, o: { scroll?: boolean } = {}): Promise<void> {
  if (o.scroll) await page.locator(selector).first().scrollIntoViewIfNeeded();
  const box = await page.locator(selector).first().boundingBox();
  expect(box, selector).not.toBeNull();
  expect(box!.x, `${selector} left edge`).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, `${selector} right edge at ${width} px`).toBeLessThanOrEqual(width);
}
