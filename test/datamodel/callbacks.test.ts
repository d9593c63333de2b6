/**
 * HTTP-callback subscribers: a record is POSTed to the subscriber's URL and sent again until a
 * 2xx answer acknowledges it (a real local server that fails first, then accepts); the bus is not
 * needed; callbacks go only to the box itself or to configured hosts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { callbackUrlProblem } from '../../edge/datamodel/callbacks.js';
import { dataModelConfigProblems } from '../../edge/datamodel/config.js';
import { observeFor, waitFor } from '../helpers/wait.js';
import { startDataModel, type TestDataModel } from './helpers.js';

interface Received {
  body: Record<string, unknown>;
  contentType: string | undefined;
}

/** A subscriber's server: answers each POST with the next status of `statuses` (the last one repeats). */
async function subscriberServer(statuses: number[]): Promise<{ server: Server; url: string; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
        contentType: req.headers['content-type'],
      });
      res.writeHead(statuses[Math.min(got.length - 1, statuses.length - 1)]!).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/records`, got };
}

let t: TestDataModel | undefined;
let peer: Server | undefined;

afterEach(async () => {
  await t?.close();
  await new Promise((r) => (peer ? peer.close(r) : r(undefined)));
  t = undefined;
  peer = undefined;
});

describe('data-model HTTP-callback subscribers', () => {
  it('POSTs a record and again after the ack timeout until the subscriber answers 2xx, with the same dataId', async () => {
    const s = await subscriberServer([500, 503, 200]);
    peer = s.server;
    t = await startDataModel(
      { ackTimeoutS: 1, maxBackoffS: 1, subscribers: [{ name: 'hook', models: ['Heartbeat'], callbackUrl: s.url }] },
      { files: false },
    );
    t.bus.up = false; // the bus plays no part in a callback delivery
    const r = t.service.insert('parking', 'Heartbeat', { status: 1 });
    t.service.insert('parking', 'iot_park_pass_record', { plateNumber: '浙A5C393' }); // not its model
    await waitFor(() => s.got.length >= 3, { what: 'the third delivery', timeoutMs: 10_000 });
    expect(s.got.map((g) => [g.body.dataId, g.body.modelId, g.body.attempt])).toEqual([
      [r.dataId, 'Heartbeat', 1],
      [r.dataId, 'Heartbeat', 2],
      [r.dataId, 'Heartbeat', 3],
    ]);
    expect(s.got[0]).toMatchObject({ contentType: 'application/json; charset=utf-8', body: { properties: { status: 1 } } });
    expect(s.got[0]!.body.ackTopic).toBeUndefined();
    await waitFor(() => t!.service.deliveries.pending().hook === 0, { what: 'the delivery acknowledged' });
    // Acknowledged: nothing more comes, however long one waits past the ack timeout.
    await observeFor(2500);
    expect(s.got).toHaveLength(3);
    expect(t.published).toEqual([]);
  });

  it('keeps a delivery pending while the subscriber cannot be reached, and delivers once it can', async () => {
    const s = await subscriberServer([204]);
    const url = s.url;
    await new Promise((r) => s.server.close(r)); // nobody listens there yet
    t = await startDataModel(
      { ackTimeoutS: 1, maxBackoffS: 1, subscribers: [{ name: 'hook', models: ['*'], callbackUrl: url }] },
      { files: false },
    );
    t.service.insert('parking', 'Heartbeat', { status: 1 });
    await observeFor(1500); // a refused connection is no acknowledgement
    expect(t.service.deliveries.pending().hook).toBe(1);
    const seen: number[] = [];
    peer = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        seen.push(1);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((res) => peer!.listen(Number(new URL(url).port), '127.0.0.1', () => res()));
    await waitFor(() => t!.service.deliveries.pending().hook === 0, { what: 'the delivery acknowledged', timeoutMs: 10_000 });
    expect(seen).toHaveLength(1);
  });

  it('allows callbacks only on the box or on configured hosts', () => {
    expect(callbackUrlProblem('http://127.0.0.1:9000/x', [])).toBeUndefined();
    expect(callbackUrlProblem('http://[::1]:9000/x', [])).toBeUndefined();
    expect(callbackUrlProblem('http://localhost/x', [])).toBeUndefined();
    expect(callbackUrlProblem('http://10.0.0.7/x', [])).toMatch(/neither the box/);
    expect(callbackUrlProblem('http://10.0.0.7/x', ['10.0.0.7'])).toBeUndefined();
    expect(callbackUrlProblem('ftp://127.0.0.1/x', [])).toMatch(/http/);
    expect(callbackUrlProblem('http://u:p@127.0.0.1/x', [])).toMatch(/credentials/);
    expect(callbackUrlProblem('not a url', [])).toMatch(/not a URL/);
    expect(
      dataModelConfigProblems({ subscribers: [{ name: 'hook', models: ['*'], callbackUrl: 'http://192.168.1.9/x' }] }).map((p) => p.path),
    ).toEqual(['/dataModel/subscribers/0/callbackUrl']);
  });
});
