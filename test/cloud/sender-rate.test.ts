/** The sender's rate limit (`cloud.outbox.maxPerSecond`): a one-second burst, then the configured pace; every row still goes, in order. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { observeFor } from '../helpers/wait.js';
import { Outbox } from '../../edge/cloud/outbox/outbox.js';
import { Sender } from '../../edge/cloud/sender.js';
import { silentLogger } from '../../edge/log.js';
import { openDatabase } from '../../edge/store/db.js';
import { waitFor } from '../helpers/runtime.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A connection that acknowledges every publish at once and notes when it was sent. */
function fakeClient(sent: Array<{ at: number; id: string }>): MqttClient {
  return {
    publish(_topic: string, payload: string, _opts: unknown, cb: (err?: Error) => void) {
      sent.push({ at: Date.now(), id: (JSON.parse(payload) as { id: string }).id });
      setImmediate(() => cb());
    },
  } as unknown as MqttClient;
}

/** An outbox holding `n` messages of one device and a sender on a fake connection. */
function setup(n: number, maxPerSecond?: number) {
  const dir = mkdtempSync(join(tmpdir(), 'pe-rate-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'edge.db'));
  const outbox = new Outbox({ db, log: silentLogger() }, { quotaBytes: 1e9 });
  for (let i = 0; i < n; i++)
    outbox.enqueue({
      productKey: 'pk',
      deviceName: 'd',
      class: 'property',
      topic: '/sys/pk/d/thing/event/property/post',
      payload: (id) => JSON.stringify({ id }),
    });
  outbox.flush();
  const sent: Array<{ at: number; id: string }> = [];
  const sender = new Sender(
    { outbox, log: silentLogger(), hooks: { onPublished: () => undefined, onAcked: () => undefined, onDrained: () => undefined } },
    { window: 1000, historyAfterMs: 60_000, ...(maxPerSecond ? { maxPerSecond } : {}) },
  );
  sender.attach(fakeClient(sent));
  return {
    outbox,
    sent,
    sender,
    close: () => {
      sender.detach();
      db.close();
    },
  };
}

describe('sender rate limit', () => {
  it('publishes at most a second of burst, then the configured rate, and sends everything in order', async () => {
    const { outbox, sent, sender, close } = setup(250, 100);
    const start = Date.now();
    sender.open();
    await observeFor(500); // the measured window: one burst plus half a second at the rate
    expect(sent.length).toBeGreaterThanOrEqual(100); // the first second's burst
    expect(sent.length).toBeLessThanOrEqual(100 + 55); // + at most half a second at 100/s
    await waitFor(() => outbox.depth === 0, 5000);
    const took = Date.now() - start;
    expect(took).toBeGreaterThanOrEqual(1400); // 250 = 100 burst + 150 at 100/s
    expect(sent.map((s) => Number(s.id))).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    // No second holds more than a burst plus a second's worth.
    for (const s of sent) expect(sent.filter((x) => x.at >= s.at && x.at < s.at + 1000).length).toBeLessThanOrEqual(205);
    close();
  });

  it('sends as fast as the window allows with no limit', async () => {
    const { outbox, sent, sender, close } = setup(2000);
    sender.open();
    await waitFor(() => outbox.depth === 0, 5000);
    expect(sent).toHaveLength(2000);
    close();
  });
});
