/** The cloud link in a real runtime against a real mosquitto and the cloud stand-in. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observeFor, settled } from '../helpers/wait.js';
import { startBox, waitFor, type TestBox } from '../helpers/runtime.js';
import { cloudYaml, DEMO_DRIVER, GATEWAY, startRig, type CloudRig } from './helpers.js';

describe('cloud link (mosquitto + stand-in)', () => {
  let rig: CloudRig;
  let box: TestBox;

  beforeAll(async () => {
    rig = await startRig();
    // Wildcard subscriptions, so messages for a device the box does not know reach it (and get 6100).
    box = await startBox(DEMO_DRIVER(200) + cloudYaml(rig.broker.url, { subscribe: 'wildcard' }));
  });

  afterAll(async () => {
    await box?.close();
    await rig?.close();
  });

  it('connects with the signed gateway identity, adds the topology and logs the sub-devices in', async () => {
    await waitFor(() => box.runtime.cloud?.status().state === 'online', 15_000);
    await waitFor(() => rig.cloud.loggedIn.size === 3, 15_000);
    expect([...rig.cloud.topology].sort()).toEqual(['PEDemoMeter/m1', 'PEDemoMeter/m2', 'PEDemoThermo/t1']);
    expect(rig.cloud.authFailures).toEqual([]);
  });

  it('posts properties with stable per-device ids, after login, and drains the outbox on PUBACK', async () => {
    await waitFor(() => rig.cloud.postsOf('PEDemoMeter', 'm1').filter((p) => p.kind === 'property').length >= 5, 15_000);
    const posts = rig.cloud.postsOf('PEDemoMeter', 'm1').filter((p) => p.kind === 'property');
    const ids = posts.map((p) => Number(p.id));
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]!);
    const params = posts.at(-1)!.body.params as Record<string, { value: unknown; time: number }>;
    expect(params.Voltage?.time).toBeGreaterThan(Date.now() - 60_000);
    expect(posts.at(-1)!.body.method).toBe('thing.event.property.post');
    expect(posts.every((p) => p.loggedIn)).toBe(true);
    await waitFor(() => box.runtime.cloud!.outbox.depth < 10, 10_000);
    const metrics = await box.runtime.metrics.registry.metrics();
    expect(metrics).toMatch(/edge_cloud_link_up 1/);
    expect(metrics).toMatch(/edge_cloud_outbox_depth \d+/);
  });

  it('routes a property set and an asynchronous service to the driver and replies with the same id', async () => {
    const set = await rig.cloud.invoke('PEDemoMeter', 'm1', 'set', { RelayState: 0 });
    expect(set.code).toBe(200);
    const svc = await rig.cloud.invoke('PEDemoMeter', 'm1', 'ResetEnergy', { Reason: 'test' });
    expect(svc.code).toBe(200);
    expect(svc.data).toHaveProperty('Previous');
    const wrongType = await rig.cloud.invoke('PEDemoMeter', 'm1', 'set', { RelayState: 'banana' });
    expect(wrongType.code).toBe(460);
    const unknownService = await rig.cloud.invoke('PEDemoMeter', 'm1', 'Explode', {});
    expect(unknownService.code).toBe(6200);
    const unknownDevice = await rig.cloud.invoke('PEDemoMeter', 'nobody', 'ResetEnergy', { Reason: 'x' });
    expect(unknownDevice.code).toBe(6100);
  });

  it("serves the box's own services on the gateway topics: persons kept in step with the cloud", async () => {
    const gw = [GATEWAY.productKey, GATEWAY.deviceName] as const;
    const sync = await rig.cloud.invoke(...gw, 'SyncPersons', {
      persons: [{ identityId: 'p-cloud-1', name: '王先生', extInfo: {} }, { identityId: 'p-cloud-2' }],
    });
    expect(sync).toMatchObject({
      code: 200,
      data: { created: 1, updated: 0, refused: [{ identityId: 'p-cloud-2', reason: 'a new person needs a name' }] },
    });
    expect(box.runtime.access!.persons.get('p-cloud-1')).toMatchObject({ name: '王先生', extInfo: '{}' });
    expect((await rig.cloud.invoke(...gw, 'SyncPersons', { persons: 'everyone' })).code).toBe(460);
    expect((await rig.cloud.invoke(...gw, 'Explode', {})).code).toBe(6200);
    const del = await rig.cloud.rrpc(...gw, 'DeletePersons', { identityIds: ['p-cloud-1'] });
    expect(del).toMatchObject({ code: 200, data: { deleted: 1 } });
    expect(box.runtime.access!.persons.get('p-cloud-1')).toBeUndefined();
  });

  it('answers a synchronous service over RRPC within its deadline', async () => {
    const r = await rig.cloud.rrpc('PEDemoMeter', 'm2', 'ResetEnergy', { Reason: 'rrpc' });
    expect(r.code).toBe(200);
    expect(r.ms).toBeLessThan(15_000);
    const bad = await rig.cloud.rrpc('PEDemoMeter', 'm2', 'ResetEnergy', { Reason: { not: 'text' } });
    expect(bad.code).toBe(460);
  });

  it('applies a pushed driver config (only the changed devices restart) and acknowledges it', async () => {
    const before = box.runtime.config.drivers;
    const next = {
      drivers: [
        { ...before[0]!, devices: [...before[0]!.devices, { productKey: 'PEDemoMeter', deviceName: 'm3', custom: { kind: 'meter' } }] },
      ],
    };
    const r = await rig.cloud.pushConfig(JSON.stringify(next));
    expect(r.code).toBe(200);
    expect(box.runtime.registry.get('PEDemoMeter', 'm3')).toBeDefined();
    expect((r.data as { diff: { devicesChanged: string[] } }).diff.devicesChanged).toEqual(['Demo_Sim_EBA_Meter']);
  });

  it('refuses an invalid pushed config and keeps the running one', async () => {
    const running = JSON.stringify(box.runtime.config.drivers);
    const unknownProduct = { drivers: [{ name: 'X_Bad', type: 'demo-sim', devices: [{ productKey: 'NoSuchProduct', deviceName: 'x' }] }] };
    const r1 = await rig.cloud.pushConfig(JSON.stringify(unknownProduct));
    expect(r1.code).toBe(460);
    const r2 = await rig.cloud.pushConfig('drivers: [ {name: 1');
    expect(r2.code).toBe(460);
    const r3 = await rig.cloud.pushConfig(JSON.stringify({ drivers: [{ name: 'bad name with spaces', devices: [] }] }));
    expect(r3.code).toBe(460);
    expect(JSON.stringify(box.runtime.config.drivers)).toBe(running);
    expect(box.runtime.host.status().every((d) => d.state === 'running')).toBe(true);
  });

  it('survives hostile down messages: bad JSON, oversized, unknown ids, replies to nothing', async () => {
    const base = `/sys/PEDemoMeter/m1/thing/service`;
    const badJson = await rig.cloud.raw(`${base}/ResetEnergy`, '{not json', `${base}/ResetEnergy_reply`, '');
    expect(badJson?.code).toBe(460);
    const noId = await rig.cloud.raw(`${base}/ResetEnergy`, JSON.stringify({ params: {} }), `${base}/ResetEnergy_reply`, '');
    expect(noId?.code).toBe(460);
    const huge = await rig.cloud.raw(
      `${base}/property/set`,
      JSON.stringify({ id: '77', params: { x: 'y'.repeat(300_000) } }),
      `${base}/property/set_reply`,
      '',
    );
    expect(huge?.code).toBe(460);
    const arr = await rig.cloud.raw(`${base}/ResetEnergy`, '[1,2]', `${base}/ResetEnergy_reply`, '');
    expect(arr?.code).toBe(460);
    await rig.cloud.raw(`/sys/PEDemoMeter/m1/thing/event/property/post_reply`, JSON.stringify({ id: '999999999', code: 200 }));
    await rig.cloud.raw(`/sys/${GATEWAY.productKey}/${GATEWAY.deviceName}/thing/topo/change`, 'null');
    await rig.cloud.raw(`/ext/ntp/${GATEWAY.productKey}/${GATEWAY.deviceName}/response`, '{"deviceSendTime":"x"}');
    const rrpcBad = await rig.cloud.raw(
      `/sys/PEDemoMeter/m1/rrpc/request/123`,
      JSON.stringify({ id: '5', method: 'nope' }),
      `/sys/PEDemoMeter/m1/rrpc/response/123`,
    );
    expect(rrpcBad?.code).toBe(460);
    // Still alive and serving.
    const ok = await rig.cloud.invoke('PEDemoMeter', 'm1', 'get', ['Voltage']);
    expect(ok.code).toBe(200);
    expect(box.runtime.cloud!.status().state).toBe('online');
  });

  it('stops sending a device the platform disables, tells its driver, and resumes on enable', async () => {
    const r = await rig.cloud.lifecycle('PEDemoMeter', 'm2', 'disable');
    expect(r.code).toBe(200);
    await waitFor(() => box.runtime.registry.get('PEDemoMeter', 'm2')?.status === 'disabled', 10_000);
    const disabledAt = Date.now();
    const n = await settled(() => rig.cloud.postsOf('PEDemoMeter', 'm2').length, 1000); // in-flight posts land
    await observeFor(1000); // quiet: a disabled device sends nothing new
    // A post still on its way on a loaded machine may land late; none may carry a value taken after the disable.
    const late = rig.cloud.postsOf('PEDemoMeter', 'm2').slice(n);
    expect(late.filter((p) => newestTimeOf(p.body) > disabledAt)).toEqual([]);
    const e = await rig.cloud.lifecycle('PEDemoMeter', 'm2', 'enable');
    expect(e.code).toBe(200);
    await waitFor(() => rig.cloud.postsOf('PEDemoMeter', 'm2').length > n, 15_000);
  });

  it('exposes link state and outbox depth on the local bus (retained)', async () => {
    const mqtt = (await import('mqtt')).default;
    const user = box.runtime.busUser!;
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${box.runtime.busPort}`, { username: user.username, password: user.password });
    try {
      const got = new Promise<{ state: string; outboxDepth: number }>((resolve) =>
        c.on('message', (_t, p) => resolve(JSON.parse(p.toString()) as { state: string; outboxDepth: number })),
      );
      await c.subscribeAsync('/edge/cloud/state');
      const s = await got;
      expect(s.state).toBe('online');
      expect(typeof s.outboxDepth).toBe('number');
    } finally {
      await c.endAsync();
    }
  });
});

/** The newest value time an Alink post carries (property values' `time`, or the event's). */
function newestTimeOf(body: Record<string, unknown>): number {
  const params = body.params as Record<string, unknown> | undefined;
  if (!params) return 0;
  if (typeof params.time === 'number') return params.time;
  return Math.max(0, ...Object.values(params).map((v) => Number((v as { time?: unknown } | null)?.time ?? 0)));
}
