/** `/metrics` of the rules engine: rules, open alarms, alarms raised and recovered, value-to-alarm latency. */
import { Gauge, Summary, type Registry } from 'prom-client';

export interface RulesCounts {
  raised: number;
  recovered: number;
  evaluations: number;
}

export interface RulesMetricsSource {
  /** Rules being evaluated. */
  enabled: () => number;
  /** Alarms not recovered. */
  open: () => number;
  counts: RulesCounts;
}

/** Registers the gauges; returns the latency summary the engine observes. */
export function registerRulesMetrics(registry: Registry, source: RulesMetricsSource): Summary {
  const registers = [registry];
  const gauge = (name: string, help: string, read: () => number): void =>
    void new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  gauge('edge_rules_enabled', 'EBA alarm rules being evaluated', source.enabled);
  gauge('edge_rules_alarms_open', 'EBA alarms not recovered', source.open);
  gauge('edge_rules_alarms_raised_total', 'EBA alarms raised by this process', () => source.counts.raised);
  gauge('edge_rules_alarms_recovered_total', 'EBA alarms recovered by this process', () => source.counts.recovered);
  gauge(
    'edge_rules_evaluations_total',
    'rule side evaluations (reports that met a rule with something going on)',
    () => source.counts.evaluations,
  );
  return new Summary({
    name: 'edge_rules_alarm_latency_ms',
    help: "from the driver's reading of a value to its alarm record committed, ms",
    percentiles: [0.5, 0.9, 0.99, 1],
    maxAgeSeconds: 600,
    ageBuckets: 5,
    registers,
  });
}
