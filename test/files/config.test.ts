/** The `files:` section: on when present, defaults from the seed, problems with their paths, its ports reserved. */
import { describe, expect, it } from 'vitest';
import { configProblems } from '../../edge/config-check.js';
import { boxListeners } from '../../edge/config/listeners.js';
import { parseConfig } from '../../edge/config/load.js';
import { parseFilesConfig } from '../../edge/files/config.js';
import { urlHost } from '../../edge/files/service.js';

const problems = (yaml: string) => configProblems(yaml, '/tmp/box.yaml', '/tmp');

describe('files config', () => {
  it('runs the service only with a files section that does not disable it; defaults are the seed ones', () => {
    expect(parseFilesConfig(undefined)).toBeUndefined();
    expect(parseFilesConfig({ enabled: false })).toBeUndefined();
    expect(parseFilesConfig({})).toMatchObject({
      host: '127.0.0.1',
      port: 9102,
      defaultExpireS: 7200,
      maxFileMb: 64,
      quotaMb: 4096,
      dir: 'files',
    });
    expect(() => parseFilesConfig({ port: 70000 })).toThrow(/files\/port/);
  });

  it('reports bad fields with their path and a hint, and a wildcard host without publicHost as a warning', async () => {
    const bad = await problems('files: { defaultExpireS: 604801, maxFileMb: 0, colour: red, outsidePort: 9102 }\n');
    expect(bad.map((p) => p.path)).toEqual(expect.arrayContaining(['/files/defaultExpireS', '/files/maxFileMb', '/files/colour']));
    expect(bad.every((p) => p.hint === 'see docs/files.md')).toBe(true);
    expect((await problems('files: { outsidePort: 9102 }\n')).map((p) => p.path)).toEqual(['/files/outsidePort']);
    const wild = await problems('files: { host: 0.0.0.0 }\n');
    expect(wild).toEqual([expect.objectContaining({ path: '/files/publicHost', advisory: true })]);
    expect(await problems('files: { host: 0.0.0.0, publicHost: 192.168.1.2, outsidePort: 32012 }\n')).toEqual([]);
  });

  it('reserves its ports: a driver may not listen on them, and the listener registry lists them', async () => {
    const yaml = `files: { outsidePort: 32012 }
drivers:
  - name: Door
    type: door-standard
    config: { port: 32012 }
    devices: []
`;
    expect((await problems(yaml)).map((p) => p.message).join('\n')).toMatch(/32012/);
    const listed = boxListeners(parseConfig('files: { outsidePort: 32012 }\n'));
    expect(listed.filter((l) => l.protocol === 'http-files').map((l) => [l.path, l.port])).toEqual([
      ['/files/port', 9102],
      ['/files/outsidePort', 32012],
    ]);
    expect(boxListeners(parseConfig('files: { enabled: false }\n')).some((l) => l.protocol === 'http-files')).toBe(false);
  });

  it('names publicHost, else the listening address, else a LAN address, in download URLs', () => {
    expect(urlHost({ host: '127.0.0.1', publicHost: 'box.local' })).toBe('box.local');
    expect(urlHost({ host: '10.0.0.5' })).toBe('10.0.0.5');
    expect(urlHost({ host: '::1' })).toBe('[::1]');
    expect(urlHost({ host: '0.0.0.0' })).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });
});
