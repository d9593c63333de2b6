/**
 * The one body reader of the device-facing servers: a body larger than the cap is refused from
 * its Content-Length before a byte is read, or as soon as a chunked one passes the cap, so a
 * hostile client never makes the box buffer more than `maxBytes` per request. The server then
 * answers 413 in its protocol's shape and closes the connection (`Connection: close`) instead of
 * draining the rest.
 */
import type { IncomingMessage } from 'node:http';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`body larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

export class RequestAbortedError extends Error {
  constructor() {
    super('request aborted before its body ended');
    this.name = 'RequestAbortedError';
  }
}

export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) return Promise.reject(new BodyTooLargeError(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (err: Error | undefined): void => {
      req.off('data', onData).off('end', onEnd).off('error', done).off('close', onClose);
      if (err) {
        req.pause(); // the rest is not read: the answer closes the connection
        reject(err);
      } else resolve(Buffer.concat(chunks, size));
    };
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > maxBytes) done(new BodyTooLargeError(maxBytes));
      else chunks.push(c);
    };
    const onEnd = (): void => done(undefined);
    const onClose = (): void => {
      if (!req.complete) done(new RequestAbortedError());
    };
    req.on('data', onData).on('end', onEnd).on('error', done).on('close', onClose);
  });
}
