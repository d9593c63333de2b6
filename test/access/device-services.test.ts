/**
 * The door thing model's permission services on a real box: whatever the door's driver, the
 * cloud's syncPermissions / face-library services load the box's stores and RSAPublicKey reaches
 * the encrypted-QR decisions.
 */
import { constants, generateKeyPairSync, privateEncrypt } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MISBEHAVE, startBox, waitFor, type TestBox } from '../helpers/runtime.js';

describe('door permission services answered by the box', () => {
  let box: TestBox;
  let files: Server;
  let base = '';
  const served = new Map<string, string>();

  beforeAll(async () => {
    files = createServer((req, res) => {
      const body = served.get(req.url ?? '');
      res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' }).end(body ?? 'not found');
    });
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    box = await startBox(`
access: { sync: { retries: 0, timeoutMs: 2000 } }
drivers:
  - name: Door_Test
    module: ${MISBEHAVE}
    devices:
      - { productKey: PEDoorQr, deviceName: door-1.2 }
      - { productKey: PEDoorFace, deviceName: door-1.1 }
`);
    await waitFor(() => box.runtime.registry.get('PEDoorQr', 'door-1.2')?.status === 'online');
  });
  afterAll(async () => {
    await box?.close();
    files?.close();
  });

  it('syncPermissions downloads and applies the permission file; the QR then passes offline', async () => {
    served.set(
      '/perm.json',
      JSON.stringify({
        qrCodePermissionList: [{ type: 1, qrCode: 'ALIF24DD9END8CD3', startTime: '0', endTime: '9999999999999', maxScanTimes: -1 }],
      }),
    );
    const r = await box.runtime.host.callService('PEDoorQr', 'door-1.2', 'syncPermissions', { permissionUrl: `${base}/perm.json` });
    expect(r).toMatchObject({ code: 200, data: { SyncFileStatus: 0 } });
    expect(box.runtime.access!.passage.decideQr('PEDoorQr/door-1.2', 'ALIF24DD9END8CD3')).toMatchObject({ code: 0 });
    const missing = await box.runtime.host.callService('PEDoorQr', 'door-1.2', 'syncPermissions', { permissionUrl: `${base}/nope.json` });
    expect(missing).toMatchObject({ code: 200, data: { SyncFileStatus: 2 } });
    served.set('/bad.json', '{"qrCodePermissionList": [');
    expect(
      await box.runtime.host.callService('PEDoorQr', 'door-1.2', 'syncPermissions', { permissionUrl: `${base}/bad.json` }),
    ).toMatchObject({ data: { SyncFileStatus: 3 } });
  });

  it('the face library services answer from the box', async () => {
    served.set(
      '/faces.json',
      JSON.stringify({ groupId: 'g1', addFaceInfos: [], deleteFaceInfos: [], isCleanAll: false, isCleanAllGroup: false }),
    );
    expect(
      await box.runtime.host.callService('PEDoorFace', 'door-1.1', 'SyncFacePictures', { FacePicURL: `${base}/faces.json` }),
    ).toMatchObject({ code: 200, data: { SyncPicStatus: 0 } });
    expect(await box.runtime.host.callService('PEDoorFace', 'door-1.1', 'QuerySyncPicSchedule', {})).toMatchObject({
      code: 200,
      data: { SyncPicStatus: 0, Schedule: 100 },
    });
    expect(await box.runtime.host.callService('PEDoorFace', 'door-1.1', 'QueryAddedUserInfo', { GroupID: 'g1' })).toMatchObject({
      code: 200,
      data: { Type: 1, SyncPicStatus: 0 },
    });
  });

  it('RSAPublicKey set on the door is used for encrypted QR codes; a bad key is refused', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const spki = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    // The cloud encrypts `code:timestamp` (the code is valid until then) with its private key; the door's public key opens it [seed 001 L1533-1548].
    const scanned = privateEncrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_PADDING },
      Buffer.from(`ALIF24DD9END8CD3:${Math.floor(Date.now() / 1000) + 60}`),
    ).toString('base64');
    expect(box.runtime.access!.passage.decideQr('PEDoorQr/door-1.2', scanned).code).not.toBe(0);
    expect((await box.runtime.host.setProperties('PEDoorQr', 'door-1.2', { RSAPublicKey: 'not-a-key' })).code).toBe(460);
    expect((await box.runtime.host.setProperties('PEDoorQr', 'door-1.2', { RSAPublicKey: spki })).code).toBe(200);
    expect(box.runtime.access!.passage.decideQr('PEDoorQr/door-1.2', scanned)).toMatchObject({ code: 0 });
  });
});
