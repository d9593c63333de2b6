/**
 * Cloud uplink benchmark against a real mosquitto (run: `npm run bench -- cloud`):
 *  1. baseline: a raw mqtt.js QoS 1 publish loop (same window, same payload size);
 *  2. sustained uplink through the outbox (group-committed SQLite insert → publish → PUBACK →
 *     delete), producer and sender running together; ratio against the baseline;
 *  3. replay of 1,000,000 messages queued during an outage;
 *  4. outbox cost per message (enqueue, acknowledge);
 *  5. per-device posts against the gateway pack post (cloud.packPost): CPU at a realistic
 *     load (2,000 sub-devices once a second) and the ceiling in reports per second.
 * Logging is off (silent logger): the figure is about the outbox and the link, not pino.
 * Last line: one JSON object.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { Outbox, type OutboxInput } from '../../edge/cloud/outbox/outbox.js';
import { Sender } from '../../edge/cloud/sender.js';
import { silentLogger } from '../../edge/log.js';
import { openDatabase } from '../../edge/store/db.js';
import { Mosquitto } from '../sim/cloud/broker.js';
import { packComparison } from './cloud/pack.js';

const SUSTAINED = Number(process.env.BENCH_SUSTAINED ?? 200_000);
const REPLAY = Number(process.env.BENCH_REPLAY ?? 1_000_000);
const PACK_S = Number(process.env.BENCH_PACK_S ?? 8);
const PACK_CEILING = Number(process.env.BENCH_PACK_CEILING ?? 100_000);
const WINDOW = 1000;
const DEVICES = 100;
const log = silentLogger();

const body = (id: string, i: number) =>
  JSON.stringify({
    id,
    version: '1.0',
    params: { Voltage: { value: 220.1 + (i % 7), time: 1_700_000_000_000 + i }, Current: { value: 5.25, time: 1_700_000_000_000 + i } },
    method: 'thing.event.property.post',
  });
const input = (i: number): OutboxInput => {
  const dn = `m${i % DEVICES}`;
  return {
    productKey: 'PEDemoMeter',
    deviceName: dn,
    class: 'property',
    topic: `/sys/PEDemoMeter/${dn}/thing/event/property/post`,
    payload: (id) => body(id, i),
  };
};

async function baseline(url: string, n: number): Promise<number> {
  const client = await mqtt.connectAsync(url, { clientId: 'bench-raw' });
  const t0 = performance.now();
  let sent = 0;
  let acked = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (sent < n && sent - acked < WINDOW) {
        const i = sent++;
        client.publish(`/sys/PEDemoMeter/m${i % DEVICES}/thing/event/property/post`, body(String(i), i), { qos: 1 }, () => {
          if (++acked === n) resolve();
          else if (sent - acked < WINDOW / 2) setImmediate(pump);
        });
      }
    };
    pump();
  });
  const rate = n / ((performance.now() - t0) / 1000);
  await client.endAsync();
  return rate;
}

function makeSender(outbox: Outbox, onDrained: () => void): Sender {
  return new Sender(
    { outbox, log, hooks: { onPublished: () => undefined, onAcked: () => undefined, onDrained } },
    { window: WINDOW, historyAfterMs: 3_600_000 },
  );
}

async function sustained(url: string, dir: string, n: number): Promise<{ rate: number; acked: number; depth: number }> {
  const db = openDatabase(join(dir, 'sustained.db'));
  const outbox = new Outbox({ db, log }, { quotaBytes: 4 * 1024 ** 3 });
  const client: MqttClient = await mqtt.connectAsync(url, { clientId: 'bench-outbox' });
  let produced = 0;
  const t0 = performance.now();
  const done = new Promise<void>((resolve) => {
    const sender = makeSender(outbox, () => produced === n && resolve());
    outbox.onEnqueued(() => sender.wake());
    sender.attach(client);
    sender.open();
    // The producer: device reports arriving tick after tick, written with group commit.
    const produce = () => {
      for (let k = 0; k < 500 && produced < n; k++) outbox.enqueue(input(produced++));
      if (produced < n) setImmediate(produce);
    };
    produce();
    (globalThis as { __sender?: Sender }).__sender = sender;
  });
  await done;
  const rate = n / ((performance.now() - t0) / 1000);
  const acked = (globalThis as { __sender?: Sender }).__sender!.acked;
  await client.endAsync();
  const depth = outbox.depth;
  db.close();
  return { rate, acked, depth };
}

async function replay(
  url: string,
  dir: string,
  n: number,
): Promise<{ enqueueUs: number; ackUs: number; rate: number; acked: number; depth: number }> {
  const db = openDatabase(join(dir, 'replay.db'));
  const outbox = new Outbox({ db, log }, { quotaBytes: 4 * 1024 ** 3 });
  // Outage: everything queues. Timed as the outbox cost per message (insert + id allocation).
  const t0 = performance.now();
  for (let i = 0; i < n; ) {
    for (let k = 0; k < 5000 && i < n; k++) outbox.enqueue(input(i++));
    outbox.flush();
  }
  const enqueueUs = ((performance.now() - t0) * 1000) / n;
  const client = await mqtt.connectAsync(url, { clientId: 'bench-replay' });
  const t1 = performance.now();
  const sender = makeSender(outbox, () => undefined);
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (outbox.depth === 0 && sender.inflight === 0) {
        clearInterval(check);
        resolve();
      }
    }, 20);
    sender.attach(client);
    sender.open();
  });
  const rate = n / ((performance.now() - t1) / 1000);
  await client.endAsync();
  // Acknowledge cost alone: delete rows in the same grouped transactions the sender uses.
  for (let i = 0; i < 100_000; i++) outbox.enqueue(input(i));
  outbox.flush();
  const rows = outbox.after(0, 100_000);
  const t2 = performance.now();
  for (let i = 0; i < rows.length; i += WINDOW) outbox.acknowledge(rows.slice(i, i + WINDOW));
  const ackUs = ((performance.now() - t2) * 1000) / rows.length;
  const depth = outbox.depth;
  db.close();
  return { enqueueUs, ackUs, rate, acked: sender.acked, depth };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pe-bench-cloud-'));
  const broker = new Mosquitto({ dir });
  await broker.start();
  try {
    const raw = await baseline(broker.url, SUSTAINED);
    console.log(`raw mqtt.js QoS 1 loop:        ${Math.round(raw).toLocaleString()} messages/s (window ${WINDOW})`);
    const s = await sustained(broker.url, dir, SUSTAINED);
    console.log(
      `uplink through the outbox:     ${Math.round(s.rate).toLocaleString()} messages/s, ratio ${(s.rate / raw).toFixed(2)} (acked ${s.acked}/${SUSTAINED}, left ${s.depth})`,
    );
    const r = await replay(broker.url, dir, REPLAY);
    console.log(
      `replay of ${REPLAY.toLocaleString()} queued:     ${Math.round(r.rate).toLocaleString()} messages/s (acked ${r.acked}/${REPLAY}, left ${r.depth})`,
    );
    console.log(`outbox cost per message:       enqueue ${r.enqueueUs.toFixed(1)} µs, acknowledge ${r.ackUs.toFixed(1)} µs`);
    const p = await packComparison(broker.url, dir, PACK_S, PACK_CEILING);
    const line = (what: string, f: { reportsPerS: number; messagesPerS: number; cpuMsPerS: number }) =>
      console.log(
        `${what.padEnd(31)}${Math.round(f.reportsPerS).toLocaleString()} reports/s in ${Math.round(f.messagesPerS).toLocaleString()} messages/s, CPU ${Math.round(f.cpuMsPerS)} ms/s`,
      );
    line('2,000 devices/s, per device:', p.realistic.single);
    line('2,000 devices/s, pack post:', p.realistic.pack);
    console.log(`  CPU ratio pack / per device:  ${(p.realistic.pack.cpuMsPerS / p.realistic.single.cpuMsPerS).toFixed(2)}`);
    line('ceiling, per device:', p.ceiling.single);
    line('ceiling, pack post:', p.ceiling.pack);
    console.log(`  ceiling ratio pack / per device: ${(p.ceiling.pack.reportsPerS / p.ceiling.single.reportsPerS).toFixed(2)}`);
    const packLost = p.realistic.single.lost + p.realistic.pack.lost + p.ceiling.single.lost + p.ceiling.pack.lost;
    const lost = SUSTAINED - s.acked + (REPLAY - r.acked) + s.depth + r.depth + packLost;
    console.log(
      JSON.stringify({
        raw_qos1_messages_per_s: Math.round(raw),
        outbox_uplink_messages_per_s: Math.round(s.rate),
        ratio: Number((s.rate / raw).toFixed(3)),
        replay_messages: REPLAY,
        replay_messages_per_s: Math.round(r.rate),
        outbox_enqueue_us_per_message: Number(r.enqueueUs.toFixed(2)),
        outbox_ack_us_per_message: Number(r.ackUs.toFixed(2)),
        realistic_2000_devices_cpu_ms_per_s: Math.round(p.realistic.single.cpuMsPerS),
        realistic_2000_devices_pack_cpu_ms_per_s: Math.round(p.realistic.pack.cpuMsPerS),
        realistic_pack_messages_per_s: Math.round(p.realistic.pack.messagesPerS),
        ceiling_reports_per_s: Math.round(p.ceiling.single.reportsPerS),
        ceiling_pack_reports_per_s: Math.round(p.ceiling.pack.reportsPerS),
        pack_ceiling_ratio: Number((p.ceiling.pack.reportsPerS / p.ceiling.single.reportsPerS).toFixed(2)),
        lost_messages: lost,
        rss_mb: Math.round(process.memoryUsage().rss / 1024 / 1024),
      }),
    );
    if (lost !== 0) process.exitCode = 1;
  } finally {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
