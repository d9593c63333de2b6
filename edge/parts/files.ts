import type { Runtime } from '../runtime.js';
import { parseFilesConfig } from '../files/config.js';
import { FileService } from '../files/service.js';
import { storePicture } from '../files/pictures.js';
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
      rt.host.registerServices({
        // Drivers' pictures (alarm and capture pictures of the security adapters): the service is
        // running, so storePicture never falls back to the (empty) local folder here.
        'files.storePicture': (a) => {
          const bytes = Buffer.from(a.base64, 'base64');
          const keepMs = a.keepDays * 86_400_000;
          const p = storePicture(service, { area: a.area, bytes, time: a.time, keepMs, localDir: '', ...(a.ext ? { ext: a.ext } : {}) });
          return { id: p.id, url: p.url ?? '' };
        },
      });
    },
    stop: async () => {
      await rt.files?.stop();
      rt.files = undefined;
    },
  };
}
