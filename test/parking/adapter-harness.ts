/**
 * Shared setup of the parking adapter tests (adapter.test.ts, adapter-pushes.test.ts): the parking
 * simulator, a stand-in data-model API, a data directory of their own and the adapter wired to
 * them, started before a file's tests and stopped after; `call` posts a service as the service bus
 * forwards it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { ParkingAdapter } from '../../apps/parking-adapter/adapter.js';
import { ParkingSim } from '../../scripts/sim/parking/sim.js';
import { DataModelStandIn } from './datamodel-standin.js';

export const KEY = 'parking-app-key';
export const SECRET = 'parking-app-secret';

export interface Answer {
  code: number;
  message: string | null;
  data?: unknown;
}

export class AdapterRig {
  readonly standIn = new DataModelStandIn(KEY, SECRET);
  readonly sim = new ParkingSim({ port: 0 });
  dataDir = '';
  adapter!: ParkingAdapter;

  makeAdapter(): ParkingAdapter {
    return new ParkingAdapter({
      appKey: KEY,
      appSecret: SECRET,
      apiDomain: this.standIn.domain,
      dataDir: this.dataDir,
      parkingUrl: this.sim.url,
      servicePort: 0,
      pushPort: 0,
      pushHost: '127.0.0.1',
      log: pino({ level: 'silent' }),
      retryMinMs: 50,
      retryMaxMs: 200,
      heartbeat: false,
    });
  }

  async startAdapter(): Promise<void> {
    this.adapter = this.makeAdapter();
    await this.adapter.start();
    this.sim.pushUrl = `http://127.0.0.1:${this.adapter.pushes.port}/reportInAndOutRecord`;
  }

  call = async (method: string, params: unknown, raw?: string): Promise<Answer> => {
    const body = raw ?? JSON.stringify({ id: `t-${method}`, version: '1.0', request: { apiVer: '1.0' }, params });
    const res = await fetch(`http://127.0.0.1:${this.adapter.services.port}/iotx_parking_service_model/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body,
    });
    return (await res.json()) as Answer;
  };
}

/** A rig started before the calling file's tests and stopped after them. */
export function adapterRig(): AdapterRig {
  const rig = new AdapterRig();
  beforeAll(async () => {
    rig.dataDir = await mkdtemp(join(tmpdir(), 'parking-adapter-'));
    await rig.standIn.start();
    await rig.sim.start();
    await rig.startAdapter();
  });
  afterAll(async () => {
    await rig.adapter.stop();
    await rig.sim.stop();
    await rig.standIn.stop();
    await rm(rig.dataDir, { recursive: true, force: true });
  });
  return rig;
}
