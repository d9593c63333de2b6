/**
 * Client of the box's data-model API (seed 001 L39950-39989, R49): insert a record of a data
 * model, and the two-step file upload (ask for a file name and an upload URL, then PUT the bytes
 * there). Every call is signed with the app's AppKey/AppSecret (signer.ts). Answers are checked at
 * this boundary: anything but `code` 200 with the expected `data` is a DataModelError.
 */
import { randomUUID } from 'node:crypto';
import { signRequest } from './signer.js';

export const INSERT_PATH = '/data/model/data/insert';
export const UPLOAD_PATH = '/data/model/data/upload';
/** The insert's API version (Alibaba doc 145523); the upload's is the seed's 0.0.1 (L40389). */
export const INSERT_API_VER = '0.0.3';
export const UPLOAD_API_VER = '0.0.1';

export class DataModelError extends Error {
  /** The API's `code`, or 0 when it could not be reached or did not answer in its format. */
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface DataModelClientOptions {
  /** host:port (the `iot.hosting.api.domain` variable). */
  domain: string;
  appKey: string;
  appSecret: string;
  timeoutMs?: number;
}

export interface UploadTarget {
  fileName: string;
  url: string;
}

type Json = Record<string, unknown>;

export class DataModelClient {
  readonly #o: Required<DataModelClientOptions>;

  constructor(options: DataModelClientOptions) {
    this.#o = { timeoutMs: 5000, ...options };
  }

  /** Inserts one record; returns its dataId. */
  async insert(modelId: string, properties: Json): Promise<string> {
    const data = await this.#call(INSERT_PATH, INSERT_API_VER, { modelId, properties });
    if ((typeof data !== 'string' && typeof data !== 'number') || data === '')
      throw new DataModelError(0, 'insert answered without a dataId');
    return String(data);
  }

  /** Asks for an upload URL for `fileName`, then PUTs the bytes there; returns the file name to put in the record. */
  async upload(fileName: string, bytes: Buffer, contentType = 'application/octet-stream'): Promise<UploadTarget> {
    const data = await this.#call(UPLOAD_PATH, UPLOAD_API_VER, { fileName });
    const t = data as Partial<UploadTarget> | null;
    if (!t || typeof t.fileName !== 'string' || typeof t.url !== 'string' || !/^https?:\/\//.test(t.url))
      throw new DataModelError(0, 'upload answered without fileName and url');
    let res: Response;
    try {
      res = await fetch(t.url, {
        method: 'PUT',
        headers: { 'content-type': contentType },
        body: bytes,
        signal: AbortSignal.timeout(this.#o.timeoutMs),
      });
      await res.arrayBuffer();
    } catch (err) {
      throw new DataModelError(0, `file PUT failed: ${(err as Error).message}`);
    }
    if (!res.ok) throw new DataModelError(res.status, `file PUT answered HTTP ${res.status}`);
    return { fileName: t.fileName, url: t.url };
  }

  async #call(path: string, apiVer: string, params: Json): Promise<unknown> {
    const body = JSON.stringify({ id: randomUUID().replaceAll('-', ''), version: '1.0', request: { apiVer }, params });
    const headers = signRequest({
      appKey: this.#o.appKey,
      appSecret: this.#o.appSecret,
      method: 'POST',
      path,
      accept: 'application/json',
      contentType: 'application/json',
      body,
    });
    let text: string;
    try {
      const res = await fetch(`http://${this.#o.domain}${path}`, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.#o.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      throw new DataModelError(0, `data-model API unreachable: ${(err as Error).message}`);
    }
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      throw new DataModelError(0, 'data-model API answered non-JSON');
    }
    const a = answer as { code?: unknown; message?: unknown; data?: unknown } | null;
    if (!a || typeof a.code !== 'number') throw new DataModelError(0, 'data-model API answered without a code');
    if (a.code !== 200) throw new DataModelError(a.code, typeof a.message === 'string' ? a.message : `code ${a.code}`);
    return a.data;
  }
}
