/**
 * The port the parking system pushes its in/out events to (`POST /reportInAndOutRecord`, the
 * path of the seed's sample, L40279). Each push is checked, its picture fetched from the system,
 * its records queued durably (outbox.ts), and answered as the seed's adapter answers (R11,
 * L40279-40301): `{"resCode":0,"resMsg":"数据上报成功"}` once the data-model API took the
 * records, else `{"resCode":1,"resMsg":"数据上报失败"}` — also when they stay queued for a
 * later delivery, so the system knows they have not arrived yet.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseJson, readBody } from '../sdk/http-body.js';
import { JsonServer, sendJson as send } from '../sdk/json-server.js';
import type { Outbox } from './outbox.js';
import { type InOutPush, imageUrl, maskPlate, parsePush, recordsOf } from './push-mapping.js';

export const PUSH_PATH = '/reportInAndOutRecord';
export const PUSH_OK = { resCode: 0, resMsg: '数据上报成功' } as const;
export const PUSH_FAILED = { resCode: 1, resMsg: '数据上报失败' } as const;

const MAX_PUSH = 64 * 1024;
const MAX_IMAGE = 2 * 1024 * 1024;

export interface PushLog {
  info(o: object, msg: string): void;
  warn(o: object, msg: string): void;
}

export interface PushReceiverOptions {
  outbox: Outbox;
  log: PushLog;
  imageTimeoutMs?: number;
  now?: () => Date;
}

export class PushReceiver extends JsonServer {
  constructor(readonly options: PushReceiverOptions) {
    super((req, res) => this.#handle(req, res));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if ((req.url ?? '').split('?')[0] !== PUSH_PATH || req.method !== 'POST') return send(res, 404, PUSH_FAILED);
    const { log } = this.options;
    try {
      const push = parsePush(parseJson(await readBody(req, MAX_PUSH)));
      if (typeof push === 'string') {
        log.warn({ reason: push }, 'push refused');
        return send(res, 200, PUSH_FAILED);
      }
      const image = await this.#image(push);
      const delivered = await this.options.outbox.add(push.GUID, recordsOf(push, this.options.now?.() ?? new Date()), image);
      log.info({ plate: maskPlate(push.carCode), guid: push.GUID, inOrOut: push.inOrOut, image: image !== undefined, delivered }, 'push');
      send(res, 200, delivered ? PUSH_OK : PUSH_FAILED);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'push failed');
      if (!res.headersSent) send(res, 200, PUSH_FAILED);
    }
  }

  /** The plate picture from the system's imagePath; a pass without its picture is still recorded. */
  async #image(push: InOutPush): Promise<Buffer | undefined> {
    const url = imageUrl(push);
    if (!url) return undefined;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.options.imageTimeoutMs ?? 5000) });
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      // Read with a cap: the URL comes from the push, so its size is not ours to trust.
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += chunk.length;
        if (size > MAX_IMAGE) throw new Error(`picture over ${MAX_IMAGE} bytes`);
        chunks.push(Buffer.from(chunk));
      }
      if (size === 0) throw new Error('empty picture');
      return Buffer.concat(chunks);
    } catch (err) {
      this.options.log.warn({ guid: push.GUID, err: (err as Error).message }, 'plate picture not fetched');
      return undefined;
    }
  }
}
