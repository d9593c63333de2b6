/**
 * The RTU master against a hostile little slave (RTU over TCP, written here with its own
 * bit-by-bit CRC so it shares no code with the client): answers cut into single bytes, another
 * slave's answer, a broken CRC, an unknown function code, silence. Each request fails or
 * succeeds on its own and the next one is unaffected.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModbusClient } from '../../protocols/modbus/client.js';
import { ModbusTimeout, readRequest } from '../../protocols/modbus/frames.js';

function crc(bytes: number[]): number {
  let c = 0xffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ 0xa001 : c >> 1;
  }
  return c;
}

const withCrc = (bytes: number[]): Buffer => {
  const c = crc(bytes);
  return Buffer.from([...bytes, c & 0xff, c >> 8]);
};

type Behaviour = 'ok' | 'bytewise' | 'other-slave' | 'bad-crc' | 'unknown-function' | 'silent';

describe('RTU master against a hostile slave', () => {
  let server: Server;
  let client: ModbusClient;
  let behaviour: Behaviour = 'ok';

  /** Answers a read of 2 holding registers with 0x1234 0x5678, misbehaving as told. */
  function answer(socket: Socket, req: Buffer): void {
    const unit = req[0]!;
    const good = withCrc([unit, 0x03, 4, 0x12, 0x34, 0x56, 0x78]);
    switch (behaviour) {
      case 'ok':
        socket.write(good);
        break;
      case 'bytewise':
        for (const [i, b] of [...good].entries()) setTimeout(() => socket.write(Buffer.from([b])), 5 * i);
        break;
      case 'other-slave':
        socket.write(withCrc([unit + 1, 0x03, 4, 0x12, 0x34, 0x56, 0x78]));
        break;
      case 'bad-crc':
        socket.write(Buffer.concat([good.subarray(0, -1), Buffer.from([good.at(-1)! ^ 0x55])]));
        break;
      case 'unknown-function':
        socket.write(withCrc([unit, 0x2b, 0x0e, 0x01]));
        break;
      case 'silent':
        break;
    }
  }

  beforeAll(async () => {
    server = createServer((socket) => socket.on('data', (req: Buffer) => answer(socket, req)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    client = new ModbusClient({ framing: 'rtu', timeoutMs: 300 });
    await client.connectTcp('127.0.0.1', (server.address() as AddressInfo).port);
  });

  afterAll(async () => {
    client?.close();
    await new Promise((r) => server?.close(r));
  });

  const read = (): Promise<Buffer> => client.request(7, readRequest(3, 0, 2));
  const expectGood = async (): Promise<void> => {
    behaviour = 'ok';
    expect((await read()).toString('hex')).toBe('030412345678');
  };

  it('assembles an answer that arrives one byte at a time', async () => {
    behaviour = 'bytewise';
    expect((await read()).toString('hex')).toBe('030412345678');
  });

  const failures: [Behaviour, string, RegExp | typeof ModbusTimeout][] = [
    ['other-slave', 'fails an answer from another slave', /corrupt answer to slave 7: answer from slave 8/],
    ['bad-crc', 'fails an answer with a broken CRC', /corrupt answer to slave 7: CRC mismatch/],
    ['unknown-function', 'times out on an unknown function code (the frame length is unknowable)', ModbusTimeout],
    ['silent', 'times out on silence', ModbusTimeout],
  ];
  it.each(failures)('%s: %s, then goes on', async (misbehave, _what, error) => {
    behaviour = misbehave;
    await expect(read()).rejects.toThrow(error);
    await expectGood();
  });
});
