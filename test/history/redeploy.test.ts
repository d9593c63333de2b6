/**
 * The `history:` section applies on a redeploy, without a restart: new limits reach the store at
 * once, switching history off stops recording (the kept rows stay), switching it on again resumes
 * it, and an unchanged section leaves the running recorder alone.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, startBox, type TestBox } from '../helpers/runtime.js';

let box: TestBox | undefined;
afterEach(async () => {
  await box?.close();
  box = undefined;
});

describe('history section on redeploy', () => {
  it('applies new limits, off and on again without restarting the box', async () => {
    box = await startBox(`
history: { rawHours: 24, flushMs: 50 }
drivers:
  - name: Steady_Test
    module: ${join(FIXTURES, 'drivers', 'misbehave', 'index.ts')}
    devices:
      - { productKey: TestCounter, deviceName: hist-1, custom: { intervalMs: 100000 } }
`);
    const rt = box.runtime;
    const report = (value: number, time: number) =>
      rt.events.emit('device.properties', { productKey: 'TestCounter', deviceName: 'hist-1', params: { Level: { value, time } } });
    const first = rt.consoleServices.history!;
    expect(first.status().rawHours).toBe(24);

    const unchanged = await rt.redeploy(rt.config);
    expect(unchanged.restarted).toEqual([]);
    expect(rt.consoleServices.history).toBe(first); // same section: the running store stays

    await rt.redeploy({ ...rt.config, history: { rawHours: 6, flushMs: 50 } });
    const second = rt.consoleServices.history!;
    expect(second).not.toBe(first);
    expect(second.status().rawHours).toBe(6);
    expect(rt.config.history).toEqual({ rawHours: 6, flushMs: 50 });
    const t0 = Date.now();
    report(1, t0);
    await rt.redeploy({ ...rt.config, history: { enabled: false } }); // stopping writes what it holds
    expect(rt.consoleServices.history).toBeUndefined();
    report(2, t0 + 1); // not recorded: history is off

    await rt.redeploy({ ...rt.config, history: { flushMs: 50 } });
    const third = rt.consoleServices.history!;
    expect(third.series('TestCounter/hist-1', 'Level', t0 - 1000, t0 + 1000)).toEqual({ resolution: 'raw', points: [[t0, 1]] });
    report(3, t0 + 2);
    await rt.redeploy({ ...rt.config, history: { flushMs: 60 } });
    expect(rt.consoleServices.history!.series('TestCounter/hist-1', 'Level', t0 - 1000, t0 + 1000)).toEqual({
      resolution: 'raw',
      points: [
        [t0, 1],
        [t0 + 2, 3],
      ],
    });
  });
});
