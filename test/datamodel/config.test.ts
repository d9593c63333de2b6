/** The dataModel: section: when it runs, its defaults, and what `edge check` reports. */
import { describe, expect, it } from 'vitest';
import { configProblems } from '../../edge/config-check.js';
import { boxListeners } from '../../edge/config/listeners.js';
import { parseConfig } from '../../edge/config/load.js';
import { dataModelConfigProblems, parseDataModelConfig } from '../../edge/datamodel/config.js';

describe('dataModel config section', () => {
  it('runs with its section, or with apps, unless disabled', () => {
    expect(parseDataModelConfig(undefined, false)).toBeUndefined();
    expect(parseDataModelConfig(undefined, true)?.port).toBe(10061);
    expect(parseDataModelConfig({}, false)?.host).toBe('127.0.0.1');
    expect(parseDataModelConfig({ enabled: false }, true)).toBeUndefined();
    const c = parseDataModelConfig({}, false);
    expect(c?.ackTimeoutS).toBe(30);
    expect(c?.retentionDays).toBe(30);
  });

  it('reports bad fields with their paths, and throws on them at start', () => {
    const problems = dataModelConfigProblems({ port: 70000, subscribers: [{ name: 'a b', models: [] }], extra: 1 });
    const paths = problems.map((p) => p.path);
    expect(paths).toContain('/dataModel/port');
    expect(paths.some((p) => p.startsWith('/dataModel/subscribers/0'))).toBe(true);
    expect(() => parseDataModelConfig({ port: 'x' }, false)).toThrow(/dataModel\/port/);
  });

  it('refuses a subscriber named twice and warns about listening beyond the box', () => {
    const twice = dataModelConfigProblems({
      subscribers: [
        { name: 's', models: ['*'] },
        { name: 's', models: ['m'] },
      ],
    });
    expect(twice.map((p) => p.message)).toContain('subscriber s named twice');
    const wide = dataModelConfigProblems({ host: '0.0.0.0' });
    expect(wide).toHaveLength(1);
    expect(wide[0]!.advisory).toBe(true);
    expect(parseDataModelConfig({ host: '0.0.0.0' }, false)?.host).toBe('0.0.0.0');
  });

  it('is checked by edge check and listed among the box listeners', async () => {
    const problems = await configProblems('dataModel: { port: 99999, ackTimeoutS: 0 }\n', '/tmp/box.yaml');
    expect(problems.map((p) => p.path)).toEqual(expect.arrayContaining(['/dataModel/port', '/dataModel/ackTimeoutS']));
    expect(await configProblems('dataModel: {}\n', '/tmp/box.yaml')).toEqual([]);
    const listed = boxListeners(parseConfig('dataModel: {}\n')).find((l) => l.protocol === 'http-datamodel');
    expect(listed).toMatchObject({ port: 10061, host: '127.0.0.1', path: '/dataModel/port' });
    expect(boxListeners(parseConfig('dataModel: { enabled: false }\n')).some((l) => l.protocol === 'http-datamodel')).toBe(false);
  });
});
