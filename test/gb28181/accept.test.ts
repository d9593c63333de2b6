/**
 * `edge cameras` and accepting a discovered camera (edge/video/cameras.ts): the view of a config
 * with the driver's discovered.json and log, and the config text after an accept — comments and
 * other lines kept, one flow-map line added, a channel with its parent, a Chinese suggested name
 * moved into the alias, already-configured and unknown ids refused; the CLI end to end.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../edge/config/load.js';
import { AcceptError, acceptCamera, cameraView } from '../../edge/video/cameras.js';

const dir = mkdtempSync(join(tmpdir(), 'gb-accept-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NVR = '34020000001180000001';
const TEXT = `# the site's box
box: { name: site, dataDir: ./data }
drivers:
  # cameras of the east gate
  - name: GB
    type: gb28181-camera
    config: { sipIp: 127.0.0.1, password: "choose-one" }
    devices:
      - { productKey: PEGbNvr, deviceName: YPLXJ-000118, custom: { gbId: "${NVR}" } }
      - { productKey: PEGbCamera, deviceName: YPLXJ-000118_1_EastGate, custom: { gbId: "34020000001310000033", parent: "${NVR}" } }
`;
const DISCOVERED = [
  { gbId: '34020000001310000035', kind: 'channel', parent: NVR, suggestedName: 'YPLXJ-000118_3_西门', firstSeen: 1, lastSeen: 2 },
  { gbId: '34020000001310000034', kind: 'channel', parent: NVR, suggestedName: 'YPLXJ-000118_2_North', firstSeen: 1, lastSeen: 2 },
  { gbId: '34020000001320000077', kind: 'device', address: '10.0.0.7', firstSeen: 1, lastSeen: 2 },
];

function site(): string {
  const file = join(dir, 'box.yaml');
  writeFileSync(file, TEXT);
  mkdirSync(join(dir, 'data', 'drivers', 'GB'), { recursive: true });
  writeFileSync(join(dir, 'data', 'drivers', 'GB', 'discovered.json'), JSON.stringify(DISCOVERED));
  mkdirSync(join(dir, 'data', 'logs', 'drivers'), { recursive: true });
  writeFileSync(
    join(dir, 'data', 'logs', 'drivers', 'GB.log'),
    `{"level":30,"gbId":"${NVR}","transport":"udp","msg":"device registered"}\n{"level":40,"gbId":"${NVR}","reason":"x","msg":"device offline"}\n{"level":30,"gbId":"${NVR}","msg":"device registered"}\n`,
  );
  return file;
}

describe('the camera view and accept', () => {
  it('lists configured devices with channels and logged state, and the discovered list', () => {
    site();
    const view = cameraView(parseConfig(TEXT), join(dir, 'data'));
    expect(view.configured).toHaveLength(1);
    expect(view.configured[0]).toMatchObject({
      gbId: NVR,
      state: 'online',
      channels: [{ deviceName: 'YPLXJ-000118_1_EastGate', state: 'online' }],
    });
    expect(view.discovered.map((d) => d.gbId)).toEqual(DISCOVERED.map((d) => d.gbId));
  });

  it('adds one line to the driver, comments kept; a Chinese suggested name goes into the alias', () => {
    site();
    const view = cameraView(parseConfig(TEXT), join(dir, 'data'));
    const r = acceptCamera(TEXT, view, '34020000001310000035', {});
    expect(r.device).toEqual({
      productKey: 'PEGbCamera',
      deviceName: 'YPLXJ-000118_3',
      alias: 'YPLXJ-000118_3_西门',
      custom: { gbId: '34020000001310000035', parent: NVR },
    });
    expect(r.text).toContain("# the site's box");
    expect(r.text).toContain('# cameras of the east gate');
    expect(r.text.split('\n').length).toBe(TEXT.split('\n').length + 1);
    const cfg = parseConfig(r.text);
    expect(cfg.drivers[0]!.devices.map((d) => d.deviceName)).toContain('YPLXJ-000118_3');
    expect(acceptCamera(TEXT, view, '34020000001310000034', {}).device).toMatchObject({ deviceName: 'YPLXJ-000118_2_North' });
    expect(acceptCamera(TEXT, view, '34020000001320000077', { name: 'SXJ-77', nvr: true }).device).toMatchObject({
      productKey: 'PEGbNvr',
      custom: { gbId: '34020000001320000077' },
    });
  });

  it('refuses an unknown id, a device without a name, a bad name and an id already configured', () => {
    site();
    const view = cameraView(parseConfig(TEXT), join(dir, 'data'));
    expect(() => acceptCamera(TEXT, view, '34020000001320000099', {})).toThrow(AcceptError);
    expect(() => acceptCamera(TEXT, view, '34020000001320000077', {})).toThrow(/--name/);
    expect(() => acceptCamera(TEXT, view, '34020000001320000077', { name: '东门' })).toThrow(/must be/);
    const again = { ...view, discovered: [...view.discovered, { ...view.discovered[0]!, gbId: '34020000001310000033' }] };
    expect(() => acceptCamera(TEXT, again, '34020000001310000033', {})).toThrow(/already configured/);
  });

  it('edge cameras lists, and edge cameras accept writes the file (dist)', () => {
    const file = site();
    const cli = (...a: string[]) => spawnSync(process.execPath, ['dist/edge/main.js', 'cameras', ...a], { encoding: 'utf8' });
    const list = cli('-c', file);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/34020000001180000001 {2}PEGbNvr\/YPLXJ-000118 {2}online/);
    expect(list.stdout).toMatch(/discovered \(3\)/);
    const acc = cli('accept', '34020000001310000034', '-c', file);
    expect(acc.status, acc.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('deviceName: YPLXJ-000118_2_North');
    expect(cli('accept', '34020000001310000099', '-c', file).status).toBe(1);
  });
});
