/** The console's app API: the list with states, stop / start / restart (audited), the log tail, unknown names. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleBox, waitFor, type ConsoleBox } from '../console/box.js';
import { ConsoleClient } from '../console/client.js';
import { freePort } from '../helpers/runtime.js';
import { writeApp } from './helpers.js';

describe('console apps API', () => {
  let box: ConsoleBox;
  let c: ConsoleClient;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pe-console-apps-'));
    const port = await freePort();
    writeApp(dir, { name: 'echo', fixture: 'serve', provides: [{ serviceModelId: 'echo_model', port }] });
    box = await startConsoleBox(
      `apps:\n  - { name: echo, path: echo }\nappHost: { serviceBus: { port: 0 }, probeIntervalMs: 100 }\ndataModel: { port: 0 }\n`,
      '',
      dir,
    );
    c = new ConsoleClient(box.runtime.http);
    expect((await c.setup(box.runtime.console!.setupToken!, 'correct horse battery 9')).statusCode).toBe(200);
    await waitFor(() => box.runtime.apps?.status()[0]?.state === 'running', { what: 'echo running' });
  });
  afterAll(() => box?.close());

  it('lists the apps, stops, starts and restarts one, and shows its log', async () => {
    expect((await c.get('/api/apps')).json()).toMatchObject([{ name: 'echo', version: '1.0.0', state: 'running', restarts: 0 }]);
    const stopped = await c.post('/api/apps/echo/stop');
    expect(stopped.statusCode).toBe(200);
    expect(stopped.json()).toMatchObject({ name: 'echo', state: 'stopped' });
    expect((await c.post('/api/apps/echo/start')).statusCode).toBe(200);
    await waitFor(async () => ((await c.get('/api/apps')).json() as Array<{ state: string }>)[0]?.state === 'running', {
      what: 'running again',
    });
    expect((await c.post('/api/apps/echo/restart')).json()).toMatchObject({ name: 'echo' });
    const log = (await c.get('/api/apps/echo/log?limit=50')).json() as { lines: string[] };
    expect(log.lines.some((l) => /stopping \(asked\)/.test(l))).toBe(true);
    expect(log.lines.some((l) => /serving on \d+/.test(l))).toBe(true);
  });

  it('answers an unknown app and a bad action with clear errors', async () => {
    const unknown = await c.post('/api/apps/nope-app/restart');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'EDGE_ERR_APP_UNKNOWN' } });
    expect((await c.post('/api/apps/echo/explode')).statusCode).toBe(400);
    expect((await c.get('/api/apps/nope-app/log')).statusCode).toBe(404);
  });
});
