/** `edge check` of the app sections: folders, manifests, one provider per model, ports not taken twice. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configProblems } from '../../edge/config-check.js';
import { boxListeners } from '../../edge/config/listeners.js';
import { parseConfig } from '../../edge/config/load.js';
import { checkManifest } from '../../edge/apps/manifest.js';
import { appListeners } from '../../edge/apps/config.js';
import { writeApp } from './helpers.js';
import { spawnSync } from 'node:child_process';

const dir = mkdtempSync(join(tmpdir(), 'pe-appcfg-'));
const problems = async (yaml: string) =>
  (await configProblems(`http: { port: 8080 }\n${yaml}`, join(dir, 'box.yaml'), dir)).filter((p) => !p.advisory);

describe('apps config', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeApp(dir, { name: 'one', fixture: 'serve', provides: [{ serviceModelId: 'model_a', port: 10071 }] });
  writeApp(dir, { name: 'two', fixture: 'serve', provides: [{ serviceModelId: 'model_a', port: 10071 }] });
  writeApp(dir, { name: 'three', fixture: 'serve', provides: [{ serviceModelId: 'model_c', port: 8080 }] });
  writeApp(dir, { name: 'four', fixture: 'serve', provides: [{ serviceModelId: 'model_d', port: 10060 }] });
  writeApp(dir, {
    name: 'five',
    fixture: 'serve',
    provides: [{ serviceModelId: 'model_e', port: 10081 }],
    listens: [{ port: 10082, what: 'pushes' }],
  });

  it('accepts a good list, paths relative to the config file', async () => {
    expect(await problems('apps:\n  - { name: one, path: one }\n')).toEqual([]);
  });

  it('names a missing folder, a missing or bad manifest, and a name that is not the manifest’s', async () => {
    writeFileSync(join(dir, 'bad.json'), '{');
    const out = await problems('apps:\n  - { name: nope, path: missing }\n  - { name: one, path: . }\n  - { name: other, path: one }\n');
    expect(out.map((p) => [p.path, p.message])).toEqual([
      ['/apps/0/path', expect.stringMatching(/folder .*missing not found/)],
      ['/apps/1/path', expect.stringMatching(/no app.json/)],
      ['/apps/2/name', 'the manifest names the app one'],
    ]);
  });

  it('refuses two providers of one service model, a port of another listener, and the service bus port', async () => {
    const out = await problems(
      'apps:\n  - { name: one, path: one }\n  - { name: two, path: two }\n  - { name: three, path: three }\n  - { name: four, path: four }\n',
    );
    expect(out.map((p) => p.message)).toEqual([
      'service model model_a is provided by one already',
      'port 10071 is already taken by app one',
      expect.stringMatching(/^port 8080 is already taken by the box HTTP server/),
      expect.stringMatching(/^port 10060 is already taken by the service bus/),
    ]);
  });

  it('`edge check` refuses a driver on an app’s port, and an app port (declared or service) the box listens on', () => {
    const file = join(dir, 'clash.yaml');
    writeFileSync(
      file,
      'http: { port: 8080 }\nbus: { port: 10082 }\napps:\n  - { name: five, path: five }\n' +
        'drivers: [ { name: Push, type: face-terminal-push, config: { port: 10081 }, devices: [] } ]\n',
    );
    const r = spawnSync(process.execPath, ['--import', 'tsx', join('edge', 'main.ts'), 'check', file, '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as { problems: Array<{ path: string; message: string; advisory: boolean }> };
    expect(out.problems.filter((p) => !p.advisory).map((p) => [p.path, p.message])).toEqual([
      ['/apps/0', expect.stringMatching(/^port 10082 is already taken by the local bus/)],
      ['/drivers/0/config/port', 'port 10081 is already taken by app five (model_e) (/apps/0)'],
    ]);
  });

  it('lists an app’s ports for the listener registry, and a free driver port passes', async () => {
    expect(appListeners([{ name: 'five', path: 'five' }], dir).map((l) => [l.port, l.protocol, l.what])).toEqual([
      [10081, 'http-app', 'app five (model_e)'],
      [10082, 'http-app', 'app five (pushes)'],
    ]);
    expect(
      await problems(
        'apps:\n  - { name: five, path: five }\ndrivers: [ { name: Push, type: face-terminal-push, config: { port: 10083 }, devices: [] } ]\n',
      ),
    ).toEqual([]);
  });

  it('checks appHost and lists the service bus among the box listeners', async () => {
    expect((await problems('appHost: { serviceBus: { port: 70000 }, colour: red }\n')).map((p) => p.path)).toEqual(
      expect.arrayContaining(['/appHost/serviceBus/port', '/appHost/colour']),
    );
    const cfg = parseConfig('apps: []\n');
    expect(boxListeners(cfg).find((l) => l.protocol === 'http-service-bus')).toMatchObject({ port: 10060, host: '127.0.0.1' });
    expect(boxListeners(parseConfig('{}')).some((l) => l.protocol === 'http-service-bus')).toBe(false);
  });

  it('checks a manifest whole: name, semver, command, reserved env', () => {
    expect(checkManifest({ name: 'A', version: '1', command: [], env: { 'iot.hosting.appKey': 'x' } })).toEqual({
      ok: false,
      problems: expect.arrayContaining([
        expect.stringMatching(/^app.json\/name/),
        expect.stringMatching(/^app.json\/version/),
        expect.stringMatching(/^app.json\/command/),
      ]),
    });
    expect(checkManifest({ name: 'ok-app', version: '1.0.0', command: ['node', 'x.js'], env: { PE_APP_NAME: 'x' } })).toEqual({
      ok: false,
      problems: ['app.json/env/PE_APP_NAME: reserved for the platform'],
    });
    expect(checkManifest('x')).toMatchObject({ ok: false });
  });
});
