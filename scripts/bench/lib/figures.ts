/** Figures as every benchmark prints them: percentiles, rounding, the same-run ratio, the JSON last line. */

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Sorted ascending, in place; for `percentile`. */
export const ascending = (xs: number[]): number[] => xs.sort((a, b) => a - b);

export const round = (x: number, places = 1): number => Number(x.toFixed(places));

/** A figure against its same-run baseline, as a rounded factor. */
export const ratio = (value: number, baseline: number, places = 2): number => round(value / baseline, places);

/** The last line of every benchmark's output: one JSON object (DEVELOPERS.md). */
export function printJsonLine(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
