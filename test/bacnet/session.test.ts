/**
 * The session keeps no more requests in flight than its socket's receive buffer can hold
 * answers for (a burst beyond it is dropped by the kernel and costs each device a timeout),
 * and requests queued behind the bound all complete.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BacnetSession } from '../../protocols/bacnet/session.js';
import type { SimDevice } from '../../scripts/sim/bacnet/device.js';
import { AI, freePort, startSim } from './helpers.js';

describe('BACnet session in-flight bound', () => {
  let sim: SimDevice;
  const sessions: BacnetSession[] = [];

  beforeAll(async () => {
    const port = await freePort('127.0.0.45');
    sim = await startSim({
      deviceId: 4500,
      host: '127.0.0.45',
      port,
      objects: Array.from({ length: 40 }, (_, i) => ({ type: AI, instance: i + 1, value: i })),
    });
  });

  afterAll(async () => {
    for (const s of sessions) s.close();
    await sim?.stop();
  });

  async function session(recvBufferBytes: number | undefined): Promise<BacnetSession> {
    const s = new BacnetSession({
      bindAddress: '127.0.0.46',
      port: 0,
      broadcastAddress: '127.255.255.255',
      allowSend: (ip) => ip.startsWith('127.'),
      apduTimeoutMs: 2000,
      maxInFlight: 200,
      ...(recvBufferBytes ? { recvBufferBytes } : {}),
    });
    sessions.push(s);
    await s.start();
    return s;
  }

  it('asks for a large receive buffer by default', async () => {
    const s = await session(undefined);
    expect(s.transport.recvBufferBytes).toBeGreaterThan(0);
    expect(s.maxInFlight).toBeLessThanOrEqual(Math.max(1, Math.floor(s.transport.recvBufferBytes / 2560)));
  });

  it('bounds requests in flight by a small buffer, and every queued request completes', async () => {
    const s = await session(4096);
    expect(s.maxInFlight).toBeLessThan(200);
    let most = 0;
    const reads = Array.from({ length: 120 }, async (_, i) => {
      const p = s.readProperty(sim.address, AI, 1 + (i % 40), 85);
      most = Math.max(most, s.inFlight);
      return p;
    });
    const values = await Promise.all(reads);
    expect(most).toBeLessThanOrEqual(s.maxInFlight);
    expect(values.map((v) => v[0]?.value)).toEqual(Array.from({ length: 120 }, (_, i) => i % 40));
    expect(s.counters.timeouts).toBe(0);
  });
});
