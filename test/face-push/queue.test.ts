/**
 * The face command queue's reports of commands that ended without an answer, its per-command
 * result timeout, cancelling a terminal's person commands, and the person ledger that decides
 * between add and update (seed 003 L3505-3513).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceCommandQueue, faceQueueHostServices } from '../../edge/face-queue/index.js';
import { HostServiceRegistry } from '../../edge/host/services.js';
import { silentLogger } from '../../edge/log.js';
import { openDatabase, type Db } from '../../edge/store/db.js';

let dir: string;
let db: Db;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pe-fq2-'));
  db = openDatabase(join(dir, 'q.db'));
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const person = (operateType: string, idNumber: string) => ({
  person: { operateType, idNumber },
  deploy: { kind: 'face', item: idNumber, op: operateType === '2' ? 'delete' : 'upsert' },
});

describe('commands that end without an answer', () => {
  it('are returned by next(): attempts used up, or past expiresAt', () => {
    const q = new FaceCommandQueue(db, { resultTimeoutMs: 1000, maxAttempts: 2 });
    const a = q.enqueue({ deviceKey: 'P/E', service: 'person', payload: person('0', 'x') }, 0);
    q.next('P/E', 'person', 10);
    expect(q.next('P/E', 'person', 1020)).not.toHaveProperty('ended'); // second attempt, nothing ended yet
    const third = q.next('P/E', 'person', 2100);
    expect(third).toMatchObject({ empty: true, ended: [{ msgId: a.msgId, state: 'failed', attempts: 2 }] });
    expect(q.next('P/E', 'person', 2200)).not.toHaveProperty('ended'); // reported once

    const open = q.enqueue({ deviceKey: 'P/E', service: 'open', payload: {}, expiresAt: 3000 }, 2500);
    expect(q.next('P/E', 'open', 3500)).toMatchObject({ empty: true, ended: [{ msgId: open.msgId, state: 'expired' }] });
  });

  it("honours a command's own result timeout", () => {
    const q = new FaceCommandQueue(db, { resultTimeoutMs: 60_000, maxAttempts: 3 });
    const c = q.enqueue({ deviceKey: 'P/F', service: 'person', payload: person('0', 'y'), resultTimeoutMs: 500, maxAttempts: 1 }, 0);
    q.next('P/F', 'person', 0);
    expect(q.next('P/F', 'person', 400)).toHaveProperty('busy');
    expect(q.next('P/F', 'person', 600)).toMatchObject({ ended: [{ msgId: c.msgId, state: 'failed' }] });
  });

  it('cancelService drops the waiting and in-flight commands of one service only', () => {
    const q = new FaceCommandQueue(db);
    const a = q.enqueue({ deviceKey: 'P/G', service: 'person', payload: person('0', 'a') });
    q.enqueue({ deviceKey: 'P/G', service: 'person', payload: person('0', 'b') });
    q.enqueue({ deviceKey: 'P/G', service: 'reboot', payload: {} });
    q.next('P/G', 'person');
    expect(q.cancelService('P/G', 'person').map((c) => c.state)).toEqual(['cancelled', 'cancelled']);
    expect(q.active('P/G').map((c) => c.service)).toEqual(['reboot']);
    expect(q.result('P/G', a.msgId, '100', {})).toMatchObject({ status: 'duplicate' }); // a late answer changes nothing
  });
});

describe('person ledger', () => {
  const done = (q: FaceCommandQueue, dev: string, payload: Record<string, unknown>, code = '100') => {
    const c = q.enqueue({ deviceKey: dev, service: 'person', payload });
    const n = q.next(dev, 'person');
    expect('command' in n && n.command.msgId).toBe(c.msgId);
    return q.result(dev, c.msgId, code, {});
  };

  it('follows confirmed person commands only, and a complete person extraction replaces it', () => {
    const q = new FaceCommandQueue(db);
    done(q, 'P/L', person('0', 'p1'));
    done(q, 'P/L', person('0', 'p2'));
    done(q, 'P/L', person('0', 'p3'), '301'); // refused: not held
    expect(q.persons.held('P/L', ['p1', 'p2', 'p3', 'p4'])).toEqual(['p1', 'p2']);
    done(q, 'P/L', person('2', 'p1'));
    expect(q.persons.held('P/L', ['p1', 'p2'])).toEqual(['p2']);
    expect(q.persons.held('P/OTHER', ['p2'])).toEqual([]);

    const info = q.enqueue({ deviceKey: 'P/L', service: 'info', payload: {} });
    q.next('P/L', 'info');
    q.result('P/L', info.msgId, '100', { personNum: '2', index: '0', idNumber: 'q1' }, { final: false });
    q.result('P/L', info.msgId, '100', { personNum: '2', index: '1', idNumber: 'q2' }, { final: true });
    expect(q.persons.held('P/L', ['p2', 'q1', 'q2'])).toEqual(['q1', 'q2']);

    const empty = q.enqueue({ deviceKey: 'P/L', service: 'info', payload: {} });
    q.next('P/L', 'info');
    q.result('P/L', empty.msgId, '100', { personNum: '0', index: '0' }, { final: true });
    expect(q.persons.count('P/L')).toBe(0);

    done(q, 'P/L', person('1', 'r1'));
    done(q, 'P/L', { person: { operateType: '3' } });
    expect(q.persons.count('P/L')).toBe(0);
  });

  it('is offered as faceQueue.heldPersons, with its arguments checked', async () => {
    const q = new FaceCommandQueue(db);
    done(q, 'P/H', person('0', 'h1'));
    // The host's registry: contract checks, then the terminal must belong to the calling driver.
    const registry = new HostServiceRegistry({ log: silentLogger(), owns: (driver, key) => driver === 'd' && key.startsWith('P/') });
    registry.register(faceQueueHostServices(q));
    const call = (args: Record<string, unknown>, driver = 'd', method = 'faceQueue.heldPersons') => registry.call({ driver }, method, args);
    expect(await call({ deviceKey: 'P/H', ids: ['h1', 'h2'] })).toEqual({ code: 200, message: 'success', data: { held: ['h1'] } });
    expect(await call({ deviceKey: 'P/H', ids: 'h1' })).toMatchObject({ code: 460, message: expect.stringMatching(/\/ids/) });
    expect(await call({ deviceKey: 'P/H', ids: [1] })).toMatchObject({ code: 460, message: expect.stringMatching(/\/ids\/0/) });
    expect(await call({ deviceKey: 'P/H', ids: Array.from({ length: 1001 }, (_, i) => `i${i}`) })).toMatchObject({ code: 460 });
    expect(await call({ deviceKey: 'P/H', ids: ['h1'] }, 'other')).toMatchObject({ code: 6105 });
    expect(await call({ deviceKey: 'P/H' }, 'd', 'faceQueue.cancelService')).toMatchObject({
      code: 460,
      message: expect.stringMatching(/service/),
    });
    expect(await call({ deviceKey: 'P/H', service: 'person' }, 'd', 'faceQueue.cancelService')).toMatchObject({
      code: 200,
      data: { commands: [] },
    });
    expect(await call({ deviceKey: 'P/H' }, 'd', 'faceQueue.nope')).toMatchObject({ code: 6304 });
  });
});
