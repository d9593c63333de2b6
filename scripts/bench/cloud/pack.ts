/**
 * Per-device property posts against the gateway pack post (doc 89301), same device reports,
 * same outbox → mosquitto → PUBACK → delete path:
 *  - realistic load: 2,000 sub-devices (the platform's limit per gateway) reporting 2 values
 *    once a second, for a few seconds: process CPU per second and messages per second;
 *  - ceiling: as many reports as the path takes, reports per second.
 */
import { join } from 'node:path';
import mqtt from 'mqtt';
import { packPost, propertyPost, type PackEntry } from '../../../edge/cloud/alink/messages.js';
import { Outbox } from '../../../edge/cloud/outbox/outbox.js';
import { PackBuffer } from '../../../edge/cloud/pack.js';
import { Sender } from '../../../edge/cloud/sender.js';
import { silentLogger } from '../../../edge/log.js';
import { openDatabase } from '../../../edge/store/db.js';

const log = silentLogger();
const WINDOW = 1000;
export const SUB_DEVICES = 2000;

export interface ModeFigures {
  reportsPerS: number;
  messagesPerS: number;
  cpuMsPerS: number;
  acked: number;
  /** Reports not acknowledged by the broker (in a PUBACKed message). */
  lost: number;
}

/**
 * Calls `report(i)` for `reports` reports, `perTick` every `tickMs`; then `finish()` (which returns
 * the drained check), resolving once the check holds (polled every 10 ms).
 */
function feedAndDrain(
  reports: number,
  perTick: number,
  tickMs: number,
  report: (i: number) => void,
  finish: () => () => boolean,
): Promise<void> {
  let fed = 0;
  return new Promise<void>((resolve) => {
    const feed = (): void => {
      for (let k = 0; k < perTick && fed < reports; k++) report(fed++);
      if (fed < reports) {
        setTimeout(feed, tickMs);
        return;
      }
      const drained = finish();
      const check = setInterval(() => {
        if (!drained()) return;
        clearInterval(check);
        resolve();
      }, 10);
    };
    feed();
  });
}

/** Feeds `reports` device reports, `perTick` per `tickMs`, through the outbox; pack or not. */
async function run(url: string, file: string, pack: boolean, reports: number, perTick: number, tickMs: number): Promise<ModeFigures> {
  const db = openDatabase(file);
  const outbox = new Outbox({ db, log }, { quotaBytes: 4 * 1024 ** 3 });
  const client = await mqtt.connectAsync(url, { clientId: `bench-pack-${pack}` });
  const sender = new Sender(
    { outbox, log, hooks: { onPublished: () => undefined, onAcked: () => undefined, onDrained: () => undefined } },
    { window: WINDOW, historyAfterMs: 3_600_000 },
  );
  outbox.onEnqueued(() => sender.wake());
  sender.attach(client);
  sender.open();
  const gw = { productKey: 'PEGateway', deviceName: 'box-01' };
  let packed = 0;
  const buffer = new PackBuffer(50, (entries: PackEntry[]) => {
    packed += entries.length;
    outbox.enqueue({
      ...gw,
      class: 'property',
      topic: `/sys/${gw.productKey}/${gw.deviceName}/thing/event/property/pack/post`,
      payload: (id) => packPost(id, entries),
    });
  });
  const report = (i: number) => {
    const dn = `m${i % SUB_DEVICES}`;
    const t = 1_700_000_000_000 + i;
    const params = { Voltage: { value: 220.1 + (i % 7), time: t }, Current: { value: 5.25, time: t } };
    if (pack) buffer.add('PEDemoMeter', dn, params);
    else
      outbox.enqueue({
        productKey: 'PEDemoMeter',
        deviceName: dn,
        class: 'property',
        topic: `/sys/PEDemoMeter/${dn}/thing/event/property/post`,
        payload: (id) => propertyPost(id, params),
      });
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await feedAndDrain(reports, perTick, tickMs, report, () => {
    buffer.flush();
    return () => outbox.depth === 0 && sender.inflight === 0;
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await client.endAsync();
  db.close();
  return {
    reportsPerS: reports / seconds,
    messagesPerS: sender.published / seconds,
    cpuMsPerS: (cpu.user + cpu.system) / 1000 / seconds,
    acked: sender.acked,
    lost: (pack ? reports - packed : reports - sender.acked) + (sender.published - sender.acked),
  };
}

export async function packComparison(
  url: string,
  dir: string,
  seconds: number,
  ceilingReports: number,
): Promise<{ realistic: { single: ModeFigures; pack: ModeFigures }; ceiling: { single: ModeFigures; pack: ModeFigures } }> {
  // 2,000 devices once a second = 200 reports every 100 ms.
  const realisticReports = SUB_DEVICES * seconds;
  const single = await run(url, join(dir, 'pack-r1.db'), false, realisticReports, SUB_DEVICES / 10, 100);
  const pack = await run(url, join(dir, 'pack-r2.db'), true, realisticReports, SUB_DEVICES / 10, 100);
  const cSingle = await run(url, join(dir, 'pack-c1.db'), false, ceilingReports, 500, 0);
  const cPack = await run(url, join(dir, 'pack-c2.db'), true, ceilingReports, 500, 0);
  return { realistic: { single, pack }, ceiling: { single: cSingle, pack: cPack } };
}
