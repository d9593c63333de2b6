/** The adapter's durable outbox on its own: order, no double upload or insert after a failure, restart, limits. */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Delivery, Outbox } from '../../apps/parking-adapter/outbox.js';
import type { PendingRecord } from '../../apps/parking-adapter/push-mapping.js';
import { waitFor } from '../helpers/wait.js';

let dir: string;
const boxes: Outbox[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parking-outbox-'));
});
afterEach(async () => {
  for (const b of boxes.splice(0)) await b.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A delivery that fails the calls listed in `failAt` (1-based, counted over uploads and inserts). */
function fakeDelivery(failAt: number[] = []) {
  const log: string[] = [];
  let n = 0;
  const step = (what: string): void => {
    n++;
    if (failAt.includes(n)) throw new Error(`fail ${what}`);
    log.push(what);
  };
  const delivery: Delivery = {
    upload: async (fileName) => {
      step(`upload ${fileName}`);
      return `stored-${fileName}`;
    },
    insert: async (modelId, p) => step(`insert ${modelId} ${String(p.plateNumber)} ${String(p.plateNumberImage ?? '')}`),
  };
  return { log, delivery };
}

const recs = (plate: string): PendingRecord[] => [
  { modelId: 'iot_park_pass_record', imageAttrs: ['plateNumberImage'], properties: { plateNumber: plate, plateNumberImage: '' } },
  { modelId: 'iot_park_fee', imageAttrs: [], properties: { plateNumber: plate } },
];

function outbox(delivery: Delivery, extra: Partial<ConstructorParameters<typeof Outbox>[0]> = {}): Outbox {
  const b = new Outbox({ dir, delivery, retryMinMs: 20, retryMaxMs: 50, ...extra });
  boxes.push(b);
  return b;
}

describe('outbox', () => {
  it('a failure mid-job resumes where it stopped: the picture is not uploaded twice, no record is inserted twice', async () => {
    // Calls: 1 upload A, 2 insert pass A, 3 insert fee A (fails once), then retried.
    const { log, delivery } = fakeDelivery([3]);
    const b = outbox(delivery);
    await b.start();
    expect(await b.add('A', recs('P1'), Buffer.from('jpg'))).toBe(false);
    await waitFor(() => b.pending === 0, { what: 'the retry' });
    expect(log).toEqual(['upload A.jpg', 'insert iot_park_pass_record P1 stored-A.jpg', 'insert iot_park_fee P1 ']);
  });

  it('later pushes wait behind a failing one and all arrive in order; files are removed once delivered', async () => {
    const { log, delivery } = fakeDelivery([1, 2]);
    const b = outbox(delivery);
    await b.start();
    const answers = await Promise.all([b.add('A', recs('P1'), undefined), b.add('B', recs('P2'), undefined)]);
    expect(answers).toEqual([false, false]);
    await waitFor(() => b.pending === 0, { what: 'the retries' });
    expect(log.map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual([
      'insert iot_park_pass_record P1',
      'insert iot_park_fee P1',
      'insert iot_park_pass_record P2',
      'insert iot_park_fee P2',
    ]);
    expect(await readdir(join(dir))).toEqual([]);
  });

  it('jobs left by a previous run are delivered at start, in order; an unreadable file is set aside', async () => {
    const down = fakeDelivery([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    const first = outbox(down.delivery, { retryMinMs: 60_000, retryMaxMs: 60_000 });
    await first.start();
    await first.add('A', recs('P1'), Buffer.from('a'));
    await first.add('B', recs('P2'), undefined);
    await first.stop();
    await writeFile(join(dir, '000000000099.json'), '{torn');
    const { log, delivery } = fakeDelivery();
    const second = outbox(delivery);
    await second.start();
    await waitFor(() => second.pending === 0, { what: 'the kept jobs' });
    expect(log).toEqual([
      'upload A.jpg',
      'insert iot_park_pass_record P1 stored-A.jpg',
      'insert iot_park_fee P1 ',
      'insert iot_park_pass_record P2 ',
      'insert iot_park_fee P2 ',
    ]);
    expect(await readdir(dir)).toEqual(['000000000099.json.bad']);
    // A GUID seen again after delivery is not recorded again.
    expect(await second.add('B', recs('P2'), undefined)).toBe(true);
    expect(log).toHaveLength(5);
  });

  it('refuses new jobs beyond its limit (the parking system keeps them) and takes them again when there is room', async () => {
    const { delivery } = fakeDelivery(Array.from({ length: 50 }, (_, i) => i + 1));
    const b = outbox(delivery, { maxJobs: 2, retryMinMs: 60_000, retryMaxMs: 60_000 });
    await b.start();
    await b.add('A', recs('P1'), undefined);
    await b.add('B', recs('P2'), undefined);
    expect(await b.add('C', recs('P3'), undefined)).toBe(false);
    expect(b.pending).toBe(2);
    expect((await readdir(dir)).filter((f) => f.endsWith('.json'))).toHaveLength(2);
  });
});
