/** The elevator scenario tests' box (rig.ts with the cloud stand-in) and their cloud-side steps. */
import { afterAll, beforeAll, expect } from 'vitest';
import type { Post } from '../../scripts/sim/cloud/stand-in.js';
import { DAY, DEV, GW, key, startElevatorBox, type ElevatorBox } from './rig.js';

export const USER = '500eopb710fa6e2af4e85fcae3388cdb3dad2900'; // the seed's user (L26771)
export const qr = (n: number) => `ALI${String(n).padStart(29, '0')}`;

/** Starts one box for the calling test file (beforeAll/afterAll) and gives the steps on it. */
export function scenarioBox() {
  let box: ElevatorBox | undefined;
  beforeAll(async () => {
    box = await startElevatorBox({ cloud: true });
  }, 120_000);
  afterAll(async () => {
    await box?.close();
  });
  const eb = (): ElevatorBox => box!;
  const cloud = () => eb().rig!.cloud;
  const engine = () => eb().box.runtime.elevators!.engine;

  async function gatewayService(id: string, params: Record<string, unknown>) {
    const r = await cloud().invoke(GW.productKey, GW.deviceName, id, params);
    expect(r, `${id} ${JSON.stringify(params)}`).toMatchObject({ code: 200 });
    return r.data;
  }

  async function addRelation(params: Record<string, unknown>): Promise<string> {
    return String(await gatewayService('ElevatorLinkageDeviceAdd', params));
  }

  /** Give `userId` a QR code valid on `device` (the door permission the seed says is pushed separately, L26345). */
  function permitQr(device: { productKey: string; deviceName: string }, code: string, userId: string): void {
    eb().box.runtime.access!.applyPermissionText(
      key(device),
      JSON.stringify({
        qrCodePermissionList: [
          { type: 1, qrCode: code, userId, startTime: String(Date.now() - DAY), endTime: String(Date.now() + DAY), maxScanTimes: -1 },
        ],
      }),
    );
  }

  function recordsAtCloud(): Array<Record<string, unknown>> {
    return cloud()
      .postsOf(DEV.gateway.productKey, DEV.gateway.deviceName)
      .filter((p: Post) => p.kind === 'event:AutoElevatorCallRecord')
      .map((p) => (p.body.params as { value: Record<string, unknown> }).value);
  }

  function recordAtCloud(eventId: string): Promise<Record<string, unknown>> {
    return cloud().waitFor(() => recordsAtCloud().find((r) => r.eventId === eventId), 15_000, `record ${eventId} at the cloud`);
  }

  return { eb, cloud, engine, gatewayService, addRelation, permitQr, recordsAtCloud, recordAtCloud };
}
