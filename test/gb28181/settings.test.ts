/** The gb28181-camera driver's settings check and its discovered list (drivers/gb28181-camera). */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DiscoveredList, MAX_DISCOVERED } from '../../drivers/gb28181-camera/discovered.js';
import settings from '../../drivers/gb28181-camera/settings.js';

const dir = mkdtempSync(join(tmpdir(), 'pe-gb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Dev = Parameters<NonNullable<typeof settings.check>>[0]['devices'][number];
const check = (devices: Dev[]) =>
  settings.check!({ config: {} as Parameters<NonNullable<typeof settings.check>>[0]['config'], devices, dataDir: dir }).map(
    (p) => `${p.path}: ${p.message}`,
  );

describe('gb28181-camera settings', () => {
  it('refuses a GB id twice, a category of the other kind, a parent that is no NVR and a password on a channel', () => {
    const nvr = {
      productKey: 'PEGbNvr',
      deviceName: 'N',
      custom: { gbId: '34020000001180000001', categoryCode: 'community/security/ipcamera' },
    };
    const ch = {
      productKey: 'PEGbCamera',
      deviceName: 'C',
      custom: { gbId: '34020000001310000001', parent: '34020000001180000009', password: 'x' },
    };
    const twice = { productKey: 'PEGbCamera', deviceName: 'D', custom: { gbId: '34020000001180000001' } };
    expect(check([nvr, ch, twice] as Dev[])).toEqual([
      '/devices/0/custom/categoryCode: community/security/ipcamera is not a NVR category',
      '/devices/1/custom/parent: parent 34020000001180000009 is no configured NVR',
      '/devices/1/custom/password: an NVR channel does not register itself',
      '/devices/2/custom/gbId: GB id 34020000001180000001 is configured twice',
    ]);
    const good = { ...ch, custom: { gbId: '34020000001310000001', parent: '34020000001180000001' } };
    expect(check([{ ...nvr, custom: { gbId: nvr.custom.gbId, categoryCode: 'community/security/nnvr' } }, good] as Dev[])).toEqual([]);
  });
});

describe('discovered list', () => {
  it('writes discovered.json, forgets a device once configured and stays bounded', () => {
    const list = new DiscoveredList(dir);
    expect(list.add({ gbId: '34020000001320000077', kind: 'device', address: '10.0.0.7' }, 1000)).toBe(true);
    expect(list.add({ gbId: '34020000001320000077', kind: 'device', address: '10.0.0.7' }, 2000)).toBe(false); // nothing new
    const file = () => JSON.parse(readFileSync(join(dir, 'discovered.json'), 'utf8')) as Array<{ gbId: string; firstSeen: number }>;
    expect(file()).toMatchObject([{ gbId: '34020000001320000077', firstSeen: 1000 }]);
    list.remove('34020000001320000077');
    expect(file()).toEqual([]);
    for (let i = 0; i < MAX_DISCOVERED + 10; i++) list.add({ gbId: String(34020000001320000000n + BigInt(i)), kind: 'device' }, 3000);
    expect(file()).toHaveLength(MAX_DISCOVERED);
  });
});
