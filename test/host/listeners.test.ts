/**
 * The listener registry (edge/host/listeners.ts): a driver's listening ports with what its
 * settings declare — protocol, endpoints under the configured prefix, the limits in force with
 * their defaults — an undeclared port listed as such, and the box's own listeners at the ports
 * they bound.
 */
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../edge/config/load.js';
import { boxListeners } from '../../edge/config/listeners.js';
import { boxListenerInfo, driverListeners, UNDECLARED } from '../../edge/host/listeners.js';
import { LISTENER_LIMITS } from '../../protocols/common/http-listener.js';
import { FIXTURES } from '../helpers/runtime.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

describe('listener registry', () => {
  it('lists each listening port of a driver with its declaration, prefix and limits; an undeclared one as such', async () => {
    const ls = await driverListeners(
      [
        {
          name: 'Fixture',
          module: join(FIXTURES, 'drivers', 'listening', 'index.ts'),
          config: { port: 12000, prefix: 'api/', limits: { perSourceRequestsPerS: 7 } },
          devices: [],
        },
        { name: 'Push', type: 'face-terminal-push', config: { pathPrefix: '/push/' }, devices: [] },
        { name: 'OnTheBus', transport: 'mqtt', devices: [] },
      ],
      ROOT,
    );
    expect(ls.map((l) => [l.owner, l.protocol, l.port, l.configPath])).toEqual([
      ['Fixture', 'fixture', 12000, '/drivers/0/config/port'],
      ['Fixture', UNDECLARED, 10091, '/drivers/0/config/adminPort'],
      ['Push', 'face-push', 10010, '/drivers/1/config/port'],
    ]);
    const [fixture, admin, push] = ls;
    expect(fixture!.endpoints).toEqual([
      { method: 'POST', path: '/api/record' },
      { method: 'GET', path: '/api/item/{id}' },
    ]);
    expect(fixture!.limits).toEqual({ ...LISTENER_LIMITS, perSourceRequestsPerS: 7 });
    expect(admin!.endpoints).toEqual([]);
    expect(admin!.authentication).toMatch(/undeclared/);
    expect(push!.endpoints).toContainEqual({ method: 'POST', path: '/push/face/record' });
    expect(push!.limits?.maxBodyBytes).toBe(8 * 1024 * 1024);
  });

  it("lists the box's own listeners at the ports they bound, also when configured with 0", () => {
    const cfg = parseConfig('http: { host: 127.0.0.1, port: 0 }\nbus: { host: 127.0.0.1, port: 0 }\n');
    expect(boxListeners(cfg)).toEqual([]);
    const ls = boxListeners(cfg, { http: 8081, bus: 1884 }).map(boxListenerInfo);
    expect(ls.map((l) => [l.protocol, l.port, l.deviceFacing])).toEqual([
      ['http-console', 8081, false],
      ['mqtt', 1884, false],
    ]);
  });
});
