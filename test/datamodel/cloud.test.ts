/**
 * The data-model API in the running box: records inserted over HTTP while the cloud is away are
 * stored at once, reach a local-bus subscriber (which acknowledges them on its ack topic), and go
 * up as the gateway's `EdgeDataModel` events in the history form once the cloud stand-in is
 * reachable; a record made online goes up in realtime.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBox, waitFor, type TestBox } from '../helpers/runtime.js';
import { cloudYaml, startRig, type CloudRig } from '../cloud/helpers.js';
import { APPS, call, recordsAtCloud } from './helpers.js';

let rig: CloudRig;
let box: TestBox;
let app: MqttClient;
const received: Array<{ topic: string; dataId: number; attempt: number }> = [];
const base = () => `http://127.0.0.1:${box.runtime.dataModel!.port}`;
const cloudState = (dataId: number) =>
  (box.runtime.db.prepare('SELECT cloud FROM datamodel_records WHERE data_id = ?').get(dataId) as { cloud: number }).cloud;

beforeAll(async () => {
  rig = await startRig();
  await rig.broker.stop(); // the box starts with the cloud away
  box = await startBox(`
files: { port: 0 }
dataModel: { port: 0, subscribers: [{ name: console-app, models: [iot_park_pass_record] }] }
${cloudYaml(rig.broker.url)}`);
  box.runtime.appCredentials = (k) => APPS[k];
  const user = box.busApp('console-app', { read: ['/edge/datamodel/console-app/#'], write: ['/datamodel/console-app/ack'] });
  app = await mqtt.connectAsync(`mqtt://127.0.0.1:${box.runtime.busPort}`, { ...user, reconnectPeriod: 0 });
  app.on('message', (topic, payload) => {
    const m = JSON.parse(payload.toString()) as { dataId: number; attempt: number };
    received.push({ topic, dataId: m.dataId, attempt: m.attempt });
  });
  await app.subscribeAsync('/edge/datamodel/console-app/#', { qos: 1 });
}, 90_000);

afterAll(async () => {
  await app?.endAsync();
  await box?.close();
  await rig?.close();
});

describe('data-model records in the box', () => {
  it('stores records offline, delivers them to the subscriber, and sends them up when the cloud comes', async () => {
    expect(box.runtime.cloud?.status().state).not.toBe('online');
    const ids: number[] = [];
    for (let i = 1; i <= 3; i++) {
      const r = await call(base(), '/data/model/data/insert', {
        modelId: 'iot_park_pass_record',
        properties: { plateNumber: `P${i}`, direction: 0 },
      });
      expect(r.json.code).toBe(200);
      ids.push(r.json.data as number);
    }
    await waitFor(() => ids.every((id) => received.some((m) => m.dataId === id)), {
      timeoutMs: 10_000,
      what: 'the subscriber got every record',
    });
    expect(received[0]!.topic).toBe('/edge/datamodel/console-app/data/iot_park_pass_record');
    await app.publishAsync('/datamodel/console-app/ack', JSON.stringify({ dataIds: ids }), { qos: 1 });
    await waitFor(() => box.runtime.dataModel!.deliveries.pending()['console-app'] === 0, { timeoutMs: 10_000, what: 'acks applied' });
    expect(recordsAtCloud(rig.cloud.posts)).toHaveLength(0);

    await rig.broker.start();
    const up = await waitFor(
      () => {
        const got = recordsAtCloud(rig.cloud.posts).filter((r) => ids.includes(r.dataId));
        return got.length >= 3 ? got : undefined;
      },
      { timeoutMs: 30_000, what: 'the offline records at the cloud' },
    );
    expect(up.map((r) => r.form)).toEqual(['history', 'history', 'history']);
    expect(up.find((r) => r.dataId === ids[1])).toMatchObject({ modelId: 'iot_park_pass_record', properties: { plateNumber: 'P2' } });
    await waitFor(() => ids.every((id) => cloudState(id) === 2), { timeoutMs: 10_000, what: 'the platform acknowledged them' });
  }, 60_000);

  it('sends a record made online up at once as the EdgeDataModel event', async () => {
    await waitFor(() => box.runtime.cloud?.status().state === 'online', 20_000);
    const r = await call(base(), '/data/model/data/insert', { modelId: 'Heartbeat', properties: { status: 1 } });
    const dataId = r.json.data as number;
    const got = await waitFor(() => recordsAtCloud(rig.cloud.posts).find((x) => x.dataId === dataId), { timeoutMs: 15_000 });
    expect(got).toMatchObject({ modelId: 'Heartbeat', properties: { status: 1 }, form: 'event' });
    expect(received.some((m) => m.dataId === dataId)).toBe(false); // not one of the subscriber's models
    const health = box.runtime.health();
    expect(health.dataModel).toMatchObject({ records: 4, pendingDeliveries: { 'console-app': 0 } });
    expect((health.listeners as Array<{ protocol: string; port: number }>).find((l) => l.protocol === 'http-datamodel')?.port).toBe(
      box.runtime.dataModel!.port,
    );
  }, 30_000);
});
