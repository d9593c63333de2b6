/**
 * SIP over a stream (RFC 3261 §18.3): messages follow each other, each head ends with a blank
 * line and Content-Length (mandatory over TCP) says how much body follows. Bytes are collected
 * until a whole message is there; a head longer than `maxHead`, a missing or unreadable
 * Content-Length, or a body over `maxBody` ends the stream (the connection is closed: nothing after
 * such a message can be framed with confidence). CRLF keep-alives between messages (RFC 5626) are skipped.
 */
import { contentLength, headEnd, headerName } from './message.js';

export type FrameResult = { frames: Buffer[]; error?: { reason: string; status: 400 | 413 } };

export class StreamFramer {
  #buf: Buffer = Buffer.alloc(0);
  readonly #maxHead: number;
  readonly #maxBody: number;

  constructor(maxHead: number, maxBody: number) {
    this.#maxHead = maxHead;
    this.#maxBody = maxBody;
  }

  push(chunk: Buffer): FrameResult {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const frames: Buffer[] = [];
    for (;;) {
      let skip = 0;
      while (skip < this.#buf.length && (this.#buf[skip] === 0x0d || this.#buf[skip] === 0x0a)) skip++;
      if (skip > 0) this.#buf = this.#buf.subarray(skip);
      const end = headEnd(this.#buf);
      if (!end) {
        if (this.#buf.length > this.#maxHead) return { frames, error: { reason: 'head over the cap', status: 413 } };
        return { frames };
      }
      if (end.at > this.#maxHead) return { frames, error: { reason: 'head over the cap', status: 413 } };
      const len = lengthOf(this.#buf.subarray(0, end.at).toString('latin1'));
      if (len === undefined || Number.isNaN(len))
        return { frames, error: { reason: 'no readable Content-Length on a stream', status: 400 } };
      if (len > this.#maxBody) return { frames, error: { reason: `body of ${len} bytes is over the cap`, status: 413 } };
      const total = end.at + end.sep + len;
      if (this.#buf.length < total) return { frames };
      frames.push(Buffer.from(this.#buf.subarray(0, total)));
      this.#buf = this.#buf.subarray(total);
    }
  }
}

function lengthOf(head: string): number | undefined {
  const headers = new Map<string, string[]>();
  for (const line of head.split(/\r?\n/).slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0 && headerName(line.slice(0, colon)) === 'content-length') headers.set('content-length', [line.slice(colon + 1).trim()]);
  }
  return contentLength(headers);
}
