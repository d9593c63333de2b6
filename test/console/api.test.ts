import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHealthOf } from '../../edge/store/write-health.js';
import { startConsoleBox, waitFor, type ConsoleBox } from './box.js';
import { ConsoleClient } from './client.js';
import { brokenWorkbook } from './workbook.js';
import { readTar, writeTar } from '../../edge/backup/tar.js';
import { assetsGzipBytes, loadAssets } from '../../edge/console/static.js';
import { readStream } from './stream.js';

const PASSWORD = 'Field-Tech-Pass-7';

describe('console API', () => {
  let box: ConsoleBox;
  let c: ConsoleClient;
  beforeAll(async () => {
    box = await startConsoleBox();
    c = new ConsoleClient(box.runtime.http);
    expect((await c.setup(box.runtime.console!.setupToken!, PASSWORD)).statusCode).toBe(200);
    await waitFor(() => box.runtime.registry.list().every((d) => d.status === 'online'));
  });
  afterAll(() => box?.close());

  it('dashboard shows identity, resources, bus, devices per driver', async () => {
    const d = (await c.get('/api/dashboard')).json();
    expect(d.identity).toMatchObject({ name: 'console-test-box', version: expect.any(String) });
    expect(d.system.memory.totalMb).toBeGreaterThan(0);
    expect(d.system.disk.totalMb).toBeGreaterThan(0);
    expect(d.devices.perDriver).toEqual([{ driver: 'Demo_Sim_EBA_Meter', state: 'running', online: 3, offline: 0, disabled: 0 }]);
    expect(d.bus.clients).toBeGreaterThanOrEqual(0);
    expect(d.store).toMatchObject({ writable: true, failures: 0 });
  });

  it('manages the local-bus users: lists config and generated users, adds, re-scopes and removes app users, refuses bad input', async () => {
    const list = (await c.get('/api/bus/users')).json() as Array<{ username: string; source: string; write: string[] }>;
    expect(list.find((u) => u.source === 'generated')).toMatchObject({ username: 'edge-local', write: [] });
    const added = await c.post('/api/bus/users', {
      username: 'meter-app',
      read: ['/sys/+/+/thing/event/#'],
      write: ['/sys/PEDemoMeter/+/thing/service/#'],
    });
    expect(added.statusCode).toBe(200);
    expect(added.json().password).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect((await c.get('/api/bus/users')).json()).toContainEqual({
      username: 'meter-app',
      source: 'app',
      read: ['/sys/+/+/thing/event/#'],
      write: ['/sys/PEDemoMeter/+/thing/service/#'],
    });
    const again = await c.post('/api/bus/users', { username: 'meter-app', read: [], write: [] });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.message).toMatch(/exists/);
    expect((await c.post('/api/bus/users', { username: 'x', read: ['a/#/b'], write: [] })).json().error.message).toMatch(/# must be/);
    expect((await c.post('/api/bus/users', { username: '../../etc', read: [], write: [] })).statusCode).toBe(400);
    expect((await c.request('PUT', '/api/bus/users/meter-app', { read: ['#'], write: [] })).statusCode).toBe(200);
    expect((await c.request('DELETE', '/api/bus/users/edge-local')).json().error.message).toMatch(/generated user/);
    expect((await c.request('DELETE', '/api/bus/users/meter-app')).statusCode).toBe(200);
    expect((await c.request('DELETE', '/api/bus/users/meter-app')).statusCode).toBe(400);
    const audit = (await c.get('/api/maintenance/audit?limit=20')).json() as Array<{ action: string }>;
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['bus.user.add', 'bus.user.rights', 'bus.user.remove']));
  });

  it('dashboard says when the box database cannot write', async () => {
    const health = writeHealthOf(box.runtime.db);
    health.failed('test', Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }));
    const d = (await c.get('/api/dashboard')).json();
    expect(d.store).toMatchObject({ writable: false, area: 'test', lastError: 'database or disk is full', since: expect.any(Number) });
    expect((await c.get('/healthz')).json()).toMatchObject({ status: 'degraded', store: { writable: false } });
    health.ok('test');
    await waitFor(() => health.writable, 5000);
    expect((await c.get('/api/dashboard')).json().store.writable).toBe(true);
  });

  it('lists devices with search and status filter, and shows one with thing model and values', async () => {
    expect((await c.get('/api/devices')).json()).toHaveLength(3);
    expect((await c.get('/api/devices?q=thermo')).json().map((d: { deviceName: string }) => d.deviceName)).toEqual(['thermo-01']);
    expect((await c.get(`/api/devices?q=${encodeURIComponent('二号楼')}`)).json().map((d: { deviceName: string }) => d.deviceName)).toEqual(
      ['meter-02'],
    );
    expect((await c.get('/api/devices?status=offline')).json()).toHaveLength(0);
    expect((await c.get('/api/devices?status=bogus')).statusCode).toBe(400);
    const one = (await c.get('/api/devices/PEDemoMeter/meter-01')).json();
    expect(one.model.services.map((s: { identifier: string }) => s.identifier)).toContain('ResetEnergy');
    expect(one.values.Voltage.value).toBeGreaterThan(200);
    const missing = await c.get('/api/devices/PEDemoMeter/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('EDGE_ERR_DEVICE_UNKNOWN');
  });

  it('sets a writable property, refuses read-only and invalid values, and invokes a service', async () => {
    const set = (await c.post('/api/devices/PEDemoMeter/meter-02/properties', { params: { RelayState: 0 } })).json();
    expect(set.code).toBe(200);
    expect(set.errorCode).toBeUndefined();
    await waitFor(() => box.runtime.registry.get('PEDemoMeter', 'meter-02')!.shadow.get('Current')?.value === 0);
    // A failed answer carries the catalogue code of its Alink code: the UI says it in words.
    expect((await c.post('/api/devices/PEDemoMeter/meter-02/properties', { params: { Voltage: 1 } })).json()).toMatchObject({
      code: 6202,
      errorCode: 'EDGE_ERR_PROPERTY_READONLY',
    });
    expect((await c.post('/api/devices/PEDemoMeter/meter-02/properties', { params: { RelayState: 7 } })).json()).toMatchObject({
      code: 460,
      errorCode: 'EDGE_ERR_REQUEST_INVALID',
    });
    expect((await c.post('/api/devices/PEDemoMeter/meter-02/properties', { params: 'x' })).statusCode).toBe(400);
    const reply = (await c.post('/api/devices/PEDemoMeter/meter-01/services/ResetEnergy', { params: { Reason: 'console test' } })).json();
    expect(reply).toMatchObject({ code: 200, data: { Previous: expect.any(Number) } });
    expect((await c.post('/api/devices/PEDemoMeter/meter-01/services/Explode', { params: {} })).json()).toMatchObject({
      code: 6200,
      errorCode: 'EDGE_ERR_SERVICE_UNKNOWN',
    });
  });

  it('streams live values and status over server-sent events, only for the asked device', async () => {
    const text = await readStream(
      `${box.url}/api/stream?device=PEDemoThermo/thermo-01`,
      c.cookie,
      /event: properties\ndata: .*thermo-01[\s\S]*event: properties/,
    );
    expect(text).toContain('"Temperature"');
    expect(text).not.toContain('meter-01');
  });

  it('drivers: state, searchable log tail, restart', async () => {
    const list = (await c.get('/api/drivers')).json();
    expect(list[0]).toMatchObject({ name: 'Demo_Sim_EBA_Meter', state: 'running' });
    expect(list[0]).not.toHaveProperty('logFile');
    await waitFor(async () => (await c.get('/api/drivers/Demo_Sim_EBA_Meter/log?q=meter-02')).json().lines.length > 0);
    const log = (await c.get('/api/drivers/Demo_Sim_EBA_Meter/log?q=meter-02')).json();
    expect(log.lines.every((l: { raw: string }) => l.raw.includes('meter-02'))).toBe(true);
    expect((await c.get('/api/drivers/Nope/log')).statusCode).toBe(503);
    const pidBefore = box.runtime.host.status()[0]!.pid;
    expect((await c.post('/api/drivers/Demo_Sim_EBA_Meter/restart')).statusCode).toBe(200);
    await waitFor(() => box.runtime.host.status()[0]!.state === 'running' && box.runtime.host.status()[0]!.pid !== pidBefore);
  });

  it('redeploy refuses a broken config with every problem inline and keeps running; a good one deploys and is saved', async () => {
    const current = (await c.get('/api/config')).json().text as string;
    const broken = current
      .replace('productKey: PEDemoThermo', 'productKey: NoSuchProduct')
      .replace('type: demo-sim', 'type: not-installed');
    const refused = await c.post('/api/config/redeploy', { text: broken });
    expect(refused.statusCode).toBe(400);
    const paths = refused.json().error.problems.map((p: { path: string }) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['/drivers/0/type', '/drivers/0/devices/2/productKey']));
    expect(readFileSync(box.configFile, 'utf8')).toBe(current);
    const syntax = await c.post('/api/maintenance/config/validate', { text: 'drivers: [ {' });
    expect(syntax.json().ok).toBe(false);
    // The console's check is the daemon's: a driver setting the driver would refuse shows too.
    const typo = await c.post('/api/maintenance/config/validate', { text: current.replace(/intervalMs:/, 'intervalMS:') });
    expect(typo.json().ok).toBe(false);
    expect(typo.json().problems).toContainEqual(
      expect.objectContaining({ message: 'unknown key intervalMS', hint: 'did you mean intervalMs?' }),
    );
    const fewer = current.replace(/^.*meter-02.*\n/m, '');
    const ok = await c.post('/api/config/redeploy', { text: fewer });
    expect(ok.statusCode).toBe(200);
    expect(box.runtime.registry.get('PEDemoMeter', 'meter-02')).toBeUndefined();
    expect(readFileSync(box.configFile, 'utf8')).toBe(fewer);
    expect(readFileSync(`${box.configFile}.bak`, 'utf8')).toBe(current);
  });

  it('backup downloads a tar.gz with manifest, config and a readable database; broken backups are refused', async () => {
    const res = await c.get('/api/maintenance/backup');
    expect(res.statusCode).toBe(200);
    expect(String(res.headers['content-disposition'])).toMatch(/attachment; filename="console-test-box-.*\.tar\.gz"/);
    const entries = readTar(gunzipSync(res.rawPayload));
    expect(entries.map((e) => e.name).slice(0, 3)).toEqual(['manifest.json', 'config.yaml', 'edge.db']);
    expect(entries.map((e) => e.name)).not.toContain('data/bus-credentials.json'); // a secret: out without a passphrase
    expect(entries[2]!.data.subarray(0, 15).toString()).toBe('SQLite format 3');
    const preview = await c.post('/api/maintenance/restore', res.rawPayload);
    expect(preview.json()).toMatchObject({ confirmed: false, preview: { box: 'console-test-box', areas: { core: 1, console: 1 } } });
    expect(preview.json().preview.missingSecrets).toContain('bus-credentials.json');
    expect((await c.get('/api/maintenance/status')).json().pendingRestore).toBe(false);
    for (const bad of [
      Buffer.from('not a gzip'),
      gzipSync(Buffer.from('x'.repeat(2000))),
      gzipSync(writeTar([{ name: 'manifest.json', data: Buffer.from('{}') }])),
      gzipSync(writeTar([entries[0]!, entries[1]!, { name: 'edge.db', data: Buffer.from(`SQLite format 3\0${'garbage'.repeat(100)}`) }])),
    ]) {
      const r = await c.post('/api/maintenance/restore?confirm=yes', bad);
      expect(r.statusCode).toBe(400);
      expect(r.json().error.code).toBe('EDGE_ERR_CONSOLE_BACKUP_INVALID');
    }
    expect((await c.post('/api/maintenance/restore', { not: 'a file' })).statusCode).toBe(415);
    expect((await c.get('/api/maintenance/status')).json().pendingRestore).toBe(false);
  });

  it('EBA: tables view and export work on a box without point tables; a broken workbook changes nothing and reports rows', async () => {
    expect((await c.get('/api/eba/available')).json()).toEqual({ available: true, types: ['modbus-v3', 'bacnet-v3'] });
    expect((await c.get('/api/eba/points')).json()).toMatchObject({ sheet: 'points', rows: [] });
    expect((await c.get('/api/eba/nonsense')).statusCode).toBe(400);
    const xlsx = await c.get('/api/eba/export');
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    const configBefore = readFileSync(box.configFile, 'utf8');
    const file = join(box.dir, 'broken.xlsx');
    await brokenWorkbook(file);
    const { id } = (await c.post('/api/eba/import', readFileSync(file))).json();
    const job = await waitFor(async () => {
      const j = (await c.get(`/api/eba/import/${id}`)).json();
      return j.state !== 'running' && j;
    });
    expect(job.state).toBe('failed');
    expect(job.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ sheet: '通道配置表', row: 2 }),
        expect.objectContaining({ sheet: '点位表', row: 3 }),
      ]),
    );
    const junk = (await c.post('/api/eba/import', Buffer.from('not a workbook'))).json();
    expect(
      (
        await waitFor(async () => {
          const j = (await c.get(`/api/eba/import/${junk.id}`)).json();
          return j.state !== 'running' && j;
        })
      ).state,
    ).toBe('failed');
    expect(readFileSync(box.configFile, 'utf8')).toBe(configBefore);
  });

  it('access control: counts follow the access core, unknown person is 404, filters are validated', async () => {
    const before = (await c.get('/api/access/summary')).json();
    box.runtime.access!.applyPermissionText(
      'PEDoorQr/API-DOOR.2',
      JSON.stringify({
        qrCodePermissionList: [
          {
            type: 1,
            qrCode: 'ALI5466697328cff9121c21cf59dcec4',
            startTime: String(Date.now() - 60_000),
            endTime: String(Date.now() + 3_600_000),
            maxScanTimes: 10,
            maxScanScope: 'DEVICE',
          },
        ],
      }),
    );
    const after = (await c.get('/api/access/summary')).json();
    expect(after.counts.qrCodes).toBe(before.counts.qrCodes + 1);
    expect((await c.get('/api/access/persons/nobody')).statusCode).toBe(404);
    // A person the cloud synced, with the counts (never the numbers) of what they hold.
    box.runtime.access!.persons.upsert([{ identityId: 'api-person-1', name: '王先生' }], Date.now());
    box.runtime.access!.applyPermissionText(
      'PEDoorQr/API-DOOR.2',
      JSON.stringify({
        tradCardPermissionList: [{ cardId: 'CARD-API-77', endTime: String(Date.now() + 3_600_000), type: 1, userId: 'api-person-1' }],
      }),
    );
    const person = await c.get('/api/access/persons/api-person-1');
    expect(person.json()).toMatchObject({ identityId: 'api-person-1', name: '王先生', credentials: { tradCard: 1 } });
    expect(person.body).not.toContain('CARD-API-77');
    expect((await c.get('/api/access/summary')).json().counts.persons).toBe(before.counts.persons + 1);
    expect((await c.get('/api/access/records?limit=0')).statusCode).toBe(400);
    expect((await c.get('/api/access/records?device=PEDoorQr/API-DOOR.2')).json()).toEqual([]);
    expect((await c.get('/api/access/records/123/photo')).statusCode).toBe(404);
    expect((await c.post('/api/access/sync/PEDoorQr%2FAPI-DOOR.2/retry')).statusCode).toBe(200);
  });

  it('serves the UI from the box, gzipped, with strict headers, within the size budget', async () => {
    const res = await box.runtime.http.inject({ url: '/', headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(gunzipSync(res.rawPayload).toString()).toContain('/ui/app.js');
    expect((await box.runtime.http.inject({ url: '/ui/../../package.json' })).statusCode).toBe(404);
    expect(assetsGzipBytes(loadAssets())).toBeLessThan(300 * 1024);
    expect((await box.runtime.http.inject({ url: '/healthz' })).statusCode).toBe(200); // not behind the console guard
  });
});

describe('backup restore across a restart', () => {
  it('restores the database at the next start: the password of the backup works again', async () => {
    let box = await startConsoleBox();
    const dir = box.dir;
    const c = new ConsoleClient(box.runtime.http);
    await c.setup(box.runtime.console!.setupToken!, 'Password-At-Backup-1');
    const backup = (await c.get('/api/maintenance/backup')).rawPayload;
    expect((await c.post('/api/password', { current: 'Password-At-Backup-1', next: 'Password-Later-2' })).statusCode).toBe(200);
    const r = await c.post('/api/maintenance/restore?confirm=yes', backup);
    expect(r.json()).toMatchObject({ confirmed: true, configApplied: true, restartRequired: true });
    await box.runtime.stop();
    box = await startConsoleBox('', undefined, dir).catch((err: unknown) => {
      throw err;
    });
    try {
      const d = new ConsoleClient(box.runtime.http);
      expect((await d.login('Password-Later-2')).statusCode).toBe(401);
      expect((await d.login('Password-At-Backup-1')).statusCode).toBe(200);
      // The start on restored data queued the re-sync (this box has no doors: nothing to send).
      expect((await d.get('/api/maintenance/resync')).json()).toMatchObject({
        restore: { box: 'console-test-box', resync: false },
        devices: [],
      });
    } finally {
      await box.close();
    }
  });
});
