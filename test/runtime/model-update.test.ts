/**
 * A thing model changed on disk reaches every device of its product at the next redeploy, also
 * the ones whose own config did not change (their driver is not restarted): the TSL boundary uses
 * the new ranges, the console shows the new model, values of properties that remain are kept.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, startBox, type TestBox } from '../helpers/runtime.js';

let box: TestBox | undefined;
afterEach(async () => {
  await box?.close();
  box = undefined;
});

describe('thing model update on redeploy', () => {
  it('applies a changed TSL to an unchanged device without restarting its driver', async () => {
    box = await startBox(`
drivers:
  - name: Steady_Test
    module: ${join(FIXTURES, 'drivers', 'misbehave', 'index.ts')}
    devices:
      - { productKey: TestCounter, deviceName: model-1, custom: { intervalMs: 100000 } }
`);
    const rt = box.runtime;
    // The product's model in a folder of this box's own, so it can change.
    const dir = join(box.dir, 'tsl');
    mkdirSync(dir, { recursive: true });
    const tsl = JSON.parse(readFileSync(join(FIXTURES, 'tsl', 'TestCounter.json'), 'utf8')) as {
      properties: Array<{ identifier: string; dataType: { specs: Record<string, string> } }>;
    };
    const write = (levelMax: string) => {
      tsl.properties.find((p) => p.identifier === 'Level')!.dataType.specs.max = levelMax;
      writeFileSync(join(dir, 'TestCounter.json'), JSON.stringify(tsl));
    };
    write('10');
    await rt.redeploy({ ...rt.config, thingModels: [...rt.config.thingModels, dir] });
    expect(rt.registry.acceptProperties('TestCounter', 'model-1', { Level: 8 }, 1000).count).toBe(1);
    expect(rt.registry.acceptProperties('TestCounter', 'model-1', { Level: 15 }, 1001).dropped).toBe(1);
    const restarts = rt.host.driver('Steady_Test')!.restarts;
    const startedAt = rt.host.driver('Steady_Test')!.startedAt;

    write('20');
    const diff = await rt.redeploy(rt.config);
    expect(diff.restarted).toEqual([]); // the driver's config did not change
    expect(rt.host.driver('Steady_Test')!.startedAt).toBe(startedAt);
    expect(rt.host.driver('Steady_Test')!.restarts).toBe(restarts);
    expect(rt.registry.acceptProperties('TestCounter', 'model-1', { Level: 15 }, 1002).count).toBe(1); // the new range
    expect(rt.registry.get('TestCounter', 'model-1')!.shadow.get('Level')).toEqual({ value: 15, time: 1002 });
    const levelSpec = rt.registry.get('TestCounter', 'model-1')!.model.properties.get('Level')!.def.dataType;
    expect(levelSpec).toMatchObject({ specs: { max: 20 } });
  });
});
