/**
 * Issue 13: 1,000 random mutations of a valid config, fed to the check `edge check` runs and to a
 * live redeploy. Nothing may crash; every problem is a path and a hint; a refused redeploy
 * changes nothing and an accepted one is applied whole (the running driver set is exactly the
 * new one). The mutations are seeded: a failure names its seed and mutation, to replay it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { configProblems } from '../../edge/cli/check.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { silentLogger } from '../../edge/log.js';
import type { TestBox } from '../helpers/runtime.js';

const DIST = resolve(import.meta.dirname, '..', '..', 'dist', 'edge');
const DIST_RUNTIME = pathToFileURL(join(DIST, 'runtime.js')).href;
const DIST_LOAD = pathToFileURL(join(DIST, 'config', 'load.js')).href;

const VALID = {
  drivers: [
    {
      name: 'Demo_Sim_EBA_Meter',
      type: 'demo-sim',
      config: { intervalMs: 1000 },
      devices: [
        { productKey: 'PEDemoMeter', deviceName: 'meter-01', alias: '一号楼电表', custom: { kind: 'meter' } },
        { productKey: 'PEDemoThermo', deviceName: 'thermo-01', custom: { kind: 'thermostat' } },
      ],
    },
    {
      name: 'Property_Door_PerAccess_Standard',
      type: 'door-standard',
      config: { host: '127.0.0.1', port: 0, boxIp: '127.0.0.1', keepaliveS: 30 },
      devices: [
        { productKey: 'PEDoorQr', deviceName: 'FUZZ-DOOR-01.2', custom: { ip: '127.0.0.1', port: 18001 } },
        { productKey: 'PEDoorCard', deviceName: 'FUZZ-DOOR-01.3', custom: { ip: '127.0.0.1', port: 18001 } },
      ],
    },
  ],
};

/** mulberry32: small, seeded, good enough to pick mutations. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Node = Record<string, unknown> | unknown[];
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null;

/** Every container path in the document (objects and arrays), root included. */
function containers(v: unknown, path: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  if (!isNode(v)) return out;
  out.push(path);
  for (const [k, c] of Object.entries(v)) containers(c, [...path, Array.isArray(v) ? Number(k) : k], out);
  return out;
}

function at(root: unknown, path: Array<string | number>): Node {
  return path.reduce<unknown>((n, k) => (n as Record<string, unknown>)[k as string], root) as Node;
}

const WEIRD: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  70000,
  2 ** 53,
  '',
  'abc',
  ' ',
  '../../etc/passwd',
  '$(rm -rf /)',
  'x'.repeat(5000),
  '中文',
  [],
  {},
  [1, 2],
  { a: 1 },
  '1001',
  1001,
  '127.0.0.1',
  '999.1.1.1',
];

/** One random mutation; returns what it did (for the failure message). */
function mutate(doc: unknown, r: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const path = pick(containers(doc));
  const node = at(doc, path);
  const keys = Object.keys(node);
  const where = `/${path.join('/')}`;
  const op = pick(['delete', 'set', 'typo', 'unknown', 'duplicate', 'swap-type'] as const);
  if (keys.length === 0 || op === 'unknown') {
    const k = pick(['prot', 'intervalMS', 'deviceNumber', 'ipAddress', '__proto__', 'constructor', 'x']);
    (node as Record<string, unknown>)[k] = pick(WEIRD);
    return `${where}: add ${k}`;
  }
  const key = pick(keys);
  const rec = node as Record<string, unknown>;
  switch (op) {
    case 'delete':
      if (Array.isArray(node)) node.splice(Number(key), 1);
      else delete rec[key];
      return `${where}/${key}: delete`;
    case 'set':
      rec[key] = pick(WEIRD);
      return `${where}/${key}: set ${JSON.stringify(rec[key])?.slice(0, 40)}`;
    case 'typo': {
      if (Array.isArray(node)) return `${where}: (no typo in a list)`;
      const v = rec[key];
      delete rec[key];
      rec[`${key.slice(0, -1)}${key.at(-1) === 's' ? 'z' : 's'}`] = v;
      return `${where}/${key}: misspelt`;
    }
    case 'duplicate':
      if (Array.isArray(node) && node.length > 0) {
        node.push(structuredClone(node[0]));
        return `${where}: duplicate first item`;
      }
      rec[key] = structuredClone(rec[key]);
      return `${where}/${key}: copy`;
    default: {
      const v = rec[key];
      rec[key] =
        typeof v === 'number'
          ? String(v)
          : typeof v === 'string'
            ? Number(v) || v.length
            : Array.isArray(v)
              ? { ...v }
              : isNode(v)
                ? Object.values(v)
                : [v];
      return `${where}/${key}: changed type`;
    }
  }
}

function mutations(seed: number, count: number): Array<{ text: string; did: string }> {
  const r = rng(seed);
  return Array.from({ length: count }, () => {
    const doc = structuredClone(VALID);
    const did = Array.from({ length: 1 + Math.floor(r() * 3) }, () => mutate(doc, r)).join('; ');
    return { text: stringify(doc), did };
  });
}

describe('config fuzz', () => {
  it('edge check: 1,000 mutations, never a crash, every problem with a path and a hint', async () => {
    let refused = 0;
    for (const [i, m] of mutations(13, 1000).entries()) {
      let problems;
      try {
        problems = await configProblems(m.text, '/fuzz/box.yaml');
      } catch (err) {
        throw new Error(`seed 13 #${i} (${m.did}) crashed the check: ${(err as Error).stack}`);
      }
      for (const p of problems) {
        expect(p.path, `#${i} ${m.did}`).toMatch(/^\//);
        expect(p.message.length, `#${i} ${m.did}`).toBeGreaterThan(0);
        expect(p.hint.length, `#${i} ${m.did}`).toBeGreaterThan(0);
      }
      if (problems.some((p) => !p.advisory)) refused++;
    }
    // The mutations must be able to fail the check (or this test proves nothing) and to pass it.
    expect(refused).toBeGreaterThan(300);
    expect(refused).toBeLessThan(1000);
  }, 120_000);

  describe('live redeploy', () => {
    let box: Pick<TestBox, 'runtime' | 'dir' | 'close'>;
    beforeAll(async () => {
      // The built daemon (npm test builds first): its drivers start as plain Node processes, so a
      // thousand redeploys that restart drivers take seconds, not minutes of TypeScript loading.
      const { Runtime } = (await import(DIST_RUNTIME)) as typeof import('../../edge/runtime.js');
      const { parseConfig } = (await import(DIST_LOAD)) as typeof import('../../edge/config/load.js');
      const dir = mkdtempSync(join(tmpdir(), 'pe-fuzz-'));
      const config = parseConfig(
        `box: { name: fuzz, dataDir: ${dir} }\nhttp: { host: 127.0.0.1, port: 0 }\nbus: { host: 127.0.0.1, port: 0 }\n${stringify({ drivers: VALID.drivers.slice(0, 1) })}`,
      );
      const runtime = new Runtime({ config, baseDir: dir, file: undefined }, { log: silentLogger() });
      await runtime.start();
      box = {
        runtime,
        dir,
        close: async () => {
          await runtime.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }, 30_000);
    afterAll(async () => {
      await box?.close();
    });

    it('1,000 mutations: refused whole or applied whole, the box keeps running', async () => {
      let applied = 0;
      for (const [i, m] of mutations(1013, 1000).entries()) {
        const before = JSON.stringify(box.runtime.host.configs);
        try {
          await box.runtime.redeploy(m.text, 'fuzz');
          applied++;
          const want = (parse(m.text) as { drivers?: unknown[] }).drivers ?? [];
          expect(
            box.runtime.host.configs.map((c) => c.name),
            `#${i} ${m.did}`,
          ).toEqual(want.map((d) => (d as { name: string }).name));
          // Back to the valid set so the next mutation starts from a known state.
          await box.runtime.redeploy(stringify({ drivers: VALID.drivers.slice(0, 1) }), 'fuzz-reset');
        } catch (err) {
          if ((err as Error).name !== 'EdgeError')
            throw new Error(`seed 1013 #${i} (${m.did}) failed unexpectedly: ${(err as Error).stack}`);
          expect(JSON.stringify(box.runtime.host.configs), `#${i} ${m.did}: a refused deploy changed the running set`).toBe(before);
        }
        expect(box.runtime.phase).toBe('running');
      }
      expect(applied).toBeGreaterThan(0);
      expect(box.runtime.health().status).not.toBe('stopping');
    }, 600_000);
  });
});
