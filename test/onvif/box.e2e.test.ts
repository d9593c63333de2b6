/**
 * ONVIF cameras on a real box: the runtime started from config/examples/onvif-cameras.yaml (ports
 * made free) with the edge file service, the onvif-camera driver in its child process and the
 * camera simulator over loopback. The camera is discovered through the host, comes online with
 * its device information in the shadow, moves on a PTZ call, yields a snapshot the file service
 * serves back byte for byte, and its motion reaches the thing model as an event.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { OnvifCameraSim } from '../../scripts/sim/onvif/camera.js';
import { freePort, startBox, waitFor, type TestBox } from '../helpers/runtime.js';

const EXAMPLE = resolve(import.meta.dirname, '..', '..', 'config', 'examples', 'onvif-cameras.yaml');
const PK = 'PEOnvifCamera';
const DN = 'SXJ-001274';
const DRIVER = 'ONVIF_Cameras_SecSystem';

let box: TestBox;
let sim: OnvifCameraSim;
let filesPort = 0;
const events: Array<{ eventId: string; params: Record<string, unknown> }> = [];
const props: Record<string, unknown> = {};

beforeAll(async () => {
  sim = new OnvifCameraSim({ pullHoldMs: 300, rtspPort: null });
  await sim.start();
  const cfg = parse(readFileSync(EXAMPLE, 'utf8')) as {
    drivers: Array<{ config: { discovery: { targets: string[] } }; devices: Array<{ custom: { port: number } }> }>;
  };
  cfg.drivers[0]!.config.discovery.targets = [`127.0.0.1:${sim.discoveryPort}`];
  cfg.drivers[0]!.devices[0]!.custom.port = sim.httpPort;
  filesPort = await freePort();
  box = await startBox(`${stringify({ drivers: cfg.drivers })}files: { host: 127.0.0.1, port: ${filesPort} }\n`);
  box.runtime.events.on('test', 'device.event', (e) => void (e.productKey === PK && events.push({ eventId: e.eventId, params: e.params })));
  box.runtime.events.on('test', 'device.properties', (e) => {
    if (e.productKey === PK) for (const [k, v] of Object.entries(e.params)) props[k] = v.value;
  });
}, 60_000);

afterAll(async () => {
  await box?.close();
  await sim?.close();
});

describe('an ONVIF camera on the box', () => {
  it('is discovered, comes online with its device information, moves and reports motion', async () => {
    await waitFor(() => box.runtime.registry.get(PK, DN)?.status === 'online', { timeoutMs: 30_000, what: 'camera online' });
    await waitFor(() => props.SerialNumber, { timeoutMs: 5000, what: 'properties' });
    expect(props).toMatchObject({
      Manufacturer: 'Uniview',
      Model: 'IPC-SIM-2K',
      Firmware: 'SIM-1.0.0',
      CategoryCode: 'community/security/ipcamera',
    });

    const found = await box.runtime.host.discover(DRIVER, { waitMs: 300 }, 10_000);
    expect(found).toMatchObject({ code: 200, data: [{ urn: sim.urn, port: sim.httpPort, configured: DN }] });

    expect(await box.runtime.host.callService(PK, DN, 'ptz', { direction: 'left', speed: 20 }, 10_000)).toMatchObject({ code: 200 });
    expect(sim.state.moves.at(-1)).toEqual({ op: 'ContinuousMove', profile: 'Profile_1', pan: -0.2, tilt: 0, zoom: 0 });
    expect(await box.runtime.host.callService(PK, DN, 'ptz', { direction: 'sideways' }, 10_000)).toMatchObject({ code: 460 });

    await waitFor(() => sim.subscriptions > 0, { timeoutMs: 10_000, what: 'PullPoint subscription' });
    sim.motion(true);
    await waitFor(() => events.find((e) => e.eventId === 'motion'), { timeoutMs: 10_000, what: 'motion event' });
    // Alink booleans are 0/1 once through the thing model.
    expect(events[0]).toEqual({ eventId: 'motion', params: { state: 1, topic: 'RuleEngine/CellMotionDetector/Motion' } });
  }, 60_000);

  it('stores a snapshot with the file service, which serves it back', async () => {
    const a = await box.runtime.host.callService(PK, DN, 'snapshot', {}, 15_000);
    expect(a).toMatchObject({ code: 200, data: { width: 320, height: 240 } });
    const url = String((a.data as { url: string }).url);
    expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${filesPort}/oss/snapshot/\\d{4}-\\d{2}-\\d{2}/.+\\.jpg$`));
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(sim.jpeg)).toBe(true);
  }, 30_000);
});
