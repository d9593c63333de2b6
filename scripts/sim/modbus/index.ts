/**
 * Modbus TCP simulator: N devices × M points whose values move, for the demo and the
 * benchmark. One process; devices are unit ids 1..unitsPerPort on each of a few loopback
 * ports (a gateway-like layout). Prints one JSON line with the ports when ready.
 *
 *   node dist/scripts/sim/modbus/index.js [--devices 10] [--points 200] [--units-per-port 125]
 *        [--base-port 0] [--tick-ms 1000] [--move 0.1] [--latency-ms 2-5]
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startSlaveServer, type Latency, type SlaveServer } from '../../../protocols/modbus/server.js';
import { SimData } from './data.js';

export interface SimOptions {
  devices: number;
  points: number;
  unitsPerPort: number;
  /** 0: ephemeral ports; otherwise basePort, basePort+1, ... */
  basePort: number;
  tickMs: number;
  /** Share of points that change each tick. */
  move: number;
  /** Each device's time per request (one at a time), as real devices and RS-485 gateways take; none by default. */
  latency?: Latency;
}

export const simDefaults: SimOptions = { devices: 10, points: 200, unitsPerPort: 125, basePort: 0, tickMs: 1000, move: 0.1 };

export interface Simulator {
  /** Where device d (0-based) lives. */
  address(d: number): { port: number; unit: number };
  ports: number[];
  requests(): number;
  stop(): Promise<void>;
}

export async function startSimulator(options: Partial<SimOptions> = {}): Promise<Simulator> {
  const o = { ...simDefaults, ...options };
  const servers: SlaveServer[] = [];
  const datas: SimData[] = [];
  const portsNeeded = Math.ceil(o.devices / o.unitsPerPort);
  for (let i = 0; i < portsNeeded; i++) {
    const units = Array.from({ length: Math.min(o.unitsPerPort, o.devices - i * o.unitsPerPort) }, (_, k) => k + 1);
    const data = new SimData(units, o.points, (u) => `SIM-${i * o.unitsPerPort + u}`);
    datas.push(data);
    servers.push(await startSlaveServer(data, o.basePort ? o.basePort + i : 0, '127.0.0.1', o.latency));
  }
  const timer = setInterval(() => {
    for (const d of datas) d.tick(o.move);
  }, o.tickMs);
  return {
    ports: servers.map((s) => s.port),
    address: (d) => ({ port: servers[Math.floor(d / o.unitsPerPort)]!.port, unit: (d % o.unitsPerPort) + 1 }),
    requests: () => servers.reduce((n, s) => n + s.requests(), 0),
    stop: async () => {
      clearInterval(timer);
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}

/** `3` or `2-5` (ms). */
function parseLatency(text: string): Latency {
  const [min, max = min] = text.split('-').map(Number);
  if (!Number.isFinite(min) || !Number.isFinite(max) || min! < 0 || max! < min!)
    throw new Error(`--latency-ms wants N or MIN-MAX, not ${text}`);
  return { min: min!, max: max! };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      devices: { type: 'string' },
      points: { type: 'string' },
      'units-per-port': { type: 'string' },
      'base-port': { type: 'string' },
      'tick-ms': { type: 'string' },
      move: { type: 'string' },
      'latency-ms': { type: 'string' },
    },
  });
  const num = (v: string | undefined, d: number): number => (v === undefined ? d : Number(v));
  const sim = await startSimulator({
    devices: num(values.devices, simDefaults.devices),
    points: num(values.points, simDefaults.points),
    unitsPerPort: Math.min(247, num(values['units-per-port'], simDefaults.unitsPerPort)),
    basePort: num(values['base-port'], simDefaults.basePort),
    tickMs: num(values['tick-ms'], simDefaults.tickMs),
    move: num(values.move, simDefaults.move),
    ...(values['latency-ms'] ? { latency: parseLatency(values['latency-ms']) } : {}),
  });
  process.stdout.write(`${JSON.stringify({ ready: true, ports: sim.ports })}\n`);
  const stop = (): void => void sim.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // A controlling process (the benchmark) asks for the request count on stdin.
  process.stdin.on('data', () => process.stdout.write(`${JSON.stringify({ requests: sim.requests() })}\n`));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) void main();
