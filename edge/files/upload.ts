/**
 * `POST /home/paas/file/add`: form-data with `filePath` (text, required), `file` (the file,
 * required) and `expire` (seconds to keep it at least, default 2 h, range [0, 604800])
 * [seed 001 L39742-39756]. The file part streams to a temporary file as it arrives, whatever the
 * order of the parts; the text fields are checked as soon as each ends, so a bad `filePath` sent
 * first stops the upload before the file is read. Limits: the file (`maxFileBytes`, also the
 * store's free room), each text field (4 KiB), the whole body (the file plus 64 KiB of form).
 */
import type { IncomingMessage } from 'node:http';
import { boundaryOf, MultipartError, MultipartParser, type PartHeaders } from '../../protocols/multipart/parser.js';
import { fileError, FileServiceError } from './codes.js';
import { checkFilePath } from './paths.js';
import type { Committed, FileStore } from './store.js';
import { TempWriter } from './temp-writer.js';

/** [seed 001 L39754-39756] */
export const MAX_EXPIRE_S = 604_800;
const MAX_FIELD_BYTES = 4096;
const FORM_OVERHEAD_BYTES = 64 * 1024;

export interface UploadOptions {
  maxFileBytes: number;
  defaultExpireS: number;
}

export function checkExpire(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const s = raw.trim();
  if (!/^\d{1,7}$/.test(s) || Number(s) > MAX_EXPIRE_S) throw fileError('param', `expire must be whole seconds in [0, ${MAX_EXPIRE_S}]`);
  return Number(s);
}

/** The state of one upload while its body streams in. */
class Upload {
  readonly fields = new Map<string, string>();
  writer: TempWriter | undefined;
  fileEnded = false;
  #part: 'file' | 'field' | 'skip' = 'skip';
  #name = '';
  #field: Buffer[] = [];
  #fieldBytes = 0;
  #cap = 0;

  constructor(
    readonly req: IncomingMessage,
    readonly store: FileStore,
    readonly o: UploadOptions,
  ) {}

  onPart(h: PartHeaders): void {
    this.#name = h.name;
    if (h.name === 'file') {
      if (this.writer) throw fileError('param', 'more than one file part');
      const path = this.fields.get('filePath');
      this.#cap = Math.min(this.o.maxFileBytes, this.store.room(path));
      this.writer = new TempWriter(this.store.tempFile());
      this.#part = 'file';
    } else if (h.name === 'filePath' || h.name === 'expire') {
      if (this.fields.has(h.name)) throw fileError('param', `${h.name} given twice`);
      this.#part = 'field';
      this.#field = [];
      this.#fieldBytes = 0;
    } else this.#part = 'skip'; // other fields are not the service's; their bytes count toward the body cap
  }

  onData(d: Buffer): void {
    if (this.#part === 'file' && this.writer) {
      if (this.writer.bytes + d.length > this.#cap) {
        if (this.#cap < this.o.maxFileBytes) throw this.store.fullError(this.writer.bytes + d.length);
        throw fileError('tooLarge', `file larger than ${this.o.maxFileBytes} bytes`);
      }
      if (!this.writer.write(d)) {
        this.req.pause();
        this.writer.onDrain(() => this.req.resume());
      }
    } else if (this.#part === 'field') {
      this.#fieldBytes += d.length;
      if (this.#fieldBytes > MAX_FIELD_BYTES) throw fileError('param', `${this.#name} longer than ${MAX_FIELD_BYTES} bytes`);
      this.#field.push(d);
    }
  }

  onPartEnd(): void {
    if (this.#part === 'file') this.fileEnded = true;
    else if (this.#part === 'field') {
      const value = Buffer.concat(this.#field).toString('utf8');
      if (this.#name === 'filePath') checkFilePath(value);
      else checkExpire(value, this.o.defaultExpireS);
      this.fields.set(this.#name, value);
    }
    this.#part = 'skip';
  }
}

/** Read the form from `req` until its closing boundary; the file is on disk (not yet flushed) when it resolves. */
function readForm(req: IncomingMessage, up: Upload, boundary: string, maxBody: number): Promise<void> {
  const parser = new MultipartParser(boundary, up);
  let seen = 0;
  return new Promise((resolve, reject) => {
    const done = (err?: unknown): void => {
      req.off('data', onData).off('end', onEnd).off('error', done).off('close', onClose);
      if (err === undefined) return resolve();
      req.pause(); // the rest is not read: the answer closes the connection
      reject(err instanceof MultipartError ? fileError('param', `malformed form-data: ${err.message}`) : err);
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      try {
        if (seen > maxBody) throw fileError('tooLarge', `request body larger than ${maxBody} bytes`);
        parser.write(chunk);
      } catch (err) {
        done(err);
      }
    };
    const onEnd = (): void => {
      try {
        parser.end();
        done();
      } catch (err) {
        done(err);
      }
    };
    const onClose = (): void => {
      if (!req.complete) done(fileError('param', 'the request ended before its body did'));
    };
    req.on('data', onData).on('end', onEnd).on('error', done).on('close', onClose);
  });
}

export async function receiveUpload(req: IncomingMessage, store: FileStore, o: UploadOptions): Promise<Committed> {
  const boundary = boundaryOf(req.headers['content-type']);
  if (!boundary) throw fileError('param', 'Content-Type must be multipart/form-data with a boundary');
  const maxBody = o.maxFileBytes + FORM_OVERHEAD_BYTES;
  if (Number(req.headers['content-length']) > maxBody) throw fileError('tooLarge', `request body larger than ${maxBody} bytes`);
  const up = new Upload(req, store, o);
  try {
    await readForm(req, up, boundary, maxBody);
    const filePath = checkFilePath(up.fields.get('filePath'));
    if (!up.writer || !up.fileEnded) throw fileError('param', 'file is blank');
    const expireS = checkExpire(up.fields.get('expire'), o.defaultExpireS);
    const writer = up.writer;
    up.writer = undefined;
    const md5 = await writer.finish().catch(async (err: unknown) => {
      await writer.abort();
      throw err;
    });
    const committed = store.commit(writer.file, filePath, writer.bytes, md5, expireS * 1000);
    await store.flush(filePath);
    return committed;
  } catch (err) {
    await up.writer?.abort();
    throw err instanceof FileServiceError ? err : diskError(err);
  }
}

/** A disk that is full answers "storage full"; anything else is a system error. */
export function diskError(err: unknown): FileServiceError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return fileError('full', 'the disk is full');
  return fileError('internal', 'the file could not be stored');
}
