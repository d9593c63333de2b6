/**
 * A streaming `multipart/form-data` parser (RFC 7578 over RFC 2046): bytes go in as they arrive,
 * parts come out as `onPart(headers)`, `onData(slice)`…, `onPartEnd()`. A part's body is never
 * held: at most one delimiter's length of it is carried between chunks, so a 50 MB file passes
 * through in the request's own chunks. What it does hold is bounded: a part's header block
 * (`maxHeaderBytes`), the preamble's search window, the number of parts (`maxParts`).
 *
 * Hostile input ends in `MultipartError` (thrown from `write` or `end`), never in unbounded
 * memory: a missing closing boundary, a header block over the cap, a part without a
 * `Content-Disposition: form-data; name=…`, too many parts, a preamble that never shows the
 * boundary. The epilogue after the closing boundary is ignored, as RFC 2046 says.
 */
import { parsePartHeaders, type PartHeaders } from './headers.js';

export type { PartHeaders } from './headers.js';

export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MultipartError';
  }
}

export interface MultipartHandler {
  onPart(headers: PartHeaders): void;
  /** A slice of the current part's body; valid after the call (never reused by the parser). */
  onData(data: Buffer): void;
  onPartEnd(): void;
}

export interface MultipartLimits {
  /** Bytes of one part's header block. */
  maxHeaderBytes: number;
  /** Parts in one body. */
  maxParts: number;
  /** Bytes before the first boundary. */
  maxPreambleBytes: number;
}

export const MULTIPART_LIMITS: MultipartLimits = { maxHeaderBytes: 2048, maxParts: 16, maxPreambleBytes: 1024 };

/** The boundary of a `multipart/form-data` Content-Type (RFC 2046 §5.1.1: 1-70 bchars), or undefined. */
export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const [type, ...params] = contentType.split(';');
  if (type?.trim().toLowerCase() !== 'multipart/form-data') return undefined;
  for (const p of params) {
    const m = /^\s*boundary\s*=\s*(?:"([^"]*)"|([^\s";]*))\s*$/i.exec(p);
    if (!m) continue;
    const b = m[1] ?? m[2] ?? '';
    return /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/.test(b) ? b : undefined;
  }
  return undefined;
}

type State = 'preamble' | 'afterBoundary' | 'headers' | 'body' | 'done';

const HEADER_END = Buffer.from('\r\n\r\n');
const EMPTY = Buffer.alloc(0);

export class MultipartParser {
  readonly #handler: MultipartHandler;
  readonly #limits: MultipartLimits;
  /** `--boundary`: the first delimiter may open the body without a CRLF before it. */
  readonly #first: Buffer;
  /** `CRLF--boundary`: every later delimiter. */
  readonly #delimiter: Buffer;
  #state: State = 'preamble';
  #carry: Buffer = EMPTY;
  #parts = 0;
  #seen = 0;
  #padding = 0;

  constructor(boundary: string, handler: MultipartHandler, limits: Partial<MultipartLimits> = {}) {
    this.#handler = handler;
    this.#limits = { ...MULTIPART_LIMITS, ...limits };
    this.#first = Buffer.from(`--${boundary}`, 'latin1');
    this.#delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  }

  /** True once the closing boundary was read. */
  get done(): boolean {
    return this.#state === 'done';
  }

  write(chunk: Buffer): void {
    if (this.#state === 'done') return; // epilogue
    let buf = chunk;
    if (this.#carry.length > 0) {
      // In a body the carry is only the tail that might begin a delimiter: when it does not, it
      // is passed on as it is and the chunk is searched alone, never copied (a file part's chunks
      // would otherwise all be copied once more).
      if (this.#state === 'body' && !this.#delimiterStartsInCarry(chunk)) this.#handler.onData(this.#carry);
      else buf = Buffer.concat([this.#carry, chunk]);
    }
    this.#carry = EMPTY;
    let pos = 0;
    while (pos >= 0) pos = this.#step(buf, pos);
  }

  /** The body ended: it must have ended with the closing boundary. */
  end(): void {
    if (this.#state !== 'done') throw new MultipartError('the body ended before the closing boundary');
  }

  /** One step of the state machine from `pos`; -1 when `buf` is used up (the rest carried). */
  #step(buf: Buffer, pos: number): number {
    switch (this.#state) {
      case 'preamble':
        return this.#preamble(buf, pos);
      case 'afterBoundary':
        return this.#afterBoundary(buf, pos);
      case 'headers':
        return this.#headers(buf, pos);
      case 'body':
        return this.#body(buf, pos);
      default:
        return -1;
    }
  }

  #preamble(buf: Buffer, pos: number): number {
    const i = buf.indexOf(this.#first, pos);
    if (i < 0) {
      const keep = Math.max(pos, buf.length - (this.#first.length - 1));
      this.#seen += keep - pos;
      if (this.#seen > this.#limits.maxPreambleBytes) throw new MultipartError('no boundary at the start of the body');
      return this.#keep(buf, keep);
    }
    this.#seen += i - pos;
    if (this.#seen > this.#limits.maxPreambleBytes) throw new MultipartError('no boundary at the start of the body');
    this.#state = 'afterBoundary';
    return i + this.#first.length;
  }

  #afterBoundary(buf: Buffer, pos: number): number {
    if (buf.length - pos < 2) return this.#keep(buf, pos);
    if (buf[pos] === 0x2d && buf[pos + 1] === 0x2d) {
      this.#state = 'done';
      return -1;
    }
    if (buf[pos] === 0x0d && buf[pos + 1] === 0x0a) {
      this.#state = 'headers';
      this.#padding = 0;
      return pos; // the CRLF stays: an empty header block is then CRLF CRLF
    }
    // Transport padding (RFC 2046: linear white space after the boundary), bounded.
    if ((buf[pos] === 0x20 || buf[pos] === 0x09) && ++this.#padding <= 64) return pos + 1;
    throw new MultipartError('malformed boundary line');
  }

  #headers(buf: Buffer, pos: number): number {
    const i = buf.indexOf(HEADER_END, pos);
    const max = this.#limits.maxHeaderBytes;
    if (i < 0) {
      if (buf.length - pos > max + 2) throw new MultipartError(`a part's headers are longer than ${max} bytes`);
      return this.#keep(buf, pos);
    }
    if (i - pos > max + 2) throw new MultipartError(`a part's headers are longer than ${max} bytes`);
    if (++this.#parts > this.#limits.maxParts) throw new MultipartError(`more than ${this.#limits.maxParts} parts`);
    const headers = parsePartHeaders(i > pos + 2 ? buf.toString('utf8', pos + 2, i) : '');
    if (typeof headers === 'string') throw new MultipartError(headers);
    this.#handler.onPart(headers);
    this.#state = 'body';
    return i + HEADER_END.length;
  }

  #body(buf: Buffer, pos: number): number {
    const i = buf.indexOf(this.#delimiter, pos);
    if (i >= 0) {
      if (i > pos) this.#handler.onData(buf.subarray(pos, i));
      this.#handler.onPartEnd();
      this.#state = 'afterBoundary';
      return i + this.#delimiter.length;
    }
    // The last delimiter-length - 1 bytes may begin a delimiter: they wait for the next chunk.
    const safe = Math.max(pos, buf.length - (this.#delimiter.length - 1));
    if (safe > pos) this.#handler.onData(buf.subarray(pos, safe));
    return this.#keep(buf, safe);
  }

  /** Whether a delimiter begins in the carry (or the chunk is too short to tell). */
  #delimiterStartsInCarry(chunk: Buffer): boolean {
    const more = this.#delimiter.length - 1;
    if (chunk.length < more) return true;
    return Buffer.concat([this.#carry, chunk.subarray(0, more)]).includes(this.#delimiter);
  }

  #keep(buf: Buffer, from: number): number {
    this.#carry = from < buf.length ? Buffer.from(buf.subarray(from)) : EMPTY;
    return -1;
  }
}
