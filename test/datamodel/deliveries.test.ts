/**
 * Local subscribers: each new record goes to the subscribers of its model and again, with backoff,
 * until acknowledged; pending deliveries survive a restart. Fake timers stand for the 30 s.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ackTopic, deliveryTopic } from '../../edge/datamodel/deliveries.js';
import { startDataModel, type TestDataModel } from './helpers.js';

const SUBSCRIBERS = [
  { name: 'console-app', models: ['iot_park_pass_record'] },
  { name: 'logger', models: ['*'] },
];
const PASS = { plateNumber: '浙A5C393', direction: 0 };

let t: TestDataModel;

const sentTo = (subscriber: string) => t.published.filter((p) => p.topic.startsWith(`/edge/datamodel/${subscriber}/`));

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  t = await startDataModel({ subscribers: SUBSCRIBERS, maxDeliveries: 4, maxBackoffS: 90 }, { files: false });
});

afterEach(async () => {
  await t.close();
  vi.useRealTimers();
});

describe('data-model subscribers', () => {
  it('delivers a new record at once to the subscribers of its model, with what they need to acknowledge it', async () => {
    const r = t.service.insert('parking', 'iot_park_pass_record', PASS);
    t.service.insert('parking', 'Heartbeat', { status: 1 });
    await vi.advanceTimersByTimeAsync(0);
    expect(sentTo('console-app')).toHaveLength(1);
    expect(sentTo('logger')).toHaveLength(2);
    const m = sentTo('console-app')[0]!;
    expect(m.topic).toBe(deliveryTopic('console-app', 'iot_park_pass_record'));
    expect(m.body).toMatchObject({
      dataId: r.dataId,
      modelId: 'iot_park_pass_record',
      properties: PASS,
      attempt: 1,
      ackTopic: ackTopic('console-app'),
    });
  });

  it('sends an unacknowledged record again after 30 s, then after twice as long, and stops once acknowledged', async () => {
    const r = t.service.insert('parking', 'iot_park_pass_record', PASS);
    await vi.advanceTimersByTimeAsync(0);
    t.service.deliveries.onAckMessage(ackTopic('logger'), Buffer.from(JSON.stringify({ dataId: r.dataId })));
    await vi.advanceTimersByTimeAsync(29_000);
    expect(sentTo('console-app')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sentTo('console-app').map((p) => p.body.attempt)).toEqual([1, 2]);
    expect(sentTo('console-app')[1]!.body.dataId).toBe(r.dataId); // the same dataId: subscribers de-duplicate by it (R50)
    await vi.advanceTimersByTimeAsync(59_000);
    expect(sentTo('console-app')).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sentTo('console-app')).toHaveLength(3);
    t.service.deliveries.onAckMessage(ackTopic('console-app'), Buffer.from(JSON.stringify({ dataIds: [r.dataId] })));
    await vi.advanceTimersByTimeAsync(600_000);
    expect(sentTo('console-app')).toHaveLength(3);
    expect(sentTo('logger')).toHaveLength(1);
    expect(t.service.deliveries.pending()).toEqual({ 'console-app': 0, logger: 0 });
  });

  it('gives up after maxDeliveries, waiting at most maxBackoffS between them', async () => {
    t.service.insert('parking', 'Heartbeat', { status: 1 });
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(30_000 + 60_000 + 90_000);
    expect(sentTo('logger').map((p) => p.body.attempt)).toEqual([1, 2, 3, 4]);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(sentTo('logger')).toHaveLength(4);
    expect(t.service.deliveries.pending()).toEqual({ logger: 0 });
  });

  it('ignores acks that are not JSON, name no ids, or name another subscriber', async () => {
    const r = t.service.insert('parking', 'iot_park_pass_record', PASS);
    await vi.advanceTimersByTimeAsync(0);
    for (const [topic, payload] of [
      [ackTopic('console-app'), 'not json'],
      [ackTopic('console-app'), '{"dataId":"abc"}'],
      [ackTopic('console-app'), '{}'],
      ['/datamodel/../ack', JSON.stringify({ dataId: r.dataId })],
      [ackTopic('someone-else'), JSON.stringify({ dataId: r.dataId })],
    ] as const)
      t.service.deliveries.onAckMessage(topic, Buffer.from(payload));
    expect(t.service.deliveries.pending()).toEqual({ 'console-app': 1, logger: 1 });
  });

  it('spends no attempt while the bus is down, and delivers when it is back', async () => {
    t.bus.up = false;
    t.service.insert('parking', 'Heartbeat', { status: 1 });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(t.published).toHaveLength(0);
    t.bus.up = true;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(sentTo('logger').map((p) => p.body.attempt)).toEqual([1]);
  });

  it('keeps pending deliveries across a restart', async () => {
    const r = t.service.insert('parking', 'iot_park_pass_record', PASS);
    await vi.advanceTimersByTimeAsync(0);
    expect(sentTo('console-app')).toHaveLength(1);
    t = await t.restart();
    expect(t.service.deliveries.pending()).toEqual({ 'console-app': 1, logger: 1 });
    await vi.advanceTimersByTimeAsync(30_000);
    const again = sentTo('console-app');
    expect(again).toHaveLength(1);
    expect(again[0]!.body).toMatchObject({ dataId: r.dataId, attempt: 2 });
  });

  it('drops the deliveries of records that retention removed', async () => {
    await t.close();
    t = await startDataModel({ subscribers: SUBSCRIBERS, maxRecords: 2 }, { files: false });
    t.bus.up = false;
    const first = t.service.insert('parking', 'Heartbeat', { status: 1 });
    t.service.insert('parking', 'Heartbeat', { status: 2 });
    t.service.insert('parking', 'Heartbeat', { status: 3 });
    expect(t.service.records.get(first.dataId)).toBeUndefined();
    expect(t.service.status()).toMatchObject({ records: 2, pendingDeliveries: { logger: 2 } });
    await vi.advanceTimersByTimeAsync(0);
    expect(t.published).toHaveLength(0);
    t.bus.up = true;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(sentTo('logger').map((p) => [p.body.dataId, p.body.attempt])).toEqual([
      [first.dataId + 1, 1],
      [first.dataId + 2, 1],
    ]);
  });

  it('keeps at most maxPendingPerSubscriber unacknowledged records per subscriber, the newest', async () => {
    await t.close();
    t = await startDataModel({ subscribers: [{ name: 'logger', models: ['*'] }], maxPendingPerSubscriber: 3 }, { files: false });
    t.bus.up = false;
    const ids = [1, 2, 3, 4, 5].map((i) => t.service.insert('parking', 'Heartbeat', { status: i }).dataId);
    expect(t.service.deliveries.pending()).toEqual({ logger: 3 });
    await vi.advanceTimersByTimeAsync(0);
    t.bus.up = true;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(sentTo('logger').map((p) => p.body.dataId)).toEqual(ids.slice(2));
  });
});
