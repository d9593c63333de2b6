/** The simulator's per-device latency: one request at a time per unit, units in parallel. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModbusClient } from '../../protocols/modbus/client.js';
import { readRequest } from '../../protocols/modbus/frames.js';
import { startSlaveServer, type SlaveServer } from '../../protocols/modbus/server.js';
import { SimData } from '../../scripts/sim/modbus/data.js';

describe('simulator latency', () => {
  let server: SlaveServer;
  let client: ModbusClient;

  beforeAll(async () => {
    server = await startSlaveServer(new SimData([1, 2, 3], 8, (u) => `U${u}`), 0, '127.0.0.1', { min: 150, max: 150 });
    client = new ModbusClient({ maxInFlight: 8, timeoutMs: 5000 });
    await client.connectTcp('127.0.0.1', server.port);
  });

  afterAll(async () => {
    client?.close();
    await server?.close();
  });

  it("answers one unit's requests one after the other", async () => {
    const t0 = performance.now();
    await Promise.all([1, 1, 1].map((u) => client.request(u, readRequest(3, 0, 4))));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(445); // 3 × 150 ms, queued at the device
  });

  it('lets different units work at the same time', async () => {
    const t0 = performance.now();
    const answers = await Promise.all([1, 2, 3].map((u) => client.request(u, readRequest(3, 0, 4))));
    const took = performance.now() - t0;
    expect(answers.every((a) => a[0] === 3 && a[1] === 8)).toBe(true);
    expect(took).toBeGreaterThanOrEqual(145);
    expect(took).toBeLessThan(400); // one after the other would take 450 ms
  });
});
