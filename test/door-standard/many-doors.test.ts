import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/runtime.js';
import { qrEntry, startHarness, type Harness } from './harness.js';

/** 200 doors: the pedestrian box's capacity (seed 001 L11407), each on its own 127.0.0.x. */
const N = 200;
const ipOf = (i: number) => `127.0.${1 + Math.floor(i / 250)}.${2 + (i % 250)}`;

let hx: Harness;
beforeAll(async () => {
  hx = await startHarness();
  for (let i = 0; i < N; i++) {
    await hx.addDoor(`DOOR-${String(i).padStart(4, '0')}`, ipOf(i), {
      devices: (port) => [
        { productKey: 'PEDoorQr', deviceName: `DOOR-${String(i).padStart(4, '0')}.2`, custom: { ip: ipOf(i), port } },
        { productKey: 'PEDoorCard', deviceName: `DOOR-${String(i).padStart(4, '0')}.3`, custom: { ip: ipOf(i), port } },
      ],
    });
  }
}, 120_000);
afterAll(async () => {
  await hx.close();
});

describe('door-standard at capacity', () => {
  it(`connects ${N} simulated doors at once and serves QR scans on all of them`, async () => {
    const replies = await Promise.all(hx.doors.map((d) => d.connect()));
    expect(replies.filter((r) => r.code === 0)).toHaveLength(N);
    await waitFor(() => [...hx.driver.terminals.values()].every((t) => t.state === 'online'), 60_000, 100);
    expect(new Set(hx.doors.map((d) => d.edge.token)).size).toBe(N);
    const code = 'Z'.repeat(32);
    for (let i = 0; i < N; i++)
      hx.permit(`PEDoorQr/DOOR-${String(i).padStart(4, '0')}.2`, { qrCodePermissionList: [qrEntry(code, 'u-200')] });
    const scans = await Promise.all(hx.doors.map((d) => d.scanQr(code)));
    expect(scans.every((r) => r.code === 0)).toBe(true);
    expect(hx.doors.every((d) => d.state.opens === 1)).toBe(true);
    // One committed record per door, each with its own id and its outbox row.
    const recs = hx.records().filter((r) => r.kind === 'qrCode');
    expect(new Set(recs.map((r) => r.device_key)).size).toBe(N);
    expect(new Set(recs.map((r) => r.pass_id)).size).toBe(N);
    expect(recs.every((r) => r.code === 0 && r.uploaded === 1)).toBe(true);
    expect(hx.store.outbox.of('passEvent').filter((m) => m.ref?.startsWith('pass:'))).toHaveLength(N);
  }, 120_000);
});
