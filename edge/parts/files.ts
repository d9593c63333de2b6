import type { Runtime } from '../runtime.js';
import { parseFilesConfig } from '../files/config.js';
import { FileService } from '../files/service.js';
import type { Part } from './part.js';

/**
 * The edge file service (docs/files.md), when the config has a `files:` section that does not
 * disable it: after the store (its index lives in the box database), before the parts that keep
 * pictures in it. A bad section throws EDGE_ERR_CONFIG_INVALID at build.
 */
export function filesPart(rt: Runtime): Part | undefined {
  const config = parseFilesConfig(rt.config.files);
  if (!config) return undefined;
  return {
    name: 'files',
    start: async () => {
      const service = new FileService({ db: rt.db, log: rt.logOf('files'), dataDir: rt.dataDir }, config);
      await service.start();
      rt.files = service;
    },
    stop: async () => {
      await rt.files?.stop();
      rt.files = undefined;
    },
  };
}
