/** The dataModel: section: when it runs, its defaults, and what `edge check` reports. */
import { describe, expect, it } from 'vitest';
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
});
