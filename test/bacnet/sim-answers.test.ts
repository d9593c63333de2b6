/**
 * The simulator's answer cache must not change what goes on the wire: a repeated read gets
 * the library's earlier answer with the new invoke id, a change of the objects it read (by
 * the field, by a write, or a priority slot set directly) makes it answer afresh, and the
 * behaviour switches (silent, no RPM, malformed RPM) still win over the cache.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import type { SimDevice } from '../../scripts/sim/bacnet/device.js';
import { AI, AO, freePort, startSim } from './helpers.js';

const objectId = (type: number, instance: number): number[] => {
  const v = ((type << 22) | instance) >>> 0;
  return [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
};

/** BVLC original unicast + NPDU expecting a reply + confirmed request header (max APDU 1476). */
function request(invokeId: number, service: number, body: number[]): Buffer {
  const bytes = [0x81, 0x0a, 0, 0, 0x01, 0x04, 0x00, 0x05, invokeId, service, ...body];
  bytes[2] = bytes.length >> 8;
  bytes[3] = bytes.length & 0xff;
  return Buffer.from(bytes);
}
const readProperty = (id: number, type: number, instance: number): Buffer =>
  request(id, 12, [0x0c, ...objectId(type, instance), 0x19, 0x55]);
const readMultiple = (id: number, objects: [number, number][]): Buffer =>
  request(
    id,
    14,
    objects.flatMap(([t, i]) => [0x0c, ...objectId(t, i), 0x1e, 0x09, 0x55, 0x09, 0x6f, 0x1f]),
  );

describe('simulator answer cache', () => {
  let sim: SimDevice;
  let sock: Socket;
  let port: number;
  const inbox: Buffer[] = [];

  async function ask(req: Buffer, timeoutMs = 1500): Promise<Buffer | undefined> {
    inbox.length = 0;
    sock.send(req, port, '127.0.0.41');
    // No answer (a device that stays silent) is an outcome of its own here, not a failure.
    await waitFor(() => inbox.length > 0, { timeoutMs, stepMs: 5 }).catch(() => undefined);
    return inbox.shift();
  }
  /** The answer with its invoke id (APDU octet 2, after the 6 octets of BVLC and NPDU) blanked. */
  const sansInvokeId = (b: Buffer): string => Buffer.concat([b.subarray(0, 7), b.subarray(8)]).toString('hex');

  beforeAll(async () => {
    port = await freePort('127.0.0.41');
    sim = await startSim({
      deviceId: 4100,
      host: '127.0.0.41',
      port,
      objects: [
        { type: AI, instance: 1, value: 21.5 },
        { type: AO, instance: 2, value: 16 },
      ],
    });
    sock = createSocket('udp4');
    sock.on('message', (m) => inbox.push(m));
    await new Promise<void>((r) => sock.bind(0, '127.0.0.42', () => r()));
  });

  afterAll(async () => {
    sock?.close();
    await sim?.stop();
  });

  it('answers a repeated ReadProperty with the same bytes and the new invoke id', async () => {
    const first = (await ask(readProperty(7, AI, 1)))!;
    const hits = sim.answers.counters.hits;
    const second = (await ask(readProperty(8, AI, 1)))!;
    expect(sim.answers.counters.hits).toBe(hits + 1);
    expect(first[6]).toBe(0x30);
    expect(first[7]).toBe(7);
    expect(second[7]).toBe(8);
    expect(sansInvokeId(second)).toBe(sansInvokeId(first));
    expect(sim.counters.rp).toBe(2);
  });

  it('answers afresh once the field, a write or a priority slot changes an object it read', async () => {
    const objects: [number, number][] = [
      [AI, 1],
      [AO, 2],
    ];
    const before = (await ask(readMultiple(20, objects)))!;
    expect(sansInvokeId((await ask(readMultiple(21, objects)))!)).toBe(sansInvokeId(before));
    sim.setValue(AI, 1, 22.5);
    const afterField = (await ask(readMultiple(22, objects)))!;
    expect(sansInvokeId(afterField)).not.toBe(sansInvokeId(before));
    expect(afterField.includes(Buffer.from([0x44, 0x41, 0xb4, 0x00, 0x00]))).toBe(true); // REAL 22.5
    sim.objects.get(`${AO}:2`)!.priority[4] = 30;
    const afterSlot = (await ask(readMultiple(23, objects)))!;
    expect(afterSlot.includes(Buffer.from([0x44, 0x41, 0xf0, 0x00, 0x00]))).toBe(true); // REAL 30
    // The same request to the cache-less library path gives the same bytes (the new state, encoded by the library).
    sim.answers.clear();
    expect(sansInvokeId((await ask(readMultiple(24, objects)))!)).toBe(sansInvokeId(afterSlot));
    sim.objects.get(`${AO}:2`)!.priority[4] = null;
  });

  it('lets the behaviour switches win over remembered answers', async () => {
    const objects: [number, number][] = [[AI, 1]];
    await ask(readMultiple(30, objects));
    sim.malformedRpm = true;
    expect((await ask(readMultiple(31, objects)))!.subarray(6).toString('hex')).toBe('301f0e0cffff');
    sim.malformedRpm = false;
    sim.options.rpm = false;
    expect((await ask(readMultiple(32, objects)))![6]).toBe(0x60); // reject
    sim.options.rpm = true;
    sim.silent = true;
    expect(await ask(readProperty(33, AI, 1), 300)).toBeUndefined();
    sim.silent = false;
    expect((await ask(readProperty(34, AI, 1)))![6]).toBe(0x30);
  });
});
