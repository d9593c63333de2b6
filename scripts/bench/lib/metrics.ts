/** The daemon's Prometheus `/metrics` as a benchmark reads it. */

export const scrapeMetrics = async (httpPort: number): Promise<string> => (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();

/** A sample's value (`name` may carry labels, as written in the text); `fallback` when it is absent. */
export function metricValue(text: string, name: string, fallback = 0): number {
  const escaped = name.replace(/[{}"]/g, (c) => `\\${c}`);
  return Number(new RegExp(`^${escaped} (\\S+)`, 'm').exec(text)?.[1] ?? fallback);
}

const mb = (text: string, name: string): number => Math.round(metricValue(text, name) / 1048576);

/** The daemon's V8 heap used/total and external memory, as one phrase. */
export const heapSummary = (text: string): string =>
  `heap ${mb(text, 'edge_process_nodejs_heap_size_used_bytes')}/${mb(text, 'edge_process_nodejs_heap_size_total_bytes')} MB, external ${mb(text, 'edge_process_nodejs_external_memory_bytes')} MB`;

/** Property values the host accepted and dropped at the thing-model boundary, so far. */
export async function propertyValues(httpPort: number): Promise<{ accepted: number; dropped: number }> {
  const text = await scrapeMetrics(httpPort);
  return { accepted: metricValue(text, 'edge_property_values_total'), dropped: metricValue(text, 'edge_property_values_dropped_total') };
}
