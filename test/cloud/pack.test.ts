/**
 * Gateway pack post (`cloud.packPost: true`) in a real runtime against mosquitto and the
 * stand-in, which checks the doc 89301 limits and refuses a pack whole when one sub-device
 * is not attached and online. Also the pack's history form (pure).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observeFor, settled } from '../helpers/wait.js';
import { packPost, realtimeToHistory, PACK_MAX_DEVICES, PACK_MAX_PROPERTIES, type PackEntry } from '../../edge/cloud/alink/messages.js';
import { PackBuffer } from '../../edge/cloud/pack.js';
import { startBox, waitFor, type TestBox } from '../helpers/runtime.js';
import { cloudYaml, DEMO_DRIVER, GATEWAY, startRig, type CloudRig } from './helpers.js';

const GW = `${GATEWAY.productKey}/${GATEWAY.deviceName}`;

describe('pack post (mosquitto + stand-in)', () => {
  let rig: CloudRig;
  let box: TestBox;

  beforeAll(async () => {
    rig = await startRig();
    box = await startBox(DEMO_DRIVER(100) + cloudYaml(rig.broker.url, { packPost: true, coalesceMs: 200 }));
  });

  afterAll(async () => {
    await box?.close();
    await rig?.close();
  });

  it('posts logged-in sub-devices together on the gateway topic, ids gap-free in the gateway id space', async () => {
    await waitFor(() => box.runtime.cloud?.status().loggedIn === 3, 20_000);
    await waitFor(() => rig.cloud.postsOf(GATEWAY.productKey, GATEWAY.deviceName).filter((p) => p.kind === 'pack').length >= 8, 20_000);
    const packs = rig.cloud.postsOf(GATEWAY.productKey, GATEWAY.deviceName).filter((p) => p.kind === 'pack');
    const ids = packs.map((p) => Number(p.id));
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBe(ids[i - 1]! + 1);
    expect(packs.every((p) => p.topic === `/sys/${GW}/thing/event/property/pack/post`)).toBe(true);
    const sizes = packs.map((p) => (p.body.params as { subDevices: unknown[] }).subDevices.length);
    expect(Math.max(...sizes)).toBeGreaterThan(1); // several devices per message
    const sub = (
      packs.at(-1)!.body.params as {
        subDevices: Array<{
          identity: { productKey: string; deviceName: string };
          properties: Record<string, { value: unknown; time: number }>;
        }>;
      }
    ).subDevices[0]!;
    expect(typeof sub.identity.deviceName).toBe('string');
    for (const v of Object.values(sub.properties)) expect(v.time).toBeGreaterThan(Date.now() - 60_000);
    expect(rig.cloud.packRejected).toEqual([]);
    for (const dn of ['m1', 'm2']) expect(rig.cloud.postsOf('PEDemoMeter', dn).filter((p) => p.kind === 'pack').length).toBeGreaterThan(0);
    await waitFor(() => box.runtime.cloud!.outbox.depth < 10, 10_000);
  });

  it('keeps events on the device topic and a disabled device out of the packs', async () => {
    const r = await rig.cloud.lifecycle('PEDemoMeter', 'm2', 'disable');
    expect(r.code).toBe(200);
    await waitFor(() => box.runtime.registry.get('PEDemoMeter', 'm2')?.status === 'disabled', 10_000);
    const n = await settled(() => rig.cloud.postsOf('PEDemoMeter', 'm2').length, 1000); // in-flight posts land
    await observeFor(1200); // quiet: a disabled device sends nothing
    expect(rig.cloud.postsOf('PEDemoMeter', 'm2').length).toBe(n);
    expect(rig.cloud.postsOf('PEDemoMeter', 'm1').filter((p) => p.kind === 'pack' && p.at > Date.now() - 1000).length).toBeGreaterThan(0);
    // A pack queued before m2 was logged out is refused whole by the platform; the other
    // sub-devices' values in it arrive again on their own history topic, same sample times.
    for (const rejected of rig.cloud.packRejected) {
      expect(rejected.reason).toMatch(/m2/);
      const subs = (
        rejected.body.params as {
          subDevices: Array<{ identity: { productKey: string; deviceName: string }; properties: Record<string, { time: number }> }>;
        }
      ).subDevices;
      for (const s of subs.filter((x) => x.identity.deviceName !== 'm2')) {
        const times = Object.values(s.properties).map((v) => v.time);
        await waitFor(
          () =>
            rig.cloud
              .postsOf(s.identity.productKey, s.identity.deviceName)
              .some((p) => p.kind === 'history' && JSON.stringify(p.body.params).includes(`"time":${times[0]}`)),
          10_000,
        );
      }
    }
  });
});

describe('pack buffer and history form', () => {
  const tv = (v: number) => ({ value: v, time: 1_700_000_000_000 + v });

  it('splits at 20 devices and 200 properties and never overwrites a waiting sample', () => {
    const out: Array<Array<{ deviceName: string; properties: Record<string, unknown> }>> = [];
    const buf = new PackBuffer(10_000, (e) => out.push(e));
    for (let i = 0; i < 45; i++) buf.add('PK', `d${i}`, { A: tv(i) });
    buf.flush();
    expect(out.map((e) => e.length)).toEqual([PACK_MAX_DEVICES, PACK_MAX_DEVICES, 5]);
    out.length = 0;
    const many = Object.fromEntries(Array.from({ length: 150 }, (_, k) => [`P${k}`, tv(k)]));
    buf.add('PK', 'x', many);
    buf.add('PK', 'y', many); // 300 > 200: the first pack goes alone
    buf.add('PK', 'y', { A: tv(1) });
    buf.add('PK', 'y', { A: tv(2) }); // overlapping key: flushed before
    buf.flush();
    expect(out.map((e) => e.map((d) => d.deviceName))).toEqual([['x'], ['y'], ['y']]);
    expect(out.every((e) => e.reduce((n, d) => n + Object.keys(d.properties).length, 0) <= PACK_MAX_PROPERTIES)).toBe(true);
    expect((out[2]![0]!.properties.A as { value: number }).value).toBe(2);
    expect(PackBuffer.fits(Object.fromEntries(Array.from({ length: 201 }, (_, k) => [`P${k}`, tv(k)])))).toBe(false);
  });

  it('rewrites a stale pack into one history post with every identity, same id and times', () => {
    const entries: PackEntry[] = [
      { productKey: 'PK', deviceName: 'a', properties: { V: tv(1) } },
      { productKey: 'PK', deviceName: 'b', properties: { V: tv(2), W: tv(3) } },
    ];
    const h = realtimeToHistory('GW', 'box', '/sys/GW/box/thing/event/property/pack/post', packPost('42', entries))!;
    expect(h.topic).toBe('/sys/GW/box/thing/event/property/history/post');
    const body = JSON.parse(h.payload) as {
      id: string;
      method: string;
      params: Array<{ identity: { deviceName: string }; properties: Array<Record<string, unknown>> }>;
    };
    expect(body.id).toBe('42');
    expect(body.method).toBe('thing.event.property.history.post');
    expect(body.params.map((p) => p.identity.deviceName)).toEqual(['a', 'b']);
    expect(body.params[1]!.properties[0]).toEqual({ V: tv(2), W: tv(3) });
  });
});
