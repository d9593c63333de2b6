/** Issue 14: one local app cannot take another's MQTT client id (and so kick it off the bus). */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBox, type TestBox } from '../helpers/runtime.js';

let box: TestBox;
const A = { username: 'app-a', password: 'app-a-password-1' };
const B = { username: 'app-b', password: 'app-b-password-1' };

beforeAll(async () => {
  box = await startBox(`bus: { users: [ ${JSON.stringify(A)}, ${JSON.stringify(B)} ] }\ndrivers: []\n`);
}, 30_000);
afterAll(async () => {
  await box?.close();
});

const url = () => `mqtt://127.0.0.1:${box.runtime.busPort}`;

describe('client ids on the local bus', () => {
  it('another user cannot take over a connected client id; the same user can', async () => {
    const a = await mqtt.connectAsync(url(), { ...A, clientId: 'door-app', reconnectPeriod: 0 });
    await expect(mqtt.connectAsync(url(), { ...B, clientId: 'door-app', reconnectPeriod: 0 })).rejects.toThrow(
      /Identifier rejected|client id/i,
    );
    expect(a.connected).toBe(true);
    const kicked = new Promise<void>((r) => a.once('close', () => r()));
    const again = await mqtt.connectAsync(url(), { ...A, clientId: 'door-app', reconnectPeriod: 0 });
    await kicked; // MQTT: a new connection with the same id replaces the old one — of the same user
    expect(again.connected).toBe(true);
    await again.endAsync();
    await a.endAsync(true);
  });
});
