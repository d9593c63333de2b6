/**
 * The EBA ModbusV3 scenario the modbus and rules benchmarks share: the Modbus simulator
 * (scripts/sim/modbus, `units-per-port` devices per TCP port), and the box's side of it — a thing
 * model of `points` properties, the driver's tables file and its device list.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PointDef } from '../../../protocols/modbus/point.js';
import { layoutPoint } from '../../sim/modbus/layout.js';
import { ROOT } from '../lib.js';

export const UNITS_PER_PORT = 125;
export const DRIVER = 'Bench_ModbusV3_EBA_Points';
export const productKeyFor = (points: number): string => `EBABench${points}`;

export interface ModbusSim {
  proc: ChildProcess;
  ports: number[];
  /** Requests the simulator has answered so far. */
  requests(): Promise<number>;
}

function lines(proc: ChildProcess, onLine: (l: string) => void): void {
  let buf = '';
  proc.stdout!.on('data', (c: Buffer) => {
    buf += c.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
}

/** The simulator with `devices × points`, each request taking `latencyMs` ("2-5") when given. */
export async function startModbusSim(devices: number, points: number, latencyMs?: string): Promise<ModbusSim> {
  const extra = latencyMs ? ['--latency-ms', latencyMs] : [];
  const script = join(ROOT, 'dist', 'scripts/sim/modbus/index.js');
  const args = [script, '--devices', String(devices), '--points', String(points), '--units-per-port', String(UNITS_PER_PORT), ...extra];
  const proc = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  let waiter: ((n: number) => void) | undefined;
  const ports = await new Promise<number[]>((res, rej) => {
    proc.once('exit', (code) => rej(new Error(`simulator exited ${code}`)));
    lines(proc, (l) => {
      const m = JSON.parse(l) as { ready?: boolean; ports?: number[]; requests?: number };
      if (m.ready) res(m.ports!);
      if (m.requests !== undefined) waiter?.(m.requests);
    });
  });
  const requests = (): Promise<number> =>
    new Promise((r) => {
      waiter = r;
      proc.stdin!.write('?\n');
    });
  return { proc, ports, requests };
}

export interface ModbusLayout {
  ports: number[];
  devices: number;
  points: number;
  periodMs: number;
}

/** The thing model of the simulator's devices: `P0..P{points-1}`, typed as the layout stores them. */
function thingModel(points: number): unknown {
  const properties = Array.from({ length: points }, (_, i) => {
    const t = layoutPoint(i).tsl;
    const specs = t === 'int' ? { min: '-1000', max: '100000', step: '1' } : { min: '-1000', max: '1000000', step: '0.01' };
    return { identifier: `P${i}`, name: `点${i}`, accessMode: 'r', required: false, dataType: { type: t, specs } };
  });
  return { profile: { productKey: productKeyFor(points) }, properties, events: [], services: [] };
}

/**
 * Write the thing model (`dir/tsl`) and the driver's tables file (`dir/data/drivers/<driver>`);
 * returns the driver's entry of the box config.
 */
export function writeModbusBox(dir: string, l: ModbusLayout): Record<string, unknown> {
  const pk = productKeyFor(l.points);
  mkdirSync(join(dir, 'tsl'));
  writeFileSync(join(dir, 'tsl', `${pk}.json`), JSON.stringify(thingModel(l.points)));
  const channels = l.ports.map((port, i) => ({ id: `C${i}`, transport: 'tcp', host: '127.0.0.1', port, minIntervalMs: 0 }));
  const pts: PointDef[] = [];
  const devs: unknown[] = [];
  for (let d = 0; d < l.devices; d++) {
    const channel = `C${Math.floor(d / UNITS_PER_PORT)}`;
    const slave = (d % UNITS_PER_PORT) + 1;
    const mapping: Record<string, string> = {};
    for (let i = 0; i < l.points; i++) {
      const lp = layoutPoint(i);
      const id = `${d}.${i}`;
      const scale = lp.scale ? { scale: lp.scale } : {};
      pts.push({
        id,
        channel,
        slave,
        address: lp.address,
        op: 'holding:16',
        dataType: lp.dataType,
        periodMs: l.periodMs,
        report: 'periodic',
        ...scale,
      });
      mapping[`P${i}`] = id;
    }
    devs.push({ productKey: pk, deviceName: `dev-${d}`, custom: { points: mapping } });
  }
  mkdirSync(join(dir, 'data', 'drivers', DRIVER), { recursive: true });
  writeFileSync(join(dir, 'data', 'drivers', DRIVER, 'tables.json'), JSON.stringify({ format: 'eba-modbus-v3/1', channels, points: pts }));
  const config = { tablesFile: 'tables.json', statsIntervalMs: 1000, timeoutMs: 2000 };
  return { name: DRIVER, type: 'modbus-v3', config, devices: devs };
}
