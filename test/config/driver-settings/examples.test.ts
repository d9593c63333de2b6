/**
 * The built-in drivers' settings (drivers/<x>/settings.ts) accept the examples of the README's
 * example config, the embedded defaults and their docs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_YAML } from '../../../edge/config/defaults.js';
import { ROOT, problemsOfYaml, problemsOf } from './helpers.js';

describe('driver settings: the shipped examples are accepted', () => {
  it('the embedded defaults', async () => {
    expect(await problemsOfYaml(DEFAULT_CONFIG_YAML)).toEqual([]);
  });

  it('config/box.example.yaml', async () => {
    expect(await problemsOfYaml(readFileSync(join(ROOT, 'config', 'box.example.yaml'), 'utf8'))).toEqual([]);
  });

  it('every YAML example with drivers in README.md and docs/', async () => {
    const files = [
      'README.md',
      ...readdirSync(join(ROOT, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => join('docs', f)),
    ];
    let checked = 0;
    for (const f of files) {
      for (const m of readFileSync(join(ROOT, f), 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)) {
        if (!/^drivers:/m.test(m[1]!)) continue;
        checked++;
        expect({ file: f, problems: await problemsOfYaml(m[1]!) }).toEqual({ file: f, problems: [] });
      }
    }
    expect(checked).toBeGreaterThanOrEqual(2); // door-standard.md, drivers.md
  });

  // docs/face-terminals.md "Seed 003" and "Seed 004": the driver config and device custom shown there.
  it('the face terminal configs of docs/face-terminals.md', async () => {
    expect(
      await problemsOf(
        'face-terminal-push',
        {
          host: '127.0.0.1',
          port: 10010,
          pathPrefix: '',
          tzOffsetMinutes: 480,
          openTimeoutMs: 30000,
          commandWaitMs: 60000,
          commandTtlMs: 86400000,
          resultTimeoutMs: 60000,
          maxAttempts: 3,
          intervalsS: { heartbeat: 30, person: 5, open: 2, update: 300, other: 10 },
        },
        [
          { productKey: 'PEFacePush', deviceName: 'FP-1', custom: { deviceNo: 'SN0001' } },
          { productKey: 'PEFacePush', deviceName: 'FP-2' },
        ],
      ),
    ).toEqual([]);
    expect(
      await problemsOf(
        'face-terminal-openapi',
        {
          host: '127.0.0.1',
          port: 10020,
          publicUrl: 'http://192.168.1.2:10020/',
          syncPollMs: 5000,
          faceSync: 'pull',
          feedbackTimeoutMs: 120000,
        },
        [
          {
            productKey: 'PEFaceOpenApi',
            deviceName: 'OA-1',
            custom: { ip: '192.168.1.120', port: 8899, wsPort: 9000, password: '123456', deviceId: 'OA-1' },
          },
          { productKey: 'PEFaceOpenApi', deviceName: 'OA-2', custom: { ip: 'face-2.lan' } },
        ],
      ),
    ).toEqual([]);
  });

  // docs/eba.md (import output, inline tables) and docs/bacnet.md (socket options).
  it('the EBA configs of docs/eba.md and docs/bacnet.md', async () => {
    const points = [{ productKey: 'tpHw01', deviceName: 'T1', custom: { points: { Temperature: '1', Setpoint: 2 } } }];
    expect(
      await problemsOf(
        'modbus-v3',
        {
          tablesFile: 'tables.json',
          tablesSha256: 'a'.repeat(64),
          timeoutMs: 1000,
          maxInFlight: 8,
          maxGapRegisters: 16,
          backoffMinMs: 500,
          backoffMaxMs: 30000,
          statsIntervalMs: 0,
        },
        points,
      ),
    ).toEqual([]);
    expect(await problemsOf('modbus-v3', { channels: [{ id: 'C1', transport: 'tcp' }], points: [{ id: '1' }] }, points)).toEqual([]);
    expect(
      await problemsOf(
        'bacnet-v3',
        {
          tablesFile: 'tables.json',
          tablesSha256: 'b'.repeat(64),
          localPort: 47808,
          bindAddress: '0.0.0.0',
          broadcastAddress: '192.168.1.255',
          covConfirmed: true,
          readPropertyOnly: false,
          writePriority: 8,
        },
        points,
      ),
    ).toEqual([]);
    expect(await problemsOf('bacnet-v3', { localPort: 0, bindAddress: '127.0.0.30', broadcastAddress: '127.255.255.255:47809' })).toEqual(
      [],
    );
  });
});
