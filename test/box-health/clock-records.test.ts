/**
 * Records stamped with the platform's time (issue 21, R41): a box whose Alink NTP answer says its
 * clock is 60 s behind decides a QR pass and stores the record 60 s later than its own clock, and
 * its drivers (own processes) stamp their reports with the platform time too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudYaml, DEMO_DRIVER, GATEWAY, startRig, type CloudRig } from '../cloud/helpers.js';
import { startBox, waitFor, type TestBox } from '../helpers/runtime.js';

const DOOR = 'PEDoorQr/clock-door.2';
const QR = `CLOCK${'q'.repeat(27)}`;
const AHEAD_MS = 60_000;

describe('records by the NTP-corrected clock', () => {
  let rig: CloudRig;
  let box: TestBox;

  beforeAll(async () => {
    rig = await startRig();
    box = await startBox(DEMO_DRIVER(1000) + cloudYaml(rig.broker.url));
  });

  afterAll(async () => {
    await box?.close();
    await rig?.close();
  });

  it('a QR pass decided by the box carries the platform time, 60 s ahead of the box clock', async () => {
    const cloud = () => box.runtime.cloud!;
    await waitFor(() => cloud().status().state === 'online' && cloud().clockOffsetMs !== undefined, 15_000);
    // The platform answers the box's NTP request with a clock 60 s ahead (doc 102509 fields).
    const sent = Date.now();
    const platform = String(sent + AHEAD_MS);
    await rig.cloud.raw(
      `/ext/ntp/${GATEWAY.productKey}/${GATEWAY.deviceName}/response`,
      JSON.stringify({ deviceSendTime: String(sent), serverRecvTime: platform, serverSendTime: platform }),
    );
    await waitFor(() => Math.abs((cloud().clockOffsetMs ?? 0) - AHEAD_MS) < 2_000, 10_000);
    const access = box.runtime.access!;
    const far = String(Date.now() + 86_400_000);
    const applied = access.applyPermissionText(
      DOOR,
      JSON.stringify({ qrCodePermissionList: [{ type: 1, qrCode: QR, startTime: '0', endTime: far, maxScanTimes: -1 }] }),
    );
    expect(applied.SyncPicStatus).toBe(0);
    const before = Date.now();
    expect(access.passage.decideQr(DOOR, QR).code).toBe(0);
    const after = Date.now();
    const time = await waitFor(
      () =>
        access.db.prepare("SELECT time FROM access_pass_records WHERE device_key = ? AND kind = 'qrCode'").pluck().get(DOOR) as
          | number
          | undefined,
      10_000,
    );
    expect(time).toBeGreaterThanOrEqual(before + AHEAD_MS - 2_000);
    expect(time).toBeLessThanOrEqual(after + AHEAD_MS + 2_000);
  });

  it("a driver's own reports carry the platform time too (the offset reaches the driver process)", async () => {
    // Set by the previous test; a driver started later gets it at init, a running one at once.
    expect(Math.abs((box.runtime.cloud!.clockOffsetMs ?? 0) - AHEAD_MS)).toBeLessThan(2_000);
    let stamped: { time: number; at: number } | undefined;
    box.runtime.events.on('test', 'device.properties', (p) => {
      const tv = Object.values(p.params)[0];
      if (p.deviceName === 'm1' && tv) stamped = { time: tv.time, at: Date.now() };
    });
    try {
      stamped = undefined;
      const report = await waitFor(() => stamped, 10_000);
      expect(report.time).toBeGreaterThanOrEqual(report.at + AHEAD_MS - 2_000);
      expect(report.time).toBeLessThanOrEqual(report.at + AHEAD_MS + 2_000);
      // A restarted driver gets the offset with its init.
      expect(await box.runtime.host.restartDriver('Demo_Sim_EBA_Meter')).toBe(true);
      await waitFor(() => box.runtime.host.driver('Demo_Sim_EBA_Meter')?.state === 'running', 20_000);
      stamped = undefined;
      const after = await waitFor(() => stamped, 10_000);
      expect(after.time).toBeGreaterThanOrEqual(after.at + AHEAD_MS - 2_000);
    } finally {
      box.runtime.events.removeAll('test');
    }
  });
});
