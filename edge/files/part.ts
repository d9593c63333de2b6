/**
 * The file service as a runtime part: built when the box config has a `files:` section that does
 * not disable it, started after the store (its index lives in the box database) and before the
 * parts that keep pictures in it.
 */
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';
import { parseFilesConfig } from './config.js';
import { FileService } from './service.js';

export interface FilesPart {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The running service (undefined before start). */
  readonly service: FileService | undefined;
}

/** The part, or undefined when the config does not want the service (throws EDGE_ERR_CONFIG_INVALID on a bad section). */
export function filesPart(deps: { config: unknown; db: () => Db; dataDir: string; log: Logger }): FilesPart | undefined {
  const config = parseFilesConfig(deps.config);
  if (!config) return undefined;
  let service: FileService | undefined;
  return {
    name: 'files',
    get service() {
      return service;
    },
    async start() {
      const s = new FileService({ db: deps.db(), log: deps.log, dataDir: deps.dataDir }, config);
      await s.start();
      service = s;
    },
    async stop() {
      await service?.stop();
      service = undefined;
    },
  };
}
