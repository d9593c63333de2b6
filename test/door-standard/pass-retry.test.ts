import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { AccessGateway, PassRecord } from '../../drivers/door-standard/gateway.js';
import { PassRetryQueue } from '../../drivers/door-standard/pass-retry.js';
import { waitFor } from '../helpers/runtime.js';

function flakyGateway(failures: number): { gateway: AccessGateway; taken: PassRecord[]; attempts: () => number } {
  const taken: PassRecord[] = [];
  let attempts = 0;
  const gateway = {
    async recordPass(rec: PassRecord) {
      attempts++;
      if (attempts <= failures) throw new Error('host busy');
      taken.push(rec);
      return {};
    },
  } as unknown as AccessGateway;
  return { gateway, taken, attempts: () => attempts };
}

const rec = (credential: string): PassRecord => ({ deviceKey: 'PEDoorCard/d.3', kind: 'card', credential, time: 1 });

describe('pass records of passes the door already made', () => {
  it('are retried until the host takes them, in order, each once', async () => {
    const { gateway, taken, attempts } = flakyGateway(3);
    const q = new PassRetryQueue(gateway, pino({ level: 'silent' }), { baseDelayMs: 10 });
    q.submit(rec('A'));
    q.submit(rec('B'));
    q.submit(rec('C'));
    await waitFor(() => taken.length === 3, 5000);
    expect(taken.map((r) => r.credential)).toEqual(['A', 'B', 'C']);
    expect(attempts()).toBe(6);
    expect(q.pending).toBe(0);
    q.stop();
  });

  it('are bounded: past the limit the oldest is dropped and counted', () => {
    const { gateway } = flakyGateway(1_000_000);
    const q = new PassRetryQueue(gateway, pino({ level: 'silent' }), { max: 2, baseDelayMs: 10_000 });
    q.submit(rec('A'));
    q.submit(rec('B'));
    q.submit(rec('C'));
    expect(q.pending).toBe(2);
    expect(q.dropped).toBe(1);
    q.stop();
  });
});
