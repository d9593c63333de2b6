/** A real daemon for console tests: config file in a temp dir, ephemeral ports, demo-sim devices, log to a file. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../edge/log.js';
import { createRuntime, type Runtime } from '../../edge/runtime.js';

export { waitFor } from '../helpers/runtime.js';

export interface ConsoleBox {
  runtime: Runtime;
  dir: string;
  configFile: string;
  url: string;
  logLines(): Record<string, unknown>[];
  close(): Promise<void>;
}

/** The meters and thermostat of the embedded defaults, reporting faster; not the defaults' door (fixed ports). */
export const DEMO_DRIVERS = `
drivers:
  - name: Demo_Sim_EBA_Meter
    type: demo-sim
    config: { intervalMs: 300 }
    devices:
      - { productKey: PEDemoMeter, deviceName: meter-01, alias: 一号楼电表, custom: { kind: meter } }
      - { productKey: PEDemoMeter, deviceName: meter-02, alias: 二号楼电表, custom: { kind: meter } }
      - { productKey: PEDemoThermo, deviceName: thermo-01, alias: 物业大厅温控器, custom: { kind: thermostat } }
`;

export async function startConsoleBox(
  extra = '',
  drivers = DEMO_DRIVERS,
  dir = mkdtempSync(join(tmpdir(), 'pe-console-')),
  httpPort = 0,
): Promise<ConsoleBox> {
  const configFile = join(dir, 'box.yaml');
  const logFile = join(dir, 'edge.log');
  writeFileSync(
    configFile,
    `box: { name: console-test-box, dataDir: ${join(dir, 'data')} }\nhttp: { host: 127.0.0.1, port: ${httpPort} }\nbus: { host: 127.0.0.1, port: 0 }\n${extra}${drivers}`,
  );
  const runtime = createRuntime(configFile, { log: createLogger({ level: 'info', file: logFile }) });
  await runtime.start();
  await runtime.host.whenReady();
  return {
    runtime,
    dir,
    configFile,
    url: `http://127.0.0.1:${runtime.httpPort}`,
    logLines: () => {
      try {
        return readFileSync(logFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>);
      } catch {
        return [];
      }
    },
    async close() {
      await runtime.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
