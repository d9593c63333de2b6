/** Box config: every kind of error reported with its path and a hint; `edge check` prints them. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blocking, checkSemantics, ConfigError, loadConfig, parseConfig, type ConfigProblem } from '../../edge/config/load.js';
// The areas register their section checks on load, as in the daemon (edge/config/sections.ts).
import '../../edge/cloud/config.js';
import '../../edge/access/config.js';
import '../../edge/console/options.js';
import '../../edge/rules/config.js';
import '../../edge/files/config.js';
import '../../edge/datamodel/config.js';
import '../../edge/apps/config.js';
import '../../edge/backup/schedule.js';
import '../../edge/history/config.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
/** The built CLI (`npm test` builds first): tsx would compile the whole tree on every one of these runs. */
const MAIN = join(ROOT, 'dist', 'edge', 'main.js');

function problemsOf(text: string): ConfigProblem[] {
  try {
    const cfg = parseConfig(text);
    return checkSemantics(cfg, ROOT);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('box config', () => {
  it('runs on embedded defaults with no file: local ports, ./data, the demo devices', () => {
    const { config } = loadConfig(undefined);
    expect(config.box.dataDir).toBe('./data');
    expect(config.http).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.bus).toMatchObject({ enabled: true, host: '127.0.0.1', port: 1883, allowAnonymous: false, users: [] });
    expect(config.drivers.map((d) => d.type)).toContain('demo-sim');
    expect(blocking(checkSemantics(config, process.cwd()))).toEqual([]);
    // The demo OpenAPI terminal is the simulator, on its factory password: said, not refused.
    expect(checkSemantics(config, process.cwd()).map((p) => [p.path, p.advisory])).toEqual([
      ['/drivers/3/devices/0/custom/password', true],
    ]);
  });

  const cases: Array<[string, string, string, RegExp, RegExp]> = [
    ['syntax error', 'box: [unclosed', '<config>', /not valid YAML/, /fix the syntax/],
    ['not a mapping', '- a\n- b', '/', /must be a mapping/, /box.example.yaml/],
    ['unknown key', 'bogus: 1', '/bogus', /Unexpected property/, /remove bogus/],
    ['wrong type', 'http: { port: "eighty" }', '/http/port', /Expected/, /./],
    ['port out of range', 'http: { port: 70000 }', '/http/port', /Expected/, /./],
    ['non-integer', 'host: { heartbeatMs: 1.5 }', '/host/heartbeatMs', /Expected integer/, /whole number/],
    [
      'short bus password',
      'bus: { users: [ { username: a, password: short } ] }',
      '/bus/users/0/password',
      /length/,
      /length|8 characters/,
    ],
    [
      'bad driver name',
      'drivers: [ { name: "has space", type: demo-sim, devices: [] } ]',
      '/drivers/0/name',
      /pattern|Expected string to match/,
      /must match/,
    ],
    [
      'missing device name',
      'drivers: [ { name: D, type: demo-sim, devices: [ { productKey: PEDemoMeter } ] } ]',
      '/drivers/0/devices/0/deviceName',
      /Expected required property/,
      /add this field/,
    ],
    [
      'duplicate driver',
      'drivers: [ { name: D, type: demo-sim, devices: [] }, { name: D, type: demo-sim, devices: [] } ]',
      '/drivers/1/name',
      /duplicate driver name D/,
      /its own name/,
    ],
    [
      'driver not installed',
      'drivers: [ { name: D, type: no-such-driver, devices: [] } ]',
      '/drivers/0/type',
      /not installed/,
      /drivers\//,
    ],
    ['no type nor module', 'drivers: [ { name: D, devices: [] } ]', '/drivers/0', /needs a type or a module/, /type: demo-sim/],
    [
      'unknown product',
      'drivers: [ { name: D, type: demo-sim, devices: [ { productKey: Nope, deviceName: x } ] } ]',
      '/drivers/0/devices/0/productKey',
      /no thing model for product Nope/,
      /TSL JSON file/,
    ],
    [
      'device twice',
      'drivers: [ { name: A, type: demo-sim, devices: [ { productKey: PEDemoMeter, deviceName: m } ] }, { name: B, type: demo-sim, devices: [ { productKey: PEDemoMeter, deviceName: m } ] } ]',
      '/drivers/1/devices/0/deviceName',
      /already listed under driver A/,
      /exactly one driver/,
    ],
    ['anonymous bus', 'bus: { allowAnonymous: true }', '/bus/allowAnonymous', /anonymous access/, /turn it off/],
    [
      'terminal on its factory password',
      'drivers: [ { name: F, type: face-terminal-openapi, devices: [ { productKey: PEFaceOpenApi, deviceName: t1, custom: { ip: 127.0.0.1 } } ] } ]',
      '/drivers/0/devices/0/custom/password',
      /factory password 123456/,
      /terminal's screen/,
    ],
    ['cloud section', 'cloud: { productKey: pk, deviceName: dn }', '/cloud/deviceSecret', /Expected required property/, /docs\/cloud.md/],
    ['access section', 'access: { bogusKey: 1 }', '/access/bogusKey', /Unexpected property/, /docs\/access.md/],
    ['console section', 'console: { bogusKey: 1 }', '/console/bogusKey', /Unexpected property/, /docs\/console.md/],
  ];
  it.each(cases)('reports %s with its path and a hint', (_what, text, path, message, hint) => {
    const problems = problemsOf(text);
    const p = problems.find((x) => x.path === path);
    expect(p, JSON.stringify(problems)).toBeDefined();
    expect(p!.message).toMatch(message);
    expect(p!.hint).toMatch(hint);
  });

  it('advisories are reported but do not refuse a config: an anonymous bus, a terminal on its factory password', () => {
    const text =
      'bus: { allowAnonymous: true }\ndrivers: [ { name: F, type: face-terminal-openapi, devices: [ { productKey: PEFaceOpenApi, deviceName: t1, custom: { ip: 127.0.0.1, password: "123456" } }, { productKey: PEFaceOpenApi, deviceName: t2, custom: { ip: 127.0.0.2, password: "s3cret-pw" } } ] } ]';
    const problems = problemsOf(text);
    expect(problems.map((p) => p.path).sort()).toEqual(['/bus/allowAnonymous', '/drivers/0/devices/0/custom/password']);
    expect(blocking(problems)).toEqual([]);
    expect(blocking([...problems, { path: '/http/port', message: 'x', hint: 'y' }]).map((p) => p.path)).toEqual(['/http/port']);
  });

  it('reports every problem at once, not just the first', () => {
    const problems = problemsOf('bogus: 1\nhttp: { port: -1 }\nhost: { heartbeatMs: 1.5 }');
    expect(problems.map((p) => p.path).sort()).toEqual(['/bogus', '/host/heartbeatMs', '/http/port']);
  });

  it('`edge check` prints each problem with path and hint and exits 1; a good file exits 0; an unreadable one 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pe-check-'));
    const bad = join(dir, 'bad.yaml');
    const good = join(dir, 'good.yaml');
    writeFileSync(
      bad,
      'http: { port: 70000 }\ndrivers: [ { name: D, type: demo-sim, devices: [ { productKey: Nope, deviceName: x } ] } ]\n',
    );
    writeFileSync(
      good,
      'drivers: [ { name: D, type: demo-sim, devices: [ { productKey: PEDemoMeter, deviceName: m1, custom: { kind: meter } } ] } ]\n',
    );
    const run = (f: string) => spawnSync(process.execPath, [MAIN, 'check', f], { encoding: 'utf8', cwd: ROOT });
    const r1 = run(bad);
    expect(r1.status).toBe(1);
    expect(r1.stdout).toMatch(/\/http\/port: .*\n\s+hint: /);
    expect(r1.stdout).toMatch(/^1 error$/m);
    const r2 = run(good);
    expect(r2.stdout).toMatch(/ok/);
    expect(r2.status).toBe(0);
    // Semantic problems show too once the schema passes.
    writeFileSync(bad, 'drivers: [ { name: D, type: demo-sim, devices: [ { productKey: Nope, deviceName: x } ] } ]\n');
    const r3 = run(bad);
    expect(r3.status).toBe(1);
    expect(r3.stdout).toMatch(/\/drivers\/0\/devices\/0\/productKey: no thing model for product Nope/);
    const r4 = run(join(dir, 'missing.yaml'));
    expect(r4.status).toBe(2);
    expect(r4.stderr).toMatch(/missing\.yaml: cannot read the file \(ENOENT\)/);
  });

  it('the shipped example config is valid', () => {
    const r = spawnSync(process.execPath, [MAIN, 'check', join(ROOT, 'config', 'box.example.yaml')], { encoding: 'utf8', cwd: ROOT });
    expect(r.stdout + r.stderr).toMatch(/ok/);
    expect(r.status).toBe(0);
  });
});
