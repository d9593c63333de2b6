/**
 * The engine's own cost, free of the machine's load: the registry and the engine in this process,
 * fed the daemon's traffic (every device reports its points once a "second", 10 % of them
 * changed) as fast as they go, CPU time measured with and without the rules.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus } from '../../../edge/events.js';
import { silentLogger } from '../../../edge/log.js';
import { RulesEngine } from '../../../edge/rules/engine.js';
import { openDatabase } from '../../../edge/store/db.js';
import { type CompiledModel, compileModel } from '../../../edge/thing/model.js';
import { DeviceRegistry } from '../../../edge/thing/registry.js';
import { parseThingModel } from '../../../edge/thing/tsl.js';
import { layoutPoint } from '../../sim/modbus/layout.js';
import { round } from '../lib.js';

export interface Scenario {
  pk: string;
  devices: number;
  points: number;
  rules: unknown[];
}

export interface InProcessResult {
  cpu_ms_per_s_without: number;
  cpu_ms_per_s_with: number;
  added_cores: number;
  alarms_per_s: number;
}

/** A value of the layout kind from a random number in [0, 1). */
const randomValue = (kind: number, r: number): number =>
  kind === 0
    ? Math.floor(r * 1000)
    : kind === 1
      ? Math.floor(r * 200) - 100
      : kind === 2
        ? Math.round(r * 2500) / 10
        : Math.floor(r * 10_000_000) / 100;

function modelOf(s: Scenario): CompiledModel {
  const properties = Array.from({ length: s.points }, (_, i) => ({
    identifier: `P${i}`,
    name: `点${i}`,
    accessMode: 'r',
    dataType: { type: layoutPoint(i).tsl, specs: { min: '-1000', max: '1000000' } },
  }));
  return compileModel(parseThingModel({ profile: { productKey: s.pk }, properties, events: [], services: [] }));
}

/** `seconds` simulated seconds of reports through the registry and the engine: CPU ms used, alarms raised. */
async function measure(
  s: Scenario,
  model: CompiledModel,
  state: number[][],
  seconds: number,
  withRules: boolean,
): Promise<{ cpuMs: number; raised: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-rules-ip-'));
  const db = openDatabase(join(dir, 'edge.db'));
  const events = new EventBus(silentLogger());
  const registry = new DeviceRegistry({ events, log: silentLogger() });
  for (let d = 0; d < s.devices; d++) registry.upsert({ productKey: s.pk, deviceName: `dev-${d}`, driver: 'bench', custom: {} }, model);
  const gateway = { productKey: 'gw', deviceName: 'box' };
  const engine = new RulesEngine({ db, events, registry, log: silentLogger(), gateway, publish: () => undefined });
  if (withRules) for (const r of s.rules) engine.addOrUpdate(r, 'file');
  await engine.start();
  for (let d = 0; d < s.devices; d++) registry.setStatus(s.pk, `dev-${d}`, 'online');
  const c0 = process.cpuUsage();
  for (let t = 0; t < seconds; t++) {
    for (let d = 0; d < s.devices; d++) {
      const row = state[d]!;
      for (let k = 0; k < s.points / 10; k++) {
        const i = Math.floor(Math.random() * s.points);
        row[i] = randomValue(i % 4, Math.random());
      }
      const raw: Record<string, unknown> = {};
      for (let i = 0; i < s.points; i++) raw[`P${i}`] = row[i];
      // What the host does with a driver's report: the TSL boundary, then the event.
      const { accepted } = registry.acceptProperties(s.pk, `dev-${d}`, raw, Date.now());
      events.emit('device.properties', { productKey: s.pk, deviceName: `dev-${d}`, params: accepted });
      if (d % 100 === 99) await new Promise((r) => setImmediate(r)); // let the engine's state writes run, as the event loop would
    }
  }
  await new Promise((r) => setImmediate(r));
  const c = process.cpuUsage(c0);
  const raised = engine.counts.raised;
  await engine.stop();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { cpuMs: (c.user + c.system) / 1000, raised };
}

export async function inProcess(s: Scenario, seconds: number): Promise<InProcessResult> {
  const model = modelOf(s);
  const state = Array.from({ length: s.devices }, () => Array.from({ length: s.points }, (_, i) => randomValue(i % 4, Math.random())));
  const without = await measure(s, model, state, seconds, false);
  const withR = await measure(s, model, state, seconds, true);
  return {
    cpu_ms_per_s_without: round(without.cpuMs / seconds, 1),
    cpu_ms_per_s_with: round(withR.cpuMs / seconds, 1),
    added_cores: round((withR.cpuMs - without.cpuMs) / seconds / 1000, 3),
    alarms_per_s: round(withR.raised / seconds, 1),
  };
}
