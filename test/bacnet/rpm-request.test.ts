/**
 * RPM requests encoded once per batch must be the bytes the library itself sends for that
 * batch (all but the invoke id), for every max-APDU code the library can express.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { planBatches, type PropertyRef } from '../../protocols/bacnet/batch.js';
import { BACnetClient, type Client } from '../../protocols/bacnet/client.js';
import { readMultipleEncoded, requestManagerOf } from '../../protocols/bacnet/rpm-request.js';
import { UdpTransport } from '../../protocols/bacnet/transport.js';

describe('pre-encoded ReadPropertyMultiple', () => {
  let peer: Socket;
  let client: Client;
  let to: string;
  const seen: Buffer[] = [];

  beforeAll(async () => {
    peer = createSocket('udp4');
    peer.on('message', (m) => seen.push(m));
    await new Promise<void>((r) => peer.bind(0, '127.0.0.43', () => r()));
    to = `127.0.0.43:${peer.address().port}`;
    const transport = new UdpTransport({
      bindAddress: '127.0.0.44',
      port: 0,
      broadcastAddress: '127.255.255.255',
      allowSend: (ip) => ip.startsWith('127.'),
    });
    const listening = new Promise((r) => transport.once('listening', r));
    client = new BACnetClient({ transport, apduTimeout: 150 });
    client.on('error', () => undefined);
    await listening;
  });

  afterAll(() => {
    client?.close();
    peer?.close();
  });

  const next = async (): Promise<Buffer> => {
    await waitFor(() => seen.length > 0, { what: 'the request', stepMs: 5 });
    return seen.shift()!;
  };

  it('sends what client.readPropertyMultiple sends, with the given invoke id', async () => {
    const refs: PropertyRef[] = [];
    for (let i = 1; i <= 30; i++)
      refs.push({ key: `0:${i}:85`, objectType: i % 3 === 0 ? 4 : 0, instance: i, property: 85, dataType: 'float' });
    refs.push(
      { key: '0:1:111', objectType: 0, instance: 1, property: 111, dataType: 'int' },
      { key: '8:4194303:77', objectType: 8, instance: 4194303, property: 77, dataType: 'text' },
    );
    const [batch] = planBatches(refs, 1476);
    const rm = requestManagerOf(client)!;
    expect(rm).toBeDefined();
    for (const code of [5, 3, 1]) {
      await expect(
        client.readPropertyMultiple({ address: to }, batch!.specs as never, { invokeId: 40 + code, maxApdu: code }),
      ).rejects.toThrow();
      const viaLibrary = await next();
      await expect(readMultipleEncoded(client, rm, { address: to }, 70 + code, batch!, code)).rejects.toThrow(/TIMEOUT/);
      const encoded = await next();
      expect(viaLibrary[8]).toBe(40 + code);
      expect(encoded[8]).toBe(70 + code);
      encoded[8] = viaLibrary[8]!;
      expect(encoded.toString('hex')).toBe(viaLibrary.toString('hex'));
    }
  });

  it('says 50 octets when asked to (the library turns code 0 into 1476)', async () => {
    const [batch] = planBatches([{ key: '0:1:85', objectType: 0, instance: 1, property: 85, dataType: 'float' }], 50);
    await expect(readMultipleEncoded(client, requestManagerOf(client)!, { address: to }, 9, batch!, 0)).rejects.toThrow(/TIMEOUT/);
    expect((await next())[7]! & 0x0f).toBe(0);
  });
});
