/**
 * Contract tests: the same cases against every implementation of an interface that has more
 * than one.
 *
 * `HostServices` (edge/host/sdk/driver.ts, the driver's `ctx.host`) has two: the SDK's IPC client
 * in a driver's child process (edge/host/sdk/child.ts, answered by the DriverHost's registry), and
 * `inProcessHost` (edge/host/services.ts: drivers run in the host process, tests, benchmarks).
 * Both go to the same `HostServiceRegistry` here (the DriverHost's own), with the real access
 * core's handlers plus small handlers for real contract methods that throw or never answer; every
 * case must give the same outcome through both, and the outcome the contract promises.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessHostServices } from '../../edge/access/host-services.js';
import { edgeError, ERRORS, type Answer } from '../../edge/errors.js';
import { EventBus } from '../../edge/events.js';
import { DriverHost } from '../../edge/host/host.js';
import type { HostServices } from '../../edge/host/sdk/driver.js';
import { inProcessHost } from '../../edge/host/services.js';
import { silentLogger } from '../../edge/log.js';
import { ThingModelLibrary } from '../../edge/thing/library.js';
import { DeviceRegistry } from '../../edge/thing/registry.js';
import { makeCore, type TestCore } from '../access/helpers.js';

const DRIVER = 'Contract_Driver';
const M1 = 'PEDemoMeter/c1'; // deployed to DRIVER
const M2 = 'PEDemoMeter/c2'; // deployed to another driver

interface Call {
  method: string;
  args?: Record<string, unknown>;
  timeoutMs?: number;
}

/** What one call came to: an answer, or a rejection on the driver's side. */
type Outcome = { answer: Answer } | { rejected: string };

interface Case {
  call: Call;
  expect(o: Outcome): void;
}

const answer = (o: Outcome): Answer => {
  if (!('answer' in o)) throw new Error(`expected an answer, the call was rejected: ${o.rejected}`);
  return o.answer;
};

const CASES: Record<string, Case> = {
  success: {
    call: { method: 'access.desiredFaces', args: { deviceKey: M1 } },
    expect: (o) => expect(answer(o)).toEqual({ code: 200, message: 'success', data: { faces: [] } }),
  },
  successWithData: {
    call: { method: 'access.resetDeployments', args: { deviceKey: M1, kind: 'tradCard' } },
    expect: (o) => expect(answer(o)).toEqual({ code: 200, message: 'success', data: { queued: 2 } }),
  },
  unknownMethod: {
    call: { method: 'access.openAllDoors', args: { deviceKey: M1 } },
    expect: (o) =>
      expect(answer(o)).toEqual({
        code: ERRORS.EDGE_ERR_HOST_SERVICE_UNKNOWN.alink,
        message: expect.stringContaining('access.openAllDoors'),
      }),
  },
  malformedArgs: {
    call: { method: 'access.decideQr', args: { deviceKey: M1, code: 42 } },
    expect: (o) =>
      expect(answer(o)).toEqual({
        code: ERRORS.EDGE_ERR_HOST_CALL_INVALID.alink,
        message: expect.stringMatching(/access\.decideQr.*\/code/),
      }),
  },
  missingArgs: {
    call: { method: 'access.desiredFaces' },
    expect: (o) => expect(answer(o)).toEqual({ code: 460, message: expect.stringMatching(/\/deviceKey/) }),
  },
  notOwnedDevice: {
    call: { method: 'access.desiredFaces', args: { deviceKey: M2 } },
    expect: (o) =>
      expect(answer(o)).toEqual({
        code: ERRORS.EDGE_ERR_DEVICE_NOT_OWNED.alink,
        message: expect.stringMatching(new RegExp(`${M2}.*${DRIVER}`)),
      }),
  },
  unknownDevice: {
    call: { method: 'access.desiredFaces', args: { deviceKey: 'PEDemoMeter/nobody' } },
    expect: (o) => expect(answer(o)).toMatchObject({ code: 6105 }),
  },
  throwingHandler: {
    call: { method: 'faceQueue.heldPersons', args: { deviceKey: M1, ids: ['p1'] } },
    expect: (o) => expect(answer(o)).toEqual({ code: 500, message: 'boom' }),
  },
  edgeErrorHandler: {
    call: { method: 'faceQueue.cancel', args: { deviceKey: M1, msgId: 'm1' } },
    expect: (o) =>
      expect(answer(o)).toEqual({ code: ERRORS.EDGE_ERR_STORE_UNAVAILABLE.alink, message: expect.stringContaining('disk full') }),
  },
  neverAnswers: {
    call: { method: 'faceQueue.get', args: { deviceKey: M1, msgId: 'm1' }, timeoutMs: 300 },
    expect: (o) => expect(o).toEqual({ rejected: expect.stringMatching(/faceQueue\.get did not answer within 300 ms/) }),
  },
};

/** How long an implementation may take to answer or reject before the test calls it hung. */
const GUARD_MS = 3000;

async function outcomeOf(p: Promise<Answer>): Promise<Outcome> {
  let guard: NodeJS.Timeout | undefined;
  try {
    const a = await Promise.race([
      p,
      new Promise<never>(
        (_, reject) => (guard = setTimeout(() => reject(new Error(`HUNG: neither answered nor rejected within ${GUARD_MS} ms`)), GUARD_MS)),
      ),
    ]);
    return { answer: a };
  } catch (err) {
    return { rejected: (err as Error).message };
  } finally {
    clearTimeout(guard);
  }
}

describe('HostServices: the IPC client of a driver process and inProcessHost', () => {
  const dir = mkdtempSync(join(tmpdir(), 'contract-'));
  const log = silentLogger();
  const events = new EventBus(log);
  const registry = new DeviceRegistry({ events, log });
  const host = new DriverHost({
    registry,
    events,
    models: ThingModelLibrary.fromDirs([resolve('config/tsl')]),
    log,
    logDir: join(dir, 'logs'),
    dataDir: join(dir, 'data'),
  });
  let t: TestCore;

  /** The implementations, each turning a call into its outcome. */
  const implementations: Record<string, (c: Call) => Promise<Outcome>> = {
    // The fixture driver makes the planned call through its ctx.host and answers with it (599: rejected).
    ipc: async (c) => {
      const name = Object.entries(CASES).find(([, k]) => k.call === c)![0];
      const a = await host.callService('PEDemoMeter', 'c1', 'ResetEnergy', { Reason: name }, GUARD_MS + 2000);
      return a.code === 599 ? { rejected: a.message } : { answer: a };
    },
    inProcess: (c) => {
      const h: HostServices = inProcessHost(host.services, DRIVER);
      return outcomeOf(h.call(c.method, c.args, c.timeoutMs));
    },
  };

  beforeAll(async () => {
    t = makeCore();
    t.core.applyPermissionText(
      M1,
      JSON.stringify({
        tradCardPermissionList: [
          { type: 1, cardId: 'C1', endTime: '4102444800000' },
          { type: 1, cardId: 'C2', endTime: '4102444800000' },
        ],
      }),
    );
    host.registerServices(accessHostServices(t.core));
    host.registerServices({
      'faceQueue.heldPersons': () => {
        throw new Error('boom');
      },
      'faceQueue.cancel': () => {
        throw edgeError('EDGE_ERR_STORE_UNAVAILABLE', 'disk full');
      },
      'faceQueue.get': () => new Promise(() => undefined),
    });
    const fixture = resolve('test/access/fixtures/host-call-driver.ts');
    const calls = Object.fromEntries(Object.entries(CASES).map(([name, k]) => [name, k.call]));
    await host.deploy([
      { name: DRIVER, module: fixture, config: { calls }, devices: [{ productKey: 'PEDemoMeter', deviceName: 'c1' }] },
      { name: 'Contract_Other', module: fixture, config: { calls: {} }, devices: [{ productKey: 'PEDemoMeter', deviceName: 'c2' }] },
    ]);
    await host.whenReady(20_000);
  }, 30_000);

  afterAll(async () => {
    await host.stop();
    t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const impl of Object.keys(implementations)) {
    describe(impl, () => {
      for (const [name, k] of Object.entries(CASES)) {
        it(
          name,
          async () => {
            k.expect(await implementations[impl]!(k.call));
          },
          GUARD_MS + 5000,
        );
      }
    });
  }

  it('gives identical answers through both implementations', async () => {
    for (const [name, k] of Object.entries(CASES)) {
      if (name === 'neverAnswers') continue; // compared by the per-implementation cases (the message names the limit)
      const [ipc, inProcess] = await Promise.all([implementations.ipc!(k.call), implementations.inProcess!(k.call)]);
      expect({ name, outcome: inProcess }).toEqual({ name, outcome: ipc });
    }
  });
});
