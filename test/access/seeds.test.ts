/** Seed persons and permission files from the config (the demo door, commissioning offline): applied at start, once per content. */
import { afterEach, describe, expect, it } from 'vitest';
import { AccessCore } from '../../edge/access/access-core.js';
import { parseAccessConfig } from '../../edge/access/config.js';
import { loadConfig } from '../../edge/config/load.js';
import { silentLogger } from '../../edge/log.js';
import { makeCore, type TestCore } from './helpers.js';

let t: TestCore;
afterEach(() => t?.close());

describe('seed permissions', () => {
  it("the embedded defaults' demo QR code and card pass at the demo door, offline, naming the demo resident; a restart does not apply them again", async () => {
    const access = loadConfig(undefined).config.access as Record<string, unknown>;
    t = makeCore(access);
    await t.core.start();
    const now = Date.now();
    expect(t.core.passage.decideQr('PEDoorQr/DEMO-DOOR-01.2', 'DEMOQR0PASS0FOR0THE0DEMO0DOOR001', { now })).toMatchObject({
      code: 0,
      identityId: 'demo-resident-01',
      name: '演示住户',
    });
    expect(t.core.passage.decideCard('PEDoorCard/DEMO-DOOR-01.3', '10000001', { now })).toMatchObject({ code: 0, name: '演示住户' });
    expect(t.core.passage.decideQr('PEDoorQr/OTHER-DOOR.2', 'DEMOQR0PASS0FOR0THE0DEMO0DOOR001', { now }).code).not.toBe(0); // only the demo door holds it
    expect(t.core.deployments.counts('PEDoorCard/DEMO-DOOR-01.3')).toEqual({ toBeTransferred: 1 }); // the card goes to the door
    const jobs = () => t.db.prepare("SELECT COUNT(*) FROM access_sync_jobs WHERE url = '(config seed)'").pluck().get();
    expect(jobs()).toBe(2);
    const again = new AccessCore({ db: t.db, log: silentLogger(), dataDir: t.dir }, parseAccessConfig(access));
    await again.start();
    await again.stop();
    expect(jobs()).toBe(2);
  });

  it('a refused seed file is logged and leaves the box running', async () => {
    t = makeCore({ seedPermissions: [{ device: 'PEDoorQr/X.2', file: { qrCodePermissionList: [{ type: 9, qrCode: '' }] } }] });
    await expect(t.core.start()).resolves.toBeUndefined();
    expect(t.core.permissions.totals().qr).toBe(0);
  });
});
