/**
 * The whole path on a real box: runtime with the access core and local bus, the door driver in
 * its child process, and a simulated door. A QR scan is decided offline and recorded by the access
 * core (shown on the local bus with its pass id), a remote open published on the local bus opens
 * the door.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedDoor } from '../../scripts/sim/door-standard/door.js';
import { connectDoor, freePort, startBox, waitFor, type TestBox } from '../helpers/runtime.js';

let box: TestBox;
let door: SimulatedDoor;
let client: MqttClient;
const replies: { topic: string; body: Record<string, unknown> }[] = [];

beforeAll(async () => {
  const boxPort = await freePort();
  door = new SimulatedDoor({ sn: 'DEMO-DOOR-01', ip: '127.0.0.1', port: 0, edgeUrl: `http://127.0.0.1:${boxPort}`, keepaliveS: 10 });
  await door.start();
  const custom = `{ ip: 127.0.0.1, port: ${door.port} }`;
  box = await startBox(`
drivers:
  - name: Property_Door_PerAccess_Standard
    type: door-standard
    config: { host: 127.0.0.1, port: ${boxPort}, boxIp: 127.0.0.1 }
    devices:
      - { productKey: PEDoorQr, deviceName: DEMO-DOOR-01.2, custom: ${custom} }
      - { productKey: PEDoorCard, deviceName: DEMO-DOOR-01.3, custom: ${custom} }
`);
  const user = box.busApp();
  client = await mqtt.connectAsync(`mqtt://127.0.0.1:${box.runtime.busPort}`, {
    username: user.username,
    password: user.password,
    reconnectPeriod: 0,
  });
  client.on('message', (topic, payload) => replies.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown> }));
  await client.subscribeAsync(['/sys/#']);
}, 60_000);

afterAll(async () => {
  await client?.endAsync();
  await door?.stop();
  await box?.close();
});

describe('door-standard on a real box', () => {
  it('registers the simulated door, decides its QR scan offline and opens it from the local bus', async () => {
    await connectDoor(door);
    const code = 'ALI5466697328cff9121c21cf59dcec4'; // the seed's own test QR code (L34895)
    box.runtime.access!.applyPermissionText(
      'PEDoorQr/DEMO-DOOR-01.2',
      JSON.stringify({
        qrCodePermissionList: [
          {
            type: 1,
            qrCode: code,
            startTime: String(Date.now() - 60_000),
            endTime: String(Date.now() + 3_600_000),
            maxScanTimes: 10,
            maxScanScope: 'DEVICE',
          },
        ],
      }),
    );
    expect(await door.scanQr(code)).toMatchObject({ code: 0, message: 'success' });
    expect((await door.scanQr('X'.repeat(32))).code).toBe(1);
    // Both scans are stored by the access core (the allowed one and the refused one), each with its
    // one id, and shown on the local bus as the seed's passEvent carrying that id.
    const [refused, allowed] = box.runtime.access!.records.list({ deviceKey: 'PEDoorQr/DEMO-DOOR-01.2' });
    expect(allowed).toMatchObject({ kind: 'qrCode', content: code, code: 0 });
    expect(refused).toMatchObject({ kind: 'qrCode', content: 'X'.repeat(32), code: 103 });
    const passes = await waitFor(() => {
      const p = replies.filter((m) => m.topic === '/sys/PEDoorQr/DEMO-DOOR-01.2/thing/event/passEvent/post');
      return p.length >= 2 ? p : undefined;
    });
    const value = (m: { body: Record<string, unknown> }) => (m.body.params as { value: Record<string, unknown> }).value;
    expect(value(passes[0]!)).toMatchObject({ type: 'qrCode', content: code, code: 0 });
    expect(JSON.parse(value(passes[0]!).extInfo as string)).toMatchObject({ passId: allowed!.pass_id });
    expect(value(passes[1]!)).toMatchObject({ type: 'qrCode', code: 103 });
    expect(JSON.parse(value(passes[1]!).extInfo as string)).toMatchObject({ passId: refused!.pass_id });

    await waitFor(() => box.runtime.registry.get('PEDoorQr', 'DEMO-DOOR-01.2')?.status === 'online', 10_000);
    client.publish('/sys/PEDoorQr/DEMO-DOOR-01.2/thing/service/remoteOpen', JSON.stringify({ id: 'open-1', params: {} }));
    const answer = await waitFor(() => replies.find((m) => m.topic === '/sys/PEDoorQr/DEMO-DOOR-01.2/thing/service/remoteOpen_reply'));
    expect(answer.body).toMatchObject({ id: 'open-1', code: 200 });
    expect(door.state.opens).toBe(2);
  });
});
